"""The `kinerja` command: each concern registers its own sub-commands from its module."""

from __future__ import annotations

import typer

from kinerja.cli import (
    bench,
    cycle,
    db_cmd,
    gather,
    nation_cmd,
    outputs,
    portal_cmd,
    rating,
    score,
)
from kinerja.runs.secrets import plug_in

plug_in()  # secret blocks named in the settings are Prefect Secret blocks

app = typer.Typer(
    help="kinerja: the monthly performance cycle for ASN (civil servants).",
    no_args_is_help=True,
    add_completion=False,
)
bench_app = typer.Typer(help="Benchmarks that print figures (rows/s, seconds, peak memory).")
app.add_typer(bench_app, name="bench")

for module in (db_cmd, score, gather, cycle, portal_cmd, outputs, rating, nation_cmd):
    module.register(app)
bench.register(bench_app)

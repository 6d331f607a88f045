"""`kinerja bench ...`: benchmarks that print figures (registered by kinerja.cli).

Each benchmark adds one `_register_<name>(app)` function and one line in `register`.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add every benchmark command to the `bench` sub-app."""
    _register_score(app)


def _register_score(app: typer.Typer) -> None:
    @app.command("score")
    def bench_score(
        employees: int = typer.Option(50_000, "--employees", help="Employees to generate."),
        policy: str = typer.Option("jabar", "--policy", help="Profile name or YAML path."),
        seed: int = typer.Option(1, "--seed"),
        repeat: int = typer.Option(3, "--repeat", help="Timed runs per engine (best is shown)."),
    ) -> None:
        """Score a generated month with pandas, and the same core with polars and DuckDB."""
        from benchmarks.score import report, run

        results, worst = run(employees, policy, seed, repeat)
        typer.echo(report(employees, results, worst))

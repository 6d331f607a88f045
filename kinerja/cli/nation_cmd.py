"""`kinerja nation run`: a national month, one unit of work per agency on a Dask cluster."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    nation_app = typer.Typer(
        help="A national month of many agencies on Dask.", no_args_is_help=True
    )
    app.add_typer(nation_app, name="nation")

    @nation_app.command("run")
    def run_cmd(
        period: str = typer.Option(..., "--period", help="YYYY-MM."),
        gather: bool = typer.Option(True, "--gather/--no-gather", help="Gather first."),
        workers: int = typer.Option(
            None, "--workers", help="LocalCluster workers (default KINERJA_DASK_WORKERS)."
        ),
    ) -> None:
        """Gather and score every agency of KINERJA_AGENCIES_CONFIG (KINERJA_DASK_ADDRESS: an
        existing scheduler, else a LocalCluster). Needs PREFECT_API_URL of a running server."""
        from kinerja.flows.nation import run_national_month

        result = run_national_month(period, gather, workers)
        typer.echo(
            f"{period}: {result['agencies']} agencies, {result['employees']} employees, "
            f"{result['candidates']} candidates"
        )

"""`kinerja bench ...`: benchmarks that print figures (registered by kinerja.cli).

Each benchmark adds one `_register_<name>(app)` function and one line in `register`.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add every benchmark command to the `bench` sub-app."""
    _register_score(app)
    _register_gather(app)
    _register_cycle(app)
    _register_nation(app)
    _register_reviews(app)


def _register_score(app: typer.Typer) -> None:
    @app.command("score")
    def bench_score(
        employees: int = typer.Option(50_000, "--employees", help="Employees to generate."),
        policy: str = typer.Option("jabar", "--policy", help="Profile name or YAML path."),
        seed: int = typer.Option(1, "--seed"),
        repeat: int = typer.Option(3, "--repeat", help="Timed runs per engine (best is shown)."),
    ) -> None:
        """Score a generated month with pandas, and the same core with polars and DuckDB."""
        from kinerja_bench.score import report, run

        results, worst = run(employees, policy, seed, repeat)
        typer.echo(report(employees, results, worst))


def _register_gather(app: typer.Typer) -> None:
    @app.command("gather")
    def bench_gather(
        employees: int = typer.Option(50_000, "--employees", help="Employees to simulate."),
        seed: int = typer.Option(1, "--seed"),
        period: str = typer.Option("2025-10", "--period"),
        postgres: str = typer.Option(
            None,
            "--postgres",
            envvar="KINERJA_TEST_DATABASE_URL",
            help="PostgreSQL server URL (a throwaway database is created there).",
        ),
        mode: list[str] = typer.Option(
            ["http", "csv"], "--mode", help="http, csv and/or xlsx (one workbook per OPD)."
        ),
        backend: list[str] = typer.Option(
            ["sqlite", "postgresql"], "--backend", help="sqlite and/or postgresql."
        ),
        workers: int | None = typer.Option(
            None, "--workers", help="Worker processes (default: as `kinerja gather`)."
        ),
        layout: str = typer.Option(
            "columns", "--layout", help="HTTP pages as rows or columns (the source contract)."
        ),
    ) -> None:
        """Gather a simulated month over HTTP, from CSV and XLSX into SQLite and PostgreSQL."""
        from kinerja_bench.gather import report, run

        results, prep = run(
            employees,
            seed,
            period,
            postgres,
            tuple(mode),
            backends=tuple(backend),
            workers=workers,
            layout=layout,
        )
        typer.echo(report(employees, results, prep))


def _register_cycle(app: typer.Typer) -> None:
    @app.command("cycle")
    def bench_cycle(
        employees: int = typer.Option(50_000, "--employees", help="Employees to simulate."),
        seed: int = typer.Option(1, "--seed"),
        period: str = typer.Option("2025-10", "--period"),
        timeout: float = typer.Option(900, "--timeout", help="Give up after this many seconds."),
        postgres: str | None = typer.Option(
            None,
            "--postgres",
            help="PostgreSQL server URL: the month goes into a throwaway database there "
            "(default: a SQLite file).",
        ),
    ) -> None:
        """Time from starting a month to every selection pause; count flow and task runs."""
        from pathlib import Path

        from kinerja_bench.cycle import report, run
        from kinerja_bench.gather import _drop_pg, _pg_database

        from kinerja.settings import get_settings

        root = Path(get_settings().var_dir) / "bench-cycle"
        if postgres is None:
            typer.echo(report(run(employees, seed, period, root, timeout)))
            return
        name, url = _pg_database(postgres)
        try:
            typer.echo(report(run(employees, seed, period, root, timeout, url), "postgresql"))
        finally:
            _drop_pg(postgres, name)


def _register_nation(app: typer.Typer) -> None:
    @app.command("nation")
    def bench_nation(
        agencies: int = typer.Option(40, "--agencies", help="Agencies (instansi)."),
        employees: int = typer.Option(200_000, "--employees", help="Employees in all agencies."),
        workers: list[int] = typer.Option([1, 2], "--workers", help="Cluster sizes to compare."),
        postgres: str = typer.Option(
            None,
            "--postgres",
            envvar="KINERJA_TEST_DATABASE_URL",
            help="PostgreSQL server URL (throwaway databases, one per agency); else SQLite.",
        ),
        seed: int = typer.Option(1, "--seed"),
        period: str = typer.Option("2025-10", "--period"),
    ) -> None:
        """Gather and score a national month per agency on a Dask LocalCluster of 1 and 2."""
        from kinerja_bench.nation import report, run

        steps, prep = run(agencies, employees, tuple(workers), postgres, period, seed)
        typer.echo(report(agencies, employees, steps, prep))


def _register_reviews(app: typer.Typer) -> None:
    @app.command("reviews")
    def bench_reviews(
        count: int = typer.Option(100, "--count", help="Review runs (one per small OPD)."),
        postgres: str = typer.Option(
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
            "--postgres",
            envvar="KINERJA_TEST_DATABASE_URL",
            help="PostgreSQL server URL: throwaway databases there for the month and Prefect.",
        ),
        servers: int = typer.Option(1, "--servers", help="Serving processes (kinerja serve)."),
        limit: int = typer.Option(8, "--limit", help="Runs each serving process runs at once."),
        opd_size: int = typer.Option(6, "--opd-size", help="Employees per OPD, about."),
        seed: int = typer.Option(1, "--seed"),
        period: str = typer.Option("2025-10", "--period"),
        timeout: float = typer.Option(1800, "--timeout", help="Give up after this many seconds."),
    ) -> None:
        """Carry N review runs to their selection pause on a PostgreSQL-backed Prefect server."""
        from kinerja_bench.reviews import report, run

        result = run(
            count,
            postgres,
            servers=servers,
            limit=limit,
            opd_size=opd_size,
            seed=seed,
            period=period,
            timeout=timeout,
            say=lambda line: typer.echo(line, err=True),
        )
        typer.echo(report(result))

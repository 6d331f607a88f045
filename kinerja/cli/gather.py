"""`kinerja simulate` (a demo province, served or written) and `kinerja gather` (load a month)."""

from __future__ import annotations

from pathlib import Path

import typer


def write_sources_file(path: Path, base_url: str) -> Path:
    """A sources YAML gathering every kind from the simulator at `base_url` (no secret in it)."""
    import yaml

    from kinerja.sources.config import http_config

    config = http_config(base_url).model_dump(mode="json", exclude_none=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path.resolve()


def register(app: typer.Typer) -> None:
    @app.command("simulate")
    def simulate_cmd(
        period: str = typer.Option(..., "--period", help="Month to simulate, YYYY-MM."),
        employees: int = typer.Option(600, "--employees", help="How many employees."),
        seed: int = typer.Option(1, "--seed", help="Same seed, same province."),
        serve: bool = typer.Option(False, "--serve", help="Serve the JSON contract over HTTP."),
        host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8700, "--port", help="0 picks a free port."),
        csv: Path = typer.Option(None, "--csv", help="Write <kind>.csv files into this folder."),
        xlsx: Path = typer.Option(None, "--xlsx", help="Write <kind>.xlsx files into this folder."),
        sources_out: Path = typer.Option(
            None,
            "--sources-out",
            help="With --serve: where to write the sources file that gathers from this server "
            "(default <KINERJA_VAR_DIR>/sources.yaml).",
        ),
    ) -> None:
        """Generate a deterministic demo province and a month of its data.

        With --serve, also writes a ready sources file pointing at the server (no token in it:
        the gather reads KINERJA_SOURCE_TOKEN) and prints the line that uses it.
        """
        from kinerja.settings import get_settings
        from kinerja.sources.server import SimulatorServer
        from kinerja.sources.simulator import simulate_province

        try:
            province = simulate_province(seed, period, employees)
        except ValueError as exc:
            typer.echo(f"galat: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        counts = ", ".join(f"{len(f)} {k}" for k, f in province.frames.items())
        typer.echo(
            f"simulasi {period} (benih {seed}): {len(province.opds)} OPD, {counts}; "
            f"{province.offline_opd} luring pada "
            f"{', '.join(d.isoformat() for d in province.offline_days)}; "
            f"{len(province.dirty)} rekaman cacat sengaja ditanam"
        )
        for folder, fmt in ((csv, "csv"), (xlsx, "xlsx")):
            if folder is not None:
                province.write(str(folder), fmt)
                typer.echo(f"berkas {fmt.upper()} ditulis ke {folder}")
        if serve:
            secret = get_settings().source_token
            token = secret.get_secret_value() if secret is not None else None
            server = SimulatorServer(province, host=host, port=port, token=token)
            auth = "token bearer dari KINERJA_SOURCE_TOKEN" if token else "tanpa autentikasi"
            target = sources_out or Path(get_settings().var_dir) / "sources.yaml"
            written = write_sources_file(target, server.url)
            typer.echo(f"melayani {server.url}/v1/<kind>?period={period} ({auth}); Ctrl-C berhenti")
            typer.echo(f"berkas sumber siap: export KINERJA_SOURCES_CONFIG={written}")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
            finally:
                server.stop()

    @app.command("template")
    def template_cmd(
        period: str = typer.Option(..., "--period", help="Month the templates are for, YYYY-MM."),
        out: Path = typer.Option(..., "--out", help="Folder for the <kind>.xlsx workbooks."),
        policy: str = typer.Option(None, "--policy", help="Profile name or YAML path."),
    ) -> None:
        """Write one Excel template per data kind, for offices without a source system."""
        from kinerja.rules.policy import PolicyError, load_policy
        from kinerja.settings import get_settings
        from kinerja.sources.template import write_templates

        try:
            pol = load_policy(policy or get_settings().policy)
            paths = write_templates(period, out, pol)
        except (PolicyError, ValueError) as exc:
            typer.echo(f"galat: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        typer.echo(
            f"templat {period} ditulis ke {out}: {', '.join(p.name for p in paths)}; isi lembar "
            "'data' (petunjuk di lembar 'Petunjuk'), lalu sumber `type: xlsx` dengan `path` ke "
            "folder ini"
        )

    @app.command("gather")
    def gather_cmd(
        period: str = typer.Option(..., "--period", help="Month to gather, YYYY-MM."),
        sources: Path = typer.Option(
            None, "--sources", help="Sources YAML (default: KINERJA_SOURCES_CONFIG)."
        ),
        strict: bool = typer.Option(
            False, "--strict", help="Exit 3 when a delivery failed (an OPD not assessable)."
        ),
        workers: int | None = typer.Option(
            None,
            "--workers",
            help="Processes for per-OPD HTTP deliveries (default: 2 on SQLite from 5,000 "
            "employees, KINERJA_WORKER_PROCESSES; else 1).",
        ),
    ) -> None:
        """Fetch, check and load a month from the configured sources into the database."""
        from kinerja.db.migrate import upgrade
        from kinerja.db.session import make_engine
        from kinerja.settings import get_settings
        from kinerja.sources.config import SourcesConfigError, load_sources_config
        from kinerja.sources.gather import gather_month

        settings = get_settings()
        try:
            config = load_sources_config(sources)
        except SourcesConfigError as exc:
            typer.echo(f"galat: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            report = gather_month(engine, period, config, workers=workers)
        except ValueError as exc:
            typer.echo(f"galat: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        finally:
            engine.dispose()
        typer.echo(report.summary())
        if report.errors:
            raise typer.Exit(code=1)
        if strict and report.failures:
            raise typer.Exit(code=3)

"""`kinerja db upgrade`: apply migrations to the configured database."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database schema.")
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade")
    def upgrade_cmd(
        database_url: str = typer.Option(None, help="Defaults to KINERJA_DATABASE_URL."),
    ) -> None:
        """Create or migrate the schema to the latest revision."""
        from kinerja.db.migrate import upgrade
        from kinerja.settings import get_settings

        url = database_url or get_settings().database_url
        upgrade(url)
        typer.echo(f"schema up to date: {url.split('@')[-1]}")

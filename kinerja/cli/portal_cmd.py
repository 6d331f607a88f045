"""`kinerja portal` (the decision portal web app) and `kinerja portal-link` (issue a link)."""

from __future__ import annotations

from datetime import timedelta

import typer

from kinerja.domain import now


def register(app: typer.Typer) -> None:
    @app.command("portal")
    def portal_cmd(
        host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
        port: int = typer.Option(8100, help="TCP port (match KINERJA_PORTAL_BASE_URL)."),
        database_url: str = typer.Option(None, help="Defaults to KINERJA_DATABASE_URL."),
    ) -> None:
        """Serve the decision portal: heads of OPD and employees act from their links."""
        import os

        import uvicorn

        from kinerja.cli.cycle import LOCAL_API
        from kinerja.flows.local_server import use_prefect_auth

        # Before Prefect is imported: answers wake runs on the server `kinerja serve` started.
        os.environ.setdefault("PREFECT_API_URL", LOCAL_API)
        use_prefect_auth()

        from kinerja.db.migrate import upgrade
        from kinerja.db.session import make_engine
        from kinerja.portal.access_log import log_config
        from kinerja.portal.app import create_app
        from kinerja.runs.paused import PrefectPausedRuns
        from kinerja.settings import get_settings

        settings = get_settings()
        url = database_url or settings.database_url
        upgrade(url)
        typer.echo(f"portal di http://{host}:{port} (tautan memakai {settings.portal_base_url})")
        # Link tokens are in request paths: the access log writes them as /l/<redacted>.
        uvicorn.run(
            create_app(make_engine(url), settings, PrefectPausedRuns()),
            host=host,
            port=port,
            log_config=log_config(),
        )

    @app.command("portal-link")
    def portal_link_cmd(
        period: str = typer.Option(..., help="YYYY-MM"),
        operator: str = typer.Option(
            ..., help="Name of the BKD operator issuing the link (recorded in the audit trail)."
        ),
        purpose: str = typer.Option("overview", help="overview | selection | defence | verdict"),
        person: str = typer.Option(..., help="NIP of the person (operator id for overview)."),
        scope: str = typer.Option("*", help="OPD or rumpun code; '*' = every OPD (overview)."),
        hours: int = typer.Option(None, help="Validity; defaults to KINERJA_LINK_TTL_HOURS."),
        database_url: str = typer.Option(None, help="Defaults to KINERJA_DATABASE_URL."),
    ) -> None:
        """Issue a personal portal link (e.g. the BKD overview) and print it.

        Selection and verdict links only for the head of the scope, defence links only for an
        employee selected in that review; anything else is refused (exit 2).
        """
        from kinerja.db.session import make_engine, session_scope
        from kinerja.portal.people import issue_refusal
        from kinerja.review.links import issue_link
        from kinerja.settings import get_settings

        if not operator.strip():
            raise typer.BadParameter("nama operator wajib diisi", param_hint="--operator")
        settings = get_settings()
        ttl = hours if hours is not None else settings.link_ttl_hours
        expires = now() + timedelta(hours=ttl)
        engine = make_engine(database_url or settings.database_url)
        try:
            with session_scope(engine) as session:
                why = issue_refusal(
                    session, period=period, scope_code=scope, purpose=purpose, person_nip=person
                )
                if why is not None:
                    typer.echo(f"portal-link ditolak: {why}", err=True)
                    raise typer.Exit(2)
                url = issue_link(
                    session,
                    period=period,
                    scope_code=scope,
                    purpose=purpose,
                    person_nip=person,
                    expires_at=expires,
                    actor=operator.strip(),
                    channel="cli",
                )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        finally:
            engine.dispose()
        typer.echo(url)

    @app.command("heads")
    def heads_cmd(
        database_url: str = typer.Option(None, help="Defaults to KINERJA_DATABASE_URL."),
    ) -> None:
        """List who decides each review (scope code, title, name, NIP): the --person and
        --scope of a selection or verdict `kinerja portal-link`."""
        from kinerja.db.migrate import upgrade
        from kinerja.db.session import make_engine, session_scope
        from kinerja.portal.people import decider_rows
        from kinerja.settings import get_settings

        url = database_url or get_settings().database_url
        upgrade(url)
        engine = make_engine(url)
        try:
            with session_scope(engine) as session:
                rows = decider_rows(session)
        finally:
            engine.dispose()
        if not rows:
            typer.echo("belum ada perangkat daerah tercatat (jalankan gather dahulu)")
        for scope, title, name, nip in rows:
            typer.echo(f"{scope:<12} {nip or '(belum tercatat)':<20} {name} - {title}")

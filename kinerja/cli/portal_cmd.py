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
        import uvicorn

        from kinerja.db.migrate import upgrade
        from kinerja.db.session import make_engine
        from kinerja.portal.access_log import log_config
        from kinerja.portal.app import create_app
        from kinerja.runs.paused import PrefectPausedRuns
        from kinerja.settings import get_settings

        settings = get_settings()
        url = database_url or settings.database_url
        upgrade(url)
        typer.echo(f"portal on http://{host}:{port} (links use {settings.portal_base_url})")
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
            raise typer.BadParameter("must name the operator", param_hint="--operator")
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
                    typer.echo(f"portal-link refused: {why}", err=True)
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

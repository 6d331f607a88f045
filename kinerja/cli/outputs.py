"""`kinerja drafts list|approve|reject`, `kinerja recap` and `kinerja outputs`."""

from __future__ import annotations

from pathlib import Path

import typer

drafts_app = typer.Typer(
    help="Announcement and recognition drafts: review, approve (to the outbox) or reject.",
    no_args_is_help=True,
)


def _session():  # type: ignore[no-untyped-def]
    from kinerja.db.migrate import upgrade
    from kinerja.db.session import make_engine, make_session_factory
    from kinerja.settings import get_settings

    url = get_settings().database_url
    upgrade(url)
    return make_session_factory(make_engine(url))()


def _policy(name: str | None):  # type: ignore[no-untyped-def]
    from kinerja.rules.policy import PolicyError, load_policy
    from kinerja.settings import get_settings

    try:
        return load_policy(name or get_settings().policy)
    except PolicyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc


def _out_dir(out_dir: Path | None) -> Path:
    from kinerja.settings import get_settings

    return out_dir or get_settings().out_dir


@drafts_app.command("list")
def list_cmd(
    period: str = typer.Option(None, "--period", help="Only this month, YYYY-MM."),
    status: str = typer.Option(None, "--status", help="draft | approved | rejected | withdrawn"),
    show: bool = typer.Option(False, "--show", help="Print each draft's text."),
) -> None:
    """List drafts with their status and who decided, when and why."""
    from kinerja.db.drafts import list_drafts

    with _session() as session:
        rows = list_drafts(session, period, status)
        if not rows:
            typer.echo("no drafts")
            return
        for d in rows:
            decided = (
                f" by {d.decided_by} at {d.decided_at:%Y-%m-%d %H:%M} UTC: {d.decision_reason}"
                if d.decided_at
                else ""
            )
            typer.echo(
                f"#{d.id} {d.period} {d.purpose} {d.scope_kind}:{d.scope_code} {d.fmt} "
                f"[{d.status}] {len(d.nips)} person(s), {len(d.body)} chars{decided}"
            )
            if show:
                typer.echo("    " + d.body.strip().replace("\n", "\n    ") + "\n")


def _decide(ids: list[int], approve: bool, actor: str, role: str, reason: str, out: Path) -> None:
    from kinerja.db.drafts import DraftError, decide
    from kinerja.outputs.outbox import export_approved

    with _session() as session:
        periods: set[str] = set()
        try:
            for draft_id in ids:
                d = decide(
                    session,
                    draft_id,
                    approve=approve,
                    actor=actor,
                    actor_role=role,
                    reason=reason,
                    channel="cli",
                )
                periods.add(d.period)
                typer.echo(f"#{d.id} {d.purpose} {d.scope_code} {d.fmt}: {d.status}")
        except DraftError as exc:
            session.rollback()
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        session.commit()
        for period in sorted(periods):
            result = export_approved(session, period, out)
            typer.echo(
                f"outbox {result.directory}: {len(result.files)} approved file(s); "
                f"manifest {result.manifest.name} {result.counts}"
            )


@drafts_app.command("approve")
def approve_cmd(
    ids: list[int] = typer.Argument(..., help="Draft ids (see `kinerja drafts list`)."),
    actor: str = typer.Option(..., "--actor", help="Who approves (name, stored)."),
    reason: str = typer.Option(..., "--reason", help="Why (stored with the approval)."),
    role: str = typer.Option("communications", "--role", help="communications | bkd"),
    out_dir: Path = typer.Option(None, "--out-dir", help="Default: KINERJA_OUT_DIR."),
) -> None:
    """Approve drafts; approved drafts are written to out/<period>/announcements/."""
    _decide(ids, True, actor, role, reason, _out_dir(out_dir))


@drafts_app.command("reject")
def reject_cmd(
    ids: list[int] = typer.Argument(..., help="Draft ids."),
    actor: str = typer.Option(..., "--actor", help="Who rejects (name, stored)."),
    reason: str = typer.Option(..., "--reason", help="Why (required, stored)."),
    role: str = typer.Option("communications", "--role", help="communications | bkd"),
    out_dir: Path = typer.Option(None, "--out-dir", help="Default: KINERJA_OUT_DIR."),
) -> None:
    """Reject drafts; a rejected draft never reaches the outbox (and leaves it if it was there)."""
    _decide(ids, False, actor, role, reason, _out_dir(out_dir))


def register(app: typer.Typer) -> None:
    app.add_typer(drafts_app, name="drafts")

    @app.command("recap")
    def recap_cmd(
        period: str = typer.Option(..., "--period", help="Month, YYYY-MM."),
        policy: str = typer.Option(None, "--policy", help="Profile or YAML (KINERJA_POLICY)."),
        out_dir: Path = typer.Option(None, "--out-dir", help="Default: KINERJA_OUT_DIR."),
    ) -> None:
        """Write the BKD recap (Excel, HTML with charts, Markdown) for a month."""
        from kinerja.outputs.month import produce_recap
        from kinerja.outputs.periods import parse

        try:
            parse(period)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        with _session() as session:
            files = produce_recap(session, period, _policy(policy), _out_dir(out_dir))
        typer.echo(f"recap {period}: {files.xlsx}, {files.html}, {files.markdown}")
        typer.echo(files.tables["ringkasan"])

    @app.command("outputs")
    def outputs_cmd(
        period: str = typer.Option(..., "--period", help="Month, YYYY-MM."),
        policy: str = typer.Option(None, "--policy", help="Profile or YAML (KINERJA_POLICY)."),
        out_dir: Path = typer.Option(None, "--out-dir", help="Default: KINERJA_OUT_DIR."),
    ) -> None:
        """Produce drafts, letters, next month's coaching and the recap for a month."""
        import json

        from kinerja.outputs.month import produce_month_outputs
        from kinerja.outputs.periods import parse

        try:
            parse(period)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        with _session() as session:
            report = produce_month_outputs(session, period, _policy(policy), _out_dir(out_dir))
        typer.echo(json.dumps(report.summary(), ensure_ascii=False, indent=2))

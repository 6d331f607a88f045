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
        typer.echo(f"galat: {exc}", err=True)
        raise typer.Exit(code=2) from exc


def _out_dir(out_dir: Path | None) -> Path:
    from kinerja.settings import get_settings

    return out_dir or get_settings().out_dir


STATUS_LABELS = {
    "draft": "menunggu persetujuan",
    "approved": "disetujui",
    "rejected": "ditolak",
    "withdrawn": "ditarik",
}


@drafts_app.command("list")
def list_cmd(
    period: str = typer.Option(None, "--period", help="Only this month, YYYY-MM."),
    status: str = typer.Option(None, "--status", help="draft | approved | rejected | withdrawn"),
    show: bool = typer.Option(False, "--show", help="Print each draft's text."),
) -> None:
    """List drafts with their status and whole history: who decided, when (local time), why."""
    from kinerja.db.drafts import describe, histories, list_drafts
    from kinerja.db.models import Decision

    with _session() as session:
        rows = list_drafts(session, period, status)
        if not rows:
            typer.echo("tidak ada draf")
            return
        steps: dict[int, list[Decision]] = {}
        for p in sorted({d.period for d in rows}):
            steps.update(histories(session, p))
        for d in rows:
            typer.echo(
                f"#{d.id} {d.period} {d.purpose} {d.scope_kind}:{d.scope_code} {d.fmt} "
                f"[{d.status}] {STATUS_LABELS.get(d.status, d.status)}, {len(d.nips)} orang, "
                f"{len(d.body)} karakter"
            )
            for h in steps.get(d.id, []):
                typer.echo(f"    - {describe(h)}")
            if show:
                typer.echo("    " + d.body.strip().replace("\n", "\n    ") + "\n")


def _decide(
    ids: list[int],
    approve: bool,
    actor: str,
    role: str,
    reason: str,
    out: Path,
    reopen: bool = False,
) -> None:
    from kinerja.db.drafts import DraftError, decide
    from kinerja.outputs.month import drafts_changed

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
                    reopen=reopen,
                )
                periods.add(d.period)
                typer.echo(
                    f"#{d.id} {d.purpose} {d.scope_code} {d.fmt}: "
                    f"{STATUS_LABELS.get(d.status, d.status)}"
                )
        except DraftError as exc:
            session.rollback()
            typer.echo(f"ditolak: {exc}; tidak ada yang dicatat", err=True)
            raise typer.Exit(code=2) from exc
        session.commit()
        policy = _policy(None)
        for period in sorted(periods):
            result, recap = drafts_changed(session, period, policy, out)
            typer.echo(
                f"kotak keluar {result.directory}: {len(result.files)} berkas disetujui; "
                f"manifest {result.manifest.name} {result.counts}"
            )
            typer.echo(f"rekap diperbarui: {recap.html}")


@drafts_app.command("approve")
def approve_cmd(
    ids: list[int] = typer.Argument(..., help="Draft ids (see `kinerja drafts list`)."),
    actor: str = typer.Option(..., "--actor", help="Who approves (name, stored)."),
    reason: str = typer.Option(..., "--reason", help="Why (stored with the approval)."),
    role: str = typer.Option("communications", "--role", help="communications | bkd"),
    reopen: bool = typer.Option(
        False, "--reopen", help="Approve a draft that was rejected (the reason says why)."
    ),
    out_dir: Path = typer.Option(None, "--out-dir", help="Default: KINERJA_OUT_DIR."),
) -> None:
    """Approve drafts; approved drafts are written to out/<period>/announcements/.

    Approving an approved draft is refused naming the earlier approval; a rejected draft is
    approved only with --reopen. The outbox, its manifest and the recap are written again.
    """
    _decide(ids, True, actor, role, reason, _out_dir(out_dir), reopen=reopen)


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
            typer.echo(f"galat: periode {period!r} tidak berbentuk YYYY-MM", err=True)
            raise typer.Exit(code=2) from exc
        with _session() as session:
            files = produce_recap(session, period, _policy(policy), _out_dir(out_dir))
        typer.echo(f"rekap {period}: {files.xlsx}, {files.html}, {files.markdown}")
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
            typer.echo(f"galat: periode {period!r} tidak berbentuk YYYY-MM", err=True)
            raise typer.Exit(code=2) from exc
        with _session() as session:
            report = produce_month_outputs(session, period, _policy(policy), _out_dir(out_dir))
        typer.echo(json.dumps(report.summary(), ensure_ascii=False, indent=2))

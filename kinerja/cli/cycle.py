"""`kinerja serve|run|pending|decide|demo`: the monthly cycle from the command line."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import typer

decide_app = typer.Typer(help="Submit a decision (the same validation as the portal and UI).")


LOCAL_API = "http://127.0.0.1:4200/api"  # where `kinerja serve` starts the Prefect server
ACTOR = typer.Option(..., "--actor", help="The BKD operator entering it: one of KINERJA_OPERATORS.")
ON_BEHALF = typer.Option(
    "", "--on-behalf-of", help="The head's NIP, when the head asked the operator to enter it."
)
NOTE = typer.Option("", "--note", help="How the head asked (required with --on-behalf-of).")


def _engine() -> Any:
    """The database engine; also points Prefect at the local server unless told otherwise."""
    import os

    # Before prefect is imported (settings are read then): decisions resume runs on that server.
    os.environ.setdefault("PREFECT_API_URL", LOCAL_API)
    from kinerja.db.session import make_engine
    from kinerja.flows.local_server import use_prefect_auth
    from kinerja.settings import get_settings

    use_prefect_auth()
    return make_engine(get_settings().database_url)


def _runs() -> Any:
    """The paused runs a decision wakes (after _engine(): Prefect reads its API URL on import)."""
    from kinerja.runs.paused import PrefectPausedRuns

    return PrefectPausedRuns()


def _refusal(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from kinerja.db.reviews import ReviewNotFound
    from kinerja.review.logic import Refused

    try:
        return fn(*args, **kwargs)
    except (Refused, ReviewNotFound) as exc:
        typer.echo(f"ditolak: {exc}", err=True)
        raise typer.Exit(code=2) from exc


@decide_app.command("selection")
def decide_selection(
    period: str = typer.Option(..., "--period"),
    scope: str = typer.Option(..., "--scope", help="OPD (or rumpun) code."),
    actor: str = ACTOR,
    select: list[str] = typer.Option(
        [], "--select", help="NIP=reason for each candidate classed underperforming."
    ),
    none: bool = typer.Option(False, "--none", help="Nobody is selected."),
    on_behalf_of: str = ON_BEHALF,
    note: str = NOTE,
) -> None:
    """The selection; candidates not named are recorded as not selected.

    Recorded as the operator's, or as the head's with --on-behalf-of and --note.
    """
    from kinerja.review import service as svc

    if not select and not none:
        typer.echo("galat: beri --select NIP=alasan (boleh berulang) atau --none", err=True)
        raise typer.Exit(code=2)
    picks: list[tuple[str, bool, str]] = []
    for item in select:
        nip, _, reason = item.partition("=")
        picks.append((nip.strip(), True, reason.strip()))  # a NIP given twice is refused
    state = _refusal(
        svc.submit_selection, _engine(), period, scope, actor, picks, "cli",
        on_behalf_of=on_behalf_of or None, note=note, runs=_runs(),
    )  # fmt: skip
    from kinerja.portal.format import STAGES

    chosen = ", ".join(state.selected) or "-"
    typer.echo(
        f"tercatat: {scope} {period} kini {STAGES.get(state.stage, state.stage)}; "
        f"ditetapkan {chosen}"
    )


@decide_app.command("defence")
def decide_defence(
    period: str = typer.Option(..., "--period"),
    scope: str = typer.Option(..., "--scope"),
    nip: str = typer.Option(..., "--nip", help="The selected employee."),
    text: str = typer.Option(..., "--text", help="The written defence."),
    actor: str = ACTOR,
) -> None:
    """A selected employee's written defence, entered by an operator."""
    from kinerja.review import service as svc

    # required: the record must say which operator typed it, not only whose defence it is
    _refusal(svc.submit_defence, _engine(), period, scope, nip, actor, text, "cli", runs=_runs())
    typer.echo(f"tercatat: pembelaan {nip}")


@decide_app.command("verdict")
def decide_verdict(
    period: str = typer.Option(..., "--period"),
    scope: str = typer.Option(..., "--scope"),
    nip: str = typer.Option(..., "--nip"),
    actor: str = ACTOR,
    accept: bool = typer.Option(..., "--accept/--reject", help="Accepted: not published."),
    reason: str = typer.Option(..., "--reason"),
    rule: list[str] = typer.Option(
        [],
        "--rule",
        help="ID=terima:reason or ID=tolak:reason for each data objection of the defence.",
    ),
    on_behalf_of: str = ON_BEHALF,
    note: str = NOTE,
) -> None:
    """The head's (or BKD's) verdict on a defence, with a ruling on each data objection."""
    from kinerja.review import service as svc

    rulings: dict[int, tuple[bool, str]] = {}
    for item in rule:
        ident, _, rest = item.partition("=")
        choice, _, why = rest.partition(":")
        if not ident.strip().isdigit() or choice.strip() not in ("terima", "tolak"):
            typer.echo(
                f"galat: --rule {item!r}: harus ID=terima:alasan atau ID=tolak:alasan", err=True
            )
            raise typer.Exit(code=2)
        rulings[int(ident)] = (choice.strip() == "terima", why.strip())
    _refusal(
        svc.submit_verdict, _engine(), period, scope, nip, actor, accept, reason, "cli",
        rulings=rulings, on_behalf_of=on_behalf_of or None, note=note, runs=_runs(),
    )  # fmt: skip
    typer.echo(f"tercatat: pembelaan {nip} {'diterima' if accept else 'ditolak'}")


@decide_app.command("extend")
def decide_extend(
    period: str = typer.Option(..., "--period"),
    scope: str = typer.Option(..., "--scope"),
    actor: str = ACTOR,
    workdays: int = typer.Option(..., "--workdays"),
    reason: str = typer.Option(..., "--reason"),
    request_id: str = typer.Option(
        None, "--request-id", help="Retry an earlier extension: give the id it printed."
    ),
) -> None:
    """Extend the open stage's deadline by working days."""
    from kinerja.review import service as svc

    # One id per invocation, printed first, so a retry after a crash can reuse it.
    request_id = request_id or uuid.uuid4().hex
    typer.echo(f"id permintaan {request_id} (ulangi dengan --request-id {request_id})")
    new = _refusal(
        svc.extend_deadline,
        _engine(),
        period,
        scope,
        actor,
        workdays,
        reason,
        request_id=request_id,
    )
    from kinerja.templates.filters import local_stamp

    typer.echo(f"batas waktu baru {local_stamp(new)}")


def register(app: typer.Typer) -> None:
    app.add_typer(decide_app, name="decide")

    @app.command("serve")
    def serve_cmd(
        limit: int = typer.Option(4, "--limit", help="Runs executing at once."),
        sweep_seconds: int = typer.Option(300, "--sweep-seconds", help="Deadline sweep period."),
        local_server: bool = typer.Option(
            True, "--local-server/--no-local-server", help="Start a local Prefect server."
        ),
        port: int = typer.Option(4200, "--port", help="Local Prefect server port."),
    ) -> None:
        """Start a local Prefect server (SQLite) and serve the cycle, reviews and sweeper."""
        import os
        import signal

        from kinerja.db.migrate import upgrade
        from kinerja.flows.local_server import (
            LocalPrefect,
            auth_file,
            prefect_auth,
            prefect_database_url,
        )
        from kinerja.flows.serve import serve_all
        from kinerja.settings import get_settings

        def interrupted(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt  # SIGTERM as Ctrl-C: the local server is stopped too

        signal.signal(signal.SIGTERM, interrupted)
        settings = get_settings()
        upgrade(settings.database_url)
        server = None
        try:
            if local_server:
                server = LocalPrefect(
                    Path(settings.var_dir).resolve() / "prefect",
                    port=port,
                    auth=prefect_auth(settings),
                    database_url=prefect_database_url(settings.database_url),
                )
                if server.answering():
                    # the server of a serving process killed with -9 outlives it: use it
                    typer.echo(f"memakai server Prefect yang sudah berjalan di port {port}")
                    os.environ.update(server.env())
                    server = None  # not ours to stop
                else:
                    server.start()  # stopped below even when interrupted while it starts
                    os.environ.update(server.env())
                where = (
                    "KINERJA_PREFECT_AUTH" if settings.prefect_auth else str(auth_file(settings))
                )
                typer.echo(
                    f"Prefect UI dan API di http://127.0.0.1:{port} (login: teks di {where})"
                )
            typer.echo("serving monthly_cycle/monthly, opd_review/review, review_sweeper/sweep")
            typer.echo("Ctrl-C (or SIGTERM) stops serving; suspended runs stay suspended")
            serve_all(limit=limit, sweep_seconds=sweep_seconds)
        except KeyboardInterrupt:
            pass  # interrupted while the local server started
        finally:
            if server is not None:
                server.stop()
        typer.echo("stopped")

    @app.command("run")
    def run_cmd(
        period: str = typer.Option(..., "--period", help="Month, YYYY-MM."),
        gather: bool = typer.Option(True, "--gather/--no-gather", help="Fetch sources first."),
    ) -> None:
        """Start the month's cycle on the served deployment (a rerun returns the same run)."""
        import os

        os.environ.setdefault("PREFECT_API_URL", LOCAL_API)
        from kinerja.flows.local_server import use_prefect_auth

        use_prefect_auth()
        from kinerja.domain import Period
        from kinerja.names import cycle_run_name
        from kinerja.runs.cycle import start_cycle

        try:
            Period.parse(period).bounds()
        except ValueError as exc:
            typer.echo(f"galat: periode {period!r} tidak berbentuk YYYY-MM", err=True)
            raise typer.Exit(code=2) from exc
        run_id, state = start_cycle(period, gather)
        typer.echo(f"siklus {cycle_run_name(period)}: flow run {run_id} ({state})")
        from kinerja.flows.sweeper import carry_on

        if carry_on(_engine(), run_id):
            typer.echo(
                "prosesnya telah mati: dijadwalkan ulang, siklus berlanjut dari hasil tersimpan"
            )

    @app.command("pending")
    def pending_cmd(
        period: str = typer.Option(None, "--period", help="Only this month."),
        sweep: bool = typer.Option(
            False, "--sweep", help="Also send due reminders and wake overdue reviews now."
        ),
    ) -> None:
        """List reviews waiting for a person: stage, deadline and who is waiting."""
        from kinerja.db import reviews
        from kinerja.db.session import session_scope
        from kinerja.review.logic import state_of
        from kinerja.runs.recovery import recovered_runs
        from kinerja.templates.filters import local_stamp

        engine = _engine()
        for event in recovered_runs(engine, period):
            d = event.detail
            typer.echo(
                f"recovered {event.at:%Y-%m-%d %H:%M} UTC  {d.get('name')} "
                f"({d.get('reason')}; rerun by {event.actor})"
            )
        if sweep:
            from kinerja.flows.sweeper import sweep as run_sweep
            from kinerja.tasks.common import policy

            rep = run_sweep(engine, policy())
            woken = ", ".join(rep.woken) if rep.woken else "tidak ada"
            rerun = ", ".join(rep.recovered) if rep.recovered else "tidak ada"
            typer.echo(
                f"sapuan: {rep.reminders} pengingat, dibangunkan: {woken}, "
                f"dijalankan ulang: {rerun}"
            )
        with session_scope(engine) as s:
            rows = reviews.list_reviews(s, period, reviews.OPEN_STAGES)
            if not rows:
                typer.echo("tidak ada yang menunggu")
            for r in rows:
                st = state_of(s, r)
                if r.stage == "awaiting_selection":
                    who, deadline = "kepala perangkat daerah: pemilihan", r.selection_deadline
                else:
                    who = (
                        f"pembelaan dari {', '.join(st.awaiting_defence) or '-'}; "
                        f"putusan atas {', '.join(st.awaiting_verdict) or '-'}"
                    )
                    deadline = r.defence_deadline
                typer.echo(
                    f"{r.period} {r.scope_code:<12} {r.stage:<20} "
                    f"batas {local_stamp(deadline)}  menunggu: {who}"
                )

    @app.command("demo")
    def demo_cmd(
        employees: int = typer.Option(120, "--employees", help="120 gives 4 OPDs."),
        period: str = typer.Option("2025-10", "--period"),
        seed: int = typer.Option(1, "--seed"),
        timeout: float = typer.Option(170, "--timeout", help="Give up after this many seconds."),
    ) -> None:
        """A whole month on the simulated province, decisions answered by a scripted policy."""
        from kinerja.flows.demo import run_demo, summary_lines
        from kinerja.settings import get_settings

        settings = get_settings()
        report = run_demo(
            Path(settings.var_dir) / "demo",
            Path(settings.out_dir) / "demo",
            period=period,
            employees=employees,
            seed=seed,
            timeout=timeout,
            say=typer.echo,
        )
        for line in summary_lines(report):
            typer.echo(line)
        if report.cycle_state != "COMPLETED":
            raise typer.Exit(code=1)

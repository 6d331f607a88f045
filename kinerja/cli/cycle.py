"""`kinerja serve|run|pending|decide|demo`: the monthly cycle from the command line."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import typer

decide_app = typer.Typer(help="Submit a decision (the same validation as the portal and UI).")


LOCAL_API = "http://127.0.0.1:4200/api"  # where `kinerja serve` starts the Prefect server


def _engine() -> Any:
    """The database engine; also points Prefect at the local server unless told otherwise."""
    import os

    # Before prefect is imported (settings are read then): decisions resume runs on that server.
    os.environ.setdefault("PREFECT_API_URL", LOCAL_API)
    from kinerja.db.session import make_engine
    from kinerja.settings import get_settings

    return make_engine(get_settings().database_url)


def _refusal(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from kinerja.db.reviews import ReviewNotFound
    from kinerja.review.logic import Refused

    try:
        return fn(*args, **kwargs)
    except (Refused, ReviewNotFound) as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(code=2) from exc


@decide_app.command("selection")
def decide_selection(
    period: str = typer.Option(..., "--period"),
    scope: str = typer.Option(..., "--scope", help="OPD (or rumpun) code."),
    actor: str = typer.Option(..., "--actor", help="Who decides (head of OPD name/NIP)."),
    select: list[str] = typer.Option(
        [], "--select", help="NIP=reason for each candidate classed underperforming."
    ),
    none: bool = typer.Option(False, "--none", help="Nobody is selected."),
) -> None:
    """The head's selection; candidates not named are recorded as not selected."""
    from kinerja.review import service as svc

    if not select and not none:
        typer.echo("error: give --select NIP=reason (repeatable) or --none", err=True)
        raise typer.Exit(code=2)
    picks: dict[str, tuple[bool, str]] = {}
    for item in select:
        nip, _, reason = item.partition("=")
        picks[nip.strip()] = (True, reason.strip())
    state = _refusal(svc.submit_selection, _engine(), period, scope, actor, picks, "cli")
    typer.echo(f"recorded: {scope} {period} now {state.stage}; selected {state.selected or '-'}")


@decide_app.command("defence")
def decide_defence(
    period: str = typer.Option(..., "--period"),
    scope: str = typer.Option(..., "--scope"),
    nip: str = typer.Option(..., "--nip", help="The selected employee."),
    text: str = typer.Option(..., "--text", help="The written defence."),
    actor: str = typer.Option(
        ..., "--actor", help="Who enters it: the operator (recorded as a BKD operator)."
    ),
) -> None:
    """A selected employee's written defence, entered by an operator."""
    from kinerja.review import service as svc

    # required: the record must say which operator typed it, not only whose defence it is
    _refusal(svc.submit_defence, _engine(), period, scope, nip, actor, text, "cli")
    typer.echo(f"recorded: defence of {nip}")


@decide_app.command("verdict")
def decide_verdict(
    period: str = typer.Option(..., "--period"),
    scope: str = typer.Option(..., "--scope"),
    nip: str = typer.Option(..., "--nip"),
    actor: str = typer.Option(..., "--actor"),
    accept: bool = typer.Option(..., "--accept/--reject", help="Accepted: not published."),
    reason: str = typer.Option(..., "--reason"),
    rule: list[str] = typer.Option(
        [],
        "--rule",
        help="ID=terima:reason or ID=tolak:reason for each data objection of the defence.",
    ),
) -> None:
    """The head's (or BKD's) verdict on a defence, with a ruling on each data objection."""
    from kinerja.review import service as svc

    rulings: dict[int, tuple[bool, str]] = {}
    for item in rule:
        ident, _, rest = item.partition("=")
        choice, _, why = rest.partition(":")
        if not ident.strip().isdigit() or choice.strip() not in ("terima", "tolak"):
            typer.echo(
                f"error: --rule {item!r}: expected ID=terima:alasan or ID=tolak:alasan", err=True
            )
            raise typer.Exit(code=2)
        rulings[int(ident)] = (choice.strip() == "terima", why.strip())
    _refusal(
        svc.submit_verdict, _engine(), period, scope, nip, actor, accept, reason, "cli",
        rulings=rulings,
    )  # fmt: skip
    typer.echo(f"recorded: defence of {nip} {'accepted' if accept else 'rejected'}")


@decide_app.command("extend")
def decide_extend(
    period: str = typer.Option(..., "--period"),
    scope: str = typer.Option(..., "--scope"),
    actor: str = typer.Option(..., "--actor", help="The BKD operator."),
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
    typer.echo(f"request id {request_id} (retry with --request-id {request_id})")
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
    typer.echo(f"new deadline {new:%Y-%m-%d %H:%M} UTC")


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
        from kinerja.flows.local_server import LocalPrefect, prefect_database_url
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
                    database_url=prefect_database_url(settings.database_url),
                )
                if server.answering():
                    # the server of a serving process killed with -9 outlives it: use it
                    typer.echo(f"using the Prefect server already running on port {port}")
                    os.environ.update(server.env())
                    server = None  # not ours to stop
                else:
                    server.start()  # stopped below even when interrupted while it starts
                    os.environ.update(server.env())
                typer.echo(f"Prefect UI and API at http://127.0.0.1:{port}")
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
        from prefect.deployments import run_deployment

        from kinerja.flows.serve import CYCLE_DEPLOYMENT
        from kinerja.flows.wakeup import cycle_run_name
        from kinerja.rules.calendar import period_bounds

        try:
            period_bounds(period)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        run: Any = run_deployment(
            CYCLE_DEPLOYMENT,
            parameters={"period": period, "gather": gather},
            flow_run_name=cycle_run_name(period),
            idempotency_key=f"cycle:{period}",
            as_subflow=False,
            timeout=0,
        )
        typer.echo(f"cycle {cycle_run_name(period)}: flow run {run.id} ({run.state_name})")
        from kinerja.flows.sweeper import carry_on

        if carry_on(_engine(), str(run.id)):
            typer.echo(
                "its process had died: scheduled again, it carries on from its saved results"
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
        from kinerja.flows.recovery import recovered_runs
        from kinerja.review.logic import state_of

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
            typer.echo(
                f"sweep: {rep.reminders} reminder(s), woke {rep.woken or 'none'}, "
                f"reran {rep.recovered or 'none'}"
            )
        with session_scope(engine) as s:
            rows = reviews.list_reviews(s, period, reviews.OPEN_STAGES)
            if not rows:
                typer.echo("nothing pending")
            for r in rows:
                st = state_of(s, r)
                if r.stage == "awaiting_selection":
                    who, deadline = "head of OPD: selection", r.selection_deadline
                else:
                    who = (
                        f"defence from {', '.join(st.awaiting_defence) or '-'}; "
                        f"verdict on {', '.join(st.awaiting_verdict) or '-'}"
                    )
                    deadline = r.defence_deadline
                typer.echo(
                    f"{r.period} {r.scope_code:<12} {r.stage:<20} "
                    f"deadline {deadline:%Y-%m-%d %H:%M} UTC  waiting: {who}"
                )

    @app.command("demo")
    def demo_cmd(
        employees: int = typer.Option(120, "--employees", help="120 gives 4 OPDs."),
        period: str = typer.Option("2025-10", "--period"),
        seed: int = typer.Option(1, "--seed"),
        timeout: float = typer.Option(170, "--timeout", help="Give up after this many seconds."),
    ) -> None:
        """A whole month on the simulated province, decisions answered by a scripted policy."""
        from kinerja.flows.demo import run_demo
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
        typer.echo(
            f"cycle {report.cycle_state} in {report.seconds:.0f} s; reviews by stage "
            f"{report.stages}; {len(report.actions)} scripted decision(s)"
        )
        base = report.out_dir / period
        drafts = ", ".join(f"{n} {k}" for k, n in sorted(report.drafts.items())) or "none"
        typer.echo(
            f"drafts (in the database, waiting for approval): {drafts}; list and approve with "
            f"KINERJA_DATABASE_URL={report.database_url} kinerja drafts list --period {period}"
        )
        typer.echo(f"approved drafts (outbox and manifest): {base / 'announcements'}")
        typer.echo(f"letters (warning and outcome, per NIP): {base / 'letters'}")
        typer.echo(f"coaching assignments for next month ({report.coached}): {base / 'coaching'}")
        typer.echo(f"BKD recap: {base / 'recap'}")
        if report.cycle_state != "COMPLETED":
            raise typer.Exit(code=1)

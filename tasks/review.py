"""Tasks of one OPD's review: thin wrappers around review.logic and notifications."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.context import TaskRunContext
from sqlalchemy import select

from db import decisions as dec
from db import reviews
from db.audit import record_event
from db.models import Employee, Review
from db.periods import ensure_period
from db.session import session_scope
from kinerja.domain import DecisionKind, ReviewStage
from kinerja.settings import get_settings
from review import describe
from review.logic import (
    Choice,
    Refused,
    ReviewState,
    apply_defence,
    apply_selection,
    apply_verdict,
    candidates_of,
    close_defence_if_due,
    close_selection_if_due,
    deadline_after,
    defence_text,
    state_of,
    utcnow,
)
from review.people import head_of, portal_link, wib
from tasks.common import engine, per_run_key, policy

UI_CHANNEL = "ui"  # answers applied here came through the Prefect UI form (others are recorded)


def _run_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    """Once per period/OPD (and pause key) per flow run: replays after a resume hit the cache."""
    parts = [params["period"], params["scope_code"], params.get("pause_key", "")]
    return per_run_key(ctx.task.name, *parts)


@task(cache_key_fn=_run_key, persist_result=True)
def open_review(period: str, scope_code: str) -> ReviewState:
    """The review row for this run (created if the cycle did not), bound to this flow run."""
    from prefect.runtime import flow_run

    pol = policy()
    with session_scope(engine()) as s:
        cands = candidates_of(s, period, scope_code)
        if not cands:
            raise ValueError(f"no candidates for period {period} and scope {scope_code}")
        ensure_period(s, period, pol.name)
        now = utcnow()
        review, _ = reviews.ensure_review(
            s,
            period=period,
            scope_kind="opd",  # reviews are per OPD, whatever the selection scope
            scope_code=scope_code,
            selection_deadline=deadline_after(
                now, pol.review.selection_deadline_workdays, pol, get_settings().timezone
            ),
            now=now,
        )
        if review.flow_run_id != str(flow_run.id):
            review.flow_run_id = str(flow_run.id)
        return state_of(s, review)


@task(cache_key_fn=_run_key, persist_result=True)
def describe_selection(period: str, scope_code: str) -> str:
    """Markdown above the selection form (candidates, indicators, trend, explanation)."""
    with session_scope(engine()) as s:
        rows = describe.candidate_rows(s, period, scope_code)
    return describe.selection_markdown(rows, period, scope_code)


@task(cache_key_fn=_run_key, persist_result=True, retries=2, retry_delay_seconds=5)
def send_selection_request(period: str, scope_code: str) -> int:
    """Ask the head of the OPD to choose, with a personal portal link; returns messages sent."""
    with session_scope(engine()) as s:
        review = reviews.require_review(s, period, scope_code)
        head, head_name, scope_name = head_of(s, review)
        rows = describe.candidate_rows(s, period, scope_code)
        link = portal_link(s, review, "selection", head, review.selection_deadline)
        s.commit()
        from notifications.service import notify

        sent = notify(
            s,
            event_key=f"selection_request:{period}:{scope_code}",
            recipient_role="head_of_opd",
            recipient=head,
            template="selection_request",
            context={
                "recipient_name": head_name,
                "scope_name": scope_name,
                "candidates": [
                    {
                        "name": r["name"],
                        "nip": r["nip"],
                        "job_title": r["job_title"],
                        "composite": r["composite"],
                        "explanation": r["explanation"],
                    }
                    for r in rows
                ],
                "deadline": wib(review.selection_deadline),
                "link": link,
            },
            period=period,
        )
    get_run_logger().info(
        "selection request for %s %s: %d message(s)", scope_code, period, len(sent)
    )
    return len(sent)


def _refused(s: Any, review: Review, actor: str, pause_key: str, problems: list[str]) -> None:
    record_event(
        s,
        actor=actor or "ui",
        action="input_refused",
        period=review.period,
        scope_code=review.scope_code,
        detail={"pause_key": pause_key, "problems": problems},
    )
    get_run_logger().warning(
        "input %s for %s %s refused, waiting again: %s",
        pause_key,
        review.scope_code,
        review.period,
        "; ".join(problems),
    )


@task(cache_key_fn=_run_key, persist_result=True)
def apply_selection_input(
    period: str, scope_code: str, pause_key: str, answer: dict[str, Any]
) -> ReviewState:
    """Apply one selection-pause answer (refused ones change nothing), then check the deadline."""
    pol = policy()
    with session_scope(engine()) as s:
        review = reviews.require_review(s, period, scope_code)
        now = utcnow()
        if answer.get("action") == "submit":
            items = answer.get("selections") or []
            nips = [str(i.get("nip")) for i in items]
            try:
                if len(set(nips)) != len(nips):
                    raise Refused(["setiap NIP hanya boleh muncul sekali"])
                apply_selection(
                    s,
                    review,
                    {
                        str(i["nip"]): Choice(bool(i.get("selected")), str(i.get("reason", "")))
                        for i in items
                    },
                    actor=str(answer.get("decided_by", "")),
                    channel=UI_CHANNEL,
                    policy=pol,
                    tz=get_settings().timezone,
                    now=now,
                    replay=True,
                )
            except Refused as exc:
                _refused(s, review, str(answer.get("decided_by", "")), pause_key, exc.problems)
        elif answer.get("action") == "invalid":
            _refused(s, review, "", pause_key, ["jawaban tidak sesuai formulir"])
        close_selection_if_due(s, review, now)
        state = state_of(s, review)
    get_run_logger().info("review %s %s: stage %s", scope_code, period, state.stage)
    return state


@task(cache_key_fn=_run_key, persist_result=True, retries=2, retry_delay_seconds=5)
def send_warnings(period: str, scope_code: str) -> list[str]:
    """A warning letter (HTML and text) and a notification per selected employee."""
    from notifications.service import notify
    from outputs.facts import load_facts
    from outputs.letters import (
        render_warning_letter,
        render_warning_letter_text,
        warning_letter_context,
    )

    settings = get_settings()
    pol = policy()
    letters: list[str] = []
    with session_scope(engine()) as s:
        review = reviews.require_review(s, period, scope_code)
        _, _, scope_name = head_of(s, review)
        sel = dec.effective(s, period, scope_code, DecisionKind.SELECTION)
        selected = state_of(s, review).selected
        # The warning is on record before any letter or message goes out.
        for nip in selected:
            dec.record(
                s,
                key=dec.key_for(DecisionKind.WARNING, period, scope_code, nip),
                period=period,
                scope_code=scope_code,
                review_id=review.id,
                nip=nip,
                kind=DecisionKind.WARNING,
                value="issued",
                reason=sel[nip].reason,
                payload={"defence_deadline": str(review.defence_deadline)},
                actor="system",
                actor_role="system",
                now=utcnow(),
            )
        s.commit()
        facts = load_facts(s, period)
        folder = Path(settings.out_dir) / period / "letters"
        for nip in selected:
            link = portal_link(s, review, "defence", nip, review.defence_deadline)
            ctx = warning_letter_context(facts, nip, pol, {scope_code: review}, link)
            html = folder / nip / "peringatan.html"
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_warning_letter(ctx), encoding="utf-8")
            html.with_suffix(".txt").write_text(render_warning_letter_text(ctx), encoding="utf-8")
            letters.append(str(html))
            s.commit()
            notify(
                s,
                event_key=f"warning:{period}:{scope_code}:{nip}",
                recipient_role="employee",
                recipient=nip,
                template="warning",
                context={
                    "recipient_name": ctx["employee"]["name"],
                    "opd_name": scope_name,
                    "indicators": [
                        {"label": i["label"], "value": i["value"]} for i in ctx["indicators"]
                    ],
                    "reason": sel[nip].reason,
                    "deadline": wib(review.defence_deadline),
                    "link": link,
                },
                period=period,
            )
    get_run_logger().info("warnings for %s %s: %d letter(s)", scope_code, period, len(letters))
    return letters


@task(cache_policy=NONE)
def describe_defence(period: str, scope_code: str) -> str:
    with session_scope(engine()) as s:
        review = reviews.require_review(s, period, scope_code)
        state = state_of(s, review)
        names = {
            e.nip: e.name
            for e in s.scalars(select(Employee).where(Employee.nip.in_(state.selected)))
        }
    return describe.defence_markdown(state, names)


@task(cache_key_fn=_run_key, persist_result=True)
def apply_defence_input(
    period: str, scope_code: str, pause_key: str, answer: dict[str, Any]
) -> ReviewState:
    """Apply one defence-pause answer (defence or verdict), tell the head, check the deadline."""
    from notifications.service import notify

    with session_scope(engine()) as s:
        review = reviews.require_review(s, period, scope_code)
        now = utcnow()
        action = answer.get("action")
        nip = str(answer.get("nip") or "")
        actor = str(answer.get("actor", ""))
        channel = UI_CHANNEL  # from the code path: only Prefect form answers are recorded here
        try:
            if action == "defence":
                apply_defence(
                    s, review, nip, str(answer.get("text") or defence_text(s, review, nip)),
                    actor=actor or nip, channel=channel, now=now, replay=True,
                )  # fmt: skip
            elif action == "verdict":
                apply_verdict(
                    s, review, nip, bool(answer.get("accepted")), str(answer.get("reason", "")),
                    actor=actor, channel=channel, now=now, replay=True,
                )  # fmt: skip
            elif action == "invalid":
                raise Refused(["jawaban tidak sesuai formulir"])
        except Refused as exc:
            _refused(s, review, actor, pause_key, exc.problems)
        state = state_of(s, review)
        head, head_name, _ = head_of(s, review)
        s.commit()
        for waiting in state.awaiting_verdict:
            emp = s.get(Employee, waiting)
            notify(
                s,
                event_key=f"defence_received:{period}:{scope_code}:{waiting}",
                recipient_role="head_of_opd",
                recipient=head,
                template="defence_received",
                context={
                    "recipient_name": head_name,
                    "employee_name": emp.name if emp else waiting,
                    "employee_nip": waiting,
                    "deadline": wib(review.defence_deadline),
                    "link": portal_link(s, review, "verdict", head, review.defence_deadline),
                },
                period=period,
            )
        close_defence_if_due(s, review, now)
        state = state_of(s, review)
    get_run_logger().info("review %s %s: stage %s", scope_code, period, state.stage)
    return state


@task(cache_policy=NONE, retries=2, retry_delay_seconds=5)
def send_review_result(period: str, scope_code: str) -> str:
    """Tell each selected employee the outcome; on no_decision tell BKD and the head."""
    from notifications.service import notify, notify_role

    with session_scope(engine()) as s:
        review = reviews.require_review(s, period, scope_code)
        head, head_name, scope_name = head_of(s, review)
        outcomes = dec.effective(s, period, scope_code, DecisionKind.OUTCOME)
        state = state_of(s, review)
        s.commit()
        for nip in state.selected:
            out = outcomes.get(nip)
            if out is None:
                continue
            emp = s.get(Employee, nip)
            notify(
                s,
                event_key=f"outcome:{period}:{scope_code}:{nip}",
                recipient_role="employee",
                recipient=nip,
                template="outcome",
                context={
                    "recipient_name": emp.name if emp else nip,
                    "outcome": out.value,
                    "reason": out.reason,
                    "opd_name": scope_name,
                },
                period=period,
            )
        if review.stage == ReviewStage.NO_DECISION:
            nd = dec.effective(s, period, scope_code, DecisionKind.NO_DECISION).get(None)
            stage = nd.value if nd else "selection"
            passed = review.selection_deadline if stage == "selection" else review.defence_deadline
            ctx = {"scope_name": scope_name, "stage": stage, "deadline": wib(passed)}
            notify_role(
                s,
                event_key=f"deadline_passed:{period}:{scope_code}",
                role="bkd",
                template="deadline_passed",
                context=ctx,
                period=period,
            )
            notify(
                s,
                event_key=f"deadline_passed:{period}:{scope_code}:head",
                recipient_role="head_of_opd",
                recipient=head,
                template="deadline_passed",
                context={"recipient_name": head_name, **ctx},
                period=period,
            )
        stage_now = review.stage
    get_run_logger().info("review %s %s ended: %s", scope_code, period, stage_now)
    return stage_now


@task(cache_policy=NONE)
def wake_cycle_if_done(period: str) -> bool:
    """The last review to end resumes the month's suspended cycle run (the sweeper also does)."""
    from flows.wakeup import wake_cycles

    with session_scope(engine()) as s:
        done = reviews.all_ended(s, period)
    if not done:
        return False
    woken = wake_cycles(period)
    get_run_logger().info("all reviews of %s ended; cycle run(s) resumed: %d", period, len(woken))
    return bool(woken)

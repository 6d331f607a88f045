"""Tasks of one OPD's review: thin wrappers around the review package (rules, answers, notices)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.context import TaskRunContext

from kinerja.db import reviews
from kinerja.db.session import session_scope
from kinerja.domain import ReviewStage, utcnow
from kinerja.faults import fault_point
from kinerja.outputs import warnings as warning_letters
from kinerja.review import answers, describe, notices
from kinerja.review.answers import Applied
from kinerja.review.logic import ReviewState, open_review_for_run
from kinerja.settings import get_settings
from kinerja.tasks.common import engine, per_run_key, policy


def _run_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    """Once per period/OPD (and pause key) per flow run: replays after a resume hit the cache."""
    parts = [params["period"], params["scope_code"], params.get("pause_key", "")]
    return per_run_key(ctx.task.name, *parts)


def _logged(period: str, scope_code: str, pause_key: str, applied: Applied) -> ReviewState:
    log = get_run_logger()
    if applied.refused:
        log.warning(
            "input %s for %s %s refused, waiting again: %s",
            pause_key, scope_code, period, "; ".join(applied.refused),
        )  # fmt: skip
    log.info("review %s %s: stage %s", scope_code, period, applied.state.stage)
    return applied.state


@task(cache_key_fn=_run_key, persist_result=True)
def prepare_selection(period: str, scope_code: str) -> tuple[ReviewState, str, dict[str, str]]:
    """Bind the review to this run; at the selection stage, read what its form shows.

    Returns the state, the Markdown above the selection form and the candidates' names (both
    empty past selection). The cycle has already opened the review, asked the head and written
    the brief (tasks.cycle.request_selections), in one task for the month's reviews: a
    review's first execution only reads and suspends.
    """
    from prefect.runtime import flow_run

    with session_scope(engine()) as s:
        state = open_review_for_run(
            s, period, scope_code, flow_run_id=str(flow_run.id), policy=policy(),
            tz=get_settings().timezone, now=utcnow(),
        )  # fmt: skip
        if state.stage != ReviewStage.SELECTION:
            return state, "", {}
        brief = describe.selection_brief(s, period, scope_code)
        names = describe.candidate_names(s, period, scope_code)
    return state, brief, names


@task(cache_key_fn=_run_key, persist_result=True)
def apply_selection_input(
    period: str, scope_code: str, pause_key: str, answer: dict[str, Any]
) -> ReviewState:
    """Apply one selection-pause answer (refused ones change nothing), then check the deadline."""
    with session_scope(engine()) as s:
        applied = answers.apply_selection_answer(
            s, reviews.require_review(s, period, scope_code), pause_key, answer,
            policy=policy(), tz=get_settings().timezone, now=utcnow(),
            operators=get_settings().operators,
        )  # fmt: skip
    return _logged(period, scope_code, pause_key, applied)


@task(cache_key_fn=_run_key, persist_result=True, retries=2, retry_delay_seconds=5)
def send_warnings(period: str, scope_code: str) -> list[str]:
    """A warning letter (HTML and text) and a notification per selected employee."""
    fault_point("between_pauses")
    out_dir = Path(get_settings().out_dir)
    with session_scope(engine()) as s:
        review = reviews.require_review(s, period, scope_code)
        letters = warning_letters.send_warnings(s, review, policy(), out_dir)
    get_run_logger().info("warnings for %s %s: %d letter(s)", scope_code, period, len(letters))
    return letters


@task(cache_policy=NONE)
def describe_defence(period: str, scope_code: str) -> tuple[str, dict[str, str]]:
    """Markdown above the defence and verdict form (who is awaited for what), and the names."""
    with session_scope(engine()) as s:
        return describe.defence_description(s, period, scope_code)


@task(cache_key_fn=_run_key, persist_result=True)
def apply_defence_input(
    period: str, scope_code: str, pause_key: str, answer: dict[str, Any]
) -> ReviewState:
    """Apply one defence-pause answer (defence or verdict), tell the head, check the deadline."""
    with session_scope(engine()) as s:
        applied = answers.apply_defence_answer(
            s, reviews.require_review(s, period, scope_code), pause_key, answer, now=utcnow(),
            operators=get_settings().operators,
        )  # fmt: skip
    return _logged(period, scope_code, pause_key, applied)


def answer_key(pause_key: str) -> str:
    """Where Prefect keeps the answer given at a pause (`suspend_flow_run`'s keyset)."""
    return f"suspended-{pause_key}-response"


@task(cache_key_fn=_run_key, persist_result=True, retries=2, retry_delay_seconds=5)
def forget_defence_text(period: str, scope_code: str, pause_key: str, field: str) -> bool:
    """A defence typed into the UI form stays in our database only: Prefect's copy of the
    answer is replaced by the same answer without its text (a rerun reads that copy)."""
    from prefect.input.actions import (
        create_flow_run_input,
        delete_flow_run_input,
        read_flow_run_input,
    )

    key = answer_key(pause_key)
    value = read_flow_run_input(key)
    if not isinstance(value, dict) or not value.get(field):
        return False
    delete_flow_run_input(key)
    create_flow_run_input(key, {**value, field: ""})
    get_run_logger().info("defence text of answer %s removed from the run input", pause_key)
    return True


@task(cache_policy=NONE, retries=2, retry_delay_seconds=5)
def send_review_result(period: str, scope_code: str) -> str:
    """Tell each selected employee the outcome; on no_decision tell BKD and the head."""
    with session_scope(engine()) as s:
        stage = notices.send_result(s, reviews.require_review(s, period, scope_code))
    get_run_logger().info("review %s %s ended: %s", scope_code, period, stage)
    return stage


@task(cache_policy=NONE)
def report_review_progress(period: str) -> bool:
    """Update the month's review-progress artifacts now that this review has ended."""
    from kinerja.tasks.cycle import publish_progress

    return publish_progress(period, update=True)


@task(cache_policy=NONE)
def wake_cycle_if_done(period: str) -> bool:
    """The last review to end resumes the month's suspended cycle run (the sweeper also does)."""
    from kinerja.runs.wakeup import wake_cycles

    with session_scope(engine()) as s:
        done = reviews.all_ended(s, period)
    if not done:
        return False
    woken = wake_cycles(period)
    get_run_logger().info("all reviews of %s ended; cycle run(s) resumed: %d", period, len(woken))
    return bool(woken)

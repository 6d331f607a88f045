"""One OPD's (or rumpun's) review: the selection pause, then the warning and defence pause.

Each pause is `suspend_flow_run`: the run leaves its process and is rerun from the top when it
is resumed (by the portal, the CLI, the Prefect UI form or the deadline sweeper). Every task
before a pause is cached per period/OPD and flow run, and every answer is applied by a task
cached per pause key, so a rerun replays earlier answers from persisted results and changes
nothing twice. A refused answer (unknown NIP, another OPD's NIP, no reason) is recorded as an
audit event and the run suspends again under the next key: it never fails.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.flow_runs import suspend_flow_run
from pydantic import ValidationError

from kinerja.domain import ReviewStage
from kinerja.flows.forms import DEFENCE_TEXT_FIELD, defence_form, selection_form
from kinerja.names import REVIEW_FLOW, REVIEW_RUN_NAME
from kinerja.review.answers import nothing_answered, unfit_answer
from kinerja.runs.wakeup import record_process
from kinerja.settings import get_settings
from kinerja.tasks.review import (
    apply_defence_input,
    apply_selection_input,
    describe_defence,
    forget_defence_text,
    prepare_selection,
    report_review_progress,
    send_review_result,
    send_warnings,
    wake_cycle_if_done,
)


def _wait(form: Any, key: str) -> dict[str, Any]:
    """Suspend until answered; an answer that no longer loads counts as refused."""
    try:
        answer = suspend_flow_run(wait_for_input=form, key=key)
    except ValidationError as exc:
        if all(e["type"] == "missing" for e in exc.errors()):
            return nothing_answered()  # a resume with no input at all
        get_run_logger().warning("answer %s does not fit the form: %s", key, exc.error_count())
        return unfit_answer()
    return answer.answer()


@flow(
    name=REVIEW_FLOW,
    flow_run_name=REVIEW_RUN_NAME,
    persist_result=True,
    log_prints=False,
    on_running=[record_process],
)
def opd_review(period: str, scope_code: str) -> str:
    """Run one review to its end; returns the final stage (done or no_decision)."""
    state, description, names = prepare_selection(period, scope_code)
    if state.stage == ReviewStage.SELECTION:
        operators = get_settings().operators
        sel_form = selection_form(state.candidates, description, names, operators)
        attempt = 0
        while state.stage == ReviewStage.SELECTION:
            key = f"selection-{attempt}"
            state = apply_selection_input(period, scope_code, key, _wait(sel_form, key))
            attempt += 1
    if state.stage == ReviewStage.DEFENCE:
        send_warnings(period, scope_code)
        def_description, def_names = describe_defence(period, scope_code)
        def_form = defence_form(
            state.selected, def_description, def_names, get_settings().operators
        )
        attempt = 0
        while state.stage == ReviewStage.DEFENCE:
            key = f"defence-{attempt}"
            answer = _wait(def_form, key)
            state = apply_defence_input(period, scope_code, key, answer)
            if answer.get("text"):  # typed into the UI form: keep it out of Prefect
                forget_defence_text(period, scope_code, key, DEFENCE_TEXT_FIELD)
            attempt += 1
    stage = send_review_result(period, scope_code)
    report_review_progress(period)
    wake_cycle_if_done(period)
    return stage

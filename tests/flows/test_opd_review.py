"""The review's two pauses through a real Prefect API and a served deployment."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from prefect.flow_runs import resume_flow_run
from prefect.input.actions import read_flow_run_input
from sqlalchemy import Engine, select

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.models import AuditEvent, Decision, Notification
from kinerja.db.session import session_scope
from kinerja.domain import DecisionKind, ReviewStage, utcnow
from kinerja.flows.sweeper import sweep
from kinerja.review import service as svc
from kinerja.review.logic import Refused, defence_text
from kinerja.rules.policy import load_policy
from kinerja.runs.paused import PrefectPausedRuns
from tests.review.factories import make_opd
from tests.served import Server, paused_after, read_state, start_review, wait_for

RUNS = PrefectPausedRuns()  # what the CLI and the portal give the review service
PERIOD = "2025-10"


def _effective(engine: Engine, scope: str, kind: str) -> dict[str | None, str]:
    with session_scope(engine) as s:
        return {k: d.value for k, d in dec.effective(s, PERIOD, scope, kind).items()}


def _stage(engine: Engine, scope: str) -> str:
    with session_scope(engine) as s:
        return reviews.require_review(s, PERIOD, scope).stage


def _sweep_until_woken(engine: Engine, timeout: float = 90) -> list[str]:
    """Run the sweeper as its schedule would, until it wakes something."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        woken = sweep(engine, load_policy("jabar")).woken
        if woken:
            return woken
        time.sleep(1)
    return []


def _paused(run_id: str) -> object:
    return wait_for(run_id, lambda st: st.is_paused(), what="suspended")


def test_selection_refusals_then_defence_rejected_publishes(
    server: Server, flow_engine: Engine, flow_settings: dict[str, str]
) -> None:
    nips = make_opd(flow_engine, PERIOD, "DISHUB")
    other = make_opd(flow_engine, PERIOD, "DINKES")
    run_id = start_review(PERIOD, "DISHUB")
    state = _paused(run_id)
    assert state.name == "Suspended"
    # The Markdown above the form is the brief the cycle's task wrote when it asked the head.
    with session_scope(flow_engine) as s:
        brief = reviews.require_review(s, PERIOD, "DISHUB").selection_brief
    assert brief and nips[0] in brief and "Pemilihan DISHUB" in brief
    shown = read_flow_run_input("suspended-selection-0-description", flow_run_id=UUID(run_id))
    assert shown == brief
    with session_scope(flow_engine) as s:
        assert reviews.require_review(s, PERIOD, "DISHUB").flow_run_id == run_id

    # Another OPD's candidate and an unknown NIP are refused before anything is recorded.
    with pytest.raises(Refused, match="DINKES"):
        svc.submit_selection(
            flow_engine,
            PERIOD,
            "DISHUB",
            "op BKD",
            {other[0]: (True, "sering absen")},
            "cli",
            runs=RUNS,
        )
    with pytest.raises(Refused, match="tidak dikenal"):
        svc.submit_selection(
            flow_engine,
            PERIOD,
            "DISHUB",
            "op BKD",
            {"999999999999999999": (True, "absen")},
            "cli",
            runs=RUNS,
        )
    # The same through the Prefect API: the form's schema lists only this OPD's NIPs.
    with pytest.raises(RuntimeError):
        resume_flow_run(
            UUID(run_id),
            run_input={"operator": "op BKD", f"alasan_{other[0]}": "x"},
        )
    assert read_state(run_id).is_paused()
    assert _effective(flow_engine, "DISHUB", DecisionKind.SELECTION) == {}

    # Schema-valid but no operator named: the run wakes, refuses it, suspends again.
    before = read_state(run_id).timestamp
    resume_flow_run(
        UUID(run_id),
        run_input={"operator": "", f"alasan_{nips[0]}": "sering absen"},
    )
    wait_for(run_id, paused_after(before), what="suspended again")
    with session_scope(flow_engine) as s:
        refused = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "input_refused", AuditEvent.scope_code == "DISHUB"
            )
        ).all()
    assert len(refused) == 1 and "(kosong) bukan operator BKD" in refused[0].detail["problems"][0]
    assert _stage(flow_engine, "DISHUB") == ReviewStage.SELECTION

    # A valid selection resumes the run into the warning and defence pause.
    before = read_state(run_id).timestamp
    svc.submit_selection(
        flow_engine, PERIOD, "DISHUB", "op BKD", {nips[0]: (True, "sering absen")}, "cli", runs=RUNS
    )
    wait_for(run_id, paused_after(before), what="at the defence pause")
    assert _effective(flow_engine, "DISHUB", DecisionKind.SELECTION) == {
        nips[0]: "selected",
        nips[1]: "not_selected",
        nips[2]: "not_selected",
    }
    assert _effective(flow_engine, "DISHUB", DecisionKind.WARNING) == {nips[0]: "issued"}
    letter = Path(flow_settings["KINERJA_OUT_DIR"]) / PERIOD / "letters" / nips[0]
    assert (letter / "peringatan.html").exists()
    with pytest.raises(Refused):  # a second selection is refused, nothing changes
        svc.submit_selection(
            flow_engine, PERIOD, "DISHUB", "op BKD", {nips[1]: (True, "x")}, "cli", runs=RUNS
        )
    with pytest.raises(Refused):  # a candidate who was not selected cannot defend
        svc.submit_defence(
            flow_engine, PERIOD, "DISHUB", nips[1], "op BKD", "saya", "cli", runs=RUNS
        )

    svc.submit_defence(
        flow_engine, PERIOD, "DISHUB", nips[0], "op BKD", "Saya sakit.", "cli", runs=RUNS
    )
    svc.submit_verdict(
        flow_engine, PERIOD, "DISHUB", nips[0], "op BKD", False, "tanpa surat", "cli", runs=RUNS
    )
    final = wait_for(run_id, lambda st: st.is_final(), what="finished")
    assert final.is_completed()
    assert _effective(flow_engine, "DISHUB", DecisionKind.OUTCOME) == {
        nips[0]: "published",
        nips[1]: "not_published",
        nips[2]: "not_published",
    }
    assert _stage(flow_engine, "DISHUB") == ReviewStage.DONE
    with session_scope(flow_engine) as s:
        verdict = dec.get_by_key(s, dec.key_for(DecisionKind.VERDICT, PERIOD, "DISHUB", nips[0]))
        assert verdict is not None
        assert (verdict.actor, verdict.reason, verdict.channel) == (
            "op BKD",
            "tanpa surat",
            "cli",
        )
        # Each decision exactly once, although the run replayed every answer on each resume.
        keys = s.scalars(select(Decision.idempotency_key).where(Decision.scope_code == "DISHUB"))
        keys_list = list(keys)
        assert len(keys_list) == len(set(keys_list))
        sent = s.scalars(
            select(Notification.event_key).where(Notification.recipient == nips[0])
        ).all()
    assert any(k.startswith("warning:") for k in sent)
    assert any(k.startswith("outcome:") for k in sent)
    # The defence text (a health reason here) stays in our DB, not in Prefect's run input.
    with get_client(sync_client=True) as client:
        inputs = client.filter_flow_run_input(UUID(run_id), "", 100, set())
    assert inputs  # the portal and CLI woke the run; their answers are in our database
    assert not any("Saya sakit." in i.value for i in inputs)
    with session_scope(flow_engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        assert defence_text(s, review, nips[0]) == "Saya sakit."


def test_defence_accepted_is_not_published_and_restart_loses_nothing(
    server: Server, flow_engine: Engine
) -> None:
    nips = make_opd(flow_engine, PERIOD, "BAPPEDA")
    run_id = start_review(PERIOD, "BAPPEDA")
    _paused(run_id)
    before = read_state(run_id).timestamp
    svc.submit_selection(
        flow_engine,
        PERIOD,
        "BAPPEDA",
        "Kepala BAPPEDA",
        {nips[1]: (True, "target tidak tercapai"), nips[2]: (True, "terlambat")},
        "portal",
        runs=RUNS,
    )
    wait_for(run_id, paused_after(before), what="at the defence pause")

    # The serving process goes away while the run is suspended, and comes back.
    server.stop()
    svc.submit_defence(
        flow_engine, PERIOD, "BAPPEDA", nips[1], nips[1], "Data salah.", "portal", runs=RUNS
    )
    server.start()
    svc.submit_verdict(
        flow_engine,
        PERIOD,
        "BAPPEDA",
        nips[1],
        "Kepala BAPPEDA",
        True,
        "data diperbaiki",
        "portal",
        runs=RUNS,
    )
    _paused(run_id)  # applied the verdict; still waiting for nips[2]
    assert _stage(flow_engine, "BAPPEDA") == ReviewStage.DEFENCE
    # nips[2] never defends: the review waits for the deadline, which passes.
    with session_scope(flow_engine) as s:
        review = reviews.require_review(s, PERIOD, "BAPPEDA")
        review.defence_deadline = utcnow() - timedelta(minutes=1)
    assert f"{PERIOD}/BAPPEDA" in _sweep_until_woken(flow_engine)
    final = wait_for(run_id, lambda st: st.is_final(), what="finished")
    assert final.is_completed()
    assert _effective(flow_engine, "BAPPEDA", DecisionKind.OUTCOME) == {
        nips[0]: "not_published",
        nips[1]: "not_published",  # defence accepted
        nips[2]: "published",  # no defence by the deadline
    }


def test_selection_deadline_records_no_decision(server: Server, flow_engine: Engine) -> None:
    nips = make_opd(flow_engine, PERIOD, "DISPORA")
    run_id = start_review(PERIOD, "DISPORA")
    _paused(run_id)
    new = svc.extend_deadline(
        flow_engine, PERIOD, "DISPORA", "op BKD", 2, "banjir", request_id="req-1"
    )
    with session_scope(flow_engine) as s:
        review = reviews.require_review(s, PERIOD, "DISPORA")
        assert review.selection_deadline == new
        review.selection_deadline = utcnow() - timedelta(minutes=1)  # time passes
    assert _sweep_until_woken(flow_engine) == [f"{PERIOD}/DISPORA"]
    assert wait_for(run_id, lambda st: st.is_final(), what="finished").is_completed()
    assert _stage(flow_engine, "DISPORA") == ReviewStage.NO_DECISION
    assert _effective(flow_engine, "DISPORA", DecisionKind.NO_DECISION) == {None: "selection"}
    assert set(_effective(flow_engine, "DISPORA", DecisionKind.OUTCOME).values()) == {
        "not_published"
    }
    assert _effective(flow_engine, "DISPORA", DecisionKind.EXTENSION) == {None: "2 workdays"}
    with session_scope(flow_engine) as s:
        bkd = s.scalars(
            select(Notification).where(
                Notification.recipient_role == "bkd",
                Notification.event_key.like("deadline_passed:%DISPORA%"),
            )
        ).all()
    assert bkd
    with pytest.raises(Refused):  # too late now
        svc.submit_selection(
            flow_engine, PERIOD, "DISPORA", "op BKD", {nips[0]: (True, "x")}, "cli", runs=RUNS
        )
    # Starting the review again returns the same run and adds no review.
    assert start_review(PERIOD, "DISPORA") == run_id
    with session_scope(flow_engine) as s:
        assert len([r for r in reviews.list_reviews(s, PERIOD) if r.scope_code == "DISPORA"]) == 1

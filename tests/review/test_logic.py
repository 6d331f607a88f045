"""The review rules without Prefect: validation, decisions, deadlines and outcomes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.models import Decision
from kinerja.db.session import session_scope
from kinerja.domain import DecisionKind, ReviewStage
from kinerja.review import service as svc
from kinerja.review.logic import (
    Choice,
    Refused,
    apply_defence,
    apply_selection,
    apply_verdict,
    close_defence_if_due,
    close_selection_if_due,
    extend,
    open_review_for_run,
    state_of,
)
from kinerja.rules.policy import Policy, load_policy
from tests.review.factories import make_opd

PERIOD = "2025-10"
TZ = "Asia/Jakarta"
# Monday 3 November 2025, 09:00 WIB (02:00 UTC)
NOW = datetime(2025, 11, 3, 2, 0)


@pytest.fixture
def policy() -> Policy:
    return load_policy("jabar")


@pytest.fixture
def opd(engine: Engine) -> list[str]:
    nips = make_opd(engine, PERIOD, "DISHUB")
    make_opd(engine, PERIOD, "DINKES")
    with session_scope(engine) as s:
        reviews.ensure_review(
            s,
            period=PERIOD,
            scope_kind="opd",
            scope_code="DISHUB",
            selection_deadline=NOW + timedelta(days=7),
            now=NOW,
        )
    return nips


def _select(engine: Engine, policy: Policy, picks: dict[str, Choice], now: datetime = NOW):
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        return apply_selection(
            s, review, picks, actor="Kepala", channel="cli", policy=policy, tz=TZ, now=now
        )


def _outcomes(engine: Engine) -> dict[str | None, str]:
    with session_scope(engine) as s:
        return {
            k: d.value for k, d in dec.effective(s, PERIOD, "DISHUB", DecisionKind.OUTCOME).items()
        }


def test_selection_refuses_other_opd_unknown_nip_and_missing_reason(
    engine: Engine, policy: Policy, opd: list[str]
) -> None:
    with pytest.raises(Refused, match="kandidat tinjauan DINKES"):
        _select(engine, policy, {"DINKES-001": Choice(True, "x")})
    with pytest.raises(Refused, match="tidak dikenal"):
        _select(engine, policy, {"123456789012345678": Choice(True, "x")})
    with pytest.raises(Refused, match="alasan"):
        _select(engine, policy, {opd[0]: Choice(True, "  ")})
    with pytest.raises(Refused, match="batas waktu"):
        _select(engine, policy, {opd[0]: Choice(True, "x")}, now=NOW + timedelta(days=8))
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 0


def test_selection_records_every_candidate_and_sets_the_defence_deadline(
    engine: Engine, policy: Policy, opd: list[str]
) -> None:
    state = _select(engine, policy, {opd[1]: Choice(True, "sering terlambat")})
    assert state.stage == ReviewStage.DEFENCE
    assert state.selected == [opd[1]] and state.awaiting_defence == [opd[1]]
    with session_scope(engine) as s:
        sel = dec.effective(s, PERIOD, "DISHUB", DecisionKind.SELECTION)
        assert {k: d.value for k, d in sel.items()} == {
            opd[0]: "not_selected",
            opd[1]: "selected",
            opd[2]: "not_selected",
        }
        assert (sel[opd[1]].actor, sel[opd[1]].reason, sel[opd[1]].channel) == (
            "Kepala",
            "sering terlambat",
            "cli",
        )
        # Entered through the CLI on the head's behalf: a BKD operator acted, not the head.
        assert {d.actor_role for d in sel.values()} == {"bkd_operator"}
        review = reviews.require_review(s, PERIOD, "DISHUB")
        # 5 working days after Monday 3 Nov 09:00 WIB is Monday 10 Nov 09:00 WIB.
        assert review.defence_deadline == datetime(2025, 11, 10, 2, 0)
    with pytest.raises(Refused, match="sudah tercatat"):
        _select(engine, policy, {opd[0]: Choice(True, "x")})


def test_zero_selected_ends_the_review_with_nobody_published(
    engine: Engine, policy: Policy, opd: list[str]
) -> None:
    assert _select(engine, policy, {}).stage == ReviewStage.DONE
    assert set(_outcomes(engine).values()) == {"not_published"}


def test_defence_and_verdict_lead_to_outcomes(
    engine: Engine, policy: Policy, opd: list[str]
) -> None:
    _select(engine, policy, {opd[0]: Choice(True, "a"), opd[1]: Choice(True, "b")})
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        with pytest.raises(Refused, match="belum menyampaikan"):
            apply_verdict(s, review, opd[0], True, "ok", actor="K", channel="cli", now=NOW)
        with pytest.raises(Refused, match="tidak termasuk"):
            apply_defence(s, review, opd[2], "saya", actor=opd[2], channel="cli", now=NOW)
        with pytest.raises(Refused, match="kosong"):
            apply_defence(s, review, opd[0], " ", actor=opd[0], channel="cli", now=NOW)
        apply_defence(s, review, opd[0], "Saya cuti.", actor=opd[0], channel="cli", now=NOW)
        with pytest.raises(Refused, match="sudah tercatat"):
            apply_defence(s, review, opd[0], "lagi", actor=opd[0], channel="cli", now=NOW)
        with pytest.raises(Refused, match="alasan"):
            apply_verdict(s, review, opd[0], True, "", actor="K", channel="cli", now=NOW)
        apply_verdict(s, review, opd[0], True, "cuti sah", actor="K", channel="cli", now=NOW)
        # opd[1] has not defended: the review waits for the deadline.
        assert not close_defence_if_due(s, review, NOW)
        assert review.defence_deadline is not None
        assert close_defence_if_due(s, review, review.defence_deadline + timedelta(seconds=1))
        assert review.stage == ReviewStage.DONE
    assert _outcomes(engine) == {
        opd[0]: "not_published",  # defence accepted
        opd[1]: "published",  # no defence by the deadline
        opd[2]: "not_published",
    }


def test_rejected_defence_is_published(engine: Engine, policy: Policy, opd: list[str]) -> None:
    _select(engine, policy, {opd[2]: Choice(True, "c")})
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        apply_defence(s, review, opd[2], "Tidak benar.", actor=opd[2], channel="cli", now=NOW)
        state = apply_verdict(
            s, review, opd[2], False, "bukti lemah", actor="K", channel="cli", now=NOW
        )
        assert state.awaiting_verdict == []
        assert close_defence_if_due(s, review, NOW)  # every verdict is in: no need to wait
    assert _outcomes(engine)[opd[2]] == "published"


def test_actor_role_follows_the_channel(engine: Engine, policy: Policy, opd: list[str]) -> None:
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        picks = {opd[0]: Choice(True, "a"), opd[1]: Choice(True, "b")}
        apply_selection(
            s, review, picks, actor="Kepala", channel="portal", policy=policy, tz=TZ, now=NOW
        )
        apply_defence(s, review, opd[0], "Saya cuti.", actor=opd[0], channel="portal", now=NOW)
        apply_defence(s, review, opd[1], "Saya dinas.", actor="operator", channel="ui", now=NOW)
        apply_verdict(s, review, opd[0], True, "sah", actor="K", channel="portal", now=NOW)
        apply_verdict(s, review, opd[1], True, "sah", actor="op", channel="ui", now=NOW)
        roles = {
            (d.kind, d.nip): (d.actor_role, d.channel)
            for d in dec.history(s, PERIOD, "DISHUB")
            if d.kind != DecisionKind.SELECTION or d.nip == opd[0]
        }
    assert roles == {
        (DecisionKind.SELECTION, opd[0]): ("head_of_opd", "portal"),
        (DecisionKind.DEFENCE, opd[0]): ("employee", "portal"),
        (DecisionKind.DEFENCE, opd[1]): ("bkd_operator", "ui"),
        (DecisionKind.VERDICT, opd[0]): ("head_of_opd", "portal"),
        (DecisionKind.VERDICT, opd[1]): ("bkd_operator", "ui"),
    }


def test_the_service_accepts_no_channel_from_outside_its_code_paths(engine: Engine) -> None:
    with pytest.raises(ValueError, match="channel 'ui'"):
        svc.submit_selection(engine, PERIOD, "DISHUB", "K", {"x": (True, "a")}, "ui")


def test_unanswered_defence_at_deadline_is_no_decision(
    engine: Engine, policy: Policy, opd: list[str]
) -> None:
    _select(engine, policy, {opd[0]: Choice(True, "a"), opd[1]: Choice(True, "b")})
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        apply_defence(s, review, opd[0], "Saya sakit.", actor=opd[0], channel="cli", now=NOW)
        assert close_defence_if_due(s, review, NOW + timedelta(days=30))
        assert review.stage == ReviewStage.NO_DECISION
        nd = dec.effective(s, PERIOD, "DISHUB", DecisionKind.NO_DECISION)
        assert nd[None].value == "defence" and opd[0] in nd[None].reason
    assert set(_outcomes(engine).values()) == {"not_published"}


def test_selection_deadline_and_extension(engine: Engine, policy: Policy, opd: list[str]) -> None:
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        with pytest.raises(Refused, match="alasan"):
            extend(
                s, review, actor="op", workdays=2, reason="", policy=policy, tz=TZ, now=NOW,
                request_id="r1",
            )  # fmt: skip
        old = review.selection_deadline
        assert old is not None
        for _ in range(2):  # the operator's command is retried with the same request id
            new = extend(
                s, review, actor="op", workdays=2, reason="banjir", policy=policy, tz=TZ,
                now=NOW, request_id="r1",
            )  # fmt: skip
        assert new > old and review.selection_deadline == new
        exts = [d for d in dec.history(s, PERIOD, "DISHUB") if d.kind == DecisionKind.EXTENSION]
        assert len(exts) == 1
        assert not close_selection_if_due(s, review, old + timedelta(minutes=1))
        assert close_selection_if_due(s, review, new + timedelta(minutes=1))
        assert review.stage == ReviewStage.NO_DECISION
        closed = dec.effective(s, PERIOD, "DISHUB", DecisionKind.NO_DECISION)[None]
        # the reason people read names the deadline in local time, as everything else does
        assert re.fullmatch(
            r"batas waktu pemilihan \d{4}-\d\d-\d\d \d\d\.\d\d WIB lewat", closed.reason
        )
        ext = dec.effective(s, PERIOD, "DISHUB", DecisionKind.EXTENSION)[None]
        assert (ext.value, ext.actor, ext.reason) == ("2 workdays", "op", "banjir")
        assert state_of(s, review).selected == []
    assert set(_outcomes(engine).values()) == {"not_published"}


def test_a_run_opens_its_review_once_and_binds_it_to_itself(engine: Engine, policy: Policy) -> None:
    make_opd(engine, PERIOD, "DISHUB")
    with session_scope(engine) as s:
        with pytest.raises(ValueError, match="no candidates"):
            open_review_for_run(
                s, PERIOD, "DINSOS", flow_run_id="run-0", policy=policy, tz=TZ, now=NOW
            )
        state = open_review_for_run(
            s, PERIOD, "DISHUB", flow_run_id="run-1", policy=policy, tz=TZ, now=NOW
        )
        assert state.stage == ReviewStage.SELECTION and len(state.candidates) == 3
        # 5 working days after Monday 3 Nov 09:00 WIB is Monday 10 Nov 09:00 WIB.
        assert state.selection_deadline == datetime(2025, 11, 10, 2, 0)
        # Another run of the same review (a rerun of the month) finds it and takes it over.
        later = NOW + timedelta(days=1)
        again = open_review_for_run(
            s, PERIOD, "DISHUB", flow_run_id="run-2", policy=policy, tz=TZ, now=later
        )
        assert (again.review_id, again.selection_deadline) == (
            state.review_id,
            state.selection_deadline,
        )
        assert reviews.require_review(s, PERIOD, "DISHUB").flow_run_id == "run-2"
        assert [r.scope_code for r in reviews.list_reviews(s, PERIOD)] == ["DISHUB"]

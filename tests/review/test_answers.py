"""A paused run's answers applied without Prefect: form answers, replays, refusals, deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.audit import events
from kinerja.db.models import Decision, Notification
from kinerja.db.session import session_scope
from kinerja.domain import DecisionKind, ReviewStage, utcnow
from kinerja.review.answers import (
    NOT_THE_FORM,
    Applied,
    apply_defence_answer,
    apply_selection_answer,
)
from kinerja.review.logic import Choice, apply_defence, apply_selection
from kinerja.rules.policy import Policy, load_policy
from tests.review.factories import make_opd

PERIOD = "2025-10"
TZ = "Asia/Jakarta"
OPS = ("op.rina", "op.agus")  # the configured BKD operators


@pytest.fixture
def policy() -> Policy:
    return load_policy("jabar")


@pytest.fixture
def nips(outbox_db: Engine) -> list[str]:
    nips = make_opd(outbox_db, PERIOD, "DISHUB")
    now = utcnow()
    with session_scope(outbox_db) as s:
        reviews.ensure_review(
            s,
            period=PERIOD,
            scope_kind="opd",
            scope_code="DISHUB",
            selection_deadline=now + timedelta(days=7),
            now=now,
        )
    return nips


def _selection(
    engine: Engine, policy: Policy, key: str, answer: dict[str, object], now: datetime | None = None
) -> Applied:
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        return apply_selection_answer(
            s, review, key, answer, policy=policy, tz=TZ, now=now or utcnow(), operators=OPS
        )


def _defence(engine: Engine, key: str, answer: dict[str, object]) -> Applied:
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        return apply_defence_answer(s, review, key, answer, now=utcnow(), operators=OPS)


def _refusals(engine: Engine) -> list[tuple[str, str, list[str]]]:
    with session_scope(engine) as s:
        return [
            (e.actor, e.detail["pause_key"], e.detail["problems"])
            for e in events(s, period=PERIOD, action="input_refused")
        ]


def _decisions(engine: Engine) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(Decision)) or 0


def _submit(actor: str, picks: dict[str, tuple[bool, str]]) -> dict[str, object]:
    rows = [{"nip": n, "selected": sel, "reason": why} for n, (sel, why) in picks.items()]
    return {"action": "submit", "operator": actor, "selections": rows}


def test_selection_answers_from_the_form_are_refused_or_recorded_once(
    outbox_db: Engine, policy: Policy, nips: list[str]
) -> None:
    row = {"nip": nips[0], "selected": True, "reason": "a"}
    twice = {"action": "submit", "operator": "op.rina", "selections": [row, row]}
    refused = _selection(outbox_db, policy, "selection-0", twice)
    assert refused.state.stage == ReviewStage.SELECTION and "sekali" in refused.refused[0]
    assert _selection(outbox_db, policy, "selection-1", {"action": "invalid"}).refused == [
        NOT_THE_FORM
    ]
    assert _refusals(outbox_db) == [
        ("op.rina", "selection-0", refused.refused),
        ("ui", "selection-1", [NOT_THE_FORM]),
    ]
    assert _decisions(outbox_db) == 0

    done = _selection(
        outbox_db, policy, "selection-2", _submit("op.rina", {nips[0]: (True, "absen")})
    )
    assert done.refused == [] and done.state.stage == ReviewStage.DEFENCE
    assert done.state.selected == [nips[0]]
    with session_scope(outbox_db) as s:
        sel = dec.effective(s, PERIOD, "DISHUB", DecisionKind.SELECTION)
        assert (sel[nips[0]].channel, sel[nips[0]].actor_role) == ("ui", "bkd_operator")
        assert sel[nips[0]].actor == "op.rina" and "on_behalf_of" not in sel[nips[0]].payload
        audited = events(s, period=PERIOD, action="submit_selection")
        assert [(e.actor, e.detail["channel"]) for e in audited] == [("op.rina", "ui")]
    # A rerun replays the answer: nothing changes and nothing is refused.
    count = _decisions(outbox_db)
    again = _selection(
        outbox_db, policy, "selection-2", _submit("op.rina", {nips[0]: (True, "absen")})
    )
    assert again.refused == [] and again.state.selected == [nips[0]]
    assert _decisions(outbox_db) == count and len(_refusals(outbox_db)) == 2
    # Another answer after it is not a replay: it is refused, and said so.
    other = _selection(
        outbox_db, policy, "selection-3", _submit("op.agus", {nips[1]: (True, "lain lagi")})
    )
    assert "sudah tercatat" in other.refused[0] and other.state.selected == [nips[0]]
    assert _decisions(outbox_db) == count and len(_refusals(outbox_db)) == 3


def test_a_form_answer_that_loses_the_race_to_the_portal_moves_nothing(
    outbox_db: Engine, policy: Policy, nips: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portal records a selection between the form answer's check and its writes: the
    form's "nobody selected" must neither close the review nor leave rows of its own."""
    from kinerja.review import logic

    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        apply_selection(
            s, review, {nips[0]: Choice(True, "sering absen")}, actor="DISHUB-HEAD",
            channel="portal", policy=policy, tz=TZ, now=utcnow(),
        )  # fmt: skip
    count = _decisions(outbox_db)
    effective = dec.effective
    calls = {"n": 0}

    def not_yet_on_the_first_look(*args: object, **kw: object) -> object:
        calls["n"] += 1
        return {} if calls["n"] == 1 else effective(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(logic.dec, "effective", not_yet_on_the_first_look)
    # ...and its checks ran then too, while the review still awaited the selection
    monkeypatch.setattr(logic, "validate_selection", lambda *a, **k: [])
    lost = _selection(outbox_db, policy, "selection-0", _submit("op.rina", {}))
    monkeypatch.undo()
    assert calls["n"] >= 2 and "sudah tercatat" in lost.refused[0]
    assert lost.state.stage == ReviewStage.DEFENCE and lost.state.selected == [nips[0]]
    assert _decisions(outbox_db) == count
    with session_scope(outbox_db) as s:
        sel = dec.effective(s, PERIOD, "DISHUB", DecisionKind.SELECTION)
        assert {n: d.channel for n, d in sel.items()} == {n: "portal" for n in sel}


def test_a_wake_after_the_selection_deadline_ends_the_review_without_decision(
    outbox_db: Engine, policy: Policy, nips: list[str]
) -> None:
    woken = _selection(outbox_db, policy, "selection-0", {"action": "wake"})
    assert woken.state.stage == ReviewStage.SELECTION and woken.refused == []
    late = utcnow() + timedelta(days=30)
    ended = _selection(outbox_db, policy, "selection-1", {"action": "wake"}, now=late)
    assert ended.state.stage == ReviewStage.NO_DECISION
    with session_scope(outbox_db) as s:
        assert dec.effective(s, PERIOD, "DISHUB", DecisionKind.NO_DECISION)[None].value == (
            "selection"
        )


def test_defence_answers_replay_the_portals_tell_the_head_and_end_with_the_verdict(
    outbox_db: Engine, policy: Policy, nips: list[str]
) -> None:
    now = utcnow()
    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        picks = {nips[0]: Choice(True, "a")}
        apply_selection(
            s, review, picks, actor="K", channel="portal", policy=policy, tz=TZ, now=now
        )
        apply_defence(s, review, nips[0], "Saya cuti.", actor=nips[0], channel="portal", now=now)
    # The portal wakes the run: it reads the recorded defence, nothing in the run input.
    count = _decisions(outbox_db)
    replay = _defence(outbox_db, "defence-0", {"action": "wake"})
    assert replay.refused == [] and replay.state.awaiting_verdict == [nips[0]]
    assert _decisions(outbox_db) == count
    with session_scope(outbox_db) as s:
        told = s.scalars(select(Notification.recipient).where(
            Notification.event_key.like(f"defence_received:{PERIOD}:DISHUB:{nips[0]}%")
        )).all()  # fmt: skip
    assert told == ["DISHUB-HEAD"]

    no_reason = {"action": "verdict", "nip": nips[0], "operator": "op.rina", "accepted": True}
    refused = _defence(outbox_db, "defence-1", no_reason)
    assert "alasan" in refused.refused[0] and refused.state.stage == ReviewStage.DEFENCE
    assert _refusals(outbox_db) == [("op.rina", "defence-1", refused.refused)]
    # The head's verdict entered at their request needs the head's NIP and a note.
    behalf = no_reason | {"reason": "cuti sah", "on_behalf_of": "DISHUB-HEAD"}
    assert "catatan" in _defence(outbox_db, "defence-x", behalf).refused[0]

    verdict = _defence(outbox_db, "defence-2", behalf | {"note": "diminta lewat telepon 09.10"})
    assert verdict.refused == [] and verdict.state.stage == ReviewStage.DONE
    with session_scope(outbox_db) as s:
        ver = dec.effective(s, PERIOD, "DISHUB", DecisionKind.VERDICT)[nips[0]]
        assert (ver.value, ver.channel, ver.actor_role) == ("accepted", "ui", "bkd_operator")
        assert ver.actor == "op.rina" and ver.payload["on_behalf_of"] == {
            "nip": "DISHUB-HEAD",
            "note": "diminta lewat telepon 09.10",
        }
        audited = events(s, period=PERIOD, action="submit_verdict")
        assert [(e.actor, e.detail["channel"]) for e in audited] == [("op.rina", "ui")]
        outcome = dec.effective(s, PERIOD, "DISHUB", DecisionKind.OUTCOME)[nips[0]]
        assert outcome.value == "not_published"


def test_a_form_answer_by_anyone_but_a_configured_operator_is_refused_naming_them(
    outbox_db: Engine, policy: Policy, nips: list[str]
) -> None:
    head = _selection(
        outbox_db, policy, "selection-0", _submit("DISHUB-HEAD", {nips[0]: (True, "absen")})
    )
    assert head.refused == [
        "DISHUB-HEAD bukan operator BKD yang terdaftar; operator terdaftar: op.rina, op.agus"
    ]
    long = _selection(
        outbox_db, policy, "selection-1", _submit("op.rina", {nips[0]: (True, "a" * 1001)})
    )
    assert "maksimal 1000" in long.refused[0]
    assert _decisions(outbox_db) == 0 and head.state.stage == ReviewStage.SELECTION

"""What a review tells people, without Prefect: requests, warnings, defences received, results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.models import Notification, PortalLink
from kinerja.db.session import session_scope
from kinerja.domain import DecisionKind, ReviewStage, utcnow
from kinerja.outputs.warnings import send_warnings
from kinerja.review.links import resolve_short, verify
from kinerja.review.logic import (
    Choice,
    apply_defence,
    apply_selection,
    apply_verdict,
    close_defence_if_due,
    close_selection_if_due,
)
from kinerja.review.notices import (
    request_selection,
    send_result,
    tell_head_of_defences,
)
from kinerja.rules.policy import Policy, load_policy
from tests.review.factories import make_opd

PERIOD = "2025-10"
TZ = "Asia/Jakarta"


@pytest.fixture
def policy() -> Policy:
    return load_policy("jabar")


def _open(engine: Engine, opd: str = "DISHUB") -> tuple[list[str], datetime]:
    nips = make_opd(engine, PERIOD, opd)
    now = utcnow()
    with session_scope(engine) as s:
        reviews.ensure_review(
            s,
            period=PERIOD,
            scope_kind="opd",
            scope_code=opd,
            selection_deadline=now + timedelta(days=7),
            now=now,
        )
    return nips, now


def _select(engine: Engine, policy: Policy, picks: dict[str, Choice], now: datetime) -> None:
    with session_scope(engine) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        apply_selection(s, review, picks, actor="K", channel="cli", policy=policy, tz=TZ, now=now)


def _sent(engine: Engine) -> dict[str, str]:
    """event key (without the channel) -> recipient, for every message sent."""
    with session_scope(engine) as s:
        rows = s.scalars(select(Notification).where(Notification.status == "sent"))
        return {n.event_key.split("|")[0]: n.recipient for n in rows}


def _links(engine: Engine) -> list[tuple[str, str, datetime]]:
    with session_scope(engine) as s:
        return [(x.purpose, x.person_nip, x.expires_at) for x in s.scalars(select(PortalLink))]


def test_selection_request_goes_to_the_head_with_a_link_valid_to_the_deadline(
    outbox_db: Engine,
) -> None:
    _open(outbox_db)
    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        deadline = review.selection_deadline
        assert request_selection(s, review) == 1
    assert _sent(outbox_db) == {f"selection_request:{PERIOD}:DISHUB": "DISHUB-HEAD"}
    assert _links(outbox_db) == [("selection", "DISHUB-HEAD", deadline)]


def test_warnings_are_recorded_before_letters_and_messages_go_out(
    outbox_db: Engine, policy: Policy, tmp_path: Path
) -> None:
    nips, now = _open(outbox_db)
    _select(outbox_db, policy, {nips[1]: Choice(True, "sering terlambat")}, now)
    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        letters = send_warnings(s, review, policy, tmp_path / "letters-out")
        warnings = dec.effective(s, PERIOD, "DISHUB", DecisionKind.WARNING)
        assert {n: (d.value, d.reason, d.actor) for n, d in warnings.items()} == {
            nips[1]: ("issued", "sering terlambat", "system")
        }
        deadline = review.defence_deadline
    html = tmp_path / "letters-out" / PERIOD / "letters" / nips[1] / "peringatan.html"
    assert letters == [str(html)]
    assert html.exists() and html.with_suffix(".txt").exists()
    assert _sent(outbox_db) == {f"warning:{PERIOD}:DISHUB:{nips[1]}": nips[1]}
    assert _links(outbox_db) == [("defence", nips[1], deadline)]
    # on paper, the short form of the same personal link, whole on its own line
    text = html.with_suffix(".txt").read_text(encoding="utf-8")
    short = re.search(r"^\s*(http\S+/s/(\w+))$", text, re.M)
    assert short is not None, text
    assert f'<a href="{short.group(1)}">' in html.read_text(encoding="utf-8")
    with session_scope(outbox_db) as s:
        claims = verify(s, resolve_short(s, short.group(2)))
        assert (claims.purpose, claims.person_nip) == ("defence", nips[1])


def test_the_head_hears_of_each_defence_awaiting_a_verdict(
    outbox_db: Engine, policy: Policy
) -> None:
    nips, now = _open(outbox_db)
    _select(outbox_db, policy, {nips[0]: Choice(True, "a"), nips[1]: Choice(True, "b")}, now)
    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        apply_defence(s, review, nips[0], "Saya cuti.", actor=nips[0], channel="cli", now=now)
        tell_head_of_defences(s, review, [nips[0]])
    assert _sent(outbox_db) == {f"defence_received:{PERIOD}:DISHUB:{nips[0]}": "DISHUB-HEAD"}
    assert [(p, who) for p, who, _ in _links(outbox_db)] == [("verdict", "DISHUB-HEAD")]
    # the run wakes up again with the same defence awaiting: no second message, no second link
    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        tell_head_of_defences(s, review, [nips[0]])
    assert [(p, who) for p, who, _ in _links(outbox_db)] == [("verdict", "DISHUB-HEAD")]
    with session_scope(outbox_db) as s:
        assert len(s.scalars(select(Notification)).all()) == 1


def test_a_defence_arriving_after_its_deadline_asks_the_head_nothing(
    outbox_db: Engine, policy: Policy
) -> None:
    """No verdict link can outlive a passed deadline: nothing is sent, nothing fails."""
    nips, now = _open(outbox_db)
    _select(outbox_db, policy, {nips[0]: Choice(True, "a")}, now)
    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        apply_defence(s, review, nips[0], "Saya cuti.", actor=nips[0], channel="cli", now=now)
        review.defence_deadline = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
        s.commit()
        tell_head_of_defences(s, review, [nips[0]])
    assert [p for p, _who, _at in _links(outbox_db) if p == "verdict"] == []
    assert f"defence_received:{PERIOD}:DISHUB:{nips[0]}" not in _sent(outbox_db)


def test_result_tells_the_selected_and_on_no_decision_bkd_and_the_head(
    outbox_db: Engine, policy: Policy
) -> None:
    nips, now = _open(outbox_db)
    _open(outbox_db, "DINKES")
    _select(outbox_db, policy, {nips[2]: Choice(True, "c")}, now)
    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        apply_defence(s, review, nips[2], "Tidak benar.", actor=nips[2], channel="cli", now=now)
        apply_verdict(s, review, nips[2], False, "bukti lemah", actor="K", channel="cli", now=now)
        assert close_defence_if_due(s, review, now)
        assert send_result(s, review) == ReviewStage.DONE
    assert _sent(outbox_db) == {f"outcome:{PERIOD}:DISHUB:{nips[2]}": nips[2]}

    with session_scope(outbox_db) as s:
        other = reviews.require_review(s, PERIOD, "DINKES")
        assert other.selection_deadline is not None
        assert close_selection_if_due(s, other, other.selection_deadline + timedelta(minutes=1))
        assert send_result(s, other) == ReviewStage.NO_DECISION
    sent = _sent(outbox_db)
    assert sent[f"deadline_passed:{PERIOD}:DINKES"] == "bkd"
    assert sent[f"deadline_passed:{PERIOD}:DINKES:head"] == "DINKES-HEAD"
    assert not any(k.startswith(f"outcome:{PERIOD}:DINKES") for k in sent)

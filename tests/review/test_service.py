"""Extending a deadline: new links, valid to the new deadline, for whoever is still awaited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from kinerja.db import reviews
from kinerja.db.models import Notification, PortalLink
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.review import service as svc
from kinerja.review.logic import Choice, Refused, apply_defence, apply_selection
from kinerja.rules.policy import load_policy
from tests.review.factories import make_opd

PERIOD = "2025-10"
TZ = "Asia/Jakarta"


def _links(engine: Engine) -> set[tuple[str, str, object]]:
    with session_scope(engine) as s:
        return {(x.purpose, x.person_nip, x.expires_at) for x in s.scalars(select(PortalLink))}


def _sent(engine: Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as s:
        rows = s.scalars(
            select(Notification).where(Notification.event_key.like("deadline_extended:%"))
        )
        return sorted((n.recipient, n.event_key) for n in rows if n.status == "sent")


def test_extension_sends_new_links_to_whoever_is_awaited_once(outbox_db: Engine) -> None:
    policy = load_policy("jabar")
    nips = make_opd(outbox_db, PERIOD, "DISHUB")
    now = utcnow()
    with session_scope(outbox_db) as s:
        review, _ = reviews.ensure_review(
            s,
            period=PERIOD,
            scope_kind="opd",
            scope_code="DISHUB",
            selection_deadline=now + timedelta(days=7),
            now=now,
        )
    new = svc.extend_deadline(outbox_db, PERIOD, "DISHUB", "op BKD", 2, "banjir", request_id="r1")
    assert ("selection", "DISHUB-HEAD", new) in _links(outbox_db)
    assert [r for r, _ in _sent(outbox_db)] == ["DISHUB-HEAD"]
    assert f"{new:%Y%m%d%H%M}" in _sent(outbox_db)[0][1]

    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        picks = {nips[0]: Choice(True, "a"), nips[1]: Choice(True, "b")}
        apply_selection(
            s, review, picks, actor="K", channel="portal", policy=policy, tz=TZ, now=now
        )
        apply_defence(s, review, nips[0], "Saya cuti.", actor=nips[0], channel="portal", now=now)
    before = _links(outbox_db)
    later = svc.extend_deadline(outbox_db, PERIOD, "DISHUB", "op BKD", 3, "libur", request_id="r2")
    fresh = _links(outbox_db) - before
    # nips[0] defended (the head owes a verdict); nips[1] has not defended yet.
    assert fresh == {("defence", nips[1], later), ("verdict", "DISHUB-HEAD", later)}
    sent = _sent(outbox_db)
    at = f"{later:%Y%m%d%H%M}"
    assert [(r, k) for r, k in sent if at in k] == [
        (nips[1], f"deadline_extended:{PERIOD}:DISHUB:defence:{nips[1]}:{at}|file"),
        ("DISHUB-HEAD", f"deadline_extended:{PERIOD}:DISHUB:verdict:{nips[0]}:{at}|file"),
    ]
    # A retried command (same request id) issues no link and sends nothing new.
    again = svc.extend_deadline(outbox_db, PERIOD, "DISHUB", "op BKD", 3, "libur", request_id="r2")
    assert again == later and _links(outbox_db) - before == fresh and _sent(outbox_db) == sent


def test_two_selections_submitted_at_once_record_one_and_refuse_the_other(
    outbox_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both pass the 'already decided?' read before either writes; only one may succeed."""
    import contextlib
    import threading

    from kinerja.db.models import Decision, Review
    from kinerja.review import logic

    nips = make_opd(outbox_db, PERIOD, "DISHUB")
    now = utcnow()
    with session_scope(outbox_db) as s:
        reviews.ensure_review(
            s, period=PERIOD, scope_kind="opd", scope_code="DISHUB",
            selection_deadline=now + timedelta(days=7), now=now,
        )  # fmt: skip
    both_checked = threading.Barrier(2)
    validate = logic.validate_selection

    def then_wait(*args: Any, **kw: Any) -> list[str]:
        problems = validate(*args, **kw)
        # timing only: line both requests up at the write where the database lets them
        # (on SQLite the second waits for the write lock before it even reads)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=2)
        return problems

    monkeypatch.setattr(logic, "validate_selection", then_wait)
    outcome: dict[str, object] = {}

    def submit(name: str, picks: dict[str, tuple[bool, str]]) -> None:
        try:
            outcome[name] = svc.submit_selection(
                outbox_db, PERIOD, "DISHUB", "DISHUB-HEAD", picks, "portal"
            ).stage
        except Refused as exc:
            outcome[name] = exc.problems

    one = threading.Thread(target=submit, args=("one", {nips[0]: (True, "sering absen")}))
    none = threading.Thread(target=submit, args=("none", {}))
    for t in (one, none):
        t.start()
    for t in (one, none):
        t.join()

    refused = [k for k, v in outcome.items() if isinstance(v, list)]
    assert len(refused) == 1, outcome  # the head is told which answer did not count
    assert "sudah tercatat" in str(outcome[refused[0]])
    with session_scope(outbox_db) as s:
        chosen = {d.nip: d.value for d in s.scalars(select(Decision)) if d.kind == "selection"}
        stage = s.scalar(select(Review.stage))
    # what is stored is exactly the answer that was accepted, and the review moved on with it
    if refused == ["none"]:
        assert chosen[nips[0]] == "selected" and stage == "awaiting_defence"
    else:
        assert set(chosen.values()) == {"not_selected"} and stage == "done"

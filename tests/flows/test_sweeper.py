"""The sweeper's reminders: sent once when a deadline is near, never before, never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select

from kinerja.db import reviews
from kinerja.db.models import Notification, PortalLink
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.flows.sweeper import sweep
from kinerja.review.logic import Choice, apply_selection, deadline_after
from kinerja.rules.policy import Policy, load_policy
from tests.review.factories import make_opd

PERIOD = "2025-10"
TZ = "Asia/Jakarta"


def _sent(engine: Engine, template_prefix: str) -> list[str]:
    with session_scope(engine) as s:
        keys = s.scalars(
            select(Notification.recipient).where(Notification.event_key.like(f"{template_prefix}%"))
        )
        return list(keys)


def _links(engine: Engine) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(PortalLink)) or 0


def test_reminders_before_the_selection_and_defence_deadlines(outbox_db: Engine) -> None:
    policy: Policy = load_policy("jabar")
    nips = make_opd(outbox_db, PERIOD, "DISHUB")
    # Links expire at the deadline in real time, so the story happens in the coming weeks.
    start = utcnow() + timedelta(days=1)
    deadline = deadline_after(start, 4, policy, TZ)
    with session_scope(outbox_db) as s:
        reviews.ensure_review(
            s,
            period=PERIOD,
            scope_kind="opd",
            scope_code="DISHUB",
            selection_deadline=deadline,
            now=start,
        )
    assert sweep(outbox_db, policy, now=start).reminders == 0  # 4 working days early
    hour = timedelta(hours=1)
    assert sweep(outbox_db, policy, now=deadline - 2 * hour).reminders == 1
    assert _links(outbox_db) == 1
    for minutes in (55, 50, 5):  # later sweeps (every 5 minutes) send nothing new
        assert sweep(outbox_db, policy, now=deadline - timedelta(minutes=minutes)).reminders == 0
    assert _sent(outbox_db, "selection_reminder:") == ["DISHUB-HEAD"]
    assert _links(outbox_db) == 1  # and issue no new personal link for a reminder already sent

    with session_scope(outbox_db) as s:
        review = reviews.require_review(s, PERIOD, "DISHUB")
        apply_selection(
            s,
            review,
            {nips[0]: Choice(True, "a"), nips[1]: Choice(True, "b")},
            actor="Kepala",
            channel="cli",
            policy=policy,
            tz=TZ,
            now=deadline - hour,
        )
        defence_deadline = review.defence_deadline
    assert defence_deadline == deadline_after(deadline - hour, 5, policy, TZ)
    assert sweep(outbox_db, policy, now=deadline).reminders == 0
    assert sweep(outbox_db, policy, now=defence_deadline - hour).reminders == 2
    assert sweep(outbox_db, policy, now=defence_deadline - hour / 2).reminders == 0
    assert sorted(_sent(outbox_db, "defence_reminder:")) == [nips[0], nips[1]]
    assert _links(outbox_db) == 3

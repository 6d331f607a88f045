"""Decisions are append-only and idempotent; reviews are unique per period and scope."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.models import Decision, Review
from kinerja.db.session import make_engine, session_scope
from kinerja.domain import DecisionKind, SelectionValue

NOW = datetime(2025, 11, 3, 2, 0)


def _select(
    s: Session, nip: str = "N1", value: str = SelectionValue.SELECTED
) -> tuple[Decision, bool]:
    """A head's selection decision for `nip` in the session's transaction."""
    return dec.record(
        s,
        key=dec.key_for(DecisionKind.SELECTION, "2025-10", "DISHUB", nip),
        period="2025-10",
        scope_code="DISHUB",
        nip=nip,
        kind=DecisionKind.SELECTION,
        value=value,
        reason="alasan",
        actor="Kepala",
        actor_role="head_of_opd",
        channel="cli",
        now=NOW,
    )


def _record(engine: Engine, value: str = SelectionValue.SELECTED) -> tuple[int, bool]:
    with session_scope(engine) as s:
        row, new = _select(s, value=value)
        return row.id, new


def test_record_is_idempotent_by_key(engine: Engine) -> None:
    first, new = _record(engine)
    again, new_again = _record(engine, value="not_selected")
    assert new and not new_again and first == again
    with session_scope(engine) as s:
        rows = s.scalars(select(Decision)).all()
        assert [(r.value, r.actor, r.reason) for r in rows] == [("selected", "Kepala", "alasan")]


def test_correction_is_a_new_row_pointing_at_the_old(engine: Engine) -> None:
    first, _ = _record(engine)
    with session_scope(engine) as s:
        old = s.get(Decision, first)
        assert old is not None
        with pytest.raises(ValueError, match="reason"):
            dec.correct(
                s, old, value="not_selected", reason=" ", actor="BKD", actor_role="bkd", now=NOW
            )
        fixed = dec.correct(
            s,
            old,
            value="not_selected",
            reason="salah pilih",
            actor="BKD",
            actor_role="bkd",
            now=NOW,
        )
        assert fixed.supersedes_id == first
        # A retried correction (same request, or same old and new value) adds no row.
        again = dec.correct(
            s,
            old,
            value="not_selected",
            reason="salah pilih",
            actor="BKD",
            actor_role="bkd",
            now=NOW,
        )
        assert again.id == fixed.id
    with session_scope(engine) as s:
        assert s.get(Decision, first).value == "selected"  # type: ignore[union-attr]
        current = dec.effective(s, "2025-10", "DISHUB", DecisionKind.SELECTION)
        assert current["N1"].value == "not_selected"
        assert len(dec.history(s, "2025-10", "DISHUB")) == 2
        by_id = [
            dec.correct(
                s,
                fixed,
                value="selected",
                reason="r",
                actor="B",
                actor_role="bkd",
                now=NOW,
                request_id="req-7",
            )  # fmt: skip
            for _ in range(2)
        ]
        assert by_id[0].id == by_id[1].id
        assert len(dec.history(s, "2025-10", "DISHUB")) == 3


def test_review_is_created_once(engine: Engine) -> None:
    for _ in range(2):
        with session_scope(engine) as s:
            reviews.ensure_review(
                s,
                period="2025-10",
                scope_kind="opd",
                scope_code="DISHUB",
                selection_deadline=NOW,
                now=NOW,
            )
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Review)) == 1
        assert not reviews.all_ended(s, "2025-10")


def test_an_error_after_two_of_three_writes_leaves_none_visible(engine: Engine) -> None:
    """All or nothing on both databases: each record() opens a savepoint, and on SQLite a
    savepoint opened before any other write must not commit on its own when released."""
    with pytest.raises(RuntimeError, match="power cut"), session_scope(engine) as s:
        _select(s, "N1")
        _select(s, "N2")
        raise RuntimeError("power cut before the third selection")
    other = make_engine(engine.url.render_as_string(hide_password=False))  # its own connections
    with other.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Decision)).scalar_one() == 0
    other.dispose()


def test_a_replayed_key_inside_a_transaction_keeps_the_earlier_writes(engine: Engine) -> None:
    """The IntegrityError of a concurrent insert rolls back only its savepoint."""
    _record(engine)
    with session_scope(engine) as s:
        _select(s, "N2")
        row, new = _select(s, "N1", value="not_selected")
        assert not new and row.value == "selected"
    with session_scope(engine) as s:
        assert sorted(s.scalars(select(Decision.nip)).all()) == ["N1", "N2"]

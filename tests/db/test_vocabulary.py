"""The database holds only the domain's statuses and decision values (migration 0010)."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.models import DECISION_VALUES
from kinerja.db.periods import ensure_period
from kinerja.db.session import session_scope
from kinerja.domain import (
    DecisionKind,
    DeliveryStatus,
    DraftStatus,
    NotificationStatus,
    PeriodStatus,
    ReviewStage,
    SelectionValue,
)

NOW = datetime(2025, 11, 3, 2, 0)
MIGRATION = Path(__file__).resolve().parents[2] / "db/migrations/versions/0010_vocabulary.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vocabulary_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _values(enum: type[StrEnum]) -> set[str]:
    return {str(v) for v in enum}


def test_the_migration_writes_out_every_enum_as_it_is_now() -> None:
    """An enum that grows needs a migration: this fails until one is written."""
    mig = _migration()
    assert set(mig.REVIEW_STAGES) == _values(ReviewStage)
    assert set(mig.DECISION_KINDS) == _values(DecisionKind)
    assert {k: set(v) for k, v in mig.DECISION_VALUES.items()} == {
        str(k): _values(v) for k, v in DECISION_VALUES.items()
    }
    checks = {table: dict(pairs) for table, pairs in mig.CHECKS.items()}
    for table, enum in [
        ("period", PeriodStatus),
        ("draft", DraftStatus),
        ("source_batch", DeliveryStatus),
        ("notification", NotificationStatus),
    ]:
        assert all(f"'{v}'" in checks[table]["status"] for v in _values(enum)), table


def _refused(engine: Engine, sql: str) -> None:
    with pytest.raises(IntegrityError, match="(?i)check"), engine.begin() as conn:
        conn.execute(text(sql))


def test_a_status_outside_the_vocabulary_is_refused_by_the_database(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_period(s, "2025-10")
        reviews.ensure_review(
            s,
            period="2025-10",
            scope_kind="opd",
            scope_code="DISHUB",
            selection_deadline=NOW,
            now=NOW,
        )
        dec.record(
            s,
            key=dec.key_for(DecisionKind.SELECTION, "2025-10", "DISHUB", "N1"),
            period="2025-10",
            scope_code="DISHUB",
            nip="N1",
            kind=DecisionKind.SELECTION,
            value=SelectionValue.SELECTED,
            reason="alasan",
            actor="Kepala",
            actor_role="head_of_opd",
            channel="cli",
            now=NOW,
        )
    _refused(engine, "UPDATE period SET status = 'archived'")
    _refused(engine, "UPDATE review SET stage = 'selected'")  # a decision value, not a stage
    _refused(engine, "UPDATE decision SET value = 'maybe'")
    _refused(engine, "UPDATE decision SET kind = 'vote'")
    with engine.begin() as conn:  # the vocabulary itself is accepted
        conn.execute(text("UPDATE review SET stage = :s"), {"s": ReviewStage.DEFENCE})
        conn.execute(text("UPDATE decision SET value = :v"), {"v": SelectionValue.NOT_SELECTED})

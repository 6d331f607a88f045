"""Bulk inserts and updates of raw rows keep every value as given, awkward text included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import raw_data
from db.models import Activity


def _activities(ids: list[str], approver: list[str | None]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "period": "2025-10",
            "nip": "198001012010011001",
            "external_id": ids,
            "work_date": "2025-10-01",
            "entered_at": "2025-10-01 16:30:00",
            "kind": "main",
            "minutes": np.linspace(30.5, 90.25, n),
            "completed": [i % 2 == 0 for i in range(n)],
            "approval": "approved",
            "approver_nip": approver,
            "description": "",
            "source": "sikap",
            "batch_id": 1,
        }
    )


AWKWARD = ["tab\there", "line\nbreak", "back\\slash", "\\N", "cr\rhere", "plain", "ünïcode"]


def test_insert_keeps_awkward_text_and_missing_values(session: Session) -> None:
    approver = ["198001012010011002", None, "198001012010011002", None, None, "1", "2"]
    frame = _activities(AWKWARD, approver)
    assert raw_data.insert_rows(session, "activities", frame) == len(AWKWARD)
    rows = session.execute(
        select(
            Activity.external_id, Activity.approver_nip, Activity.minutes, Activity.completed
        ).order_by(Activity.id)
    ).all()
    assert [r.external_id for r in rows] == AWKWARD
    assert [r.approver_nip for r in rows] == approver  # the text "\N" is not a missing value
    assert [r.minutes for r in rows] == pytest.approx(frame["minutes"].tolist())
    assert [r.completed for r in rows] == frame["completed"].tolist()


def test_update_rewrites_values_by_id(session: Session) -> None:
    raw_data.insert_rows(session, "activities", _activities(["a", "b"], [None, None]))
    ids = session.scalars(select(Activity.id).order_by(Activity.id)).all()
    upd = _activities(["a\tfixed", "b"], ["198001012010011009", None]).drop(columns="description")
    upd.insert(0, "id", ids)
    assert raw_data.update_rows(session, "activities", upd) == 2
    rows = session.execute(
        select(Activity.external_id, Activity.approver_nip).order_by(Activity.id)
    ).all()
    assert [tuple(r) for r in rows] == [("a\tfixed", "198001012010011009"), ("b", None)]

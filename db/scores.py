"""Scores and candidates of a period: save (replacing a rerun's rows), read, and history."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kinerja.db.bulk import copy_frame, insert_frame
from kinerja.db.models import Candidate, Score, SelectionNote
from kinerja.domain import utcnow as _now

SCORE_FIELDS = [
    "opd_code",
    "rumpun_code",
    "position_level",
    "kinerja",
    "kehadiran",
    "perilaku",
    "composite",
    "band",
    "sufficient",
    "insufficient_reason",
    "rank_opd",
    "rank_rumpun",
    "explanation",
]
# Identity columns that the score table keeps elsewhere or not at all.
NOT_COMPONENTS = {"period", "nip", *SCORE_FIELDS}


def _cells(column: pd.Series) -> list[Any]:
    """A column as Python values, None for NaN/NA: what JSON and every driver accept."""
    values = column.astype(object)
    return values.where(column.notna(), None).tolist()


def _score_rows(period: str, scores_df: pd.DataFrame, policy_name: str) -> pd.DataFrame:
    """The score table's rows, column by column; components as JSON text."""
    extra = [c for c in scores_df.columns if c not in NOT_COMPONENTS]
    rows: dict[str, list[Any]] = {f: _cells(scores_df[f]) for f in SCORE_FIELDS}
    rows["rumpun_code"] = [v or None for v in rows["rumpun_code"]]
    rows["sufficient"] = [bool(v) for v in rows["sufficient"]]
    for text in ("insufficient_reason", "explanation"):
        rows[text] = [v or "" for v in rows[text]]
    n = len(scores_df)
    rows["period"] = [period] * n
    rows["nip"] = scores_df["nip"].astype(str).tolist()
    extras = [_cells(scores_df[c]) for c in extra]
    rows["components"] = (
        [
            json.dumps(dict(zip(extra, values, strict=True)), ensure_ascii=False)
            for values in zip(*extras, strict=True)
        ]
        if extra
        else ["{}"] * n
    )
    rows["policy_name"] = [policy_name] * n
    rows["computed_at"] = [_now()] * n
    return pd.DataFrame(rows, dtype=object)  # ints with None stay ints, not 3.0


def save_scores(session: Session, period: str, scores_df: pd.DataFrame, policy_name: str) -> int:
    """Replace the period's scores with `scores_df` (rules.scoring.score_month output).

    Every column that is not a score field (c_<leaf>, counts, name, job title, missing leaves)
    is kept in `components`. Flushes; the caller commits (one transaction with the rest).
    """
    session.execute(delete(Score).where(Score.period == period))
    if scores_df.empty:
        return 0
    frame = _score_rows(period, scores_df, policy_name)
    session.flush()
    raw = session.connection().connection.driver_connection
    # A province is 50,000 rows: COPY on PostgreSQL, one executemany on SQLite, where the ORM
    # with a JSON column took several seconds.
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cur:  # type: ignore[union-attr]
            copy_frame(cur, Score.__tablename__, frame)
    else:
        insert_frame(raw, Score.__tablename__, frame)
    return len(frame)


def save_candidates(session: Session, period: str, candidates_df: pd.DataFrame) -> int:
    """Replace the period's candidates (rules.selection.propose_candidates output); flushes."""
    session.execute(delete(Candidate).where(Candidate.period == period))
    rows = [
        {
            "period": period,
            "nip": str(r["nip"]),
            "scope_kind": str(r["scope_kind"]),
            "scope_code": str(r["scope_code"]),
            "opd_code": str(r["opd_code"]),
            # older frames (no review_scope) are decided per OPD, as they always were
            "review_scope": str(r.get("review_scope") or r["opd_code"]),
            "rank": int(r["rank"]),
            "composite": float(r["composite"]),
        }
        for r in candidates_df.to_dict(orient="records")
    ]
    if rows:
        session.execute(insert(Candidate), rows)
    session.flush()
    return len(rows)


def save_notes(session: Session, period: str, notes: pd.DataFrame) -> int:
    """Replace the period's selection notes (rules.selection.propose's notes); flushes."""
    session.execute(delete(SelectionNote).where(SelectionNote.period == period))
    rows = [
        {
            "period": period,
            "review_scope": str(r["review_scope"]),
            "members": int(r["members"]),
            "sufficient": int(r["sufficient"]),
            "below_floor": int(r["below_floor"]),
            "proposed": int(r["proposed"]),
            "floor": float(r["floor"]),
            "note": str(r["note"]),
        }
        for r in notes.to_dict(orient="records")
    ]
    if rows:
        session.execute(insert(SelectionNote), rows)
    session.flush()
    return len(rows)


def previous_periods(until_period: str, months: int) -> list[str]:
    """`months` periods ending with until_period (inclusive), oldest first."""
    year, month = (int(x) for x in until_period.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - months + 1, index + 1)]


HISTORY_COLUMNS = [
    "period",
    "nip",
    "opd_code",
    "kinerja",
    "kehadiran",
    "perilaku",
    "composite",
    "band",
    "sufficient",
    "rank_opd",
    "rank_rumpun",
]


def score_history(
    session: Session, nips: Iterable[str], until_period: str, months: int = 6
) -> pd.DataFrame:
    """Scores of `nips` over the `months` periods up to and including until_period, sorted by
    nip then period (periods with no score are simply absent)."""
    nip_list = sorted({str(n) for n in nips})
    periods = previous_periods(until_period, months)
    if not nip_list:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    stmt = (
        select(*(getattr(Score, c) for c in HISTORY_COLUMNS))
        .where(Score.nip.in_(nip_list), Score.period.in_(periods))
        .order_by(Score.nip, Score.period)
    )
    return pd.DataFrame.from_records(
        [tuple(r) for r in session.execute(stmt).all()], columns=HISTORY_COLUMNS
    )


def load_scores(session: Session, period: str) -> pd.DataFrame:
    """The period's saved scores as a frame shaped like score_month's output (components
    expanded back into columns), ordered by OPD then rank."""
    rows = session.scalars(
        select(Score).where(Score.period == period).order_by(Score.opd_code, Score.rank_opd)
    ).all()
    records = []
    for s in rows:
        rec: dict[str, Any] = {"period": s.period, "nip": s.nip}
        rec.update({f: getattr(s, f) for f in SCORE_FIELDS})
        rec.update(s.components or {})
        records.append(rec)
    df = pd.DataFrame.from_records(records)
    for c in ("rank_opd", "rank_rumpun"):
        if c in df:
            df[c] = df[c].astype("Int64")
    return df

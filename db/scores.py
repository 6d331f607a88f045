"""Scores and candidates of a period: save (replacing a rerun's rows), read, and history."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from db.bulk import copy_frame
from db.models import Candidate, Score

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


def _clean(value: Any) -> Any:
    """NaN/NA -> None and numpy scalars -> Python, so JSON and every driver accept the value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def save_scores(session: Session, period: str, scores_df: pd.DataFrame, policy_name: str) -> int:
    """Replace the period's scores with `scores_df` (rules.scoring.score_month output).

    Every column that is not a score field (c_<leaf>, counts, name, job title, missing leaves)
    is kept in `components`. Flushes; the caller commits (one transaction with the rest).
    """
    session.execute(delete(Score).where(Score.period == period))
    extra = [c for c in scores_df.columns if c not in NOT_COMPONENTS]
    computed_at = _now()
    rows = []
    for rec in scores_df.to_dict(orient="records"):
        row = {f: _clean(rec.get(f)) for f in SCORE_FIELDS}
        row["rumpun_code"] = row["rumpun_code"] or None
        row["sufficient"] = bool(row["sufficient"])
        row["insufficient_reason"] = row["insufficient_reason"] or ""
        row["explanation"] = row["explanation"] or ""
        row.update(
            period=period,
            nip=str(rec["nip"]),
            components={c: _clean(rec[c]) for c in extra},
            policy_name=policy_name,
            computed_at=computed_at,
        )
        rows.append(row)
    if rows and session.get_bind().dialect.name == "postgresql":
        # COPY: a province's 50,000 rows in a second, where an executemany takes several
        frame = pd.DataFrame(rows, dtype=object)  # ints with None stay ints, not 3.0
        frame["components"] = [json.dumps(c, ensure_ascii=False) for c in frame["components"]]
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cur:  # type: ignore[union-attr]
            copy_frame(cur, Score.__tablename__, frame)
    elif rows:
        session.execute(insert(Score), rows)
    session.flush()
    return len(rows)


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
            "rank": int(r["rank"]),
            "composite": float(r["composite"]),
        }
        for r in candidates_df.to_dict(orient="records")
    ]
    if rows:
        session.execute(insert(Candidate), rows)
    session.flush()
    return len(rows)


def candidates_for(session: Session, period: str, opd_code: str) -> list[Candidate]:
    """One OPD's proposed candidates, lowest composite first.

    Reviews are per OPD whatever the selection scope: with rumpun scope the names are ranked
    across the rumpun, but each OPD's head sees and decides only their own OPD's names.
    """
    stmt = (
        select(Candidate)
        .where(Candidate.period == period, Candidate.opd_code == opd_code)
        .order_by(Candidate.rank, Candidate.nip)
    )
    return list(session.scalars(stmt))


def review_opds(session: Session, period: str) -> list[str]:
    """Every OPD with candidates this period, sorted: the units reviews are opened for."""
    stmt = (
        select(Candidate.opd_code)
        .where(Candidate.period == period)
        .distinct()
        .order_by(Candidate.opd_code)
    )
    return list(session.scalars(stmt))


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

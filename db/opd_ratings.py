"""Organisation ratings per OPD and period (set, import, read) and the counts they judge."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.db.models import OpdRating, Score
from kinerja.rules.policy import ORG_RATINGS

PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")  # yyyy-mm


@dataclass(frozen=True)
class RatingRow:
    """One rating to record: which OPD, which period, which rating, and why."""

    period: str
    opd_code: str
    rating: str
    note: str = ""


def check_row(row: RatingRow, where: str = "") -> RatingRow:
    """The row itself, or a ValueError naming the record and the reason."""
    at = f"{where}: " if where else ""
    rec = f"{at}OPD {row.opd_code or '?'} period {row.period or '?'}"
    if not row.opd_code.strip():
        raise ValueError(f"{at}opd_code is empty")
    if not PERIOD.fullmatch(row.period):
        raise ValueError(f"{rec}: period must be yyyy-mm, not {row.period!r}")
    if row.rating not in ORG_RATINGS:
        raise ValueError(f"{rec}: unknown rating {row.rating!r}; known: {list(ORG_RATINGS)}")
    return row


def set_ratings(session: Session, rows: Iterable[RatingRow], set_by: str) -> int:
    """Record (or replace) each row's rating; flushes, the caller commits."""
    now = datetime.now(UTC).replace(tzinfo=None)
    n = 0
    for row in rows:
        check_row(row)
        current = session.get(OpdRating, {"period": row.period, "opd_code": row.opd_code})
        if current is None:
            current = OpdRating(period=row.period, opd_code=row.opd_code)
            session.add(current)
        current.rating, current.note = row.rating, row.note
        current.set_by, current.set_at = set_by, now
        n += 1
    session.flush()
    return n


def read_csv(path: Path) -> list[RatingRow]:
    """Rows of a CSV with the header period,opd_code,rating[,note]; every row is checked first,
    so a bad file records nothing."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"period", "opd_code", "rating"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path.name}: missing columns {sorted(missing)}")
        return [
            check_row(
                RatingRow(
                    period=(r["period"] or "").strip(),
                    opd_code=(r["opd_code"] or "").strip(),
                    rating=(r["rating"] or "").strip().lower(),
                    note=(r.get("note") or "").strip(),
                ),
                where=f"{path.name} line {line}",
            )
            for line, r in enumerate(reader, start=2)
        ]


def ratings_for(session: Session, period: str) -> dict[str, str]:
    """opd_code -> organisation rating for the period (OPDs without one are absent)."""
    stmt = select(OpdRating.opd_code, OpdRating.rating).where(OpdRating.period == period)
    return {code: rating for code, rating in session.execute(stmt).all()}


def band_counts(session: Session, period: str) -> dict[str, dict[str, int]]:
    """opd_code -> {band or predikat code: employees} for the period's scores."""
    stmt = (
        select(Score.opd_code, Score.band, func.count())
        .where(Score.period == period, Score.band.is_not(None))
        .group_by(Score.opd_code, Score.band)
    )
    out: dict[str, dict[str, int]] = {}
    for opd, band, n in session.execute(stmt).all():
        out.setdefault(str(opd), {})[str(band)] = int(n)
    return out

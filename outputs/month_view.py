"""The operator's view of a month in the Prefect UI: charts per OPD and the reviews' progress.

Plain functions build the Markdown and tables; tasks publish them as artifacts. Charts are
outputs.svg images embedded as data: URIs, which the classic Prefect UI renders in Markdown
artifacts (it shows mermaid blocks as code).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db.models import Opd, Review, Score
from kinerja.db.outcomes import mean_composites
from kinerja.db.scores import previous_periods
from kinerja.domain import ReviewStage
from kinerja.outputs.recap import BINS, bin_of
from kinerja.outputs.svg import histogram_svg, trend_svg
from kinerja.review.logic import state_of
from kinerja.review.people import head_of, name_of
from kinerja.templates.filters import local_time, zone_label

TREND_MONTHS = 6
STAGE_LABELS = {
    ReviewStage.SELECTION: "menunggu pemilihan",
    ReviewStage.DEFENCE: "menunggu pembelaan/putusan",
    ReviewStage.DONE: "selesai",
    ReviewStage.NO_DECISION: "tanpa keputusan",
    ReviewStage.NOT_ASSESSABLE: "tidak dapat dinilai",
}


@dataclass(frozen=True)
class OpdView:
    """One OPD's month: the composites' distribution and the mean composite per month."""

    code: str
    name: str
    histogram: list[int]
    scored: int
    mean: float | None
    periods: list[str]
    trend: list[float | None]


def opd_views(session: Session, period: str, months: int = TREND_MONTHS) -> list[OpdView]:
    """Every OPD scored in `period` (employees with enough data), ordered by code."""
    rows = session.execute(
        select(Score.opd_code, Score.composite).where(
            Score.period == period, Score.sufficient.is_(True), Score.composite.is_not(None)
        )
    ).tuples()
    values: dict[str, list[float]] = {}
    for opd, composite in rows:
        if composite is not None:
            values.setdefault(opd, []).append(float(composite))
    names = {o.code: o.name for o in session.scalars(select(Opd).where(Opd.code.in_(values)))}
    periods = previous_periods(period, months)
    means = mean_composites(session, periods)
    views = []
    for code in sorted(values):
        histogram = [0] * BINS
        for v in values[code]:
            histogram[bin_of(v)] += 1
        views.append(
            OpdView(
                code=code,
                name=names.get(code, code),
                histogram=histogram,
                scored=len(values[code]),
                mean=sum(values[code]) / len(values[code]),
                periods=periods,
                trend=[means.get((p, code)) for p in periods],
            )
        )
    return views


def svg_data_uri(svg: str) -> str:
    """An SVG as a data: URI an <img> (or a Markdown image) shows without any request, on a
    white ground (the UI's dark theme would hide its black text)."""
    grounded = svg.replace(">", '><rect width="100%" height="100%" fill="#fff"/>', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(grounded.encode()).decode("ascii")


def opd_markdown(view: OpdView, period: str, band_edges: tuple[float, ...]) -> str:
    """The Markdown artifact of one OPD: a line of numbers, the histogram, the trend."""
    hist = histogram_svg(view.histogram, f"Sebaran indeks komposit {period}", band_edges)
    trend = trend_svg(
        view.periods,
        {view.name: view.trend},
        f"Rata-rata indeks komposit, {len(view.periods)} bulan",
        width=520,
        height=220,
    )
    mean = "-" if view.mean is None else f"{view.mean:.1f}".replace(".", ",")
    return "\n".join(
        [
            f"# {view.name} ({view.code}), periode {period}",
            "",
            f"{view.scored} pegawai dengan data cukup; rata-rata indeks komposit {mean}.",
            "",
            f"![Sebaran indeks komposit {view.name}]({svg_data_uri(str(hist))})",
            "",
            f"![Tren indeks komposit {view.name}]({svg_data_uri(str(trend))})",
        ]
    )


def local_label(value: datetime | None) -> str:
    """'2025-11-10 16:00 WIB' from a naive UTC moment (no seconds, no microseconds)."""
    if value is None:
        return "-"
    return f"{local_time(value):%Y-%m-%d %H:%M} {zone_label()}"


@dataclass(frozen=True)
class Progress:
    """How many of the period's reviews have ended, and who the open ones wait for."""

    ended: int
    total: int
    awaited: list[dict[str, Any]]

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * self.ended / self.total

    @property
    def description(self) -> str:
        return f"Tinjauan selesai: {self.ended} dari {self.total}"


def _awaited(session: Session, review: Review) -> tuple[str, datetime | None]:
    """Who the review waits for, by name, and until when (naive UTC)."""
    state = state_of(session, review)
    if review.stage == ReviewStage.SELECTION:
        _, head, _ = head_of(session, review)
        return f"Pemilihan oleh {head}", review.selection_deadline
    parts = []
    if state.awaiting_defence:
        people = ", ".join(name_of(session, n) for n in state.awaiting_defence)
        parts.append(f"Pembelaan dari {people}")
    if state.awaiting_verdict:
        _, head, _ = head_of(session, review)
        parts.append(f"Putusan oleh {head}")
    return "; ".join(parts) or "-", review.defence_deadline


def review_progress(session: Session, reviews: list[Review]) -> Progress:
    """The progress of `reviews` (one period's): ended / total, and a row per open review."""
    open_stages = (ReviewStage.SELECTION, ReviewStage.DEFENCE)
    awaited = []
    for r in reviews:
        if r.stage not in open_stages:
            continue
        who, until = _awaited(session, r)
        awaited.append(
            {
                "Tinjauan": r.scope_code,
                "Tahap": STAGE_LABELS.get(ReviewStage(r.stage), r.stage),
                "Menunggu": who,
                "Batas waktu": local_label(until),
            }
        )
    ended = sum(1 for r in reviews if r.stage not in open_stages)
    return Progress(ended=ended, total=len(reviews), awaited=awaited)

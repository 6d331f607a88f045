"""The month's view in the Prefect UI, built without Prefect: charts per OPD and progress."""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import Engine

from kinerja.db import reviews
from kinerja.db.session import session_scope
from kinerja.domain import ReviewStage
from kinerja.outputs.month_view import local_label, opd_markdown, opd_views, review_progress
from tests.review.factories import make_opd

NOW = datetime(2025, 11, 3, 1, 0)


def test_each_opd_gets_its_distribution_and_six_month_trend_as_embedded_svg(
    sqlite_engine: Engine,
) -> None:
    make_opd(sqlite_engine, "2025-08", "DISHUB")
    make_opd(sqlite_engine, "2025-10", "DISHUB")
    make_opd(sqlite_engine, "2025-10", "DINKES", n_candidates=2)
    with session_scope(sqlite_engine) as s:
        views = opd_views(s, "2025-10")
    assert [v.code for v in views] == ["DINKES", "DISHUB"]
    dishub = views[1]
    assert (dishub.name, dishub.scored, dishub.mean) == ("Dinas DISHUB", 3, 52.0)
    assert sum(dishub.histogram) == 3 and dishub.histogram[5] == 3  # 51, 52, 53: bin 50-60
    assert dishub.periods == ["2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]
    assert dishub.trend == [None, None, None, 52.0, None, 52.0]

    text = opd_markdown(dishub, "2025-10", (50.0, 75.0))
    assert text.startswith("# Dinas DISHUB (DISHUB), periode 2025-10")
    assert "rata-rata indeks komposit 52,0" in text
    images = [line for line in text.splitlines() if line.startswith("![")]
    assert len(images) == 2
    for line in images:
        uri = line[line.index("(") + 1 : -1]
        assert uri.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(uri.split(",", 1)[1]).decode()
        assert svg.startswith("<svg") and "<script" not in svg
        assert '<rect width="100%" height="100%" fill="#fff"/>' in svg  # readable on dark UI


def test_progress_counts_ended_reviews_and_names_who_is_awaited_in_local_time(
    sqlite_engine: Engine,
) -> None:
    make_opd(sqlite_engine, "2025-10", "DISHUB")
    make_opd(sqlite_engine, "2025-10", "DINKES")
    with session_scope(sqlite_engine) as s:
        for scope in ("DINKES", "DISHUB"):
            reviews.ensure_review(
                s, period="2025-10", scope_kind="opd", scope_code=scope,
                selection_deadline=datetime(2025, 11, 10, 9, 0, 0, 123456), now=NOW,
            )  # fmt: skip
        reviews.set_stage(s, reviews.require_review(s, "2025-10", "DINKES"), ReviewStage.DONE, NOW)
        progress = review_progress(s, reviews.list_reviews(s, "2025-10"))
    assert (progress.ended, progress.total, progress.percent) == (1, 2, 50.0)
    assert progress.description == "Tinjauan selesai: 1 dari 2"
    assert progress.awaited == [
        {
            "Tinjauan": "DISHUB",
            "Tahap": "menunggu pemilihan",
            "Menunggu": "Pemilihan oleh Kepala DISHUB",
            "Batas waktu": "2025-11-10 16:00 WIB",  # Asia/Jakarta, no seconds or microseconds
        }
    ]
    assert local_label(None) == "-"

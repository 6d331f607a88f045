"""A national month on a LocalCluster gives exactly the scores of the same month in one process."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from kinerja.db.models import Candidate, Score
from kinerja.db.session import make_engine, session_scope
from kinerja.settings import get_settings
from kinerja.sources.agencies import month_digest, score_agency
from tests.agency_months import PERIOD, agencies

pytestmark = pytest.mark.prefect


def _digest(url: str) -> tuple[int, int, int, str]:
    engine = make_engine(url)
    with session_scope(engine) as s:
        out = month_digest(s, PERIOD)
    engine.dispose()
    return out


def _forget(url: str) -> None:
    engine = make_engine(url)
    with session_scope(engine) as s:
        s.execute(delete(Candidate))
        s.execute(delete(Score))
    engine.dispose()


def test_three_agencies_on_a_local_cluster_match_one_process(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kinerja.flows.nation import run_national_month

    found = agencies(tmp_path, 3)
    single = {a.code: score_agency(a, PERIOD, "jabar") for a in found}
    for a in found:
        _forget(a.database_url)
        assert _digest(a.database_url)[0] == 0
    monkeypatch.setenv("KINERJA_AGENCIES_CONFIG", str(tmp_path / "agencies.yaml"))
    monkeypatch.setenv("KINERJA_POLICY", "jabar")
    get_settings.cache_clear()
    try:
        result = run_national_month(PERIOD, gather=True, workers=2)
    finally:
        get_settings.cache_clear()
    assert result["agencies"] == 3
    assert result["employees"] == sum(m.employees for m in single.values())
    assert result["candidates"] == sum(m.candidates for m in single.values())
    for a in found:
        employees, sufficient, candidates, digest = _digest(a.database_url)
        one = single[a.code]
        assert (employees, sufficient, candidates) == (
            one.employees,
            one.sufficient,
            one.candidates,
        )
        assert digest == one.digest, f"agency {a.code}: the cluster's rows differ"
    # the agencies differ, so equal digests are not a coincidence of equal months
    assert len({m.digest for m in single.values()}) == 3

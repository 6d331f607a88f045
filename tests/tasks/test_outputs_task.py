"""The produce_outputs task inside a real Prefect flow: files written, recap as artifacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect import flow

from kinerja.db.migrate import upgrade
from kinerja.db.session import make_engine, make_session_factory
from kinerja.rules.policy import load_policy
from kinerja.settings import get_settings
from tests.outputs.factories import standard_month


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    url = f"sqlite:///{tmp_path / 'task.db'}"
    out = tmp_path / "out"
    monkeypatch.setenv("KINERJA_DATABASE_URL", url)
    monkeypatch.setenv("KINERJA_OUT_DIR", str(out))
    monkeypatch.setenv("KINERJA_POLICY", "banten-sikap")
    monkeypatch.setenv("KINERJA_NOTIFICATION_CHANNELS", '["file"]')
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        standard_month(s, load_policy("banten-sikap"))
    engine.dispose()
    yield out
    get_settings.cache_clear()


@pytest.mark.prefect
def test_produce_outputs_task(prefect_api: None, env: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from kinerja.tasks.outputs import produce_outputs

    @flow
    def run_outputs(period: str) -> dict[str, Any]:
        return produce_outputs(period)

    summary = run_outputs("2025-10")
    assert summary["published"] == 2 and summary["coached"] == 2
    assert summary["coaching_period"] == "2025-11"
    assert (env / "2025-10" / "recap" / "rekap_2025-10.html").exists()
    assert (env / "2025-10" / "announcements" / "manifest.json").exists()
    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="rekap-2025-10"))
        )
    keys = {a.key for a in arts}
    assert {"rekap-2025-10-ringkasan", "rekap-2025-10-kualitas-data"} <= keys
    ringkasan = next(a for a in arts if a.key == "rekap-2025-10-ringkasan")
    assert "| Dinas Perhubungan |" in str(ringkasan.data)

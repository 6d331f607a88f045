"""The send_notification task inside a real Prefect flow, through the file outbox channel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect import flow

from kinerja.db.migrate import upgrade
from kinerja.db.models import Employee
from kinerja.db.session import make_engine, make_session_factory
from kinerja.settings import get_settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    url = f"sqlite:///{tmp_path / 'notify.db'}"
    monkeypatch.setenv("KINERJA_DATABASE_URL", url)
    monkeypatch.setenv("KINERJA_OUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("KINERJA_NOTIFICATION_CHANNELS", '["file", "webhook"]')
    monkeypatch.delenv("KINERJA_WEBHOOK_URL", raising=False)
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        s.add(Employee(nip="198001012005011001", name="Budi", status="PNS"))
        s.commit()
    engine.dispose()
    yield tmp_path / "out"
    get_settings.cache_clear()


@pytest.mark.prefect
def test_send_notification_task(prefect_api: None, env: Path) -> None:
    from kinerja.tasks.notify import send_notification

    @flow
    def remind() -> list[dict[str, Any]]:
        return send_notification(
            "defence_reminder:2025-10:198001012005011001",
            "employee",
            "198001012005011001",
            "defence_reminder",
            {"recipient_name": "Budi", "deadline": "2025-11-17T16:00:00", "link": "http://x/l"},
            period="2025-10",
        )

    statuses = remind()
    # The file outbox delivers; the unconfigured webhook is recorded as failed, not raised.
    assert [(s["channel"], s["status"]) for s in statuses] == [
        ("file", "sent"),
        ("webhook", "failed"),
    ]
    assert "KINERJA_WEBHOOK_URL" in statuses[1]["error"]
    (sent,) = (env / "notifications" / "2025-10").glob("*.json")
    body = json.loads(sent.read_text(encoding="utf-8"))["body"]
    assert "Senin, 17 November 2025 pukul 16.00 WIB" in body

"""Fixtures for output tests: policies and settings that write under a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinerja.rules.policy import Policy, load_policy
from kinerja.settings import Settings


@pytest.fixture(params=["jabar", "banten-sikap"])
def policy(request: pytest.FixtureRequest) -> Policy:
    return load_policy(request.param)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def settings(out_dir: Path) -> Settings:
    return Settings(
        notification_channels=["file"],
        out_dir=out_dir,
        recipients_config=None,
        notify_backoff_base=0.0,
        portal_base_url="http://127.0.0.1:8100",
    )

"""A Dask worker killed mid-partition: the agency's gathering re-runs on another worker and
leaves exactly the rows of an undisturbed run (loads are idempotent per delivery)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy import func, select

from kinerja.db.base import Base
from kinerja.db.migrate import upgrade
from kinerja.db.session import make_engine
from kinerja.sources.agencies import Agency, gather_agency
from kinerja.sources.config import files_config
from kinerja.sources.simulator import simulate_province

PERIOD = "2025-10"


def _counts(url: str) -> dict[str, int]:
    from kinerja.db import models  # noqa: F401  (every table)

    engine = make_engine(url)
    with engine.connect() as conn:
        out = {
            name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in Base.metadata.tables.items()
        }
    engine.dispose()
    return out


def test_a_worker_killed_mid_partition_leaves_no_duplicate(tmp_path: Path) -> None:
    simulate_province(3, PERIOD, 120).write(str(tmp_path / "csv"), "csv")
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump(files_config(tmp_path / "csv").model_dump(mode="json")))
    urls = [f"sqlite:///{tmp_path / name}" for name in ("clean.db", "killed.db")]
    for url in urls:
        upgrade(url)
    clean = Agency(code="CLEAN", name="CLEAN", database_url=urls[0], sources_config=sources)
    gather_agency(clean, PERIOD, "jabar")
    marker = tmp_path / "died"
    # A fresh interpreter runs the cluster, so that its workers import this tests package.
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.nation_faults", urls[1], str(sources), str(marker), "3"],
        cwd=root, env=env, capture_output=True, text=True, timeout=280,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert marker.exists(), "the worker was not killed: the test proved nothing"
    assert report["errors"] == []
    expected, got = _counts(urls[0]), _counts(urls[1])
    assert expected["attendance"] > 1000 and expected["source_batch"] > 3
    assert got == expected

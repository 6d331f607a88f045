"""`kinerja bench nation`: a national month of N agencies on a Dask LocalCluster of 1 and 2 workers.

Each agency is simulated (sources.simulator), written as CSV files and gathered into its own
fresh database (PostgreSQL when a server URL is given, else SQLite files). The unit of work is
the one flows.nation runs per agency (sources.agencies.gather_agency, then score_agency), here
submitted to the cluster with distributed's Client directly so that no Prefect API is needed;
tests/flows/test_nation.py shows the Prefect flow gives the same rows. Per step: wall seconds,
rows/s, each worker's peak resident memory, and the speedup from 1 to 2 workers side by side.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STEPS = ("gather", "score")


@dataclass
class Step:
    """One step over every agency on one cluster size."""

    workers: int
    step: str
    seconds: float
    rows: int
    per_worker_peak_mb: dict[int, float] = field(default_factory=dict)
    detail: dict[str, float] = field(default_factory=dict)  # summed sub-steps (read/score/write)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _gather(agency: Any, period: str, policy: str) -> dict[str, Any]:
    from kinerja.sources.agencies import gather_agency, peak_rss_mb

    out = gather_agency(agency, period, policy)
    return {**out, "pid": os.getpid(), "peak_mb": peak_rss_mb()}


def _score(agency: Any, period: str, policy: str) -> dict[str, Any]:
    from kinerja.sources.agencies import score_agency

    out = score_agency(agency, period, policy).to_dict()
    return {**out, "pid": os.getpid(), "peak_mb": out["peak_rss_mb"]}


def _databases(admin_url: str | None, work: Path, tag: str, count: int) -> list[str]:
    """Fresh, migrated databases, one per agency."""
    from kinerja.db.migrate import upgrade

    urls = []
    for i in range(count):
        if admin_url:
            from kinerja_bench.gather import _pg_database

            _, url = _pg_database(admin_url)
        else:
            url = f"sqlite:///{work / f'{tag}-{i}.db'}"
        upgrade(url)
        urls.append(url)
    return urls


def _drop(admin_url: str | None, urls: list[str]) -> None:
    if not admin_url:
        return
    from sqlalchemy.engine import make_url

    from kinerja_bench.gather import _drop_pg

    for url in urls:
        _drop_pg(admin_url, str(make_url(url).database))


def _run_step(client: Any, fn: Any, agencies: list[Any], period: str, policy: str) -> list[Any]:
    futures = client.map(fn, agencies, period=period, policy=policy, pure=False)
    return list(client.gather(futures))


def _step(workers: int, step: str, seconds: float, results: list[dict[str, Any]]) -> Step:
    rows = sum(int(r.get("rows", r.get("source_rows", 0))) for r in results)
    peaks: dict[int, float] = {}
    for r in results:
        peaks[r["pid"]] = max(peaks.get(r["pid"], 0.0), float(r["peak_mb"]))
    detail: dict[str, float] = {}
    for r in results:
        parts = r.get("seconds")
        if isinstance(parts, dict):  # score: read, score, write
            for k, v in parts.items():
                detail[k] = detail.get(k, 0.0) + float(v)
    return Step(workers, step, seconds, rows, peaks, detail)


def run(
    agencies: int,
    employees: int,
    workers: tuple[int, ...] = (1, 2),
    postgres_url: str | None = None,
    period: str = "2025-10",
    seed: int = 1,
    policy: str = "jabar",
) -> tuple[list[Step], dict[str, float]]:
    """Simulate `employees` split over `agencies`, then gather and score them on each size."""
    from distributed import Client, LocalCluster

    from kinerja.sources.agencies import Agency
    from kinerja.sources.config import files_config
    from kinerja.sources.simulator import simulate_province

    per_agency = max(12, employees // agencies)
    work = Path(tempfile.mkdtemp(prefix="kinerja-nation-"))
    prep: dict[str, float] = {"employees_per_agency": float(per_agency)}
    steps: list[Step] = []
    try:
        t0 = time.perf_counter()
        configs = []
        rows = 0
        for i in range(agencies):
            province = simulate_province(seed + i, period, per_agency)
            rows += province.row_count()
            folder = work / f"agency{i}"
            province.write(str(folder / "csv"), "csv")
            cfg = work / f"agency{i}.yaml"
            cfg.write_text(yaml.safe_dump(files_config(folder / "csv").model_dump(mode="json")))
            configs.append(cfg)
        prep["simulate_and_write_s"] = time.perf_counter() - t0
        prep["source_rows"] = float(rows)
        for n in workers:
            tag = f"w{n}-{uuid.uuid4().hex[:6]}"
            t0 = time.perf_counter()
            urls = _databases(postgres_url, work, tag, agencies)
            prep[f"databases_w{n}_s"] = time.perf_counter() - t0
            units = [
                Agency(code=f"A{i:03d}", name=f"Instansi {i}", database_url=u, sources_config=c)
                for i, (u, c) in enumerate(zip(urls, configs, strict=True))
            ]
            try:
                with (
                    LocalCluster(
                        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
                    ) as cluster,
                    Client(cluster) as client,
                ):
                    for name, fn in (("gather", _gather), ("score", _score)):
                        t0 = time.perf_counter()
                        results = _run_step(client, fn, units, period, policy)
                        steps.append(_step(n, name, time.perf_counter() - t0, results))
            finally:
                _drop(postgres_url, urls)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return steps, prep


def report(agencies: int, employees: int, steps: list[Step], prep: dict[str, float]) -> str:
    """A plain-text table: per step and cluster size, then the speedup from 1 to 2 workers."""
    lines = [
        f"national month: {agencies} agencies, {employees} employees "
        f"({prep['employees_per_agency']:.0f} each), {prep['source_rows']:.0f} source rows; "
        f"simulated and written in {prep['simulate_and_write_s']:.1f} s",
        f"{'step':<8} {'workers':>7} {'seconds':>9} {'rows/s':>11}  peak MB per worker  detail",
    ]
    for s in steps:
        peaks = ", ".join(f"{v:.0f}" for _, v in sorted(s.per_worker_peak_mb.items()))
        detail = ", ".join(f"{k} {v:.1f}s" for k, v in sorted(s.detail.items()))
        lines.append(
            f"{s.step:<8} {s.workers:>7} {s.seconds:>9.2f} {s.rows_per_s:>11,.0f}  "
            f"{peaks:<18}  {detail}"
        )
    by = {(s.step, s.workers): s for s in steps}
    for step in STEPS:
        one, two = by.get((step, 1)), by.get((step, 2))
        if one and two and two.seconds:
            lines.append(f"speedup {step} 1 -> 2 workers: {one.seconds / two.seconds:.2f}x")
    return "\n".join(lines)

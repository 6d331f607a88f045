"""`kinerja bench reviews`: N review runs carried to their selection pause on a PostgreSQL Prefect.

A month of N small OPDs (the simulator's province with each OPD cut into parts of about
`opd_size` employees, so that each part has its own head and candidates) is gathered from CSV
files into a throwaway database before the clock starts. A real `prefect server start` keeps
its own throwaway PostgreSQL database; one or more serving processes (`serve_all`, what
`kinerja serve` runs) serve the deployments. The clock runs from starting the month's cycle
with gather=False (runs.cycle.start_cycle, as `kinerja run --no-gather`) until every review
run of the review deployment is Paused (Suspended) at its selection pause, as the Prefect API
reports it. How the cycle starts its reviews is not looked at: only what it leaves behind.
CPU seconds are read with psutil from the Prefect server and serving processes (with their
children), and from the PostgreSQL backends still connected at the end (a lower bound).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

# The bench policy's top band starts above this composite: with jabar's 75 many small OPDs
# would have nobody low enough to propose, and no review to open. Scoring is otherwise jabar's.
BENCH_FLOOR = 95.0


@dataclass
class ReviewsBench:
    """What one `kinerja bench reviews` run measured."""

    requested: int
    opds: int
    employees: int
    reviews: int
    paused: int
    servers: int
    seconds_to_last_pause: float
    seconds_to_first_pause: float | None
    timed_out: bool
    server_cpu_s: float
    serving_cpu_s: float
    postgres_cpu_s: float
    machine_cpu_s: float
    prefect_db_mb: float
    kinerja_db_mb: float
    flow_runs: int
    task_runs: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    setup_s: dict[str, float] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # cycle task -> seconds it ran

    @property
    def runs_per_s(self) -> float:
        return self.paused / self.seconds_to_last_pause if self.seconds_to_last_pause else 0.0


def split_opds(employees: pd.DataFrame, count: int) -> pd.DataFrame:
    """The register with its OPDs cut into `count` parts in all, in proportion to their sizes.

    Rows keep their order inside an OPD (the simulator lists its head first); the first part
    keeps the OPD's code, so rows that name the OPD still find it, the others get `CODE-0001`...
    Each part's head is whoever ranks highest in it (rules.deciders.opd_heads).
    """
    sizes = employees.groupby("opd_code", sort=False).size()
    if count < len(sizes):
        raise ValueError(f"{count} OPDs asked, the province already has {len(sizes)}")
    share = sizes.to_numpy() / sizes.sum() * count
    parts = np.maximum(1, np.floor(share).astype(int))
    for i in np.argsort(parts - share)[: max(0, count - int(parts.sum()))]:
        parts[i] += 1  # largest remainders first
    out = employees.copy()
    codes = out["opd_code"].astype(object).to_numpy().copy()
    names = out["opd_name"].astype(object).to_numpy().copy()
    for (code, _), k in zip(sizes.items(), parts, strict=True):
        where = np.flatnonzero(out["opd_code"].to_numpy() == code)
        part = np.arange(len(where)) * int(k) // len(where)
        for j, p in zip(where, part, strict=True):
            if p:
                codes[j] = f"{code}-{p:04d}"
                names[j] = f"{names[j]} {p}"
    out["opd_code"] = codes
    out["opd_name"] = names
    return out


def bench_policy(folder: Path, floor: float = BENCH_FLOOR) -> Path:
    """jabar with the top band and the proposal floor moved up to `floor` (a YAML file)."""
    from kinerja.rules.policy import PROFILES_DIR, load_policy

    data = yaml.safe_load((PROFILES_DIR / "jabar.yaml").read_text(encoding="utf-8"))
    bands = data["bands"]
    bands[-2]["max_score"] = floor
    bands[-1]["min_score"] = floor
    data["selection"]["max_composite"] = floor
    path = folder / "bench-policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    load_policy(path)  # valid, or fail before anything starts
    return path


def _cpu(pids: list[int]) -> float:
    """User+system seconds of these processes, their live descendants and reaped children."""
    import psutil

    total = 0.0
    seen: set[int] = set()
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                if p.pid in seen:
                    continue
                seen.add(p.pid)
                with contextlib.suppress(psutil.Error):
                    t = p.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
    return total


def _pg_backends(admin_url: str, databases: list[str]) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to `databases` now (by pid)."""
    import psutil
    from sqlalchemy import text

    from kinerja.db.session import make_engine

    engine = make_engine(admin_url)
    try:
        with engine.connect() as conn:
            pids = conn.scalars(
                text("select pid from pg_stat_activity where datname = any(:names)"),
                {"names": databases},
            ).all()
    finally:
        engine.dispose()
    out: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(int(pid)).cpu_times()
            out[int(pid)] = t.user + t.system
    return out


def _db_mb(admin_url: str, name: str) -> float:
    from sqlalchemy import text

    from kinerja.db.session import make_engine

    engine = make_engine(admin_url)
    try:
        with engine.connect() as conn:
            size = conn.scalar(text("select pg_database_size(:n)"), {"n": name})
    finally:
        engine.dispose()
    return float(size or 0) / 1e6


def _paused_reviews() -> tuple[int, int]:
    """(review runs in any state, review runs Paused) of the review deployment."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    from kinerja.names import REVIEW_DEPLOYMENT

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(REVIEW_DEPLOYMENT)
        of_it = FlowRunFilterDeploymentId(any_=[deployment.id])
        total = client.count_flow_runs(flow_run_filter=FlowRunFilter(deployment_id=of_it))
        paused = client.count_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=of_it,
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
            )
        )
    return int(total), int(paused)


def _review_count(engine: Any, period: str) -> int:
    from kinerja.db import reviews
    from kinerja.db.session import session_scope

    with session_scope(engine) as s:
        return len(reviews.list_reviews(s, period))


def prepare_month(
    count: int, opd_size: int, seed: int, period: str, folder: Path, database_url: str
) -> tuple[int, int, Path]:
    """Simulate, split into `count` OPDs, write CSV and gather it: (OPDs, employees, policy)."""
    from kinerja.db.migrate import upgrade
    from kinerja.db.session import make_engine
    from kinerja.rules.policy import load_policy
    from kinerja.sources.config import files_config
    from kinerja.sources.gather import gather_month
    from kinerja.sources.simulator import simulate_province

    policy = bench_policy(folder)
    province = simulate_province(seed, period, max(12, count * opd_size))
    employees = split_opds(province.frames["employees"], count)
    province.frames["employees"] = employees
    province.write(str(folder / "csv"), "csv")
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        report = gather_month(
            engine, period, files_config(folder / "csv"), policy=load_policy(policy)
        )
    finally:
        engine.dispose()
    if not report.ok:
        raise RuntimeError(f"gathering the bench month failed: {report.errors}")
    return int(employees["opd_code"].nunique()), len(employees), policy


@contextlib.contextmanager
def _throwaway(admin_url: str) -> Iterator[tuple[str, str]]:
    from kinerja_bench.gather import _drop_pg, _pg_database

    name, url = _pg_database(admin_url)
    try:
        yield name, url
    finally:
        _drop_pg(admin_url, name)


def run(
    count: int,
    admin_url: str,
    *,
    servers: int = 1,
    limit: int = 8,
    opd_size: int = 6,
    seed: int = 1,
    period: str = "2025-10",
    timeout: float = 1800,
    say: Any = None,
) -> ReviewsBench:
    """Start the month with gather=False and wait until every review run is Paused."""
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from sqlalchemy.engine import make_url

    from kinerja.db.session import make_engine
    from kinerja.flows.local_server import LocalPrefect, start_serving, stop_process, wait_served
    from kinerja.names import CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT
    from kinerja_bench.cycle import _counts, _review_runs, _steps

    tell = say or (lambda _: None)
    root = Path(tempfile.mkdtemp(prefix="kinerja-bench-reviews-"))
    setup: dict[str, float] = {}
    serving: list[Any] = []
    prefect: LocalPrefect | None = None
    with _throwaway(admin_url) as (db_name, db_url), _throwaway(admin_url) as (pf_name, pf_url):
        try:
            t0 = time.monotonic()
            prefect_url = make_url(pf_url).set(drivername="postgresql+asyncpg")
            prefect = LocalPrefect(
                root / "prefect",
                ui=False,
                database_url=prefect_url.render_as_string(hide_password=False),
            ).launch()  # starts while the month is prepared
            opds, employees, policy = prepare_month(count, opd_size, seed, period, root, db_url)
            setup["month_ready"] = time.monotonic() - t0
            tell(f"{opds} OPDs, {employees} employees gathered in {setup['month_ready']:.0f} s")
            prefect.wait_healthy(180)
            setup["prefect_healthy"] = time.monotonic() - t0
            env = {
                "KINERJA_DATABASE_URL": db_url,
                "KINERJA_OUT_DIR": str(root / "out"),
                "KINERJA_VAR_DIR": str(root),
                "KINERJA_POLICY": str(policy),
                "KINERJA_NOTIFICATION_CHANNELS": '["file"]',
                "PREFECT_LOCAL_STORAGE_PATH": str(root / "prefect-results"),
                **prefect.env(),
            }
            for i in range(servers):
                serving.append(start_serving(env, root / f"serve-{i}.log", limit=limit))
            for proc in serving:
                wait_served(prefect.api_url, [CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT], proc, 180)
            setup["served"] = time.monotonic() - t0
            tell(f"Prefect server and {servers} serving process(es) ready; starting the month")
            engine = make_engine(db_url)
            try:
                with temporary_settings(updates={PREFECT_API_URL: prefect.api_url}):
                    measured = _measure(
                        engine, period, admin_url, [db_name, pf_name], prefect, serving, timeout
                    )
                    cycle_id = str(measured.pop("cycle_run_id"))
                    flow_runs, task_runs = _counts([cycle_id, *_review_runs(engine, period)])
                    steps = _steps(cycle_id)
            finally:
                engine.dispose()
            return ReviewsBench(
                requested=count,
                opds=opds,
                employees=employees,
                servers=servers,
                prefect_db_mb=_db_mb(admin_url, pf_name),
                kinerja_db_mb=_db_mb(admin_url, db_name),
                flow_runs=flow_runs,
                task_runs=task_runs,
                setup_s=setup,
                steps=steps,
                **measured,
            )
        except Exception:
            for i in range(len(serving)):  # what went wrong is in the serving log
                log = root / f"serve-{i}.log"
                if log.exists():
                    tell(log.read_text(encoding="utf-8", errors="replace")[-4000:])
            raise
        finally:
            for proc in serving:
                stop_process(proc)
            if prefect is not None:
                prefect.stop()
            shutil.rmtree(root, ignore_errors=True)


def _measure(
    engine: Any,
    period: str,
    admin_url: str,
    databases: list[str],
    prefect: Any,
    serving: list[Any],
    timeout: float,
) -> dict[str, Any]:
    """Start the cycle, poll until every review run is Paused; CPU seconds meanwhile."""
    import os

    import psutil

    from kinerja.runs.cycle import start_cycle
    from kinerja.runs.wakeup import run_state

    load_before = os.getloadavg()
    server_pids = [prefect.proc.pid]
    serving_pids = [p.pid for p in serving]
    server0, serving0 = _cpu(server_pids), _cpu(serving_pids)
    pg0 = _pg_backends(admin_url, databases)
    machine0 = sum(psutil.cpu_times()[:3])  # user, nice, system of every process
    t0 = time.monotonic()
    run_id, _ = start_cycle(period, gather=False)
    first: float | None = None
    reviews = paused = 0
    timed_out = True
    while time.monotonic() - t0 < timeout:
        kind, _ = run_state(run_id)
        if kind in ("FAILED", "CRASHED", "CANCELLED", "COMPLETED"):
            raise RuntimeError(f"cycle run {run_id} ended {kind} before the reviews paused")
        total, paused = _paused_reviews()
        if paused and first is None:
            first = time.monotonic() - t0
        if kind == "PAUSED" and not reviews:
            reviews = _review_count(engine, period)
        if kind == "PAUSED" and reviews and paused >= reviews and total >= reviews:
            timed_out = False
            break
        time.sleep(1)  # three requests a second: light next to what is measured
    elapsed = time.monotonic() - t0
    machine = sum(psutil.cpu_times()[:3]) - machine0
    server, serving_cpu = _cpu(server_pids) - server0, _cpu(serving_pids) - serving0
    pg1 = _pg_backends(admin_url, databases)
    return {
        "reviews": reviews or _review_count(engine, period),
        "paused": paused,
        "seconds_to_last_pause": elapsed,
        "seconds_to_first_pause": first,
        "timed_out": timed_out,
        "server_cpu_s": server,
        "serving_cpu_s": serving_cpu,
        "postgres_cpu_s": sum(v - pg0.get(pid, 0.0) for pid, v in pg1.items()),
        "machine_cpu_s": machine,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "cycle_run_id": run_id,
    }


def report(r: ReviewsBench) -> str:
    """A plain-text summary: seconds to the last pause, runs/s and CPU seconds per run."""
    per = max(1, r.paused)
    steps = ", ".join(f"{name} {sec:.1f} s" for name, sec in r.steps.items())
    setup = ", ".join(f"{k} {v:.0f}" for k, v in r.setup_s.items())
    first = f"{r.seconds_to_first_pause:.1f} s" if r.seconds_to_first_pause is not None else "-"
    load = "/".join(f"{x:.2f}" for x in r.load_before), "/".join(f"{x:.2f}" for x in r.load_after)
    lines = [
        f"review runs benchmark: {r.requested} OPDs asked, {r.opds} OPDs, {r.employees} "
        f"employees, {r.reviews} reviews, {r.servers} serving process(es), Prefect on PostgreSQL",
        f"  start -> last review Paused: {r.seconds_to_last_pause:.1f} s"
        + ("  (TIMED OUT)" if r.timed_out else "")
        + f"  (first paused after {first}); {r.paused} paused, {r.runs_per_s:.2f} runs/s",
        f"  {'CPU seconds':<28} {'total':>9} {'per run':>9}",
    ]
    for name, cpu in (
        ("Prefect server", r.server_cpu_s),
        ("serving process(es)", r.serving_cpu_s),
        ("PostgreSQL (open backends)", r.postgres_cpu_s),
        ("whole machine", r.machine_cpu_s),
    ):
        lines.append(f"  {name:<28} {cpu:>9.1f} {cpu / per:>9.3f}")
    lines += [
        f"  cycle steps: {steps}",
        f"  flow runs: {r.flow_runs}   task runs: {r.task_runs}",
        f"  databases: Prefect {r.prefect_db_mb:.0f} MB, kinerja {r.kinerja_db_mb:.0f} MB",
        f"  load average before {load[0]}, after {load[1]}",
        f"  setup (s since start): {setup}",
    ]
    return "\n".join(lines)

"""`kinerja bench gather`: rows/s gathering a simulated month over HTTP, from CSV and XLSX.

The simulator server runs in its own process (`kinerja simulate --serve`), as a real source
would; every measurement runs in a fresh process against a fresh database, so its peak
resident memory is its own. Figures: wall seconds, rows/s, CPU seconds, peak RSS.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

TARGET_ROWS = 7_000_000
TARGET_SECONDS = 90.0
TOKEN = "bench-token"


@dataclass
class Measure:
    mode: str  # http | csv | xlsx
    backend: str  # sqlite | postgresql
    rows: int
    loaded: int
    rejected: int
    seconds: float
    cpu_seconds: float  # of the gathering process and its worker processes
    peak_mb: float  # the largest resident high-water mark among them
    error: str = ""

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_mb() -> float:
    """This process's resident high-water mark (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(url: str, period: str, config: dict[str, Any], workers: int | None, out: Any) -> None:
    """Child process: migrate a fresh database, gather the month, report the figures."""
    from kinerja.db.migrate import upgrade
    from kinerja.db.session import make_engine
    from kinerja.sources.config import SourcesConfig
    from kinerja.sources.gather import gather_month

    upgrade(url)
    engine = make_engine(url)
    cfg = SourcesConfig.model_validate(config)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    report = gather_month(engine, period, cfg, workers=workers)
    seconds = time.perf_counter() - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, once reaped
    cpu = time.process_time() - cpu0 + children.ru_utime + children.ru_stime
    engine.dispose()
    totals = report.by_source()
    out.put(
        {
            "rows": sum(c["received"] for c in totals.values()),
            "loaded": sum(c["loaded"] for c in totals.values()),
            "rejected": sum(c["rejected"] for c in totals.values()),
            "seconds": seconds,
            "cpu_seconds": cpu,
            "peak_mb": max(_peak_mb(), children.ru_maxrss / 1024),
            "error": "; ".join(report.errors + report.failures),
        }
    )


def _in_child(url: str, period: str, config: dict[str, Any], workers: int | None) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=(url, period, config, workers, queue))
    proc.start()
    try:
        result: dict[str, Any] = queue.get(timeout=3600)
    finally:
        proc.join(timeout=60)
    return result


def _pg_database(admin_url: str) -> tuple[str, str]:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from kinerja.db.session import make_engine

    name = f"kinerja_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg(admin_url: str, name: str) -> None:
    from sqlalchemy import text

    from kinerja.db.session import make_engine

    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _start_server(employees: int, seed: int, period: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KINERJA_SOURCE_TOKEN": TOKEN}
    # this interpreter and this checkout, whatever the console script's shebang says
    cmd = [sys.executable, "-c", "from kinerja.cli import app; app()", "simulate"]
    cmd += ["--period", period, "--employees", str(employees)]
    cmd += ["--seed", str(seed), "--serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"simulator server exited: {err[-2000:]}")
        try:
            requests.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("simulator server did not start within 900 s")


def run(
    employees: int,
    seed: int = 1,
    period: str = "2025-10",
    postgres_url: str | None = None,
    modes: tuple[str, ...] = ("http", "csv"),
    page_size: int = 20_000,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
    workers: int | None = None,
    layout: str = "columns",
) -> tuple[list[Measure], dict[str, float]]:
    """Measure each mode on SQLite and (if a URL is given) PostgreSQL."""
    from kinerja.sources.config import files_config, http_config
    from kinerja.sources.simulator import simulate_province

    prep: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-"))
    t0 = time.perf_counter()
    province = simulate_province(seed, period, employees)
    prep["simulate_s"] = time.perf_counter() - t0
    prep["rows"] = float(province.row_count())
    if "csv" in modes:
        t0 = time.perf_counter()
        province.write(str(work / "csv"), "csv")
        prep["write_csv_s"] = time.perf_counter() - t0
    if "xlsx" in modes:
        t0 = time.perf_counter()
        _write_xlsx_per_opd(province, work / "xlsx")
        prep["write_xlsx_s"] = time.perf_counter() - t0
    del province

    configs: dict[str, dict[str, Any]] = {}
    server = None
    if "http" in modes:
        port = _free_port()
        server = _start_server(employees, seed, period, port)
        cfg = http_config(
            f"http://127.0.0.1:{port}",
            token=TOKEN,
            page_size=page_size,
            read_timeout=300,
            layout=layout,
        )
        data = cfg.model_dump(mode="json")
        data["sources"]["simulator"]["token"] = TOKEN
        configs["http"] = data
    if "csv" in modes:
        configs["csv"] = files_config(work / "csv").model_dump(mode="json")
    if "xlsx" in modes:
        configs["xlsx"] = _xlsx_config(work / "xlsx")

    results: list[Measure] = []
    try:
        for mode, config in configs.items():
            targets = []
            if "sqlite" in backends:
                targets.append(("sqlite", f"sqlite:///{work / f'{mode}.db'}"))
            if postgres_url and "postgresql" in backends:
                targets.append(("postgresql", postgres_url))
            for backend, url in targets:
                pg_name = None
                if backend == "postgresql":
                    pg_name, url = _pg_database(url)
                try:
                    figures = _in_child(url, period, config, workers)  # None: its default
                    label = f"{backend}×{workers}" if workers and workers > 1 else backend
                    shown = f"http/{layout}" if mode == "http" else mode
                    results.append(Measure(mode=shown, backend=label, **figures))
                finally:
                    if pg_name and postgres_url:
                        _drop_pg(postgres_url, pg_name)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)  # the files and SQLite databases: gigabytes
    return results, prep


def _write_xlsx_per_opd(province: Any, folder: Path) -> None:
    """The register as one workbook, every other kind one workbook per OPD (<opd>/<kind>.xlsx):
    a sheet holds at most 1,048,576 rows, and offices each deliver their own."""
    from concurrent.futures import ProcessPoolExecutor

    folder.mkdir(parents=True, exist_ok=True)
    # two processes: writing a workbook is a Python loop per cell
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        jobs = [
            pool.submit(write_xlsx, province.contract_frame("employees"), folder / "employees.xlsx")
        ]
        for kind, frame in province.frames.items():
            if kind == "employees":
                continue
            rows = province.contract_frame(kind)
            for opd, part in rows.groupby(frame["opd_code"], sort=True):
                (folder / str(opd)).mkdir(exist_ok=True)
                jobs.append(pool.submit(write_xlsx, part, folder / str(opd) / f"{kind}.xlsx"))
        for job in jobs:
            job.result()


def write_xlsx(frame: Any, path: Path) -> None:
    """Text cells in one sheet, by XlsxWriter in constant memory (~3x openpyxl's speed)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, [str(c) for c in frame.columns])
    columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    for i, row in enumerate(zip(*columns, strict=True), start=1):
        for j, v in enumerate(row):
            if v is None or v != v:
                continue
            if isinstance(v, str):
                sheet.write_string(i, j, v)
            else:
                sheet.write(i, j, v.item() if hasattr(v, "item") else v)
    book.close()


def _xlsx_config(folder: Path) -> dict[str, Any]:
    from kinerja.domain import DataKind
    from kinerja.sources.config import SourceConfig, SourcesConfig

    return SourcesConfig(
        government="xlsx",
        sources={
            "xlsx_register": SourceConfig(type="xlsx", path=str(folder)),
            "xlsx_files": SourceConfig(type="xlsx", path=str(folder / "{opd}")),
        },
        kinds={
            DataKind(k): "xlsx_register" if k == "employees" else "xlsx_files"
            for k in ("employees", "attendance", "activities", "behaviour", "indicators")
        },
    ).model_dump(mode="json")


def report(employees: int, results: list[Measure], prep: dict[str, float]) -> str:
    lines = [
        f"gather benchmark: {employees} employees, {int(prep['rows'])} source rows "
        f"(simulated in {prep['simulate_s']:.1f} s"
        + (f", CSV written in {prep['write_csv_s']:.1f} s" if "write_csv_s" in prep else "")
        + (f", XLSX in {prep['write_xlsx_s']:.1f} s" if "write_xlsx_s" in prep else "")
        + f"); machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        f"{'mode':<12} {'database':<11} {'rows':>10} {'seconds':>9} {'rows/s':>9} "
        f"{'cpu s':>8} {'peak MB':>8} {'7M rows at this rate':>21}",
    ]
    for m in results:
        projected = TARGET_ROWS / m.rows_per_s if m.rows_per_s else float("inf")
        verdict = "meets" if projected < TARGET_SECONDS and m.peak_mb < 2048 else "misses"
        lines.append(
            f"{m.mode:<12} {m.backend:<11} {m.rows:>10} {m.seconds:>9.1f} {m.rows_per_s:>9.0f} "
            f"{m.cpu_seconds:>8.1f} {m.peak_mb:>8.0f} {projected:>13.0f} s {verdict}"
        )
        if m.error:
            lines.append(f"       problems: {m.error[:300]}")
    lines.append(
        f"target: {TARGET_ROWS:,} rows gathered, validated and stored in < {TARGET_SECONDS:.0f} s "
        "with < 2 GB; the HTTP figure includes the server's JSON encoding on the same machine."
    )
    return "\n".join(lines)

"""gather_month: fetch, check and load a month from every configured source, OPD by OPD."""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from kinerja.db import organisation as org
from kinerja.db import quarantine as qdb
from kinerja.db.periods import ensure_period
from kinerja.db.session import session_scope
from kinerja.domain import DeliveryStatus, Period
from kinerja.processes import engine_url, worker_count
from kinerja.rules.policy import Policy, load_policy
from kinerja.sources.config import RAW_KINDS, SourceConfig, SourcesConfig
from kinerja.sources.executors import ProcessExecutor, ThreadedExecutor, UnitExecutor
from kinerja.sources.files import fetch_file
from kinerja.sources.http import HttpSource, SourceError
from kinerja.sources.load import DeliveryWriter, LoadResult, checksum, record_failure
from kinerja.sources.units import Fetch, Gathered, Job, Part, UnitGatherer
from kinerja.sources.units import now as units_now
from kinerja.sources.validate import Field, Register, validate_register

log = logging.getLogger(__name__)

KIND_LABELS = {
    "employees": "daftar pegawai",
    "attendance": "kehadiran",
    "activities": "aktivitas harian",
    "behaviour": "perilaku (kuesioner 360°)",
    "indicators": "indikator kinerja",
}


@dataclass
class GatherReport:
    """What a month's gathering did: per delivery, per source and reason, per OPD."""

    period: str
    government: str
    results: list[LoadResult] = field(default_factory=list)
    # errors stop the month (no register at all); failures are deliveries that did not arrive
    # or could not be loaded: recorded, and their OPDs marked not assessable, the month goes on.
    errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    opd_status: dict[str, tuple[bool, str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def not_assessable(self) -> dict[str, str]:
        return {opd: why for opd, (ok, why) in self.opd_status.items() if not ok}

    @property
    def ok(self) -> bool:
        """True when the month could be gathered (some OPDs may still be not assessable)."""
        return not self.errors

    def by_source(self) -> dict[str, dict[str, int]]:
        """Counts per source: received, loaded, inserted, updated, deleted, rejected, failed."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in self.results:
            c = out[r.source]
            for name in ("received", "loaded", "inserted", "updated", "deleted", "rejected"):
                c[name] += getattr(r, name)
            c["deliveries"] += 1
            c["failed"] += int(r.error is not None)
            c["unchanged_deliveries"] += int(r.skipped)
        return {s: dict(c) for s, c in out.items()}

    def by_reason(self) -> dict[str, dict[str, int]]:
        """Rejected rows per source and reason."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in self.results:
            for reason, n in r.by_reason.items():
                out[r.source][reason] += n
        return {s: dict(c) for s, c in out.items()}

    def rows(self, kind: str | None = None) -> int:
        return sum(r.received for r in self.results if kind is None or r.kind == kind)

    def summary(self) -> str:
        lines = [f"gathered {self.period} for {self.government} in {self.seconds:.1f} s"]
        for source, c in sorted(self.by_source().items()):
            lines.append(
                f"  {source}: {c['received']} received, {c['loaded']} loaded "
                f"({c['inserted']} new, {c['updated']} updated, {c['deleted']} removed), "
                f"{c['rejected']} rejected, {c['failed']}/{c['deliveries']} deliveries failed"
            )
        for source, reasons in sorted(self.by_reason().items()):
            for reason, n in sorted(reasons.items()):
                lines.append(f"  rejected {source} {reason}: {n}")
        na = self.not_assessable
        lines.append(f"  OPDs: {len(self.opd_status)}, not assessable: {len(na)}")
        for opd, why in sorted(na.items()):
            lines.append(f"    {opd}: {why}")
        for failure in self.failures:
            lines.append(f"  failed: {failure}")
        for err in self.errors:
            lines.append(f"  error: {err}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "government": self.government,
            "seconds": self.seconds,
            "by_source": self.by_source(),
            "by_reason": self.by_reason(),
            "not_assessable": self.not_assessable,
            "errors": list(self.errors),
            "failures": list(self.failures),
        }


class Fetcher:
    """Fetches raw frames from configured sources (one HTTP session per source)."""

    def __init__(self, config: SourcesConfig, nip_length: int | None = 18) -> None:
        self.config = config
        self.nip_length = nip_length  # files: a shorter NIP lost digits in Excel
        self._http: dict[str, HttpSource] = {}
        self._lock = threading.Lock()  # lanes and prefetch threads share the sessions

    def source(self, name: str) -> SourceConfig:
        return self.config.sources[name]

    def fetch(self, name: str, kind: str, period: str, opd: str | None) -> pd.DataFrame:
        cfg = self.source(name)
        if cfg.type == "http":
            with self._lock:
                if name not in self._http:
                    self._http[name] = HttpSource(name, cfg)
                source = self._http[name]
            return source.fetch(kind, period, opd)
        return fetch_file(name, cfg, kind, period, opd, self.nip_length)

    def close(self) -> None:
        for client in self._http.values():
            client.close()


def _now() -> datetime:
    return units_now()


def _fingerprint(register: Register, policy: Policy) -> str:
    h = hashlib.sha256(register.period.encode())
    ordered = register.nip_opd.sort_values(["opd_code", "nip"])
    h.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    b = policy.behaviour
    h.update(f"{sorted(b.items)}|{b.scale_min}|{b.scale_max}".encode())
    return h.hexdigest()


def _read_register(engine: Engine, period: str) -> Register:
    start, end = Period.parse(period).bounds()
    with session_scope(engine) as s:
        nip_opd = org.month_assignments(s, start, end)
        known = org.all_nips(s)
    return Register(period=period, nip_opd=nip_opd, known_nips=known)


def gather_register(
    engine: Engine,
    period: str,
    config: SourcesConfig,
    fetcher: Fetcher,
    report: GatherReport,
    policy: Policy,
) -> None:
    """Fetch, check and upsert the employee register (OPDs, rumpun, employees, assignments)."""
    name = config.source_name("employees")
    assert name is not None
    start, end = Period.parse(period).bounds()
    now = _now()
    with session_scope(engine) as s:
        ensure_period(s, period)
    try:
        raw = fetcher.fetch(name, "employees", period, None)
    except SourceError as exc:
        report.failures.append(f"employees: {exc}")
        with session_scope(engine) as s:
            report.results.append(
                record_failure(
                    s,
                    period=period,
                    kind="employees",
                    source=name,
                    opd=None,
                    error=str(exc),
                    now=now,
                )
            )
        return
    checked = validate_register(raw, period, policy.nip)
    digest = checksum("employees", raw, period)
    with session_scope(engine) as s:
        previous = [
            b
            for b in qdb.scope_batches(s, period, "employees", name, None)
            if b.status == DeliveryStatus.LOADED
        ]
        result = LoadResult(kind="employees", source=name, opd=None, received=len(raw))
        if previous and previous[0].checksum == digest:
            last = previous[0]
            result.batch_id, result.skipped = last.id, True
            result.loaded, result.unchanged = last.rows_loaded, last.rows_loaded
            result.rejected = last.rows_rejected
            result.by_reason = qdb.reasons_of_batch(s, last.id)
        else:
            batch = qdb.create_batch(
                s,
                period=period,
                source=name,
                kind="employees",
                opd=None,
                checksum=digest,
                received_at=now,
            )
            changes = org.upsert_register(s, checked.valid.drop(columns="_pos"), start, end)
            qdb.record_changes(
                s, changes.changes, period=period, kind="employees", batch_id=batch.id, at=now
            )
            qdb.quarantine(
                s,
                checked.rejected,
                period=period,
                batch_id=batch.id,
                source=name,
                kind="employees",
                received_at=now,
            )
            batch.rows_received = len(raw)
            batch.rows_loaded = len(checked.valid)
            batch.rows_rejected = len(checked.rejected)
            result.batch_id = batch.id
            result.loaded = len(checked.valid)
            result.inserted, result.updated = changes.inserted, changes.updated
            result.unchanged = changes.unchanged
            result.rejected = len(checked.rejected)
            result.by_reason = checked.by_reason
    report.results.append(result)


def _units(config: SourcesConfig, kind: str, opds: list[str]) -> dict[str | None, list[str]]:
    """Source name -> the OPDs it serves for this kind (None: no source configured)."""
    out: dict[str | None, list[str]] = defaultdict(list)
    for opd in opds:
        out[config.source_name(kind, opd)].append(opd)
    return out


def gather_month(
    engine: Engine,
    period: str,
    config: SourcesConfig,
    *,
    policy: Policy | None = None,
    fetch_workers: int = 2,
    workers: int | None = None,
    parallel_kinds: bool | None = None,
) -> GatherReport:
    """Load the register and the month's raw data, quarantine bad rows, mark OPD assessability.

    Idempotent: running it again with the same deliveries writes nothing new; a corrected
    delivery replaces what it corrects (recorded in row_change). One failing source or OPD
    never stops the others: that OPD is marked not assessable with the reason.

    What one unit (an OPD's delivery of a kind) goes through is sources.units'; how units
    run is sources.executors': `workers` > 1 gathers them in that many processes (on SQLite
    they take turns to write), else `fetch_workers` threads fetch ahead while this process
    checks and a writer thread stores.
    By default (None) see `_processes`. `parallel_kinds` (default: on for PostgreSQL) gathers
    activities beside the other kinds in this process.
    """
    t0 = time.perf_counter()
    Period.parse(period).bounds()  # a bad period fails here, naming it
    if policy is None:
        from kinerja.settings import get_settings

        policy = load_policy(config.policy or get_settings().policy)
    report = GatherReport(period=period, government=config.government)
    fetcher = Fetcher(config, policy.nip.length)
    processes: ProcessExecutor | None = None
    try:
        gather_register(engine, period, config, fetcher, report, policy)
        register = _read_register(engine, period)
        if register.nip_opd.empty:
            report.errors.append(
                f"no employees are assigned in {period} (register missing): nothing to gather"
            )
            return report
        context = _fingerprint(register, policy)
        opds = sorted(register.opds)
        outcome: dict[tuple[str, str], LoadResult | None] = {}
        if workers is None:
            workers = _processes(engine, len(register.nip_opd))
        gatherer = UnitGatherer(period, register, policy, context, fetcher, DeliveryWriter(engine))
        if workers > 1 and engine.url.database not in (None, "", ":memory:"):
            processes = ProcessExecutor(
                gatherer,
                engine_url(engine),
                workers,
                functools.partial(Fetcher, config, policy.nip.length),
            )

        def lane(kinds: list[str]) -> None:
            with ThreadedExecutor(gatherer, fetch_workers) as threads:
                for kind in kinds:
                    for name, served in _units(config, kind, opds).items():
                        if name is None:
                            for opd in served:
                                outcome[(kind, opd)] = None
                            continue
                        executor: UnitExecutor = processes or threads
                        source = config.sources[name]
                        _gather_kind(
                            gatherer, executor, source, kind, name, served, report, outcome
                        )

        if parallel_kinds is None:
            parallel_kinds = engine.dialect.name != "sqlite"
        lanes = _lanes(parallel_kinds)
        with ThreadPoolExecutor(len(lanes), thread_name_prefix="kinerja-lane") as side_by_side:
            for done in [side_by_side.submit(lane, kinds) for kinds in lanes]:
                done.result()
        report.opd_status = _assess(config, period, opds, outcome)
        with session_scope(engine) as s:
            qdb.set_opd_status(s, period, report.opd_status)
    finally:
        if processes is not None:
            processes.close()
        fetcher.close()
        report.seconds = time.perf_counter() - t0
    log.info("%s", report.summary())
    return report


def _processes(engine: Engine, employees: int) -> int:
    """Worker processes for a month by default: on SQLite, kinerja.processes.worker_count.

    SQLite has one writer, and one process cannot both check and write at full speed (the
    driver takes the interpreter lock back for every row). With two processes one checks a
    delivery while the other writes; on 50,000 employees gathering took 62-74 s instead of
    82-86 s. PostgreSQL writes in its own server processes: lanes in this process keep it busy.
    """
    if engine.dialect.name != "sqlite":
        return 1
    return worker_count(engine, employees)


def _lanes(parallel: bool) -> list[list[str]]:
    """Kinds gathered one after another in each lane; lanes run side by side.

    Activities are most of a month's rows. On PostgreSQL they go in a lane of their own beside
    the other kinds, so two COPY streams keep the server on both cores while this process
    checks. Kinds never share a table nor a key, so the lanes cannot clash. SQLite has one
    writer: one lane.
    """
    if not parallel:
        return [list(RAW_KINDS)]
    return [["activities"], [k for k in RAW_KINDS if k != "activities"]]


def _gather_kind(
    gatherer: UnitGatherer,
    executor: UnitExecutor,
    source: SourceConfig,
    kind: str,
    name: str,
    served: list[str],
    report: GatherReport,
    outcome: dict[tuple[str, str], LoadResult | None],
) -> None:
    """One kind from one source: a unit per OPD, or a whole delivery cut into OPD parts."""
    jobs: Iterator[Job]
    if (source.type == "http" and source.per_opd) or source.files_per_opd:
        jobs = (Fetch(kind, name, opd) for opd in served)
    else:
        try:
            whole = gatherer.fetcher.fetch(name, kind, gatherer.period, None)
        except Exception as exc:  # the whole delivery is missing: every OPD it serves lacks it
            _record(gatherer.fail(Fetch(kind, name, None), str(exc)), report, outcome, served)
            return
        digest = whole.attrs.get("digest")
        # the delivery's bytes plus the OPD: unchanged file, unchanged parts
        jobs = (
            Part(kind, name, o, part, f"{digest}|{o}" if digest else None, tuple(served))
            for o, part in _split(whole, gatherer.register, served)
        )
    for done in executor.run(jobs):
        # a part of no OPD (leftovers of a whole file) is nobody's data: its failure fails none
        _record(done, report, outcome, [] if done.opd is None else [done.opd])


def _record(
    done: Gathered,
    report: GatherReport,
    outcome: dict[tuple[str, str], LoadResult | None],
    opds: list[str],
) -> None:
    """A unit's result in the report; `opds` are the OPDs whose data of the kind it was."""
    report.results.append(done.result)
    if done.failure is not None:
        report.failures.append(f"{done.kind} for OPD {done.opd or '(all)'}: {done.failure}")
    for opd in opds:
        outcome[(done.kind, opd)] = done.result


def _split(
    whole: pd.DataFrame, register: Register, served: list[str]
) -> Iterator[tuple[str | None, pd.DataFrame]]:
    """A whole-government delivery cut into OPD parts by the register (leftovers: None)."""
    if "nip" not in whole.columns:
        whole = whole.assign(nip=pd.Series(dtype=object))
    numbers = whole.attrs.pop("rows", None)  # each part gets the numbers of its own rows
    nip = Field.of(whole, "nip")
    lookup = register.nip_to_opd().to_dict()
    # one code per row (the OPD's place in `served`, -1 for the rest), grouped once: a
    # comparison per OPD would scan the whole delivery a hundred times
    slot = {opd: i for i, opd in enumerate(served)}
    opd_slot = {n: slot.get(o, -1) for n, o in lookup.items()}
    code = nip.rows(nip.per_unique(lambda x: opd_slot.get(x, -1), np.int64))
    order = np.argsort(code, kind="stable")
    bounds = np.searchsorted(code[order], np.arange(-1, len(served) + 1))

    def part(rows: np.ndarray) -> pd.DataFrame:
        out = whole.iloc[rows].reset_index(drop=True)
        if numbers is not None:
            out.attrs["rows"] = numbers[rows]
        return out

    for i, opd in enumerate(served):
        yield opd, part(order[bounds[i + 1] : bounds[i + 2]])
    rest = order[bounds[0] : bounds[1]]
    if len(rest):
        yield None, part(rest)


def _assess(
    config: SourcesConfig,
    period: str,
    opds: list[str],
    outcome: dict[tuple[str, str], LoadResult | None],
) -> dict[str, tuple[bool, str]]:
    """An OPD is assessable only if every required kind arrived and was mostly accepted."""
    status: dict[str, tuple[bool, str]] = {}
    for opd in opds:
        reasons = []
        for kind in config.required_kinds:
            label = KIND_LABELS[kind.value]
            r = outcome.get((kind.value, opd))
            if r is None:
                reasons.append(f"tidak ada sumber data {label} yang dikonfigurasi")
            elif r.error is not None:
                reasons.append(f"data {label} gagal diambil dari sumber '{r.source}': {r.error}")
            elif r.received == 0:
                reasons.append(f"data {label} untuk {period} tidak tersedia")
            elif r.rejected / r.received > config.max_rejected_share:
                share = 100 * r.rejected / r.received
                reasons.append(
                    f"{share:.0f}% baris data {label} ditolak ({r.rejected} dari {r.received})"
                )
        status[opd] = (not reasons, "; ".join(reasons))
    return status

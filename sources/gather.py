"""gather_month: fetch, check and load a month from every configured source, OPD by OPD."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from kinerja.db import organisation as org
from kinerja.db import quarantine as qdb
from kinerja.db.periods import ensure_period
from kinerja.db.session import session_scope
from kinerja.processes import engine_url, process_pool, worker_count
from kinerja.rules.policy import Policy, load_policy
from kinerja.sources.config import RAW_KINDS, SourceConfig, SourcesConfig
from kinerja.sources.files import fetch_file
from kinerja.sources.http import HttpSource, SourceError
from kinerja.sources.load import LoadResult, checksum, record_failure, store_delivery
from kinerja.sources.validate import (
    UNKNOWN_OPD,
    Checked,
    Field,
    Register,
    check_delivery,
    period_bounds,
    validate_register,
)

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
    return datetime.now(UTC).replace(tzinfo=None)


def _fingerprint(register: Register, policy: Policy) -> str:
    h = hashlib.sha256(register.period.encode())
    ordered = register.nip_opd.sort_values(["opd_code", "nip"])
    h.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    b = policy.behaviour
    h.update(f"{sorted(b.items)}|{b.scale_min}|{b.scale_max}".encode())
    return h.hexdigest()


def _read_register(engine: Engine, period: str) -> Register:
    start, end = period_bounds(period)
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
    start, end = period_bounds(period)
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
            b for b in qdb.scope_batches(s, period, "employees", name, None) if b.status == "loaded"
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


def _prefetch(
    fetch: Callable[[str | None], pd.DataFrame], units: list[str | None], workers: int
) -> Iterator[tuple[str | None, pd.DataFrame | None, Exception | None]]:
    """Fetch units ahead in threads (I/O) while the caller checks and loads earlier ones."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures: list[tuple[str | None, Future[pd.DataFrame]]] = []
        ahead = max(1, workers)
        it = iter(units)
        for unit in it:
            futures.append((unit, pool.submit(fetch, unit)))
            if len(futures) >= ahead:
                break
        while futures:
            unit, fut = futures.pop(0)
            nxt = next(it, _END)
            if nxt is not _END:
                futures.append((nxt, pool.submit(fetch, nxt)))  # type: ignore[arg-type]
            try:
                yield unit, fut.result(), None
            except Exception as exc:  # a failing unit must not stop the others
                yield unit, None, exc


_END = object()


class Writer:
    """Stores checked deliveries in one background thread while the next one is checked.

    The database works (COPY, index upkeep, commit) on its own core while this process checks
    the next delivery; one writer keeps SQLite's single-writer rule and the order of stores.
    At most `depth` deliveries wait, which bounds memory.
    """

    def __init__(self, depth: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kinerja-store")
        self._pending: deque[Future[None]] = deque()
        self._depth = depth

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        while len(self._pending) >= self._depth:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(fn, *args))

    def drain(self) -> None:
        """Wait for every store; the first failure is raised here."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Let every queued store finish (each is its own transaction), then stop the thread."""
        self._pool.shutdown(wait=True)
        for fut in self._pending:
            if fut.exception() is not None:
                log.error("storing a delivery failed: %s", fut.exception())
        self._pending.clear()


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

    `workers` > 1 fetches, checks and loads per-OPD HTTP deliveries in that many processes
    (on SQLite they take turns to write); `fetch_workers` threads otherwise fetch ahead.
    By default (None) see `_processes`. `parallel_kinds` (default: on for PostgreSQL) gathers
    activities beside the other kinds in this process.
    """
    t0 = time.perf_counter()
    period_bounds(period)  # a bad period fails here, naming it
    if policy is None:
        from kinerja.settings import get_settings

        policy = load_policy(config.policy or get_settings().policy)
    report = GatherReport(period=period, government=config.government)
    fetcher = Fetcher(config, policy.nip.length)
    pool: ProcessPoolExecutor | None = None
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
        if workers > 1 and engine.url.database not in (None, "", ":memory:"):
            pool = process_pool(
                workers, _init_worker, (engine_url(engine), config, register, policy, context)
            )

        def lane(kinds: list[str]) -> None:
            writer = Writer()
            try:
                for kind in kinds:
                    for name, served in _units(config, kind, opds).items():
                        if name is None:
                            for opd in served:
                                outcome[(kind, opd)] = None
                            continue
                        _gather_kind(
                            engine,
                            period,
                            kind,
                            name,
                            served,
                            fetcher,
                            register,
                            policy,
                            context,
                            report,
                            outcome,
                            fetch_workers,
                            writer,
                            pool,
                        )
                writer.drain()
            finally:
                writer.close()

        if parallel_kinds is None:
            parallel_kinds = engine.dialect.name != "sqlite"
        lanes = _lanes(parallel_kinds)
        with ThreadPoolExecutor(len(lanes), thread_name_prefix="kinerja-lane") as threads:
            for done in [threads.submit(lane, kinds) for kinds in lanes]:
                done.result()
        report.opd_status = _assess(config, period, opds, outcome)
        with session_scope(engine) as s:
            qdb.set_opd_status(s, period, report.opd_status)
    finally:
        if pool is not None:
            pool.shutdown()
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
    engine: Engine,
    period: str,
    kind: str,
    name: str,
    served: list[str],
    fetcher: Fetcher,
    register: Register,
    policy: Policy,
    context: str,
    report: GatherReport,
    outcome: dict[tuple[str, str], LoadResult | None],
    workers: int,
    writer: Writer,
    pool: ProcessPoolExecutor | None = None,
) -> None:
    cfg = fetcher.source(name)
    per_opd = (cfg.type == "http" and cfg.per_opd) or cfg.files_per_opd
    if per_opd and pool is not None:
        futures = {o: pool.submit(_worker_unit, period, kind, name, o) for o in served}
        for unit, fut in futures.items():
            done, failure = fut.result()
            report.results.append(done)
            if failure is not None:
                report.failures.append(f"{kind} for OPD {unit}: {failure}")
            outcome[(kind, unit)] = done
        return

    def load(
        opd: str | None, raw: pd.DataFrame, check_opd: str | None, received: str | None
    ) -> None:
        now = _now()
        try:
            checked = _check(kind, raw, register, policy, check_opd, opd, served)
        except Exception as exc:  # one bad delivery must not stop the month
            log.exception("checking %s for OPD %s from %r failed", kind, opd, name)
            fail(opd, f"source {name!r}: checking {kind} failed: {exc}", _own(opd))
            return
        writer.submit(store, opd, raw, checked, received, now)

    def store(
        opd: str | None, raw: pd.DataFrame, checked: Checked, received: str | None, now: datetime
    ) -> None:
        try:
            result = store_delivery(
                engine,
                period=period,
                kind=kind,
                source=name,
                opd=opd,
                raw=raw,
                checked=checked,
                register=register,
                context=context,
                now=now,
                received=received,
            )
        except Exception as exc:  # one bad delivery must not stop the month
            log.exception("loading %s for OPD %s from %r failed", kind, opd, name)
            record_failed(opd, f"source {name!r}: loading {kind} failed: {exc}", _own(opd))
            return
        report.results.append(result)
        if opd is not None:
            outcome[(kind, opd)] = result

    def fail(opd: str | None, error: str, opds: list[str]) -> None:
        writer.submit(record_failed, opd, error, opds)

    def record_failed(opd: str | None, error: str, opds: list[str]) -> None:
        """Record a failed delivery; `opds` are the OPDs left without this kind's data."""
        report.failures.append(f"{kind} for OPD {opd or '(all)'}: {error}")
        with session_scope(engine) as s:
            result = record_failure(
                s, period=period, kind=kind, source=name, opd=opd, error=error, now=_now()
            )
        report.results.append(result)
        for o in opds:
            outcome[(kind, o)] = result

    if per_opd:
        units: list[str | None] = list(served)
        for opd, raw, exc in _prefetch(
            lambda u: fetcher.fetch(name, kind, period, u), units, workers
        ):
            if exc is not None or raw is None:
                fail(opd, str(exc), _own(opd))
            else:
                load(opd, raw, opd, raw.attrs.get("digest"))
        return
    try:
        whole = fetcher.fetch(name, kind, period, None)
    except Exception as exc:  # the whole delivery is missing: every OPD it serves lacks it
        fail(None, str(exc), served)
        return
    digest = whole.attrs.get("digest")
    # the delivery's bytes plus the OPD: unchanged file, unchanged parts
    parts = (
        (o, part, f"{digest}|{o}" if digest else None)
        for o, part in _split(whole, register, served)
    )
    if pool is not None:
        _parts_in_workers(pool, period, kind, name, served, parts, report, outcome)
        return
    for opd, part, received in parts:
        load(opd, part, None, received)


def _own(opd: str | None) -> list[str]:
    """OPDs a part's failure leaves without data: its own; leftovers (None) are nobody's."""
    return [] if opd is None else [opd]


def _check(
    kind: str,
    raw: pd.DataFrame,
    register: Register,
    policy: Policy,
    check_opd: str | None,
    opd: str | None,
    served: list[str],
) -> Checked:
    """check_delivery; a part that is no served OPD's (leftovers of a whole file) is refused."""
    checked = check_delivery(kind, raw, register, policy, check_opd)
    if opd is None or opd not in register.opds:
        checked = _not_served(checked, raw, register, served)
    return checked


def _parts_in_workers(
    pool: ProcessPoolExecutor,
    period: str,
    kind: str,
    name: str,
    served: list[str],
    parts: Iterator[tuple[str | None, pd.DataFrame, str | None]],
    report: GatherReport,
    outcome: dict[tuple[str, str], LoadResult | None],
) -> None:
    """A whole delivery's OPD parts checked and stored by the worker processes, in order.

    A few parts at a time are in flight: each is a copy of its rows on its way to a worker.
    """
    pending: deque[tuple[str | None, Future[tuple[LoadResult, str | None]]]] = deque()

    def collect() -> None:
        opd, fut = pending.popleft()
        done, failure = fut.result()
        report.results.append(done)
        if failure is not None:
            report.failures.append(f"{kind} for OPD {opd or '(all)'}: {failure}")
        if opd is not None:
            outcome[(kind, opd)] = done

    for opd, part, received in parts:
        while len(pending) >= PARTS_IN_FLIGHT:
            collect()
        job = pool.submit(_worker_part, period, kind, name, opd, part, received, served)
        pending.append((opd, job))
    while pending:
        collect()


_WORKER: dict[str, Any] = {}
PARTS_IN_FLIGHT = 4  # parts of a file on their way to the workers: bounds the copies in memory


def _init_worker(
    url: str, config: SourcesConfig, register: Register, policy: Policy, context: str
) -> None:
    """Per worker process: its own engine and HTTP sessions, the shared checking context."""
    from kinerja.db.session import make_engine

    _WORKER.update(
        engine=make_engine(url, immediate=True),  # writers in several processes take turns
        fetcher=Fetcher(config, policy.nip.length),
        register=register,
        policy=policy,
        context=context,
    )


def _worker_unit(period: str, kind: str, name: str, opd: str) -> tuple[LoadResult, str | None]:
    """Fetch, check and load one OPD's delivery in a worker process."""
    try:
        raw = _WORKER["fetcher"].fetch(name, kind, period, opd)
        checked = check_delivery(kind, raw, _WORKER["register"], _WORKER["policy"], opd)
        return _store_in_worker(period, kind, name, opd, raw, checked, raw.attrs.get("digest"))
    except Exception as exc:  # recorded like any failed delivery; the month goes on
        return _failed_in_worker(period, kind, name, opd, str(exc))


def _worker_part(
    period: str,
    kind: str,
    name: str,
    opd: str | None,
    part: pd.DataFrame,
    received: str | None,
    served: list[str],
) -> tuple[LoadResult, str | None]:
    """Check and load one OPD's part of a whole delivery (a file) in a worker process."""
    step = "checking"
    try:
        checked = _check(kind, part, _WORKER["register"], _WORKER["policy"], None, opd, served)
        step = "loading"
        return _store_in_worker(period, kind, name, opd, part, checked, received)
    except Exception as exc:  # recorded like any failed delivery; the month goes on
        log.exception("%s %s for OPD %s from %r failed", step, kind, opd, name)
        return _failed_in_worker(
            period, kind, name, opd, f"source {name!r}: {step} {kind} failed: {exc}"
        )


def _store_in_worker(
    period: str,
    kind: str,
    name: str,
    opd: str | None,
    raw: pd.DataFrame,
    checked: Checked,
    received: str | None,
) -> tuple[LoadResult, str | None]:
    result = store_delivery(
        _WORKER["engine"],
        period=period,
        kind=kind,
        source=name,
        opd=opd,
        raw=raw,
        checked=checked,
        register=_WORKER["register"],
        context=_WORKER["context"],
        now=_now(),
        received=received,
    )
    return result, None


def _failed_in_worker(
    period: str, kind: str, name: str, opd: str | None, error: str
) -> tuple[LoadResult, str | None]:
    with session_scope(_WORKER["engine"]) as s:
        failed = record_failure(
            s, period=period, kind=kind, source=name, opd=opd, error=error, now=_now()
        )
    return failed, error


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


def _not_served(
    checked: Checked, raw: pd.DataFrame, register: Register, served: list[str]
) -> Checked:
    """Leftover rows whose NIP is known but whose OPD this source does not serve: rejected."""
    valid = checked.valid
    if valid.empty:
        return checked
    opd_of = valid["nip"].map(register.nip_to_opd())
    stray = opd_of.notna() & ~opd_of.isin(served)
    if not stray.any():
        return checked
    moved = raw.iloc[valid.loc[stray, "_pos"].to_numpy()].copy()
    moved["row_key"] = valid.loc[stray, "nip"].to_numpy()
    moved["reason"] = UNKNOWN_OPD
    moved["detail"] = [
        f"nip {n} belongs to OPD {o}, which this source does not serve"
        for n, o in zip(valid.loc[stray, "nip"], opd_of[stray], strict=True)
    ]
    rejected = pd.concat([checked.rejected, moved], ignore_index=True)
    by_reason = dict(checked.by_reason)
    by_reason[UNKNOWN_OPD] = by_reason.get(UNKNOWN_OPD, 0) + int(stray.sum())
    return Checked(
        kind=checked.kind,
        valid=valid[~stray].reset_index(drop=True),
        rejected=rejected,
        received=checked.received,
        by_reason=by_reason,
    )


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

"""How units are executed: one after another, pipelined in threads, or in worker processes.

Every executor takes jobs (sources.units.Fetch / Part) and yields one Gathered per job, in
the order given, with memory bounded by how many are in flight. What a unit does is
sources.units.gather_unit's; these only decide where and when it runs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Protocol

from kinerja.processes import process_pool
from kinerja.sources.units import (
    Fetch,
    Fetched,
    Fetches,
    Gathered,
    Job,
    UnitGatherer,
    gather_unit,
    now,
)

PARTS_IN_FLIGHT = 4  # parts of a file on their way to the workers: bounds the copies in memory


class UnitExecutor(Protocol):
    """Runs units; yields what each came to, in the order the jobs were given."""

    def run(self, jobs: Iterable[Job]) -> Iterator[Gathered]: ...


class SerialExecutor:
    """Each unit fetched, checked and stored before the next one starts."""

    def __init__(self, gatherer: UnitGatherer) -> None:
        self.gatherer = gatherer

    def run(self, jobs: Iterable[Job]) -> Iterator[Gathered]:
        for job in jobs:
            yield gather_unit(self.gatherer, job)


class ThreadedExecutor:
    """One process, three stages at once: units are fetched ahead in threads (I/O), checked
    in the caller's thread, and stored by one background writer thread.

    The database works (COPY, index upkeep, commit) on its own core while this process checks
    the next unit; one writer keeps SQLite's single-writer rule and the order of stores. At
    most `depth` stores wait, which bounds memory. Use it as a context manager.
    """

    def __init__(self, gatherer: UnitGatherer, fetch_threads: int = 2, depth: int = 2) -> None:
        self.gatherer = gatherer
        self.fetch_threads = max(1, fetch_threads)
        self.depth = depth
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kinerja-store")

    def __enter__(self) -> ThreadedExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let every queued store finish (each is its own transaction), then stop the thread."""
        self._writer.shutdown(wait=True)

    def run(self, jobs: Iterable[Job]) -> Iterator[Gathered]:
        pending: deque[Future[Gathered]] = deque()
        for job, fetched, error in self._prefetch(jobs):
            if fetched is None:
                pending.append(self._writer.submit(self.gatherer.fail, job, error))
            else:
                at = now()
                checked = self.gatherer.checked_or_failed(fetched)
                if isinstance(checked, str):
                    pending.append(self._writer.submit(self.gatherer.fail, job, checked))
                else:
                    pending.append(self._writer.submit(self.gatherer.store, fetched, checked, at))
            while len(pending) > self.depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def _prefetch(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Fetched | None, str]]:
        """Fetch units ahead in threads while the caller checks earlier ones; a part of a
        whole delivery is in hand already."""
        with ThreadPoolExecutor(self.fetch_threads, thread_name_prefix="kinerja-fetch") as pool:
            ahead: deque[tuple[Job, Future[Fetched]]] = deque()
            it = iter(jobs)

            def more() -> None:
                for job in it:
                    ahead.append((job, pool.submit(self.gatherer.fetch, job)))
                    if not isinstance(job, Fetch) or len(ahead) >= self.fetch_threads:
                        return

            more()
            while ahead:
                job, fut = ahead.popleft()
                more()
                try:
                    yield job, fut.result(), ""
                except Exception as exc:  # a failing unit must not stop the others
                    yield job, None, str(exc)


_WORKER: dict[str, UnitGatherer] = {}


def _init_worker(gatherer: UnitGatherer, url: str, make_fetcher: Callable[[], Fetches]) -> None:
    """Per worker process: its own database writer and HTTP sessions, the shared context."""
    from kinerja.sources.load import DeliveryWriter

    gatherer.fetcher = make_fetcher()
    gatherer.writer = DeliveryWriter.for_processes(url)  # writers in processes take turns
    _WORKER["gatherer"] = gatherer


def _work(job: Job) -> Gathered:
    return gather_unit(_WORKER["gatherer"], job)


class ProcessExecutor:
    """Units gathered whole (fetched, checked, stored) by worker processes, in order.

    Each worker opens the database itself; on SQLite they take turns to write, so one checks
    a delivery while another writes. A few parts of a whole delivery are in flight at a time:
    each is a copy of its rows on its way to a worker. Use it as a context manager.
    """

    def __init__(
        self,
        gatherer: UnitGatherer,
        url: str,
        workers: int,
        make_fetcher: Callable[[], Fetches],
    ) -> None:
        """`make_fetcher` (picklable) builds each worker's fetcher: sessions are per process."""
        template = UnitGatherer(
            period=gatherer.period,
            register=gatherer.register,
            policy=gatherer.policy,
            context=gatherer.context,
            fetcher=None,  # type: ignore[arg-type]  # both set in each worker
            writer=None,  # type: ignore[arg-type]
        )
        self._pool: ProcessPoolExecutor = process_pool(
            workers, _init_worker, (template, url, make_fetcher)
        )

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown()

    def run(self, jobs: Iterable[Job]) -> Iterator[Gathered]:
        pending: deque[Future[Gathered]] = deque()
        for job in jobs:
            # parts carry their rows: only a few at a time; fetches carry a name and go at once
            while not isinstance(job, Fetch) and len(pending) >= PARTS_IN_FLIGHT:
                yield pending.popleft().result()
            pending.append(self._pool.submit(_work, job))
        while pending:
            yield pending.popleft().result()

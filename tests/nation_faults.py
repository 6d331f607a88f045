"""Fault injection for the national tests, imported by Dask worker processes: a worker that
dies (os._exit) right after committing its n-th delivery, once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def gather_dying_once(agency: Any, period: str, policy: str, marker: str, after: int) -> Any:
    """gather_agency, but the first worker to run it exits after `after` stored deliveries."""
    from kinerja.sources import load
    from kinerja.sources.agencies import gather_agency

    original = load.DeliveryWriter.store
    stored = 0

    def store(self: Any, **kwargs: Any) -> Any:
        nonlocal stored
        out = original(self, **kwargs)
        stored += 1
        if stored == after and not Path(marker).exists():
            Path(marker).write_text(str(os.getpid()))
            os._exit(1)  # the worker dies mid-partition, its deliveries so far committed
        return out

    load.DeliveryWriter.store = store  # type: ignore[method-assign]
    try:
        return gather_agency(agency, period, policy)
    finally:
        load.DeliveryWriter.store = original  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    """python -m tests.nation_faults URL SOURCES MARKER AFTER: the agency's gathering on a
    one-worker LocalCluster whose worker dies once; prints the report as JSON."""
    import json

    from distributed import Client, LocalCluster

    from kinerja.sources.agencies import Agency

    url, sources, marker, after = argv
    agency = Agency(code="KILLED", name="KILLED", database_url=url, sources_config=Path(sources))
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        future = client.submit(
            gather_dying_once, agency, "2025-10", "jabar", marker, int(after), pure=False
        )
        print(json.dumps(future.result(timeout=240)))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])

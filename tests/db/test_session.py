"""Engines: SQLite writers in several processes take turns, each reading what it then writes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import Engine, text

from kinerja.db.session import make_engine


def _table(url: str) -> None:
    setup = make_engine(url)
    with setup.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    setup.dispose()


def _read_then_write(engine: Engine) -> int:
    """A transaction that reads, then writes: the shape of storing a delivery."""
    with engine.begin() as conn:
        before = conn.execute(text("SELECT count(*) FROM t")).scalar_one()
        conn.execute(text("INSERT INTO t VALUES (2)"))
    return int(before)


def test_immediate_transactions_wait_their_turn_and_see_the_other_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'immediate.db'}"
    _table(url)
    first, second = make_engine(url, immediate=True), make_engine(url, immediate=True)
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with first.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            holding.set()
            release.wait(timeout=10)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holding.wait(timeout=10)
    threading.Timer(0.3, release.set).start()
    t0 = time.monotonic()
    seen = _read_then_write(second)  # begins while the other one writes
    holder.join()
    assert time.monotonic() - t0 >= 0.25  # it waited for the lock instead of failing
    assert seen == 1  # and began after the other commit, so it read it
    with second.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 2

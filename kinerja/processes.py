"""Worker processes for a month's heavy steps (gathering, reading it back): when and how."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import Engine

# Below this many employees a month is read and written in seconds: starting processes
# (a fresh interpreter importing pandas and SQLAlchemy, ~2 s of CPU each) would cost more.
PROCESSES_FROM = 5_000


def worker_count(engine: Engine, employees: int) -> int:
    """How many worker processes a month of `employees` gets on this database (1: none).

    Workers open the database by URL, so an in-memory SQLite database keeps to this process.
    """
    from kinerja.settings import get_settings

    if employees < PROCESSES_FROM or engine.url.database in (None, "", ":memory:"):
        return 1
    return get_settings().worker_processes


def engine_url(engine: Engine) -> str:
    """The engine's URL for a worker, password included: it travels over a pipe, never logged."""
    return engine.url.render_as_string(hide_password=False)


def process_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A pool of fresh interpreters: forking a process that runs threads (Prefect's) is unsafe."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("spawn"),
        initializer=initializer,
        initargs=initargs,
    )

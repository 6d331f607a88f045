"""Engines and sessions: built on demand from a URL, never at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Execution option: on an `immediate` SQLite engine, this connection's transactions begin
# deferred (they take no write lock on the database until they write to it).
DEFERRED = "kinerja_sqlite_deferred"


def make_engine(url: str, *, immediate: bool = True, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets its folder created, foreign keys and a busy timeout.

    `immediate` (SQLite, the default): every transaction takes the write lock when it begins
    (BEGIN IMMEDIATE), and writers in several processes take turns on the busy timeout. What
    a transaction reads (the rows a delivery is compared with, "is this review decided?")
    then cannot change before it writes; a deferred transaction that read first and writes
    second fails at once with "database is locked" when another one wrote meanwhile. Only
    engines that never write (the month's parallel readers) pass `immediate=False`.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)
        _make_sqlite_transactional(engine, immediate=immediate)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _make_sqlite_transactional(engine: Engine, *, immediate: bool) -> None:
    """Let SQLAlchemy, not the sqlite3 driver, begin every transaction.

    The driver on its own begins a transaction only before its first INSERT/UPDATE/DELETE, so
    a SAVEPOINT opened before any other write starts a transaction of its own and its RELEASE
    commits it: two `begin_nested()` blocks followed by an error would leave both rows
    committed. SQLAlchemy's pysqlite recipe ("Serializable isolation / Savepoints /
    Transactional DDL") turns the driver's handling off and emits BEGIN itself, so every
    session is all-or-nothing, savepoints included, as on PostgreSQL.
    """

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not begin on its own
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        # WAL lets the portal read while a flow writes.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # a connection marked `deferred` only reads (or writes TEMP tables): it must not
        # queue for the write lock
        deferred = conn.get_execution_options().get(DEFERRED, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate and not deferred else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(bind: Engine | Connection) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error (on an engine or a connection)."""
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

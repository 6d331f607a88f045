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


def make_engine(url: str, *, immediate: bool = False, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets its folder created, foreign keys and a busy timeout.

    `immediate` (SQLite): every transaction takes the write lock when it begins (BEGIN
    IMMEDIATE), and writers in several processes take turns on the busy timeout. What a
    transaction reads (the rows a delivery is compared with) then cannot change before it
    writes: the driver otherwise begins only at the first write, and reads before that see
    whatever other processes commit meanwhile.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # WAL lets the portal read while a flow writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()
            if immediate:  # the driver must not begin on its own: SQLAlchemy emits BEGIN
                dbapi_conn.isolation_level = None

        if immediate:

            @event.listens_for(engine, "begin")
            def _begin_immediate(conn: Any) -> None:
                # a connection marked `deferred` only reads (or writes TEMP tables): it must
                # not queue for the write lock
                deferred = conn.get_execution_options().get(DEFERRED, False)
                conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


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

"""Engines and sessions: built on demand from a URL, never at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


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
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    session = make_session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

"""Exactly once across a crash: a send interrupted after delivery is "uncertain", then resent
with the same idempotency key, never silently twice."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kinerja.db.models import Notification
from kinerja.liveness import process_mark
from kinerja.notifications.service import finish_interrupted
from tests.notifications.servers import HttpReceiver
from tests.notifications.test_service import NIP, _employee, _send, _settings

CHILD = textwrap.dedent(
    """
    import sys
    from sqlalchemy.orm import Session
    from kinerja.db.session import make_engine
    from tests.notifications.test_service import _send, _settings
    from pathlib import Path

    url, hook, out = sys.argv[1:4]
    settings = _settings(Path(out), notification_channels=["webhook"], webhook_url=hook)
    with Session(make_engine(url)) as s:
        _send(s, settings)
    """
)


def _crash_after_delivery(engine: Engine, hook: HttpReceiver, tmp_path: Path) -> int:
    """notify() in a process that dies (SIGKILL) once the webhook accepted the warning."""
    url = engine.url.render_as_string(hide_password=False)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, url, hook.url, str(tmp_path)],
        env={**os.environ, "KINERJA_FAULT_POINT": "warning_sent"},
        cwd=Path(__file__).resolve().parents[2],
        start_new_session=True,  # the fault point kills its process group, not this one
        timeout=60,
    )
    return proc.returncode


def _row(session: Session) -> Notification:
    session.expire_all()
    (row,) = session.scalars(select(Notification)).all()
    return row


def test_a_send_cut_off_after_delivery_is_uncertain_and_resent_with_the_same_key(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    _employee(session)
    with HttpReceiver() as hook:
        assert _crash_after_delivery(engine, hook, tmp_path) == -9
        assert len(hook.received) == 1  # it did reach the channel
        row = _row(session)
        assert row.status == "sending" and row.claimed_by and row.uncertain_at is None
        settings = _settings(tmp_path, notification_channels=["webhook"], webhook_url=hook.url)
        # Its process is gone: not after 15 minutes, at once; recorded, then sent again.
        (again,) = _send(session, settings)
        assert again.status == "sent" and again.uncertain_at is not None
        assert len(hook.received) == 2
        keys = [h["Idempotency-Key"] for h in hook.headers]
        assert keys == [f"warning:2025-10:OPD1:{NIP}"] * 2  # the channel can drop the repeat
        assert hook.received[0]["message"] == hook.received[1]["message"]
        _send(session, settings)  # and never a third time
        assert len(hook.received) == 2


def test_a_claim_of_a_live_process_is_left_and_the_sweeper_finishes_a_dead_one(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    _employee(session)
    with HttpReceiver() as hook:
        settings = _settings(tmp_path, notification_channels=["webhook"], webhook_url=hook.url)
        assert _crash_after_delivery(engine, hook, tmp_path) == -9
        row = _row(session)
        dead = row.claimed_by
        row.claimed_by = process_mark()  # as if this (live) process were sending it
        session.commit()
        assert finish_interrupted(session, settings) == []
        assert [r.status for r in _send(session, settings)] == ["sending"]
        assert len(hook.received) == 1
        row = _row(session)
        row.claimed_by = dead
        session.commit()
        (done,) = finish_interrupted(session, settings)
        assert done.status == "sent" and done.uncertain_at is not None
        assert [h["Idempotency-Key"] for h in hook.headers] == [f"warning:2025-10:OPD1:{NIP}"] * 2
        assert finish_interrupted(session, settings) == []

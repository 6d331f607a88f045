"""The portal served for real (uvicorn on 127.0.0.1) and links read from sent notifications."""

from __future__ import annotations

import re
import socket
import threading
import time

import uvicorn
from sqlalchemy import Engine, select

from kinerja.db.models import Notification
from kinerja.db.session import session_scope

LINK_RE = re.compile(r"https?://[^\s\"'<>]+/l/[A-Za-z0-9_.\-]+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LivePortal:
    """`kinerja portal` in a thread: the same app on a real socket."""

    def __init__(self, app: object, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.thread.start()
        end = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > end:
                raise RuntimeError("portal did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def link_sent(engine: Engine, event_prefix: str, timeout: float = 60) -> str:
    """The portal link in the newest notification whose event key starts with the prefix."""
    end = time.monotonic() + timeout
    while True:
        with session_scope(engine) as s:
            rows = s.scalars(
                select(Notification)
                .where(Notification.event_key.startswith(event_prefix))
                .order_by(Notification.id.desc())
            ).all()
            for row in rows:
                found = LINK_RE.search(row.body)
                if found:
                    return found.group(0)
        if time.monotonic() > end:
            raise AssertionError(f"no notification with a portal link for {event_prefix}")
        time.sleep(0.5)

"""Is the process that claimed some work still alive? "host:pid" marks, checked on this host."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable


def process_mark(host: str | None = None, pid: int | None = None) -> str:
    """This process as a claim or a run records it: "host:pid"."""
    return f"{host or socket.gethostname()}:{pid or os.getpid()}"


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def process_gone(
    mark: str | None, host: str | None = None, alive: Callable[[int], bool] = pid_alive
) -> bool:
    """True only when `mark` names a process of this host that no longer exists.

    A mark of another host, or no mark, is never judged here (False): the caller falls back
    to its own time limit (a stale claim, Prefect's heartbeats).
    """
    if not mark or ":" not in mark:
        return False
    where, _, pid = mark.rpartition(":")
    if where != (host or socket.gethostname()) or not pid.isdigit():
        return False
    return not alive(int(pid))

"""Task: send one notification through notifications.service.notify (never raises on a channel)."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task

from kinerja.db.session import session_scope
from kinerja.tasks.common import engine


@task
def send_notification(
    event_key: str,
    recipient_role: str,
    recipient: str,
    template: str,
    context: dict[str, Any],
    period: str | None = None,
) -> list[dict[str, Any]]:
    """Send and return one status per channel; retries happen inside notify, per channel.

    notify commits its own session here (see notifications.service.notify).
    """
    from kinerja.notifications.service import notify

    with session_scope(engine()) as session:
        rows = notify(
            session,
            event_key=event_key,
            recipient_role=recipient_role,
            recipient=recipient,
            template=template,
            context=context,
            period=period,
        )
        out = [
            {"channel": r.channel, "status": r.status, "attempts": r.attempts, "error": r.error}
            for r in rows
        ]
    for r in out:
        if r["status"] == "failed":
            get_run_logger().warning("%s via %s failed: %s", event_key, r["channel"], r["error"])
        elif r["status"] != "sent":
            # "sending": another process claimed this send and is delivering it.
            get_run_logger().info("%s via %s: %s elsewhere", event_key, r["channel"], r["status"])
    return out

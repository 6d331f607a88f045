"""File outbox for the demo: each message becomes a JSON file under out/notifications/."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from kinerja.notifications.base import Notifier, OutgoingMessage
from kinerja.notifications.registry import register_channel
from kinerja.settings import Settings


def safe_name(text: str) -> str:
    """A file-system safe name for an event key."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:150] or "message"


class FileOutboxNotifier(Notifier):
    """Writes out/notifications/<period>/<event>.json atomically (write then rename)."""

    name = "file"

    def __init__(self, settings: Settings) -> None:
        self.root = Path(settings.out_dir) / "notifications"

    def path_for(self, message: OutgoingMessage) -> Path:
        return self.root / (message.period or "umum") / f"{safe_name(message.event_key)}.json"

    def send(self, message: OutgoingMessage) -> None:
        path = self.path_for(message)
        path.parent.mkdir(parents=True, exist_ok=True)
        r = message.recipient
        data = {
            "event_key": message.event_key,
            "template": message.template,
            "period": message.period,
            "to": {"role": r.role, "id": r.id, "name": r.name, "email": r.email, "phone": r.phone},
            "subject": message.subject,
            "body": message.body,
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)


@register_channel("file")
def _factory(settings: Settings) -> Notifier:
    return FileOutboxNotifier(settings)

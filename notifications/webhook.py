"""JSON webhook (requests): the shape WhatsApp gateways and chat tools accept."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from kinerja.notifications.base import (
    DeliveryError,
    Notifier,
    OutgoingMessage,
    PermanentDeliveryError,
)
from kinerja.notifications.registry import register_channel
from kinerja.settings import Settings


def payload(message: OutgoingMessage) -> dict[str, Any]:
    """The JSON body: top-level phone/message/text for gateways, details for everyone else."""
    r = message.recipient
    return {
        "event_key": message.event_key,
        "template": message.template,
        "period": message.period,
        "phone": r.phone,
        "email": r.email,
        "message": f"{message.subject}\n\n{message.body}",
        "text": f"*{message.subject}*\n\n{message.body}",
        "subject": message.subject,
        "recipient": {"role": r.role, "id": r.id, "name": r.name},
    }


def redact_url(url: str) -> str:
    """Only scheme://host/…: gateways put tokens in the path or query of the URL."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme or '?'}://{host}/…"


def scrub(text: str, url: str) -> str:
    """Remove the URL, and its path and query on their own, from an error text."""
    parts = urlsplit(url)
    secret_parts = [url, parts.path + ("?" + parts.query if parts.query else ""), parts.query]
    if parts.password:
        secret_parts.append(parts.password)
    for part in sorted(secret_parts, key=len, reverse=True):
        if part and part != "/":
            text = text.replace(part, redact_url(url) if part == url else "/…")
    return text


class WebhookNotifier(Notifier):
    """POSTs JSON; 5xx/timeouts are retried, other non-2xx answers are permanent."""

    name = "webhook"

    def __init__(self, settings: Settings) -> None:
        self.url = settings.webhook_url.get_secret_value() if settings.webhook_url else ""
        self.token = settings.webhook_token
        self.timeout = settings.webhook_timeout

    def send(self, message: OutgoingMessage) -> None:
        if not self.url:
            raise PermanentDeliveryError("KINERJA_WEBHOOK_URL is not set")
        headers = {"Idempotency-Key": message.event_key}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token.get_secret_value()}"
        try:
            resp = requests.post(
                self.url, json=payload(message), headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            # `from None`: the chained exception would carry the URL into tracebacks and logs.
            detail = scrub(f"{type(exc).__name__}: {exc}", self.url)
            raise DeliveryError(f"webhook {redact_url(self.url)}: {detail}") from None
        where = redact_url(self.url)
        answer = scrub(resp.text[:200], self.url)
        if resp.status_code >= 500 or resp.status_code == 429:
            raise DeliveryError(f"webhook {where} HTTP {resp.status_code}: {answer}")
        if resp.status_code >= 300:
            raise PermanentDeliveryError(f"webhook {where} HTTP {resp.status_code}: {answer}")


@register_channel("webhook")
def _factory(settings: Settings) -> Notifier:
    return WebhookNotifier(settings)

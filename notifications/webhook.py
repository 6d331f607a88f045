"""JSON webhook (requests): the shape WhatsApp gateways and chat tools accept."""

from __future__ import annotations

from typing import Any

import requests

from kinerja.settings import Settings
from notifications.base import DeliveryError, Notifier, OutgoingMessage, PermanentDeliveryError
from notifications.registry import register_channel


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


class WebhookNotifier(Notifier):
    """POSTs JSON; 5xx/timeouts are retried, other non-2xx answers are permanent."""

    name = "webhook"

    def __init__(self, settings: Settings) -> None:
        self.url = settings.webhook_url
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
            raise DeliveryError(f"webhook {self.url}: {type(exc).__name__}: {exc}") from exc
        if resp.status_code >= 500 or resp.status_code == 429:
            raise DeliveryError(f"webhook HTTP {resp.status_code}: {resp.text[:200]}")
        if resp.status_code >= 300:
            raise PermanentDeliveryError(f"webhook HTTP {resp.status_code}: {resp.text[:200]}")


@register_channel("webhook")
def _factory(settings: Settings) -> Notifier:
    return WebhookNotifier(settings)

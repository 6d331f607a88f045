"""The one Notifier interface every channel implements, and the message it sends."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


class DeliveryError(Exception):
    """A send failed; worth retrying (server down, timeout, 5xx, temporary SMTP error)."""


class PermanentDeliveryError(DeliveryError):
    """A send cannot succeed by retrying (no address for the recipient, 4xx from a gateway)."""


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: an id (NIP or office address) and whatever contacts we know."""

    role: str
    id: str
    name: str = ""
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message, ready for any channel."""

    event_key: str
    recipient: Recipient
    subject: str
    body: str
    period: str | None = None
    template: str = ""
    meta: dict[str, str] = field(default_factory=dict)


class Notifier(ABC):
    """A channel: email, webhook, file outbox. `send` returns on success, raises on failure."""

    name: str = ""

    @abstractmethod
    def send(self, message: OutgoingMessage) -> None:
        """Deliver one message; raise DeliveryError (or any exception) if it was not delivered."""

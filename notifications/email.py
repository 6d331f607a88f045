"""Email over SMTP (smtplib): plain-text UTF-8 messages, one per recipient."""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from kinerja.notifications.base import (
    DeliveryError,
    Notifier,
    OutgoingMessage,
    PermanentDeliveryError,
)
from kinerja.notifications.registry import register_channel
from kinerja.settings import Settings


class SmtpNotifier(Notifier):
    """Sends through an SMTP server; 5xx replies are permanent, everything else is retried."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.sender = settings.smtp_sender
        self.username = settings.smtp_username
        self.password = settings.smtp_password
        self.starttls = settings.smtp_starttls
        self.timeout = settings.smtp_timeout

    def build(self, message: OutgoingMessage) -> EmailMessage:
        to = message.recipient.email
        if not to:
            raise PermanentDeliveryError(
                f"no email address for {message.recipient.role} {message.recipient.id}"
            )
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = formataddr((message.recipient.name, to)) if message.recipient.name else to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        # A stable Message-ID lets mail servers and clients drop an accidental resend.
        digest = hashlib.sha256(message.event_key.encode()).hexdigest()[:32]
        domain = self.sender.rsplit("@", 1)[-1]
        mail["Message-ID"] = f"<{digest}@{domain}>"
        mail["X-Kinerja-Event"] = message.event_key
        mail.set_content(message.body)
        return mail

    def send(self, message: OutgoingMessage) -> None:
        mail = self.build(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username and self.password:
                    smtp.login(self.username, self.password.get_secret_value())
                smtp.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            text = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentDeliveryError(text) from exc
            raise DeliveryError(text) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"SMTP refused recipients: {exc.recipients!r}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc


@register_channel("email")
def _factory(settings: Settings) -> Notifier:
    return SmtpNotifier(settings)

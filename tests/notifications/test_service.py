"""notify() against a real SMTP server and a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kinerja.db.models import Employee, Notification
from kinerja.db.session import make_engine
from kinerja.notifications.service import CLAIM_STALE_AFTER, notify, notify_role
from kinerja.settings import Settings
from tests.notifications.servers import HttpReceiver, SmtpServer, free_port

NIP = "198001012005011001"


def _settings(tmp_path: Path, **kw: Any) -> Settings:
    base: dict[str, Any] = {
        "notification_channels": ["email", "webhook"],
        "notify_max_attempts": 3,
        "notify_backoff_base": 0.01,
        "out_dir": tmp_path / "out",
        "recipients_config": None,
        "smtp_timeout": 3.0,
        "webhook_timeout": 3.0,
    }
    base.update(kw)
    return Settings(**base)


def _employee(session: Session, email: str | None = "budi@example.go.id") -> None:
    session.add(
        Employee(nip=NIP, name="Budi Santoso", status="PNS", email=email, phone="6281234567890")
    )
    session.commit()


def _warning_ctx() -> dict[str, Any]:
    return {
        "recipient_name": "Budi Santoso",
        "opd_name": "Dinas Perhubungan",
        "indicators": [{"label": "Kehadiran", "value": 41.5}],
        "reason": "Sering terlambat",
        "deadline": datetime(2025, 11, 7, 16, 0),
        "link": "http://127.0.0.1:8100/l/abc",
    }


def _send(session: Session, settings: Settings, key: str = "warning:2025-10:OPD1:" + NIP):
    return notify(
        session,
        event_key=key,
        recipient_role="employee",
        recipient=NIP,
        template="warning",
        context=_warning_ctx(),
        period="2025-10",
        settings=settings,
    )


def test_delivers_by_email_and_webhook(session: Session, tmp_path: Path) -> None:
    _employee(session)
    with SmtpServer() as smtp, HttpReceiver() as hook:
        settings = _settings(
            tmp_path, smtp_port=smtp.port, webhook_url=hook.url, webhook_token=SecretStr("tok")
        )
        rows = _send(session, settings)
    assert [(r.channel, r.status, r.attempts) for r in rows] == [
        ("email", "sent", 1),
        ("webhook", "sent", 1),
    ]
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert "budi@example.go.id" in mail["To"]
    assert "Surat peringatan" in mail["Subject"]
    text = mail.get_content()
    # The message says what to do and by when.
    assert "http://127.0.0.1:8100/l/abc" in text
    assert "Jumat, 7 November 2025 pukul 16.00 WIB" in text
    assert len(hook.received) == 1
    body = hook.received[0]
    assert body["phone"] == "6281234567890"
    assert "Batas waktu pembelaan" in body["message"]
    assert hook.headers[0]["Authorization"] == "Bearer tok"
    # The secret token is never stored in the log rows.
    stored = session.scalars(select(Notification)).all()
    assert all("tok" not in (r.body + (r.error or "")) for r in stored)


def test_retries_after_a_failure(session: Session, tmp_path: Path) -> None:
    _employee(session)
    with SmtpServer(fail_first=1) as smtp, HttpReceiver(fail_first=2) as hook:
        settings = _settings(tmp_path, smtp_port=smtp.port, webhook_url=hook.url)
        rows = _send(session, settings)
    assert [(r.channel, r.status, r.attempts) for r in rows] == [
        ("email", "sent", 2),
        ("webhook", "sent", 3),
    ]
    assert smtp.recorder.refused == 1 and len(smtp.messages) == 1
    assert hook.failed == 2 and len(hook.received) == 1


def test_no_duplicate_on_rerun(session: Session, tmp_path: Path) -> None:
    _employee(session)
    with SmtpServer() as smtp, HttpReceiver() as hook:
        settings = _settings(tmp_path, smtp_port=smtp.port, webhook_url=hook.url)
        first = _send(session, settings)
        second = _send(session, settings)
        # A different event for the same person is a new message.
        _send(session, settings, key="defence-reminder:2025-10:OPD1:" + NIP)
    assert [r.id for r in first] == [r.id for r in second]
    assert len(smtp.messages) == 2
    assert len(hook.received) == 2
    assert session.scalar(select(func.count()).select_from(Notification)) == 4


def test_dead_channel_is_recorded_and_does_not_stop_others(
    session: Session, tmp_path: Path
) -> None:
    _employee(session)
    dead_port = free_port()  # nothing listens here
    with HttpReceiver() as hook:
        settings = _settings(tmp_path, smtp_port=dead_port, webhook_url=hook.url)
        rows = _send(session, settings)
        assert [(r.channel, r.status) for r in rows] == [("email", "failed"), ("webhook", "sent")]
        email_row = rows[0]
        assert email_row.attempts == 3
        assert email_row.error and f"127.0.0.1:{dead_port}" in email_row.error
        # The mail server comes back: the next run delivers the failed email only.
        with SmtpServer() as smtp:
            settings = _settings(tmp_path, smtp_port=smtp.port, webhook_url=hook.url)
            rows = _send(session, settings)
        assert [(r.channel, r.status) for r in rows] == [("email", "sent"), ("webhook", "sent")]
        assert rows[0].attempts == 4
        assert len(smtp.messages) == 1
        assert len(hook.received) == 1


def test_missing_address_is_a_permanent_failure(session: Session, tmp_path: Path) -> None:
    _employee(session, email=None)
    with SmtpServer() as smtp:
        settings = _settings(tmp_path, smtp_port=smtp.port, notification_channels=["email"])
        (row,) = _send(session, settings)
    assert row.status == "failed" and row.attempts == 1
    assert "no email address" in (row.error or "")
    assert smtp.messages == []


def test_unknown_channel_is_recorded_as_failed(session: Session, tmp_path: Path) -> None:
    _employee(session)
    settings = _settings(tmp_path, notification_channels=["pigeon", "file"])
    rows = _send(session, settings)
    assert [(r.channel, r.status) for r in rows] == [("pigeon", "failed"), ("file", "sent")]
    assert "unknown notification channel" in (rows[0].error or "")


def test_bad_context_raises_before_anything_is_sent(session: Session, tmp_path: Path) -> None:
    _employee(session)
    settings = _settings(tmp_path, notification_channels=["file"])
    with pytest.raises(ValueError, match="needs context keys \\['link'\\]"):
        notify(
            session,
            event_key="x",
            recipient_role="employee",
            recipient=NIP,
            template="warning",
            context={k: v for k, v in _warning_ctx().items() if k != "link"},
            period="2025-10",
            settings=settings,
        )
    assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_office_roles_from_recipients_config(session: Session, tmp_path: Path) -> None:
    cfg = tmp_path / "recipients.yaml"
    cfg.write_text(
        "roles:\n"
        "  communications:\n"
        "    channels: [email, file]\n"
        "    addresses:\n"
        "      - {name: Humas Jabar, email: humas@example.go.id}\n"
        "      - {name: Diskominfo, email: kominfo@example.go.id}\n",
        encoding="utf-8",
    )
    with SmtpServer() as smtp:
        settings = _settings(tmp_path, smtp_port=smtp.port, recipients_config=cfg)
        for _ in range(2):
            rows = notify_role(
                session,
                event_key="drafts_ready:2025-10",
                role="communications",
                template="drafts_ready",
                context={"count": 4},
                period="2025-10",
                settings=settings,
            )
    assert sorted((r.recipient, r.channel, r.status) for r in rows) == [
        ("humas@example.go.id", "email", "sent"),
        ("humas@example.go.id", "file", "sent"),
        ("kominfo@example.go.id", "email", "sent"),
        ("kominfo@example.go.id", "file", "sent"),
    ]
    assert sorted(m["To"] for m in smtp.messages) == [
        "Diskominfo <kominfo@example.go.id>",
        "Humas Jabar <humas@example.go.id>",
    ]
    files = sorted((tmp_path / "out" / "notifications" / "2025-10").glob("*.json"))
    assert len(files) == 2
    data = json.loads(files[0].read_text(encoding="utf-8"))
    assert "4 draf pengumuman" in data["subject"]
    assert "kinerja drafts list --period 2025-10" in data["body"]


def test_invalid_recipients_config_names_the_field(tmp_path: Path) -> None:
    from kinerja.notifications.recipients import load_recipients_config

    cfg = tmp_path / "r.yaml"
    cfg.write_text("roles:\n  humas: {channels: [email]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="roles.humas"):
        load_recipients_config(cfg)


def test_shipped_example_recipients_config_is_valid() -> None:
    from kinerja.notifications.recipients import (
        channels_for,
        load_recipients_config,
        role_addresses,
    )

    path = Path(__file__).parents[2] / "notifications" / "recipients.example.yaml"
    cfg = load_recipients_config(path)
    settings = Settings(notification_channels=["file"])
    assert channels_for("head_of_opd", settings, cfg) == ["email", "webhook"]
    assert channels_for("coach", settings, cfg) == ["file"]  # not configured: the default
    assert role_addresses("communications", cfg)[0].email == "humas@example.go.id"


def test_webhook_url_never_leaks(
    session: Session, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _employee(session)
    dead_port = free_port()  # nothing listens here
    url = f"http://gw:SECRETPW@127.0.0.1:{dead_port}/hook/SECRET-PATH-TOKEN?key=SECRET-QUERY"
    settings = _settings(
        tmp_path, notification_channels=["webhook"], webhook_url=url, notify_max_attempts=2
    )
    assert "SECRET" not in repr(settings)
    with caplog.at_level("DEBUG"):
        (row,) = _send(session, settings)
    assert row.status == "failed"
    assert f"webhook http://127.0.0.1:{dead_port}/…" in (row.error or "")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "failed (try 1)" in logged
    for text in (row.error or "", row.body, logged):
        assert "SECRET" not in text


def test_two_processes_notifying_the_same_event_send_once(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    _employee(session)
    # A second engine stands for a second process (own connection pool).
    other = make_engine(engine.url.render_as_string(hide_password=False))
    barrier = threading.Barrier(2)
    results: dict[str, list[tuple[str, str]]] = {}
    errors: list[BaseException] = []
    with HttpReceiver(delay=0.5) as hook:
        settings = _settings(tmp_path, notification_channels=["webhook"], webhook_url=hook.url)

        def worker(name: str, eng: Engine) -> None:
            try:
                with Session(eng) as s:
                    barrier.wait()
                    rows = _send(s, settings)
                    results[name] = [(r.channel, r.status) for r in rows]
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)

        threads = [
            threading.Thread(target=worker, args=("a", engine)),
            threading.Thread(target=worker, args=("b", other)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    other.dispose()
    assert not errors, errors
    assert len(hook.received) == 1
    # One call sent it; the other found it claimed (or already sent) and did not send.
    assert sorted(results.values()) in (
        [[("webhook", "sending")], [("webhook", "sent")]],
        [[("webhook", "sent")], [("webhook", "sent")]],
    )
    session.expire_all()
    (row,) = session.scalars(select(Notification)).all()
    assert row.status == "sent" and row.attempts == 1 and row.claimed_at is None
    # A third call later is a no-op.
    _send(session, settings)
    assert len(hook.received) == 1


def test_a_dead_claim_is_taken_over(session: Session, tmp_path: Path) -> None:
    _employee(session)
    with HttpReceiver() as hook:
        settings = _settings(tmp_path, notification_channels=["webhook"], webhook_url=hook.url)
        (row,) = _send(session, settings)
        # As if a process claimed a resend and died: a fresh claim is respected, an old one not.
        row.status, row.claimed_at = "sending", datetime.now(UTC).replace(tzinfo=None)
        session.commit()
        assert [r.status for r in _send(session, settings)] == ["sending"]
        row.claimed_at = row.claimed_at - CLAIM_STALE_AFTER - timedelta(seconds=1)
        session.commit()
        assert [r.status for r in _send(session, settings)] == ["sent"]
    assert len(hook.received) == 2

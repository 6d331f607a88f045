"""notify(): render a template, send it on every channel the role uses, record each send.

Guarantees
----------
* One row in the `notification` table per (event_key, channel): a send already recorded as
  "sent" is never repeated, so reruns and crash-retries are safe. Before sending, a call claims
  the row atomically (db.notifications.claim: one UPDATE from "pending"/"failed" to "sending"),
  so two processes notifying the same event at once send it once; the other one returns the
  row as it finds it ("sending"). A row recorded "failed" is tried again by the next call.
* Each channel is tried up to `KINERJA_NOTIFY_MAX_ATTEMPTS` times with exponential backoff
  (`KINERJA_NOTIFY_BACKOFF_BASE` seconds, doubled per try); permanent errors (no address, 4xx,
  SMTP 5xx) are not retried. A failing channel is recorded as "failed" with the reason and never
  raises: the cycle goes on. Only a caller's mistake (unknown template, missing context key)
  raises ValueError, before anything is sent.
* notify() COMMITS the session it is given: before each send (so the attempt is on record) and
  after it (status). Call it after your own decision rows are ready to be committed.
* Exactly once across crashes, by idempotency key. Every send carries its event key to the
  channel (webhook: the `Idempotency-Key` header and `event_key` in the body; email: a
  Message-ID derived from it; file outbox: the file name), the same on every try. A claim
  records its process ("host:pid"): a claim left "sending" by a process that is gone (on this
  host; elsewhere: older than CLAIM_STALE_AFTER) may or may not have reached the channel, so it
  is recorded "uncertain" (uncertain_at) and sent again with the same key, never silently
  twice. The next notify() of the event does that, and so does the sweeper
  (finish_interrupted) for sends nobody asks for again.

Recipients
----------
`recipient_role` is one of head_of_opd, employee, bkd, communications (or coach); `recipient` is
a NIP for people (email/phone from the employee table) or an office address from the recipients
config (see notifications.recipients). `notify_role()` sends to every configured address of an
office role (bkd, communications).

Templates and their context keys (all values plain Python; dates may be date/datetime/ISO str)
--------------------------------------------------------------------------------------------
Every template: `recipient_name` (str) and `period` (str "YYYY-MM"). `link` is a full portal URL
(review.links.issue_link). `deadline` is a datetime (WIB) shown as "Senin, 3 November 2025 pukul
16.00 WIB". Optional keys may be left out.

selection_request   to head_of_opd: choose who is classed underperforming.
    scope_name (str: OPD or rumpun name), candidates (list of dict: name, nip, job_title,
    composite (float), optional explanation (str)), deadline, link; optional note (str: why
    the review holds as many names as it does, e.g. "Hanya 1 pegawai di bawah ambang 75").
selection_reminder  to head_of_opd: the selection is still open.
    scope_name, deadline, link.
warning             to employee: selected; may send a defence (clarification).
    opd_name, indicators (list of dict: label (str), value (float|None), optional note (str)),
    reason (str: the head's reason), deadline (for the defence), link; optional decider (str:
    who selected, e.g. "Kepala Dinas Kesehatan" or "Sekretaris Daerah").
defence_received    to head_of_opd: a defence arrived; give a verdict.
    employee_name, deadline (for the verdict), link; optional employee_nip.
defence_reminder    to employee: the defence window closes soon.
    deadline, link.
deadline_passed     to head_of_opd / bkd: a review ended with "no_decision"; nobody from the
    scope is published. scope_name, deadline (the one that passed), stage, which picks the
    wording: "selection" = the head chose no one by the selection deadline; "defence" (or
    "verdict") = the head gave no verdict on a defence by the deadline. Any other stage is a
    ValueError. Optional next_step (str: replaces the default "what happens now" per stage).
outcome             to employee: the final outcome.
    outcome ("published" | "not_published"), reason (str); optional opd_name,
    coach_label (str, e.g. "atasan langsung"), checkin_dates (list of dates), link,
    announced (bool) and not_announced_reason (str) once the announcement cap is known.
    published_fields, channel_label, max_per_scope, publication_scope come from the policy
    (settings.policy, `publication.*`) unless given; the message does not promise a name in
    the announcement, since `publication.max_per_scope` may leave it out.
drafts_ready        to communications / bkd: announcement drafts wait for approval.
    count (int); optional command (str, default "kinerja drafts list --period <period>").
coaching_assigned   to coach (or bkd for Sekda/Governor): coach someone next month.
    period (the coaching month), employee_name, coach_label, goals (list of dict: label,
    baseline, target), checkin_dates (list of dates); optional opd_name.
    Sent by outputs.month.produce_month_outputs, not by the review flows.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import notifications as store
from kinerja.db.models import Notification
from kinerja.faults import fault_point
from kinerja.liveness import process_gone, process_mark
from kinerja.notifications.base import Notifier, OutgoingMessage, PermanentDeliveryError
from kinerja.notifications.recipients import (
    channels_for,
    load_recipients_config,
    resolve,
    role_addresses,
)
from kinerja.notifications.registry import build_channel
from kinerja.notifications.render import render_message
from kinerja.settings import Settings, get_settings

log = logging.getLogger(__name__)

# A claim older than this belongs to a process that died mid-send. It must exceed the longest
# send: notify_max_attempts tries of a channel timeout plus backoff (3 x 10 s + 3 s by default).
CLAIM_STALE_AFTER = timedelta(minutes=15)

ROLE_LABELS = {
    "bkd": "Tim BKD",
    "communications": "Tim Komunikasi Publik",
    "head_of_opd": "Kepala Perangkat Daerah",
    "employee": "Bapak/Ibu",
    "coach": "Pendamping",
}


def channel_key(event_key: str, channel: str) -> str:
    """The stored key of one send; long keys are shortened with a hash so they stay unique."""
    key = f"{event_key}|{channel}"
    if len(key) <= 200:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"{key[:150]}#{digest}"


def _deliver(channel: Notifier, message: OutgoingMessage, settings: Settings) -> tuple[int, str]:
    """Try a channel with backoff; returns (attempts made, error or "")."""
    error = ""
    for attempt in range(1, settings.notify_max_attempts + 1):
        try:
            channel.send(message)
            return attempt, ""
        except PermanentDeliveryError as exc:
            return attempt, f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # any channel failure is recorded, never raised
            error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "notification %s via %s failed (try %d): %s",
                message.event_key,
                channel.name,
                attempt,
                error,
            )
            if attempt < settings.notify_max_attempts:
                time.sleep(settings.notify_backoff_base * 2 ** (attempt - 1))
    return settings.notify_max_attempts, error


def notify(
    session: Session,
    *,
    event_key: str,
    recipient_role: str,
    recipient: str,
    template: str,
    context: dict[str, Any],
    period: str | None = None,
    settings: Settings | None = None,
) -> list[Notification]:
    """Send `template` to `recipient` on each channel of `recipient_role`; one row per channel.

    COMMITS `session`: the row (and the claim) is committed before each send, so the attempt is
    on record and other processes see the claim, and again after it with the status. Anything
    the caller added to the session is committed with it. The review's notices (review/) and
    the sweeper (flows/) rely on this (they commit their decisions first, then notify); do not
    call it inside a transaction that must be able to roll back.
    """
    settings = settings or get_settings()
    config = load_recipients_config(settings.recipients_config)
    subject, body = render_message(template, {"period": period, **context}, settings)
    who = resolve(session, recipient_role, recipient, config)
    message = OutgoingMessage(event_key, who, subject, body, period, template)
    rows: list[Notification] = []
    for name in channels_for(recipient_role, settings, config):
        key = channel_key(event_key, name)
        existing = store.get_by_key(session, key)
        if existing is not None and existing.status == "sent":
            rows.append(existing)
            continue
        row = store.record_pending(
            session,
            event_key=key,
            period=period,
            channel=name,
            recipient=recipient,
            recipient_role=recipient_role,
            subject=subject,
            body=body,
        )
        rows.append(_send_row(session, row, message, settings))
    return rows


def _send_row(
    session: Session, row: Notification, message: OutgoingMessage, settings: Settings
) -> Notification:
    """Claim `row` (an interrupted claim first becomes "uncertain"), deliver, record; commits."""
    if row.status == "sending":
        if store.mark_uncertain(session, row, process_gone(row.claimed_by), CLAIM_STALE_AFTER):
            log.warning(
                "notification %s may have reached %s before its process died: sending it "
                "again with the same idempotency key",
                row.event_key,
                row.channel,
            )
        session.commit()
    claimed = store.claim(session, row, process_mark())
    session.commit()
    if not claimed:
        return row  # sent already, or another process is sending it right now
    previous = row.attempts or 0
    try:
        channel = build_channel(row.channel, settings)
    except Exception as exc:
        store.mark_failed(session, row, previous, f"{type(exc).__name__}: {exc}")
    else:
        attempts, error = _deliver(channel, message, settings)
        if error:
            store.mark_failed(session, row, previous + attempts, error)
        else:
            if message.template == "warning":
                fault_point("warning_sent")  # delivered, not yet recorded: an uncertain send
            store.mark_sent(session, row, previous + attempts)
    session.commit()
    return row


def finish_interrupted(session: Session, settings: Settings | None = None) -> list[Notification]:
    """Send again, with the same idempotency key, every send its process left unfinished.

    A row left "sending" by a process that is gone (or longer than CLAIM_STALE_AFTER) is
    recorded "uncertain" and delivered again from its stored subject and body; the sweeper
    calls this so no send stays in doubt even when nothing reruns its caller. Commits.
    """
    settings = settings or get_settings()
    config = load_recipients_config(settings.recipients_config)
    done: list[Notification] = []
    for row in store.interrupted(session):
        if row.status == "sending" and not (
            process_gone(row.claimed_by)
            or (row.claimed_at is not None and row.claimed_at < store.now() - CLAIM_STALE_AFTER)
        ):
            continue  # a live process is sending it
        who = resolve(session, row.recipient_role, row.recipient, config)
        event_key = row.event_key.rsplit("|", 1)[0]
        message = OutgoingMessage(event_key, who, row.subject, row.body, row.period)
        done.append(_send_row(session, row, message, settings))
    return done


def notify_role(
    session: Session,
    *,
    event_key: str,
    role: str,
    template: str,
    context: dict[str, Any],
    period: str | None = None,
    settings: Settings | None = None,
) -> list[Notification]:
    """Send to every configured address of an office role (bkd, communications).

    With no address configured, one message goes to the role itself (the file outbox and
    webhook channels still deliver it; email records "failed: no address").
    """
    settings = settings or get_settings()
    config = load_recipients_config(settings.recipients_config)
    addresses = role_addresses(role, config)
    targets = [(a.key, a.name) for a in addresses] or [(role, "")]
    rows: list[Notification] = []
    for key, name in targets:
        ctx = {"recipient_name": name or ROLE_LABELS.get(role, role), **context}
        rows += notify(
            session,
            event_key=f"{event_key}|{key}",
            recipient_role=role,
            recipient=key,
            template=template,
            context=ctx,
            period=period,
            settings=settings,
        )
    return rows

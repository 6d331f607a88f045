"""Small helpers for portal tests: read a form's CSRF token, count what changed."""

from __future__ import annotations

import re

from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine, func, select

from kinerja.db.models import AuditEvent, Decision, PortalLink
from kinerja.db.session import session_scope
from kinerja.review.links import LINK_SALT, token_of
from kinerja.review.secret import portal_key
from kinerja.settings import Settings

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no form with a CSRF token"
    return match.group(1)


def decision_count(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Decision)) or 0)


def used_links(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).where(PortalLink.used_at.is_not(None))) or 0)


def audit_actions(engine: Engine, link_id: str | None = None) -> list[tuple[str, str]]:
    """(actor, action) of every audit event, optionally of one link, in order."""
    with session_scope(engine) as s:
        stmt = select(AuditEvent.actor, AuditEvent.action).order_by(AuditEvent.id)
        if link_id is not None:
            stmt = stmt.where(AuditEvent.link_id == link_id)
        return [(a, b) for a, b in s.execute(stmt).tuples()]


def link_id_of(url: str, settings: Settings) -> str:
    """The link id inside a portal URL's signed token."""
    secret = portal_key(settings)
    return str(URLSafeSerializer(secret, salt=LINK_SALT).loads(token_of(url))["i"])

"""Personal portal links: signed, expiring, bound to period, scope, purpose and person, used once.

A link is a URL ``<portal_base_url>/l/<token>``. The token is signed with the portal key
(itsdangerous) and carries the link id and everything it is bound to; the ``portal_link`` table
records each issued link and when its one action was taken, so a reused link is refused.

Every link also has a short form for paper, ``<portal_base_url>/s/<code>``: twelve characters
(Crockford base32: no I, L, O or U; read case-insensitively), eight random and four of an HMAC
with the portal key, so a mistyped or invented code is refused before any lookup. The portal
resolves a code to its link's signed token (``resolve_short``) and checks it as any other.

``person_nip`` is the person the link is *for*: the head of the scope (portal.people) for
``selection`` and ``verdict`` links, the employee for ``defence`` links, an operator id for
``overview`` links. The portal refuses a selection or verdict link whose person is not the head.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from kinerja.db.audit import record_event
from kinerja.db.links import add_link, get_link, link_by_code
from kinerja.domain import Period, naive_utc, utcnow
from kinerja.review.secret import portal_key
from kinerja.settings import Settings, get_settings

PURPOSES = ("selection", "defence", "verdict", "overview")
LINK_SALT = "kinerja-portal-link"
SHORT_SALT = b"kinerja-portal-short-link"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What people misread on paper, read as what it must have been.
CROCKFORD_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
SHORT_RANDOM, SHORT_SIGNATURE = 8, 4


class LinkRefused(Exception):
    """A link that may not be used: ``reason`` is invalid | expired | used."""

    def __init__(self, reason: str, link_id: str | None = None, detail: str = "") -> None:
        super().__init__(f"link refused: {reason} {detail}".strip())
        self.reason = reason
        self.link_id = link_id
        self.detail = detail


@dataclass(frozen=True)
class LinkClaims:
    """What a verified link is bound to."""

    link_id: str
    period: str
    scope_code: str
    purpose: str
    person_nip: str
    expires_at: datetime  # naive UTC


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(portal_key(settings), salt=LINK_SALT)


def _short_signature(key: bytes, random_part: str) -> str:
    digest = hmac.new(key, SHORT_SALT + random_part.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:4], "big")
    return "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in range(SHORT_SIGNATURE))


def _new_short_code(key: bytes) -> str:
    random_part = "".join(secrets.choice(CROCKFORD) for _ in range(SHORT_RANDOM))
    return random_part + _short_signature(key, random_part)


def normal_code(code: str) -> str | None:
    """A short code as typed (any case, dashes or spaces) in its stored form, or None when it
    cannot be one."""
    clean = re.sub(r"[\s-]", "", code).upper().translate(CROCKFORD_READS)
    if len(clean) != SHORT_RANDOM + SHORT_SIGNATURE or any(c not in CROCKFORD for c in clean):
        return None
    return clean


def short_url(session: Session, url: str, settings: Settings | None = None) -> str:
    """The short form (``<portal>/s/<code>``) of a link issued here; a link issued before short
    codes existed keeps its long form."""
    settings = settings or get_settings()
    try:
        payload: Any = _serializer(settings).loads(token_of(url))
    except BadSignature as exc:
        raise ValueError("not a portal link issued with this key") from exc
    link = get_link(session, str(payload.get("i"))) if isinstance(payload, dict) else None
    if link is None or not link.short_code:
        return url
    return f"{settings.portal_base_url.rstrip('/')}/s/{link.short_code}"


def resolve_short(session: Session, code: str, settings: Settings | None = None) -> str:
    """The signed token of the link a short code names; LinkRefused("invalid") otherwise."""
    settings = settings or get_settings()
    clean = normal_code(code)
    if clean is None:
        raise LinkRefused("invalid", detail="malformed short code")
    expected = _short_signature(portal_key(settings), clean[:SHORT_RANDOM])
    if not hmac.compare_digest(expected, clean[SHORT_RANDOM:]):
        raise LinkRefused("invalid", detail="bad short code signature")
    link = link_by_code(session, clean)
    if link is None:
        raise LinkRefused("invalid", detail="short code not issued here")
    return _token(link.id, link.period, link.scope_code, link.purpose, link.person_nip, settings)


def _token(
    link_id: str, period: str, scope_code: str, purpose: str, person_nip: str, settings: Settings
) -> str:
    return str(
        _serializer(settings).dumps(
            {"i": link_id, "p": period, "s": scope_code, "u": purpose, "n": person_nip}
        )
    )


def issue_link(
    session: Session,
    *,
    period: str,
    scope_code: str,
    purpose: str,
    person_nip: str,
    expires_at: datetime | None = None,
    settings: Settings | None = None,
    actor: str = "system",
    channel: str | None = None,
) -> str:
    """Record (and audit) a new personal link; return its full URL. The caller commits.

    ``actor`` is who issued it (an operator's name from the CLI), ``channel`` how. Its short
    form for paper is ``short_url(session, url)``.
    """
    settings = settings or get_settings()
    if purpose not in PURPOSES:
        raise ValueError(f"link purpose {purpose!r} unknown; expected one of {', '.join(PURPOSES)}")
    try:
        Period.parse(period)
    except ValueError as exc:
        raise ValueError(f"link {exc}") from None
    if not scope_code or not person_nip:
        raise ValueError("a link needs a scope_code and a person_nip")
    issued = utcnow()
    expires = (
        naive_utc(expires_at)
        if expires_at is not None
        else issued + timedelta(hours=settings.link_ttl_hours)
    )
    if expires <= issued:
        raise ValueError(f"link for {person_nip} ({period}, {scope_code}) would already be expired")
    link_id = secrets.token_hex(16)
    add_link(
        session,
        link_id=link_id,
        period=period,
        scope_code=scope_code,
        purpose=purpose,
        person_nip=person_nip,
        issued_at=issued,
        expires_at=expires,
        short_code=_new_short_code(portal_key(settings)),
    )
    record_event(
        session,
        actor=actor,
        action="issue_link",
        period=period,
        scope_code=scope_code,
        link_id=link_id,
        detail={"purpose": purpose, "person": person_nip, "expires_at": expires.isoformat()}
        | ({"channel": channel} if channel else {}),
        at=issued,
    )
    token = _token(link_id, period, scope_code, purpose, person_nip, settings)
    return f"{settings.portal_base_url.rstrip('/')}/l/{token}"


def token_of(url: str) -> str:
    """The token part of a portal URL."""
    return url.rstrip("/").rsplit("/l/", 1)[-1]


def verify(
    session: Session,
    token: str,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> LinkClaims:
    """Check signature, record, expiry and single use; raise LinkRefused otherwise."""
    settings = settings or get_settings()
    try:
        payload: Any = _serializer(settings).loads(token)
    except BadSignature as exc:
        raise LinkRefused("invalid", detail="bad signature") from exc
    keys = ("i", "p", "s", "u", "n")
    if not isinstance(payload, dict) or not all(isinstance(payload.get(k), str) for k in keys):
        raise LinkRefused("invalid", detail="malformed payload")
    link = get_link(session, payload["i"])
    if link is None:
        raise LinkRefused("invalid", link_id=payload["i"], detail="not issued here")
    bound = (link.period, link.scope_code, link.purpose, link.person_nip)
    if bound != (payload["p"], payload["s"], payload["u"], payload["n"]):
        raise LinkRefused("invalid", link_id=link.id, detail="binding mismatch")
    if (now or utcnow()) >= link.expires_at:
        raise LinkRefused("expired", link_id=link.id)
    if link.used_at is not None:
        raise LinkRefused("used", link_id=link.id, detail=link.used_at.isoformat())
    return LinkClaims(
        link_id=link.id,
        period=link.period,
        scope_code=link.scope_code,
        purpose=link.purpose,
        person_nip=link.person_nip,
        expires_at=link.expires_at,
    )

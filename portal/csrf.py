"""Per-form CSRF tokens bound to one portal link, checked on every POST."""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

CSRF_SALT = "kinerja-portal-csrf"
CSRF_MAX_AGE_S = 12 * 3600


def make_csrf(secret: str | bytes, link_id: str) -> str:
    """A fresh token for a form served from `link_id` (a nonce makes each form's token unique)."""
    return URLSafeTimedSerializer(secret, salt=CSRF_SALT).dumps(
        {"l": link_id, "n": secrets.token_hex(8)}
    )


def check_csrf(secret: str | bytes, link_id: str, token: str | None) -> bool:
    """True when `token` was made by this portal for this link, recently."""
    if not token:
        return False
    try:
        data = URLSafeTimedSerializer(secret, salt=CSRF_SALT).loads(token, max_age=CSRF_MAX_AGE_S)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("l") == link_id

"""Personal links: signed, bound, expiring, single use; every issue audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer
from pydantic import SecretStr
from sqlalchemy import Engine

from kinerja.db.audit import events
from kinerja.db.links import claim_link, get_link, release_link
from kinerja.db.session import session_scope
from kinerja.review.links import (
    LINK_SALT,
    LinkRefused,
    issue_link,
    resolve_short,
    short_url,
    token_of,
    utcnow,
    verify,
)
from kinerja.review.secret import portal_key
from kinerja.settings import Settings


def _issue(engine: Engine, settings: Settings, **kw: object) -> str:
    args: dict[str, object] = {
        "period": "2025-10",
        "scope_code": "DINAS-A",
        "purpose": "selection",
        "person_nip": "198001012010010001",
        "expires_at": utcnow() + timedelta(hours=2),
        "settings": settings,
    }
    args.update(kw)
    with session_scope(engine) as session:
        return issue_link(session, **args)  # type: ignore[arg-type]


def test_issued_link_verifies_to_its_binding_and_is_audited(
    engine: Engine, portal_settings: Settings
) -> None:
    url = _issue(engine, portal_settings)
    assert url.startswith("http://testserver/l/")
    with session_scope(engine) as session:
        claims = verify(session, token_of(url), settings=portal_settings)
        assert (claims.period, claims.scope_code, claims.purpose, claims.person_nip) == (
            "2025-10",
            "DINAS-A",
            "selection",
            "198001012010010001",
        )
        issued = events(session, action="issue_link")
        assert [e.link_id for e in issued] == [claims.link_id]
        assert issued[0].detail["person"] == "198001012010010001"


def test_aware_expiry_is_stored_as_utc(engine: Engine, portal_settings: Settings) -> None:
    jakarta = datetime(2030, 1, 2, 9, 0, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Jakarta")
    )
    url = _issue(engine, portal_settings, expires_at=jakarta)
    with session_scope(engine) as session:
        claims = verify(session, token_of(url), settings=portal_settings)
        assert claims.expires_at == datetime(2030, 1, 2, 9, 0)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "x" + t,  # payload changed
        lambda t: t.split(".")[0],  # signature removed
    ],
)
def test_tampered_token_is_refused_as_invalid(
    engine: Engine, portal_settings: Settings, tamper: object
) -> None:
    token = token_of(_issue(engine, portal_settings))
    with session_scope(engine) as session, pytest.raises(LinkRefused) as exc:
        verify(session, tamper(token), settings=portal_settings)  # type: ignore[operator]
    assert exc.value.reason == "invalid"


def test_token_re_signed_for_another_opd_or_with_another_key_is_refused(
    engine: Engine, portal_settings: Settings
) -> None:
    token = token_of(_issue(engine, portal_settings))
    secret = portal_key(portal_settings)
    payload = URLSafeSerializer(secret, salt=LINK_SALT).loads(token)
    # Someone who knows the secret but rebinds a real link id to another OPD: the record says no.
    rebound = URLSafeSerializer(secret, salt=LINK_SALT).dumps(payload | {"s": "DINAS-B"})
    # Someone without the secret signing their own payload.
    forged = URLSafeSerializer("guessed-secret", salt=LINK_SALT).dumps(payload)
    with session_scope(engine) as session:
        for bad in (rebound, forged):
            with pytest.raises(LinkRefused) as exc:
                verify(session, bad, settings=portal_settings)
            assert exc.value.reason == "invalid"


def test_link_signed_by_another_portal_secret_is_refused(
    engine: Engine, portal_settings: Settings
) -> None:
    token = token_of(_issue(engine, portal_settings))
    other = portal_settings.model_copy(update={"portal_secret": SecretStr("another-secret")})
    with session_scope(engine) as session, pytest.raises(LinkRefused) as exc:
        verify(session, token, settings=other)
    assert exc.value.reason == "invalid"


def test_expired_link_is_refused(engine: Engine, portal_settings: Settings) -> None:
    token = token_of(_issue(engine, portal_settings, expires_at=utcnow() + timedelta(minutes=5)))
    with session_scope(engine) as session:
        verify(session, token, settings=portal_settings)  # still valid now
        with pytest.raises(LinkRefused) as exc:
            verify(session, token, now=utcnow() + timedelta(minutes=6), settings=portal_settings)
        assert exc.value.reason == "expired"


def test_link_is_single_use_and_a_refused_action_releases_it(
    engine: Engine, portal_settings: Settings
) -> None:
    token = token_of(_issue(engine, portal_settings))
    with session_scope(engine) as session:
        link_id = verify(session, token, settings=portal_settings).link_id
        assert claim_link(session, link_id, "submit_selection", utcnow())
        assert not claim_link(session, link_id, "submit_selection", utcnow())
    with session_scope(engine) as session, pytest.raises(LinkRefused) as exc:
        verify(session, token, settings=portal_settings)
    assert exc.value.reason == "used"
    with session_scope(engine) as session:
        release_link(session, link_id, "submit_selection")
    with session_scope(engine) as session:
        assert verify(session, token, settings=portal_settings).link_id == link_id
        link = get_link(session, link_id)
        assert link is not None and link.used_at is None


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"purpose": "approve"}, "purpose"),
        ({"period": "2025-13"}, "YYYY-MM"),
        ({"person_nip": ""}, "person_nip"),
        ({"expires_at": datetime(2000, 1, 1)}, "expired"),
    ],
)
def test_bad_link_requests_are_refused_with_a_reason(
    engine: Engine, portal_settings: Settings, kw: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _issue(engine, portal_settings, **kw)


def test_a_links_short_form_leads_to_the_same_binding(
    engine: Engine, portal_settings: Settings
) -> None:
    url = _issue(engine, portal_settings)
    with session_scope(engine) as session:
        short = short_url(session, url, settings=portal_settings)
        assert short.startswith("http://testserver/s/") and len(short) <= 40
        code = short.rsplit("/", 1)[1]
        assert len(code) == 12
        expected = verify(session, token_of(url), settings=portal_settings)
        # typed from paper: any case, in groups, an O for a zero
        for typed in (code, code.lower(), f"{code[:4]}-{code[4:8]}-{code[8:]}"):
            token = resolve_short(session, typed, settings=portal_settings)
            assert verify(session, token, settings=portal_settings) == expected
        assert resolve_short(session, code.replace("0", "O"), settings=portal_settings)


def test_a_mistyped_or_invented_short_code_is_refused(
    engine: Engine, portal_settings: Settings
) -> None:
    url = _issue(engine, portal_settings)
    with session_scope(engine) as session:
        code = short_url(session, url, settings=portal_settings).rsplit("/", 1)[1]
        swapped = code[:-1] + ("A" if code[-1] != "A" else "B")
        for bad in (swapped, code[:-1], "ABCDEFGHJKMN", "../../etc/passwd", ""):
            with pytest.raises(LinkRefused) as exc:
                resolve_short(session, bad, settings=portal_settings)
            assert exc.value.reason == "invalid"
    other = portal_settings.model_copy(update={"portal_secret": SecretStr("another-key-0123")})
    with session_scope(engine) as session, pytest.raises(LinkRefused):
        resolve_short(session, code, settings=other)  # signed with the key that issued it

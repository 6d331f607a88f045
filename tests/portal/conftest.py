"""Portal fixtures: settings with a test secret, a two-OPD world, the app under TestClient."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from kinerja.db.session import session_scope
from kinerja.portal.app import create_app
from kinerja.review.links import issue_link
from kinerja.settings import Settings
from tests.portal.world import World, build_world, later

IssueLink = Callable[..., str]


@pytest.fixture
def portal_settings() -> Settings:
    return Settings(
        portal_secret=SecretStr("test-portal-secret-0123456789"),
        portal_base_url="http://testserver",
        link_ttl_hours=48,
    )


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)


@pytest.fixture
def client(engine: Engine, portal_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(engine, portal_settings)) as c:
        yield c


@pytest.fixture
def issue(engine: Engine, portal_settings: Settings, world: World) -> IssueLink:
    """issue(purpose, scope, person, expires_at=None) -> URL, committed."""

    def _issue(purpose: str, scope: str, person: str, expires_at: datetime | None = None) -> str:
        with session_scope(engine) as session:
            return issue_link(
                session,
                period=world.period,
                scope_code=scope,
                purpose=purpose,
                person_nip=person,
                expires_at=expires_at or later(24),
                settings=portal_settings,
            )

    return _issue

"""Attacks through the portal and the CLI (no Prefect server): each refused, nothing changed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.db.models import AuditEvent, PortalLink
from kinerja.db.refusals import MAX_SOURCES_PER_MINUTE, refusal_counts
from kinerja.db.session import session_scope
from kinerja.review import service as svc
from kinerja.review.links import utcnow
from kinerja.review.validate import DEFENCE_MAX, REASON_MAX
from kinerja.settings import get_settings
from tests.conftest import OPERATORS
from tests.portal.conftest import IssueLink
from tests.portal.helpers import csrf_of
from tests.portal.world import World, later

Snapshot = Callable[[Engine], Callable[[], None]]
REASON = "Terlambat berulang tanpa keterangan"


def _selection_form(client: TestClient, url: str, world: World, scope: str) -> dict[str, str]:
    """A complete, valid selection answer for `scope` as the page would post it."""
    data = {"csrf": csrf_of(client.get(url).text), "step": "confirm"}
    for nip in world.candidates[scope]:
        data |= {f"choice_{nip}": "tidak", f"reason_{nip}": "Kinerja membaik bulan ini"}
    return data


def _audits(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _selected(engine: Engine, world: World) -> str:
    """DINAS-A at the defence stage: its first candidate selected by the head's portal link."""
    nip = world.candidates["DINAS-A"][0]
    svc.submit_selection(
        engine, world.period, "DINAS-A", world.heads["DINAS-A"], {nip: (True, REASON)}, "portal"
    )
    return nip


# --- portal -----------------------------------------------------------------------------------


@pytest.mark.attack("cross-OPD selection", "portal")
def test_portal_selection_naming_another_opds_nip(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    data = _selection_form(client, url, world, "DINAS-A")
    stranger = world.candidates["DINAS-B"][0]
    data |= {f"choice_{stranger}": "ya", f"reason_{stranger}": REASON}
    unchanged = snapshot(engine)
    r = client.post(url, data=data)
    assert r.status_code == 422 and "bukan kandidat unit ini" in r.text and stranger in r.text
    unchanged()


@pytest.mark.attack("duplicate NIPs", "portal")
def test_portal_selection_naming_a_nip_twice(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    nip = world.candidates["DINAS-A"][0]
    fields = list(_selection_form(client, url, world, "DINAS-A").items())
    fields += [(f"choice_{nip}", "ya"), (f"reason_{nip}", REASON)]  # the same NIP again
    unchanged = snapshot(engine)
    r = client.post(url, content=_urlencode(fields), headers=FORM)
    assert r.status_code == 422 and f"NIP {nip} muncul 2 kali" in r.text
    unchanged()


@pytest.mark.attack("oversize reason", "portal")
def test_portal_selection_reason_past_the_limit(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    nip = world.candidates["DINAS-A"][0]
    data = _selection_form(client, url, world, "DINAS-A")
    data |= {f"choice_{nip}": "ya", f"reason_{nip}": "x" * (REASON_MAX + 1)}
    unchanged = snapshot(engine)
    r = client.post(url, data=data)
    assert r.status_code == 422 and f"maksimal {REASON_MAX} karakter" in r.text
    unchanged()


@pytest.mark.attack("oversize defence", "portal")
def test_portal_defence_past_the_limit(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    nip = _selected(engine, world)
    url = issue("defence", "DINAS-A", nip)
    data = {"csrf": csrf_of(client.get(url).text), "defence": "x" * (DEFENCE_MAX + 1)}
    unchanged = snapshot(engine)
    r = client.post(url, data=data)
    assert r.status_code == 422 and f"maksimal {DEFENCE_MAX} karakter" in r.text
    five_mb = client.post(url, data=data | {"defence": "x" * 5_000_000})
    assert five_mb.status_code == 413  # past the form cap: never parsed
    unchanged()


@pytest.mark.attack("tampered link", "portal")
def test_portal_tampered_link(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    data = _selection_form(client, url, world, "DINAS-A")
    tampered = url[:-3] + ("xyz" if not url.endswith("xyz") else "abc")
    unchanged = snapshot(engine)
    r = client.post(tampered, data=data)
    assert r.status_code == 403 and 'data-refusal="invalid"' in r.text
    unchanged()


@pytest.mark.attack("reused link", "portal")
def test_portal_reused_link(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    data = _selection_form(client, url, world, "DINAS-A")
    assert client.post(url, data=data).status_code == 200
    unchanged = snapshot(engine)
    nip = world.candidates["DINAS-A"][0]
    again = client.post(url, data=data | {f"choice_{nip}": "ya", f"reason_{nip}": REASON})
    assert again.status_code == 410 and 'data-refusal="used"' in again.text
    unchanged()


@pytest.mark.attack("expired link", "portal")
def test_portal_expired_link(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"], expires_at=later(1))
    data = _selection_form(client, url, world, "DINAS-A")
    with session_scope(engine) as s:  # the link's fortnight has passed
        s.execute(update(PortalLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    unchanged = snapshot(engine)
    r = client.post(url, data=data)
    assert r.status_code == 410 and 'data-refusal="expired"' in r.text
    unchanged()


@pytest.mark.attack("CSRF missing", "portal")
def test_portal_csrf_missing(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    data = _selection_form(client, url, world, "DINAS-A")
    del data["csrf"]
    unchanged = snapshot(engine)
    r = client.post(url, data=data)
    assert r.status_code == 403 and 'data-refusal="csrf"' in r.text
    unchanged()


@pytest.mark.attack("CSRF foreign", "portal")
def test_portal_csrf_from_another_link(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    other = issue("selection", "DINAS-B", world.heads["DINAS-B"])
    data = _selection_form(client, url, world, "DINAS-A")
    data["csrf"] = csrf_of(client.get(other).text)
    unchanged = snapshot(engine)
    r = client.post(url, data=data)
    assert r.status_code == 403 and 'data-refusal="csrf"' in r.text
    unchanged()


@pytest.mark.attack("path traversal", "portal")
def test_portal_path_traversal(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("verdict", "DINAS-A", world.heads["DINAS-A"])
    path = url.removeprefix("http://testserver")
    unchanged = snapshot(engine)
    for probe in (
        f"{path}/bukti/..%2F..%2F..%2Fetc%2Fpasswd",
        f"{path}/bukti/../../../../etc/passwd",
        "/l/..%2F..%2Fetc%2Fpasswd",
        "/static/..%2F..%2Fsettings.py",
    ):
        r = client.get(probe)
        assert r.status_code in (403, 404, 422), probe
        assert "root:" not in r.text and "SecretStr" not in r.text
    unchanged()


@pytest.mark.attack("50 MB body", "portal")
def test_portal_fifty_megabyte_body(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    body = b"a=" + b"x" * (50 * 1024 * 1024)
    unchanged = snapshot(engine)
    r = client.post(url, content=body, headers=FORM)
    assert r.status_code == 413 and 'data-refusal="too_large"' in r.text
    anonymous = client.post("/l/not-a-token", content=body, headers=FORM)
    assert anonymous.status_code == 403  # the link is checked before the body is read
    unchanged()


@pytest.mark.attack("1,000 anonymous bad tokens", "portal")
def test_portal_a_thousand_bad_tokens_leave_the_audit_table_bounded(
    client: TestClient, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    audits = _audits(engine)
    start = utcnow()
    unchanged = snapshot(engine)
    for i in range(1000):
        r = client.post(f"/l/not-a-token-{i}", data={"csrf": "x"})
        assert r.status_code == 403
    unchanged()
    assert _audits(engine) == audits  # not one audit row
    with session_scope(engine) as s:
        counts = refusal_counts(s, since=start.replace(second=0, microsecond=0))
    assert sum(c.count for c in counts) == 1000
    assert len(counts) <= 3  # one counter per minute and source (the run may cross a minute)
    assert MAX_SOURCES_PER_MINUTE <= 1000


# --- CLI --------------------------------------------------------------------------------------


@pytest.fixture
def cli(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    """`kinerja decide ...` on the test database, with the configured operators."""
    monkeypatch.setenv("KINERJA_DATABASE_URL", db_url)
    monkeypatch.setenv("KINERJA_OPERATORS", OPERATORS)
    monkeypatch.setenv("KINERJA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PREFECT_API_URL", os.environ.get("PREFECT_API_URL", "http://127.0.0.1:9"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _decide(world: World, scope: str, actor: str = "op BKD") -> list[str]:
    return ["decide", "selection", "--period", world.period, "--scope", scope, "--actor", actor]


@pytest.mark.attack("cross-OPD selection", "CLI")
def test_cli_selection_naming_another_opds_nip(
    cli: CliRunner, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    stranger = world.candidates["DINAS-B"][0]
    unchanged = snapshot(engine)
    out = cli.invoke(app, [*_decide(world, "DINAS-A"), "--select", f"{stranger}={REASON}"])
    assert out.exit_code == 2 and "kandidat tinjauan DINAS-B" in out.output
    unchanged()


@pytest.mark.attack("impersonate a head", "CLI")
def test_cli_actor_naming_a_head(
    cli: CliRunner, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    nip = world.candidates["DINAS-A"][0]
    other_head = world.heads["DINAS-B"]
    unchanged = snapshot(engine)
    out = cli.invoke(app, [*_decide(world, "DINAS-A", other_head), "--select", f"{nip}={REASON}"])
    assert out.exit_code == 2 and f"{other_head} bukan operator BKD yang terdaftar" in out.output
    assert "operator terdaftar: op BKD, op.rina, op.agus" in out.output
    # an operator claiming another OPD's head asked for it is refused too
    behalf = ["--on-behalf-of", other_head, "--note", "diminta lewat telepon"]
    out = cli.invoke(app, [*_decide(world, "DINAS-A"), "--select", f"{nip}={REASON}", *behalf])
    assert out.exit_code == 2 and f"{other_head} bukan pemutus tinjauan ini" in out.output
    unchanged()


@pytest.mark.attack("duplicate NIPs", "CLI")
def test_cli_selection_naming_a_nip_twice(
    cli: CliRunner, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    nip = world.candidates["DINAS-A"][0]
    twice = ["--select", f"{nip}={REASON}", "--select", f"{nip}=Alasan yang lain sama sekali"]
    unchanged = snapshot(engine)
    out = cli.invoke(app, [*_decide(world, "DINAS-A"), *twice])
    assert out.exit_code == 2 and f"NIP {nip} muncul 2 kali" in out.output
    unchanged()


@pytest.mark.attack("oversize reason", "CLI")
def test_cli_selection_reason_past_the_limit(
    cli: CliRunner, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    nip = world.candidates["DINAS-A"][0]
    unchanged = snapshot(engine)
    out = cli.invoke(app, [*_decide(world, "DINAS-A"), "--select", f"{nip}={'x' * 1001}"])
    assert out.exit_code == 2 and f"maksimal {REASON_MAX} karakter" in out.output
    short = cli.invoke(app, [*_decide(world, "DINAS-A"), "--select", f"{nip}=x"])
    assert short.exit_code == 2 and "minimal 5 karakter" in short.output
    unchanged()


@pytest.mark.attack("oversize defence", "CLI")
def test_cli_defence_past_the_limit(
    cli: CliRunner, world: World, engine: Engine, snapshot: Snapshot
) -> None:
    nip = _selected(engine, world)
    unchanged = snapshot(engine)
    args = ["decide", "defence", "--period", world.period, "--scope", "DINAS-A", "--nip", nip]
    out = cli.invoke(app, [*args, "--actor", "op BKD", "--text", "x" * (DEFENCE_MAX + 1)])
    assert out.exit_code == 2 and f"maksimal {DEFENCE_MAX} karakter" in out.output
    unchanged()


FORM = {"content-type": "application/x-www-form-urlencoded"}


def _urlencode(fields: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()

"""Attacks through the Prefect API (as the UI's form would send them), on one served harness.

Each attempt is refused by the Prefect server (the form's schema: this OPD's NIPs, configured
operators, length limits) or by the run itself (review.validate), and the database is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.flow_runs import resume_flow_run
from prefect.input.actions import read_flow_run_input
from sqlalchemy import Engine

from kinerja.db import decisions as dec
from kinerja.db.session import session_scope
from kinerja.domain import DecisionKind
from kinerja.review import service as svc
from kinerja.review.logic import Refused
from kinerja.review.validate import REASON_MAX
from kinerja.runs.paused import PrefectPausedRuns
from kinerja.tasks.review import answer_key
from tests.review.factories import make_opd
from tests.served import Server, paused_after, read_state, start_review, wait_for

pytestmark = pytest.mark.prefect
PERIOD = "2025-10"
REASON = "Terlambat berulang tanpa keterangan"
Snapshot = Callable[[Engine], Callable[[], None]]

RUNS = PrefectPausedRuns()  # what the CLI and the portal give the review service


@pytest.fixture(scope="module")
def dishub(server: Server, flow_settings: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """DISHUB's review run at its selection pause; (run id, its NIPs, DINKES's NIPs)."""
    from kinerja.db.session import make_engine

    engine = make_engine(flow_settings["KINERJA_DATABASE_URL"])
    nips = make_opd(engine, PERIOD, "DISHUB")
    other = make_opd(engine, PERIOD, "DINKES")
    engine.dispose()
    run_id = start_review(PERIOD, "DISHUB")
    wait_for(run_id, lambda st: st.is_paused(), what="suspended")
    return run_id, nips, other


def _refused_by_server(run_id: str, run_input: dict[str, Any]) -> None:
    """The Prefect server rejects the resume: the run stays paused, no run sees the answer."""
    with pytest.raises(RuntimeError):
        resume_flow_run(UUID(run_id), run_input=run_input)
    assert read_state(run_id).is_paused()


@pytest.mark.attack("cross-OPD selection", "API")
def test_api_selection_naming_another_opds_nip(
    dishub: tuple[str, list[str], list[str]], flow_engine: Engine, snapshot: Snapshot
) -> None:
    run_id, _, other = dishub
    unchanged = snapshot(flow_engine)
    # the form has a reason field per candidate of this OPD only: another NIP is no field
    _refused_by_server(run_id, {"operator": "op BKD", f"alasan_{other[0]}": REASON})
    unchanged()


@pytest.mark.attack("impersonate a head", "API")
def test_api_answer_naming_a_head(
    dishub: tuple[str, list[str], list[str]], flow_engine: Engine, snapshot: Snapshot
) -> None:
    run_id, nips, _ = dishub
    unchanged = snapshot(flow_engine)
    row = {f"alasan_{nips[0]}": REASON}
    _refused_by_server(run_id, {"operator": "DINKES-HEAD", **row})
    _refused_by_server(run_id, {"operator": "", "decided_by": "DISHUB-HEAD", **row})
    # "on behalf of a head" is no field of the form: only the CLI records it, with a note
    behalf = {"on_behalf_of": "DINKES-HEAD", "note": "diminta lewat telepon"}
    _refused_by_server(run_id, {"operator": "op BKD", **row, **behalf})
    unchanged()


@pytest.mark.attack("duplicate NIPs", "API")
def test_api_selection_naming_a_nip_twice(
    dishub: tuple[str, list[str], list[str]], flow_engine: Engine, snapshot: Snapshot
) -> None:
    run_id, nips, _ = dishub
    unchanged = snapshot(flow_engine)
    # One field per candidate: a list naming a NIP twice is no part of the form; a JSON object
    # naming a field twice reaches the server as one field (the last), never as two rows.
    rows = [
        {"nip": nips[0], "selected": True, "reason": REASON},
        {"nip": nips[0], "selected": False, "reason": "Alasan lain yang hilang"},
    ]
    _refused_by_server(run_id, {"operator": "op BKD", "selections": rows})
    unchanged()


@pytest.mark.attack("oversize reason", "API")
def test_api_selection_reason_past_the_limit(
    dishub: tuple[str, list[str], list[str]], flow_engine: Engine, snapshot: Snapshot
) -> None:
    run_id, nips, _ = dishub
    unchanged = snapshot(flow_engine)
    _refused_by_server(run_id, {"operator": "op BKD", f"alasan_{nips[0]}": "x" * (REASON_MAX + 1)})
    unchanged()


@pytest.mark.attack("oversize defence", "API")
def test_api_defence_of_five_megabytes(
    server: Server, flow_engine: Engine, snapshot: Snapshot
) -> None:
    nips = make_opd(flow_engine, PERIOD, "DISPORA")
    run_id = start_review(PERIOD, "DISPORA")
    wait_for(run_id, lambda st: st.is_paused(), what="suspended")
    before = read_state(run_id).timestamp
    picks = {nips[0]: (True, REASON)}
    svc.submit_selection(flow_engine, PERIOD, "DISPORA", "op BKD", picks, "cli", runs=RUNS)
    wait_for(run_id, paused_after(before), what="at the defence pause")
    unchanged = snapshot(flow_engine)
    five_mb = "x" * 5_000_000
    answer = {"operator": "op BKD", "tindakan": "Catat pembelaan pegawai", "isi": five_mb}
    _refused_by_server(run_id, answer)
    verdict = {"operator": "op BKD", "tindakan": "Pembelaan ditolak", "isi": five_mb}
    _refused_by_server(run_id, verdict)
    unchanged()
    # A defence within the limits typed into the form is recorded as the operator's; its text
    # stays in our database, not in Prefect's copy of the answer.
    before = read_state(run_id).timestamp
    text = "Saya sakit dan dirawat, surat dokter menyusul."
    resume_flow_run(UUID(run_id), run_input={**answer, "isi": text})
    wait_for(run_id, paused_after(before), what="suspended again")
    with session_scope(flow_engine) as s:
        defence = dec.effective(s, PERIOD, "DISPORA", DecisionKind.DEFENCE)[nips[0]]
        assert (defence.actor, defence.channel, defence.payload["text"]) == ("op BKD", "ui", text)
    wait_for(
        run_id,
        lambda _: read_flow_run_input(answer_key("defence-0"), UUID(run_id))["isi"] == "",
        what="without the defence text in Prefect",
    )


@pytest.mark.attack("answer to a cancelled run", "CLI/portal")
def test_a_cancelled_review_run_refuses_answers(
    server: Server, flow_engine: Engine, snapshot: Snapshot
) -> None:
    from prefect import get_client
    from prefect.states import Cancelled

    nips = make_opd(flow_engine, PERIOD, "BAPPEDA")
    run_id = start_review(PERIOD, "BAPPEDA")
    wait_for(run_id, lambda st: st.is_paused(), what="suspended")
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(UUID(run_id), Cancelled(), force=True)
    wait_for(run_id, lambda st: st.is_cancelled(), what="cancelled")
    unchanged = snapshot(flow_engine)
    for channel, actor in (("cli", "op BKD"), ("portal", "BAPPEDA-HEAD")):
        with pytest.raises(Refused, match="telah dibatalkan di Prefect"):
            svc.submit_selection(
                flow_engine, PERIOD, "BAPPEDA", actor, {nips[0]: (True, REASON)}, channel,
                runs=RUNS,
            )  # fmt: skip
    unchanged()


@pytest.mark.attack("resume without credentials", "API")
def test_a_resume_without_the_auth_string_gets_401(tmp_path: Path) -> None:
    """The server `kinerja serve` starts: no credentials, no resume (nor anything else)."""
    import httpx

    from kinerja.flows.local_server import LocalPrefect

    server = LocalPrefect(tmp_path / "prefect", ui=False, auth="kinerja:attack-suite-3f9a").start()
    try:
        url = f"{server.api_url}/flow_runs/00000000-0000-0000-0000-000000000000/resume"
        answer = {"run_input": {"operator": "op BKD", "selections": []}}
        assert httpx.post(url, json=answer, timeout=10).status_code == 401
        wrong = httpx.post(url, json=answer, auth=("kinerja", "guess"), timeout=10)
        assert wrong.status_code == 401
    finally:
        server.stop()

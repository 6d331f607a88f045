"""The operator's Prefect UI, in a real browser: `kinerja serve`'s local server (classic UI, V1),
the served deployments, a paused review and its resume form at 1366x768.

The shared harness serves no UI, so this module's `prefect_api` is a LocalPrefect with its UI,
as `kinerja serve` starts it; screenshots go to the repository's screenshots/ folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.models import Employee
from kinerja.db.session import session_scope
from kinerja.domain import DecisionKind
from kinerja.flows.local_server import LocalPrefect
from tests.review.factories import make_opd
from tests.served import Server, paused_after, start_review, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.prefect]

PERIOD = "2025-10"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM = "/usr/bin/chromium"
NAMES = ["Siti Rahmawati", "Agus Prasetyo", "Dewi Lestari"]


@pytest.fixture(scope="module")
def local_prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPrefect]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (make browser installs it as root)")
    local = LocalPrefect(tmp_path_factory.mktemp("prefect-ui")).start(timeout=180)
    yield local
    local.stop()


@pytest.fixture(scope="module")
def prefect_api(local_prefect: LocalPrefect) -> Iterator[None]:
    """This module's runs and clients talk to the server with the UI."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: local_prefect.api_url}):
        yield


@contextmanager
def browser_page() -> Iterator[Any]:
    """A 1366x768 page. Prefect's sync calls must come before or after it: inside, playwright's
    event loop makes them return coroutines."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport={"width": 1366, "height": 768})
        finally:
            browser.close()


def _name_candidates(engine: Engine, nips: list[str]) -> None:
    with session_scope(engine) as s:
        for nip, name in zip(nips, NAMES, strict=False):
            s.execute(update(Employee).where(Employee.nip == nip).values(name=name))


def _fits(page: Any, inner: str, outer: str) -> bool:
    """Whether `inner` is wholly inside `outer`'s box (shown without scrolling), both non-empty."""
    box = (
        "(s) => { const r = document.querySelector(s).getBoundingClientRect(); "
        "return [r.top, r.bottom, r.height]; }"
    )
    i_top, i_bottom, i_height = page.evaluate(box, inner)
    o_top, o_bottom, o_height = page.evaluate(box, outer)
    return bool(i_height > 0 and o_height > 0 and i_top >= o_top and i_bottom <= o_bottom + 1)


def _field(page: Any, title: str) -> Any:
    """The input under the form label whose title starts with `title`."""
    return page.locator(".p-label", has_text=title).locator("textarea, input").first


def test_an_operator_resumes_a_paused_review_from_the_prefect_ui(
    local_prefect: LocalPrefect,
    server: Server,  # noqa: F811
    flow_engine: Engine,  # noqa: F811
) -> None:
    nips = make_opd(flow_engine, PERIOD, "DISHUB")
    _name_candidates(flow_engine, nips)
    run_id = start_review(PERIOD, "DISHUB")
    before = wait_for(run_id, lambda st: st.is_paused(), what="at the selection pause").timestamp
    SCREENSHOTS.mkdir(exist_ok=True)

    with browser_page() as page:
        page.goto(f"{local_prefect.ui_url}/runs/flow-run/{run_id}")
        page.get_by_role("button", name="Resume").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Operator BKD").first.wait_for()
        page.screenshot(path=str(SCREENSHOTS / "prefect-resume-selection.png"))
        # The description is on screen, not squeezed to nothing by the form below it: its
        # table of candidates fits in what the form leaves free.
        assert _fits(page, "article.markdown-renderer table", "article.markdown-renderer")
        table = dialog.locator("article.markdown-renderer table")
        for nip, name in zip(nips, NAMES, strict=True):
            assert table.get_by_text(name).is_visible() and table.get_by_text(nip).is_visible()
        assert "c_" not in dialog.inner_text()
        labels = dialog.locator(".p-label").all_inner_texts()
        assert not any("Aksi" in t for t in labels)
        assert "(Optional)" not in next(t for t in labels if t.startswith("Operator BKD"))
        assert dialog.get_by_role("button", name="Add item").count() == 0

        _field(dialog, "Operator BKD").fill("op BKD")
        _field(dialog, f"1. {NAMES[0]} (NIP {nips[0]}): alasan").fill(
            "Kegiatan utama 41% dari target"
        )
        dialog.get_by_role("button", name="Submit").click()
        dialog.wait_for(state="hidden")
        page.screenshot(path=str(SCREENSHOTS / "prefect-resume-submitted.png"))

    # The run woke, recorded the operator's answer (channel "ui") and paused for the defence.
    wait_for(run_id, paused_after(before), what="at the defence pause")
    with session_scope(flow_engine) as s:
        chosen = dec.effective(s, PERIOD, "DISHUB", DecisionKind.SELECTION)
        assert {n: d.value for n, d in chosen.items()} == {
            nips[0]: "selected", nips[1]: "not_selected", nips[2]: "not_selected",
        }  # fmt: skip
        first = chosen[nips[0]]
        assert (first.actor, first.channel, first.reason) == (
            "op BKD", "ui", "Kegiatan utama 41% dari target",
        )  # fmt: skip

    with browser_page() as page:  # the defence form: its table shows, the employee is preset
        page.goto(f"{local_prefect.ui_url}/runs/flow-run/{run_id}")
        page.get_by_role("button", name="Resume").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Operator BKD").first.wait_for()
        page.screenshot(path=str(SCREENSHOTS / "prefect-resume-defence.png"))
        assert _fits(page, "article.markdown-renderer table", "article.markdown-renderer")
        assert dialog.locator("article.markdown-renderer table").get_by_text(NAMES[0]).is_visible()
        preset = dialog.locator(".p-label", has_text=re.compile(r"^Pegawai")).locator("textarea")
        assert preset.input_value() == f"{NAMES[0]} (NIP {nips[0]})"  # the one employee


def _latest_id(key: str) -> str:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

    wanted = ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key]))
    with get_client(sync_client=True) as client:
        (found,) = client.read_latest_artifacts(artifact_filter=wanted, limit=1)
    return str(found.latest_id)


def test_the_cycles_charts_and_progress_render_in_the_artifact_pages(
    local_prefect: LocalPrefect,
    prefect_api: None,
    flow_engine: Engine,  # noqa: F811
    flow_settings: dict[str, str],  # noqa: F811
) -> None:
    from kinerja.tasks.cycle import artifact_key, report_charts, report_progress

    for month in ("2025-08", "2025-09", PERIOD):
        make_opd(flow_engine, month, "DINSOS")
    with session_scope(flow_engine) as s:
        reviews.ensure_review(
            s, period=PERIOD, scope_kind="opd", scope_code="DINSOS",
            selection_deadline=datetime(2025, 11, 10, 9, 0, 0, 123456), now=datetime(2025, 11, 3),
        )  # fmt: skip
    assert report_charts(PERIOD) >= 1  # the tasks as the cycle runs them, outside a flow here
    report_progress(PERIOD)
    pages = {
        name: f"{local_prefect.ui_url}/artifacts/artifact/{_latest_id(artifact_key(name, *rest))}"
        for name, *rest in (("opd", PERIOD, "DINSOS"), ("review-awaited", PERIOD),
                            ("review-progress", PERIOD))
    }  # fmt: skip
    SCREENSHOTS.mkdir(exist_ok=True)

    with browser_page() as page:
        page.goto(pages["opd"])
        images = page.locator("img[src^='data:image/svg+xml']")
        images.first.wait_for()
        page.wait_for_function(
            "() => [...document.querySelectorAll('img')].filter(i => i.naturalWidth > 0)"
            ".length >= 2"
        )
        page.screenshot(path=str(SCREENSHOTS / "prefect-artifact-opd.png"), full_page=True)
        widths = images.evaluate_all("els => els.map(e => e.naturalWidth)")
        assert len(widths) == 2 and all(w > 0 for w in widths)
        assert page.get_by_text("Dinas DINSOS (DINSOS), periode 2025-10").first.is_visible()

        page.goto(pages["review-awaited"])
        page.get_by_text("Pemilihan oleh Kepala DINSOS").first.wait_for()
        page.screenshot(path=str(SCREENSHOTS / "prefect-artifact-awaited.png"), full_page=True)
        assert page.get_by_text("2025-11-10 16:00 WIB").first.is_visible()

        page.goto(pages["review-progress"])
        page.get_by_text("Tinjauan selesai").first.wait_for()
        page.screenshot(path=str(SCREENSHOTS / "prefect-artifact-progress.png"), full_page=True)

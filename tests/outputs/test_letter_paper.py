"""Letters print on A4 in Chromium: the page count holds and nothing runs past the margins."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kinerja.outputs.letters import (
    render_coaching_note,
    render_outcome_letter,
    render_warning_letter,
)
from kinerja.rules.policy import load_policy
from tests.templates.test_templates import letter_context

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
# A4 less the letter's @page margins (18 mm each side), in CSS pixels (96 per inch).
CONTENT_WIDTH_PX = int((210 - 2 * 18) / 25.4 * 96)
SHORT = "http://127.0.0.1:8100/s/7K3MQ9XA2BDF"
# What a letter from a long portal address and a long name looks like at its widest.
LONG_NAME = "Raden Ajeng Siti Nurhaliza Kusumawardhani Prawiranegara, S.Kom., M.Kom."
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > width + 0.5 || r.left < -0.5))
      out.push(el.tagName + ' ' + (el.textContent || '').slice(0, 60));
  }
  if (document.documentElement.scrollWidth > width) out.push('page scrolls sideways');
  return out;
}"""


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (make browser installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": CONTENT_WIDTH_PX, "height": 1000})
        yield page
        browser.close()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


LETTERS: dict[str, tuple[Callable[[dict[str, Any]], str], int]] = {
    # letter -> (renderer, most A4 pages it may take)
    "peringatan": (render_warning_letter, 2),
    "keputusan": (render_outcome_letter, 2),
    "catatan_pembinaan": (render_coaching_note, 1),
}


@pytest.mark.browser
@pytest.mark.parametrize("kind", sorted(LETTERS))
def test_a_letter_fits_a4_with_its_link_and_qr_code(page: Any, kind: str, tmp_path: Path) -> None:
    render, most = LETTERS[kind]
    html = render(letter_context(load_policy("jabar"), name=LONG_NAME, portal_url=SHORT))
    page.emulate_media(media="print")
    page.set_content(html, wait_until="load")
    assert page.evaluate(OVERFLOWING) == []
    if kind == "peringatan":
        link = page.locator(f'a[href="{SHORT}"]')
        assert link.count() == 1 and link.is_visible()
        qr = page.locator("figure.qr svg").bounding_box()
        # a QR code a phone reads from paper: at least 25 mm square
        assert qr is not None and qr["width"] >= 25 / 25.4 * 96 and qr["width"] == qr["height"]
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    (tmp_path / f"{kind}.pdf").write_bytes(pdf)
    assert pdf[:5] == b"%PDF-"
    assert 1 <= _pages(pdf) <= most, f"{kind}: {_pages(pdf)} pages"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.emulate_media(media="screen")
    page.screenshot(path=str(SCREENSHOTS / f"letter-{kind}.png"), full_page=True)

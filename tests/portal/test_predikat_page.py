"""The head's page under the nasional profile: predikat with both ratings, and the OPD's
distribution warning against its organisation rating (which changes no candidate)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kinerja.db.opd_ratings import RatingRow, set_ratings
from kinerja.db.session import session_scope
from kinerja.rules.policy import load_policy
from tests.portal.conftest import IssueLink
from tests.portal.world import World, build_world


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine, policy=load_policy("nasional"))


def test_selection_page_shows_predikat_ratings_and_the_distribution_warning(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    with session_scope(engine) as session:
        rating = RatingRow(world.period, "DINAS-A", "butuh_perbaikan")
        set_ratings(session, [rating], set_by="bkd")
    r = client.get(issue("selection", "DINAS-A", world.heads["DINAS-A"]))
    assert r.status_code == 200
    page = r.text
    # the weak employees: kinerja 52 and 56 with behaviour below -> Sangat Kurang; kinerja 60
    # (as expected) with behaviour below -> Kurang/Misconduct
    assert page.count("Predikat kinerja: <strong>Sangat Kurang</strong>") == 2
    assert page.count("Predikat kinerja: <strong>Kurang/Misconduct</strong>") == 1
    assert "Hasil kerja: Di bawah ekspektasi; Perilaku kerja: Di bawah ekspektasi" in page
    assert "Hasil kerja: Sesuai ekspektasi; Perilaku kerja: Di bawah ekspektasi" in page
    # 4 Baik, 1 Kurang, 2 Sangat Kurang against a unit rated Butuh Perbaikan: one breach
    assert 'id="distribution"' in page and "Peringatan distribusi predikat" in page
    assert "&#39;Butuh Perbaikan&#39; 0 dari 7 (0%); sekurang-kurangnya 60%" in page
    assert "Sangat Baik&#39; " not in page  # none, within its 10%
    for nip in world.candidates["DINAS-A"]:
        assert f'name="choice_{nip}"' in page
    assert "Kategori:" not in page


def test_without_a_rating_the_page_says_the_check_was_not_made(
    client: TestClient, issue: IssueLink, world: World
) -> None:
    page = client.get(issue("selection", "DINAS-B", world.heads["DINAS-B"])).text
    assert 'id="distribution"' in page and "belum ditetapkan" in page
    assert "Peringatan distribusi predikat" not in page

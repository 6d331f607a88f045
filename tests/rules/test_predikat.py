"""The nasional profile: ratings, the 3x3 matrix cell by cell, candidates, the distribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from kinerja.rules.policy import PROFILES_DIR, PolicyError, load_policy
from kinerja.rules.predikat import MATRIX, check_distribution, rate
from kinerja.rules.scoring import score_month
from kinerja.rules.selection import propose
from tests.factories import MonthBuilder

NASIONAL = load_policy("nasional")
# Staff under nasional (weighted mode): kinerja = 80 * main_ratio + 20 (full additional work),
# perilaku = (answer - 1) / 4 * 100. Thresholds: >= 90 di atas, < 60 di bawah.
HASIL = {"di_atas": 1.0, "sesuai": 0.6, "di_bawah": 0.3}  # kinerja 100, 68, 44
PERILAKU = {"di_atas": 5.0, "sesuai": 4.0, "di_bawah": 2.0}  # perilaku 100, 75, 25
# The matrix, typed out independently of rules.predikat.MATRIX.
EXPECTED = {
    ("di_atas", "di_atas"): "sangat_baik",
    ("di_atas", "sesuai"): "baik",
    ("di_atas", "di_bawah"): "kurang",
    ("sesuai", "di_atas"): "baik",
    ("sesuai", "sesuai"): "baik",
    ("sesuai", "di_bawah"): "kurang",
    ("di_bawah", "di_atas"): "butuh_perbaikan",
    ("di_bawah", "sesuai"): "butuh_perbaikan",
    ("di_bawah", "di_bawah"): "sangat_kurang",
}


def _staff(mb: MonthBuilder, opd: str, head: str, main_ratio: float, answer: float) -> str:
    nip = mb.employee(opd=opd, supervisor=head)
    mb.full_attendance(nip)
    mb.full_activities(nip, main_ratio=main_ratio)
    mb.rate_360(nip, answer)
    return nip


def _month(cells: list[tuple[str, str]], opd: str = "OPD-A") -> tuple[MonthBuilder, list[str]]:
    mb = MonthBuilder(policy=NASIONAL)
    head = mb.good_employee(opd=opd, level="eselon_ii", job_title="Kepala")
    return mb, [_staff(mb, opd, head, HASIL[h], PERILAKU[p]) for h, p in cells]


@pytest.mark.parametrize(("hasil", "perilaku"), sorted(EXPECTED))
def test_each_matrix_cell_from_the_months_data(hasil: str, perilaku: str) -> None:
    mb, (nip,) = _month([(hasil, perilaku)])
    row = score_month(mb.build(), NASIONAL).set_index("nip").loc[nip]
    assert row["rating_hasil_kerja"] == hasil
    assert row["rating_perilaku_kerja"] == perilaku
    assert row["band"] == EXPECTED[(hasil, perilaku)]


def test_the_matrix_is_the_regulations_and_uses_all_five_predikat() -> None:
    assert MATRIX == EXPECTED
    assert {c.code for c in NASIONAL.categories()} == set(EXPECTED.values())
    labels = [c.label for c in NASIONAL.categories()]
    assert labels == [
        "Sangat Kurang",
        "Kurang/Misconduct",
        "Butuh Perbaikan",
        "Baik",
        "Sangat Baik",
    ]


def test_rating_edges_belong_where_the_profile_says() -> None:
    rule = NASIONAL.predikat.hasil_kerja  # type: ignore[union-attr]
    got = rate(np.array([90.0, 89.99, 60.0, 59.99, np.nan]), rule)
    assert got.tolist() == ["di_atas", "sesuai", "sesuai", "di_bawah", None]


def test_other_profiles_keep_their_bands_and_columns() -> None:
    mb = MonthBuilder()
    nip = mb.good_employee(opd="OPD-A")
    out = score_month(mb.build(), mb.policy)
    assert "rating_hasil_kerja" not in out.columns
    assert out.set_index("nip").loc[nip, "band"] == "baik"


def test_candidates_come_only_from_the_three_lowest_predikat_lowest_first() -> None:
    cells = {
        "sangat_kurang": (0.3, 2.0),  # kinerja 44, perilaku 25
        "kurang": (1.0, 3.0),  # kinerja 100, perilaku 50: a high composite, still Kurang
        "butuh_perbaikan": (0.0, 4.0),  # kinerja 20, perilaku 75: a low composite
        "baik": (0.6, 3.4),  # kinerja 68, perilaku 60: below the Kurang one, never proposed
        "butuh_perbaikan_2": (0.2, 4.4),  # kinerja 36, perilaku 85: the fourth low one
    }
    mb = MonthBuilder(policy=NASIONAL)
    head = mb.good_employee(opd="OPD-A", level="eselon_ii", job_title="Kepala")
    nips = {k: _staff(mb, "OPD-A", head, r, a) for k, (r, a) in cells.items()}
    data = mb.build()
    scores = score_month(data, NASIONAL)
    by_nip = scores.set_index("nip")
    assert by_nip.loc[nips["baik"], "band"] == "baik"
    assert by_nip.loc[nips["baik"], "composite"] < by_nip.loc[nips["kurang"], "composite"]
    assert (
        by_nip.loc[nips["butuh_perbaikan"], "composite"] < by_nip.loc[nips["kurang"], "composite"]
    )
    proposal = propose(scores, NASIONAL, data.unassessable_opds, data.employees)
    got = list(proposal.candidates.sort_values("rank")["nip"])
    # count 3: Sangat Kurang, then Kurang (despite its composite), then the lower Butuh Perbaikan
    assert got == [nips["sangat_kurang"], nips["kurang"], nips["butuh_perbaikan"]]
    note = proposal.notes.set_index("review_scope").loc["OPD-A", "note"]
    assert "berpredikat Sangat Kurang atau Kurang/Misconduct atau Butuh Perbaikan" in note


def test_a_unit_with_no_low_predikat_proposes_nobody() -> None:
    mb, _ = _month([("sesuai", "sesuai"), ("di_atas", "sesuai"), ("sesuai", "di_atas")])
    data = mb.build()
    scores = score_month(data, NASIONAL)
    proposal = propose(scores, NASIONAL, data.unassessable_opds, data.employees)
    assert proposal.candidates.empty
    note = proposal.notes.set_index("review_scope").loc["OPD-A", "note"]
    assert note.startswith("Tidak ada pegawai berpredikat Sangat Kurang")


# --- the distribution check -------------------------------------------------------------------

GUIDE = NASIONAL.predikat  # type: ignore[union-attr]


def _counts(**n: int) -> dict[str, int]:
    return dict(n)


def test_a_baik_unit_with_too_many_baik_and_no_low_predikat_warns_twice() -> None:
    check = check_distribution("OPD-A", _counts(baik=8, sangat_baik=2), "baik", GUIDE)
    assert check.total == 10 and not check.ok and check.note == ""
    assert len(check.warnings) == 2
    assert "'Baik' 8 dari 10 (80%); paling banyak 70%" in check.warnings[0]
    assert "'Butuh Perbaikan' dan/atau 'Kurang/Misconduct' 0 pegawai" in check.warnings[1]
    assert all("tidak diubah" in w for w in check.warnings)


def test_a_baik_unit_within_the_guide_passes() -> None:
    check = check_distribution("OPD-A", _counts(baik=7, sangat_baik=2, kurang=1), "baik", GUIDE)
    assert check.ok and check.note == ""


@pytest.mark.parametrize(
    ("rating", "counts", "breaches"),
    [
        ("istimewa", {"sangat_baik": 7, "baik": 3}, 0),
        ("istimewa", {"sangat_baik": 8, "baik": 2}, 1),
        ("butuh_perbaikan", {"butuh_perbaikan": 6, "sangat_baik": 1, "baik": 3}, 0),
        ("butuh_perbaikan", {"butuh_perbaikan": 5, "sangat_baik": 2, "baik": 3}, 2),
        ("kurang", {"kurang": 6, "butuh_perbaikan": 1, "sangat_baik": 1, "baik": 2}, 0),
        ("kurang", {"kurang": 6, "sangat_baik": 1, "baik": 3}, 1),
        ("sangat_kurang", {"sangat_kurang": 6, "kurang": 1, "baik": 3}, 0),
        ("sangat_kurang", {"sangat_kurang": 6, "sangat_baik": 1, "baik": 3}, 2),
    ],
)
def test_each_organisation_rating_against_the_annex(
    rating: str, counts: dict[str, int], breaches: int
) -> None:
    assert len(check_distribution("X", counts, rating, GUIDE).warnings) == breaches


def test_no_rating_or_a_small_unit_is_said_not_checked() -> None:
    none = check_distribution("X", _counts(baik=10), None, GUIDE)
    assert none.ok and "belum ditetapkan" in none.note
    small = check_distribution("X", _counts(baik=4), "baik", GUIDE)
    assert small.ok and "Hanya 4 pegawai" in small.note
    with pytest.raises(ValueError, match="OPD X: unknown organisation rating 'hebat'"):
        check_distribution("X", _counts(baik=10), "hebat", GUIDE)


# --- bad profile values fail at load naming the field -----------------------------------------


def _write(tmp_path: Path, mutate: Any) -> Path:
    data = yaml.safe_load((PROFILES_DIR / "nasional.yaml").read_text())
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda d: d["predikat"]["hasil_kerja"].update(below_under=95), "predikat.hasil_kerja"),
        (
            lambda d: d["predikat"]["perilaku_kerja"].update(above_from=120),
            "perilaku_kerja.above_from",
        ),
        (lambda d: d["predikat"]["hasil_kerja"].update(indicator="gaji"), "hasil_kerja.indicator"),
        (
            lambda d: d["predikat"].update(candidate_predikat=["kurang", "baik"]),
            "candidate_predikat",
        ),
        (lambda d: d["predikat"]["categories"].pop(), "predikat.categories"),
        (lambda d: d["predikat"]["distribution"]["baik"][0].update(max_share=1.5), "max_share"),
        (
            lambda d: d["predikat"]["distribution"]["baik"][0].update(min_share=0.9),
            "min_share is above max_share",
        ),
        (lambda d: d["predikat"]["distribution"].update(hebat=[]), "distribution.hebat"),
        (
            lambda d: d["predikat"]["distribution"]["baik"].append({"predikat": ["baik"]}),
            "a limit needs",
        ),
        (lambda d: d["selection"].update(tie_break=["composite", "nip"]), "predikat_order"),
        (
            lambda d: d.update(bands=load_policy("jabar").model_dump(mode="json")["bands"]),
            "predikat replaces them",
        ),
        (lambda d: d.pop("predikat"), "at least one band"),
    ],
)
def test_bad_nasional_values_fail_naming_the_field(tmp_path: Path, mutate: Any, match: str) -> None:
    with pytest.raises(PolicyError, match=match):
        load_policy(_write(tmp_path, mutate))

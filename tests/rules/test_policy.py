"""Policy profiles load, and a bad policy fails at load time naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kinerja.domain import PositionLevel
from kinerja.rules.policy import PROFILES_DIR, PolicyError, load_policy


@pytest.mark.parametrize("name", ["jabar", "banten-sikap"])
def test_shipped_profiles_load(name: str) -> None:
    policy = load_policy(name)
    assert policy.name == name
    for level in PositionLevel:
        assert abs(sum(policy.positions[level].leaves().values()) - 1.0) < 1e-9


def test_sikap_staff_tree_matches_article() -> None:
    leaves = load_policy("banten-sikap").positions[PositionLevel.STAFF].leaves()
    assert leaves == pytest.approx(
        {"behaviour": 0.3, "main_activity": 0.7 * 0.8, "additional_activity": 0.7 * 0.2}
    )


def test_sikap_eselon_iv_tree_matches_article() -> None:
    leaves = load_policy("banten-sikap").positions[PositionLevel.ESELON_IV].leaves()
    assert leaves["behaviour"] == pytest.approx(0.4 * 0.3)
    assert leaves["subordinate_activity"] == pytest.approx(0.4 * 0.7 * 0.4)
    assert leaves["capaian_fisik"] == pytest.approx(0.6 * 0.7)
    assert leaves["iki"] == pytest.approx(0.6 * 0.3)


def _write(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load((PROFILES_DIR / "jabar.yaml").read_text())
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_weights_not_summing_to_one_name_the_field(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["composite"]["weights"]["kinerja"] = 0.9

    with pytest.raises(PolicyError, match="composite"):
        load_policy(_write(tmp_path, mutate))


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["selection"]["cuont"] = 4

    with pytest.raises(PolicyError, match="selection.cuont"):
        load_policy(_write(tmp_path, mutate))


def test_selection_count_outside_3_to_5_is_refused(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["selection"]["count"] = 6

    with pytest.raises(PolicyError, match="selection.count"):
        load_policy(_write(tmp_path, mutate))


def test_bands_with_a_gap_are_refused(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["bands"][1]["include_min"] = False

    with pytest.raises(PolicyError, match="bands"):
        load_policy(_write(tmp_path, mutate))


def test_tree_with_unknown_input_is_refused(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["positions"]["staff"]["children"]["perilaku"]["input"] = "vibes"

    with pytest.raises(PolicyError, match="positions.staff"):
        load_policy(_write(tmp_path, mutate))


def test_unknown_profile_lists_shipped_ones() -> None:
    with pytest.raises(PolicyError, match="jabar"):
        load_policy("atlantis")


@pytest.mark.parametrize("name", ["jabar", "banten-sikap"])
def test_shipped_profiles_keep_the_top_band_out_of_the_proposal(name: str) -> None:
    policy = load_policy(name)
    top = policy.bands[-1]
    assert policy.selection.max_composite == 75.0
    assert top.min_score == 75.0 and not top.include_min  # nobody above 75 can be proposed


def test_a_floor_reaching_into_the_top_band_is_refused(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["selection"]["max_composite"] = 80

    with pytest.raises(PolicyError, match="selection.max_composite 80 reaches into the top band"):
        load_policy(_write(tmp_path, mutate))


def test_an_outage_cannot_be_excused_like_leave(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["attendance"]["excused_statuses"].append("connectivity_gap")

    with pytest.raises(PolicyError, match="attendance.excused_statuses.*unobserved"):
        load_policy(_write(tmp_path, mutate))


def test_the_sekda_is_proposed_only_with_someone_to_decide(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["selection"]["exclude_levels"] = []

    with pytest.raises(PolicyError, match="review.sekda_decider_nip"):
        load_policy(_write(tmp_path, mutate))

    def with_delegate(d: dict) -> None:  # type: ignore[type-arg]
        d["selection"]["exclude_levels"] = []
        d["review"]["sekda_decider_nip"] = "196501011990031001"

    assert load_policy(_write(tmp_path, with_delegate)).review.sekda_decider_nip


def test_ties_policy_names_its_choices(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["selection"]["ties"] = "nip"

    with pytest.raises(PolicyError, match="selection.ties"):
        load_policy(_write(tmp_path, mutate))

"""Who decides on whom: the head of each OPD from the register (acting heads included), and the
review each person is assessed in, never one they decide or one their subordinate decides."""

from __future__ import annotations

import pandas as pd

from kinerja.rules.deciders import opd_heads, review_plan
from kinerja.rules.policy import load_policy
from kinerja.rules.scopes import HEADS_SCOPE, SEKDA_SCOPE
from tests.factories import policy_with


def _register(*rows: tuple[str, str, str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["nip", "opd_code", "position_level", "job_title", "supervisor_nip"]
    )


def test_the_definitive_head_is_the_highest_level_without_an_acting_title() -> None:
    heads = opd_heads(
        _register(
            ("1001", "DINAS", "eselon_ii", "Kepala Dinas", "9000"),
            ("1002", "DINAS", "eselon_iii", "Sekretaris", "1001"),
            ("9000", "SETDA", "eselon_i", "Sekretaris Daerah", None),
            ("9001", "SETDA", "eselon_ii", "Asisten Pemerintahan", "9000"),
        )
    )
    assert (heads["DINAS"].nip, heads["DINAS"].acting) == ("1001", False)
    assert (heads["SETDA"].nip, heads["SETDA"].acting) == ("9000", False)
    assert heads["DINAS"].role == "head_of_opd"


def test_a_vacant_head_post_makes_the_highest_official_the_acting_head() -> None:
    heads = opd_heads(
        _register(
            ("2001", "BADAN", "eselon_iii", "Sekretaris Badan", None),
            ("2002", "BADAN", "eselon_iv", "Kepala Subbagian", "2001"),
        )
    )
    assert (heads["BADAN"].nip, heads["BADAN"].acting) == ("2001", True)
    assert heads["BADAN"].role == "acting_head_of_opd"
    assert "kosong" in heads["BADAN"].basis


def test_a_plt_title_marks_the_acting_head_even_at_the_head_level() -> None:
    heads = opd_heads(
        _register(
            ("3001", "DINAS", "eselon_ii", "Plt. Kepala Dinas", None),
            ("3002", "DINAS", "eselon_iii", "Plh Kepala Bidang", "3001"),
        )
    )
    assert (heads["DINAS"].nip, heads["DINAS"].acting) == ("3001", True)
    assert "Plt" in heads["DINAS"].basis


def test_heads_and_those_above_an_acting_head_go_to_the_sekdas_review() -> None:
    plan = review_plan(
        _register(
            ("9000", "SETDA", "eselon_i", "Sekretaris Daerah", None),
            ("9100", "SETDA", "staff", "Analis", "9000"),
            ("1001", "DINAS", "eselon_ii", "Kepala Dinas", "9000"),
            ("1100", "DINAS", "staff", "Pengelola", "1001"),
            # BADAN: a definitive eselon II head and a stray "Plt." title lower down
            ("2000", "BADAN", "eselon_iii", "Kepala Bidang", "2001"),
            ("2001", "BADAN", "eselon_ii", "Kepala Badan", "9000"),
            ("2002", "BADAN", "eselon_iii", "Plt. Kepala Badan", "2001"),
        ),
        load_policy("jabar"),
    )
    assert plan.scope_of["1100"] == "DINAS"
    assert plan.scope_of["1001"] == HEADS_SCOPE
    assert plan.scope_of["9100"] == "SETDA"
    assert plan.deciders[HEADS_SCOPE].nip == "9000"
    # 2001 is a definitive eselon II without an acting title: the head; the Plt stays in BADAN
    assert plan.deciders["BADAN"].nip == "2001"
    assert plan.scope_of["2002"] == "BADAN"
    assert plan.moved_up == {"1001": "DINAS", "2001": "BADAN"}
    # the Sekda decides the heads' review; no delegate is named, so nobody decides on them
    assert "9000" not in plan.scope_of
    assert "review.sekda_decider_nip" in plan.unreviewable["9000"]


def test_the_acting_heads_superiors_in_the_opd_are_never_in_their_review() -> None:
    plan = review_plan(
        _register(
            ("9000", "SETDA", "eselon_i", "Sekretaris Daerah", None),
            ("2001", "BADAN", "eselon_iii", "Plt. Kepala Badan", "2005"),
            ("2005", "BADAN", "eselon_iii", "Kepala Bidang", "9000"),  # the Plt's own superior
            ("2100", "BADAN", "staff", "Analis", "2001"),
        ),
        load_policy("jabar"),
    )
    assert plan.deciders["BADAN"].nip == "2001" and plan.deciders["BADAN"].acting
    assert plan.scope_of["2100"] == "BADAN"
    assert plan.scope_of["2001"] == HEADS_SCOPE
    assert plan.scope_of["2005"] == HEADS_SCOPE  # above the acting head: not judged by them


def test_the_sekda_goes_to_the_governors_delegate_when_the_policy_names_one() -> None:
    policy = policy_with(load_policy("jabar"), "review", sekda_decider_nip="8000000000")
    plan = review_plan(
        _register(
            ("9000", "SETDA", "eselon_i", "Sekretaris Daerah", None),
            ("1001", "DINAS", "eselon_ii", "Kepala Dinas", "9000"),
        ),
        policy,
    )
    assert plan.scope_of["9000"] == SEKDA_SCOPE
    assert plan.deciders[SEKDA_SCOPE].nip == "8000000000"


def test_without_a_secretariat_the_heads_have_nobody_to_decide() -> None:
    plan = review_plan(
        _register(
            ("1001", "DINAS", "eselon_ii", "Kepala Dinas", None),
            ("1100", "DINAS", "staff", "Pengelola", "1001"),
        ),
        load_policy("jabar"),
    )
    assert plan.scope_of == {"1100": "DINAS"}
    assert "SETDA" in plan.unreviewable["1001"]

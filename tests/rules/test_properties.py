"""Property tests: scores stay in 0-100, improving any one input never lowers a composite, and
the order of rows never matters."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinerja.rules.frames import MonthData
from kinerja.rules.policy import Policy, load_policy
from kinerja.rules.scoring import score_month
from tests.factories import MonthBuilder

POLICIES = {name: load_policy(name) for name in ("jabar", "banten-sikap")}
LEVELS = ["staff", "staff", "staff", "eselon_iv", "eselon_iii", "eselon_ii", "eselon_i"]
SCORES = ["kinerja", "kehadiran", "perilaku", "composite"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Person:
    level: str
    late: list[int]
    early: list[int]
    absent: int
    excused: int
    unobserved: int
    main: float
    extra: float
    ratings: list[int]
    indicators: dict[str, float]


people = st.builds(
    Person,
    level=st.sampled_from(LEVELS),
    late=st.lists(st.integers(1, 150), max_size=5),
    early=st.lists(st.integers(1, 120), max_size=3),
    absent=st.integers(0, 4),
    excused=st.integers(0, 8),
    unobserved=st.integers(0, 6),
    main=st.floats(0, 1.3),
    extra=st.floats(0, 1.3),
    ratings=st.lists(st.integers(1, 5), max_size=5),
    indicators=st.dictionaries(
        st.sampled_from(["capaian_fisik", "iki", "iku", "ikp"]), st.floats(0, 100), max_size=4
    ),
)
months = st.tuples(st.lists(people, min_size=1, max_size=6), st.sampled_from(list(POLICIES)))


def build(persons: list[Person], policy: Policy) -> MonthBuilder:
    """A small OPD: the first person heads it, the others report to the one before them."""
    mb = MonthBuilder(policy=policy)
    previous: str | None = None
    for i, p in enumerate(persons):
        nip = mb.employee(level=p.level, supervisor=previous, opd=f"OPD-{i % 2}")
        mb.full_attendance(
            nip,
            late_minutes=p.late,
            early_minutes=p.early,
            absent_days=p.absent,
            excused_days=p.excused,
            unobserved_days=p.unobserved,
        )
        mb.full_activities(nip, main_ratio=p.main, additional_ratio=p.extra)
        for j, r in enumerate(p.ratings):
            mb.rate(nip, r, role="supervisor" if j == 0 else "peer")
        for kind, value in p.indicators.items():
            mb.indicator(nip, kind, value)
        previous = nip
    return mb


def composites(data: MonthData, policy: Policy) -> pd.Series:
    return score_month(data, policy).set_index("nip")["composite"]


@SETTINGS
@given(months)
def test_every_score_is_between_0_and_100(month: tuple[list[Person], str]) -> None:
    persons, name = month
    mb = build(persons, POLICIES[name])
    s = score_month(mb.build(), mb.policy)
    leaves = [c for c in s.columns if c.startswith("c_")]
    values = s[SCORES + leaves].to_numpy(dtype=float)
    present = values[~np.isnan(values)]
    assert ((present >= 0) & (present <= 100)).all()
    assert s["kehadiran"].notna().all()
    assert s["band"].notna().sum() == s["composite"].notna().sum()
    # The effective weights of the leaves with data always sum to 1 where there is a composite.
    weights = s[[c for c in s.columns if c.startswith("w_")]].to_numpy().sum(axis=1)
    scored = s["composite"].notna().to_numpy()
    assert np.allclose(weights[scored], 1.0, atol=1e-5)


def _improve(data: MonthData, which: str, row: int) -> MonthData | None:
    """The same month with one input made better (None when there is nothing to improve)."""
    att, act, beh, ind = (
        data.attendance.copy(),
        data.activities.copy(),
        data.behaviour.copy(),
        data.indicators.copy(),
    )
    if which == "late":
        late = att.index[att["check_in"].fillna("00:00") > "07:30"]
        if not len(late):
            return None
        i = late[row % len(late)]
        att.loc[i, "check_in"] = "07:30" if row % 2 else "07:31"
    elif which == "absent":
        absent = att.index[att["status"] == "absent"]
        if not len(absent):
            return None
        i = absent[row % len(absent)]
        att.loc[i, ["status", "check_in", "check_out"]] = ["present", "07:30", "16:00"]
    elif which == "minutes":
        if not len(act):
            return None
        i = act.index[row % len(act)]
        act.loc[i, "minutes"] = act.loc[i, "minutes"] + 120
    elif which == "approval":
        pending = act.index[act["approval"] != "approved"]
        if not len(pending):
            return None
        act.loc[pending[row % len(pending)], "approval"] = "approved"
    elif which == "new_activity":
        nips = data.employees["nip"]
        day = date(2025, 10, 1 + row % 28)
        extra = {
            "nip": nips.iloc[row % len(nips)],
            "external_id": "EXTRA",
            "work_date": pd.Timestamp(day),
            "entered_at": pd.Timestamp(datetime.combine(day, time(16, 5))),
            "kind": "main" if row % 2 else "additional",
            "minutes": 90.0,
            "completed": True,
            "approval": "approved",
            "approver_nip": None,
        }
        act = pd.concat([act, pd.DataFrame([extra])], ignore_index=True)
    elif which == "rating":
        low = beh.index[beh["score"] < 5]
        if not len(low):
            return None
        beh.loc[low[row % len(low)], "score"] += 1
    elif which == "indicator":
        low = ind.index[ind["value"] < 100]
        if not len(low):
            return None
        i = low[row % len(low)]
        ind.loc[i, "value"] = min(100.0, ind.loc[i, "value"] + 10)
    return MonthData(data.period, data.employees, att, act, beh, ind)


@SETTINGS
@given(
    months,
    st.sampled_from(
        ["late", "absent", "minutes", "approval", "new_activity", "rating", "indicator"]
    ),
    st.integers(0, 1000),
)
def test_improving_one_input_never_lowers_a_composite(
    month: tuple[list[Person], str], which: str, row: int
) -> None:
    persons, name = month
    policy = POLICIES[name]
    mb = build(persons, policy)
    if which == "approval":
        for r in mb.activities[::3]:
            r["approval"] = "pending"
    data = mb.build()
    better = _improve(data, which, row)
    if better is None:
        return
    before, after = composites(data, policy), composites(better, policy)
    both = before.notna() & after.notna()
    assert (after[both] >= before[both] - 1e-9).all(), (which, before, after)


@SETTINGS
@given(months, st.integers(0, 2**32 - 1))
def test_scoring_does_not_depend_on_row_order(month: tuple[list[Person], str], seed: int) -> None:
    persons, name = month
    policy = POLICIES[name]
    mb = build(persons, policy)
    expected = score_month(mb.build(), policy).set_index("nip").sort_index()
    rnd = random.Random(seed)
    for rows in (mb.employees, mb.attendance, mb.activities, mb.behaviour, mb.indicators):
        rnd.shuffle(rows)
    shuffled = score_month(mb.build(), policy).set_index("nip").sort_index()
    pd.testing.assert_frame_equal(shuffled, expected)

"""Every quarantine reason, on small hand-written deliveries (no database)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.rules.policy import load_policy
from kinerja.sources import validate as v
from kinerja.sources.validate import Register, validate_register, validate_rows

PERIOD = "2025-10"
A, B, C = "198001012005011001", "198502022010012002", "199003032015031003"
OUTSIDER = "197001012000011999"
ITEMS = load_policy("jabar").behaviour.items


@pytest.fixture
def register() -> Register:
    nip_opd = pd.DataFrame({"nip": [A, B, C], "opd_code": ["DINKES", "DINKES", "BKD"]})
    return Register(period=PERIOD, nip_opd=nip_opd)


def check(kind: str, rows: list[dict[str, Any]], register: Register, opd: str | None = None):
    return validate_rows(kind, pd.DataFrame(rows), register, opd=opd, behaviour_items=ITEMS)


def att(**kw: Any) -> dict[str, Any]:
    row = {
        "nip": A,
        "work_date": "2025-10-01",
        "status": "present",
        "check_in": "07:10",
        "check_out": "16:05:00",
    }
    return {**row, **kw}


def act(**kw: Any) -> dict[str, Any]:
    row = {
        "nip": A,
        "external_id": "X1",
        "work_date": "2025-10-01",
        "entered_at": "2025-10-01T16:30:00",
        "kind": "main",
        "minutes": 120,
        "completed": True,
        "approval": "approved",
        "approver_nip": B,
    }
    return {**row, **kw}


def beh(**kw: Any) -> dict[str, Any]:
    row = {"nip": A, "rater_nip": B, "rater_role": "peer", "item": "akuntabel", "score": 4}
    return {**row, **kw}


def reasons(checked: v.Checked) -> list[str]:
    return list(checked.rejected["reason"])


def test_clean_rows_pass_in_canonical_form(register: Register) -> None:
    out = check("attendance", [att(), att(work_date="2025-10-02", check_out=None)], register)
    assert reasons(out) == []
    assert list(out.valid["check_in"]) == ["07:10:00", "07:10:00"]
    assert out.valid["check_out"].isna().tolist() == [False, True]
    acts = check("activities", [act()], register)
    assert acts.valid.loc[0, "entered_at"] == "2025-10-01 16:30:00"
    assert acts.valid.loc[0, "completed"] is True or bool(acts.valid.loc[0, "completed"])


@pytest.mark.parametrize(
    ("row", "reason", "detail"),
    [
        (att(nip="12AB"), v.MALFORMED, "nip '12AB' is not a NIP"),
        (att(work_date="2025-10-32"), v.MALFORMED, "work_date '2025-10-32' is not a date"),
        (att(check_in="25:61"), v.MALFORMED, "check_in '25:61' is not a time"),
        (att(status="hadir"), v.UNKNOWN_ENUM, "status 'hadir' is not one of"),
        (att(nip=OUTSIDER), v.UNKNOWN_NIP, f"nip '{OUTSIDER}' is not in the register"),
        (
            att(work_date="2025-11-01"),
            v.OUTSIDE_PERIOD,
            "work_date '2025-11-01' is outside 2025-10",
        ),
        (
            att(check_in="16:00", check_out="07:30"),
            v.CHECKOUT_BEFORE_CHECKIN,
            "check_out 07:30:00 is before check_in 16:00:00",
        ),
    ],
)
def test_attendance_reasons(register: Register, row: dict, reason: str, detail: str) -> None:
    out = check("attendance", [att(work_date="2025-10-03"), row], register)
    assert reasons(out) == [reason]
    assert detail in out.rejected.loc[0, "detail"]
    assert len(out.valid) == 1
    # the row is kept exactly as received
    assert out.rejected.loc[0, "nip"] == row["nip"]


def test_unknown_opd_when_a_feed_serves_someone_from_another_opd(register: Register) -> None:
    out = check("attendance", [att(), att(nip=C)], register, opd="DINKES")
    assert reasons(out) == [v.UNKNOWN_OPD]
    assert "is not assigned to OPD DINKES" in out.rejected.loc[0, "detail"]


def test_exact_repeat_keeps_one_copy(register: Register) -> None:
    out = check("attendance", [att(), att()], register)
    assert reasons(out) == [v.DUPLICATE]
    assert len(out.valid) == 1
    assert "repeats an earlier row" in out.rejected.loc[0, "detail"]


def test_conflicting_copies_are_all_rejected(register: Register) -> None:
    out = check("attendance", [att(check_in="07:00"), att(check_in="09:00"), att(nip=B)], register)
    assert reasons(out) == [v.DUPLICATE, v.DUPLICATE]
    assert list(out.valid["nip"]) == [B]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (act(work_date="2025-09-30", entered_at="2025-10-01 16:30:00"), v.OUTSIDE_PERIOD),
        (act(minutes="abc"), v.MALFORMED),
        (act(minutes=2000), v.IMPOSSIBLE_VALUE),
        (act(entered_at="2025-10-01 08:00", work_date="2025-10-02"), v.IMPOSSIBLE_TIME),
        (act(entered_at="yesterday"), v.MALFORMED),
        (act(kind="extra"), v.UNKNOWN_ENUM),
        (act(approval="ok"), v.UNKNOWN_ENUM),
        (act(completed="maybe"), v.MALFORMED),
        (act(approver_nip=OUTSIDER), v.UNKNOWN_NIP),
        (act(external_id=None), v.MALFORMED),
    ],
)
def test_activity_reasons(register: Register, row: dict, reason: str) -> None:
    out = check(
        "activities", [act(external_id="OK1"), {**row, "external_id": row["external_id"]}], register
    )
    assert reasons(out) == [reason]


def test_activity_ids_repeat(register: Register) -> None:
    out = check("activities", [act(), act(minutes=30)], register)
    assert reasons(out) == [v.DUPLICATE, v.DUPLICATE]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (beh(score=7), v.IMPOSSIBLE_VALUE),
        (beh(score=0), v.IMPOSSIBLE_VALUE),
        (beh(score="lima"), v.MALFORMED),
        (beh(rater_nip=A), v.SELF_RATING),
        (beh(item="disiplin"), v.UNKNOWN_ENUM),
        (beh(rater_role="boss"), v.UNKNOWN_ENUM),
        (beh(rater_nip=OUTSIDER), v.UNKNOWN_NIP),
    ],
)
def test_behaviour_reasons(register: Register, row: dict, reason: str) -> None:
    out = check("behaviour", [beh(item="loyal"), row], register)
    assert reasons(out) == [reason]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"nip": A, "kind": "iki", "value": 140}, v.IMPOSSIBLE_VALUE),
        ({"nip": A, "kind": "iki", "value": -1}, v.IMPOSSIBLE_VALUE),
        ({"nip": A, "kind": "skp", "value": 80}, v.UNKNOWN_ENUM),
        ({"nip": A, "kind": "iki", "value": None}, v.MALFORMED),
    ],
)
def test_indicator_reasons(register: Register, row: dict, reason: str) -> None:
    out = check("indicators", [{"nip": A, "kind": "iku", "value": 80.5}, row], register)
    assert reasons(out) == [reason]


def emp(**kw: Any) -> dict[str, Any]:
    row = {
        "nip": A,
        "name": "Siti",
        "status": "PNS",
        "opd_code": "DINKES",
        "opd_name": "Dinas Kesehatan",
        "rumpun_code": "KESRA",
        "position_level": "staff",
        "job_title": "Analis",
        "supervisor_nip": None,
        "start_date": "2020-01-01",
        "end_date": None,
    }
    return {**row, **kw}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (emp(nip="12345ABC"), v.MALFORMED),
        (emp(position_level="eselon_v"), v.UNKNOWN_ENUM),
        (emp(status="HONORER"), v.UNKNOWN_ENUM),
        (emp(supervisor_nip=OUTSIDER), v.UNKNOWN_NIP),
        (emp(start_date="2020-01-01 00:00:00", end_date="2019-12-31"), v.IMPOSSIBLE_TIME),
        (emp(opd_code=None), v.MALFORMED),
        (emp(nip=B, start_date="01/02/2020"), v.MALFORMED),
    ],
)
def test_register_reasons(row: dict, reason: str) -> None:
    out = validate_register(pd.DataFrame([emp(nip=C, supervisor_nip=None), row]), PERIOD)
    assert reasons(out) == [reason]


NIPS = load_policy("jabar").nip


@pytest.mark.parametrize(
    ("nip", "status", "why"),
    [
        ("198001012005011001", "PNS", None),
        ("198203102023212014", "PPPK", None),
        ("19800101200501100", "PNS", "has 17 digits, not 18"),
        ("198013012005011001", "PNS", "birth date 19801301 is not a date"),
        ("198001012005131001", "PNS", "appointment month 13 is not a month"),
        ("198001012005013001", "PNS", "structure of a PNS number"),
        ("198001011990011001", "PNS", "at an age under 17"),
        ("198001012005011000", "PNS", "sequence number 000"),
        ("198001012005011001", "PPPK", "structure of a PPPK number"),
        ("192001012005011001", "PNS", "birth year 1920 is before 1935"),
    ],
)
def test_register_nips_are_checked_for_a_plausible_structure(
    nip: str, status: str, why: str | None
) -> None:
    out = validate_register(pd.DataFrame([emp(nip=C), emp(nip=nip, status=status)]), PERIOD, NIPS)
    if why is None:
        assert reasons(out) == []
    else:
        assert reasons(out) == [v.IMPLAUSIBLE_NIP]
        assert why in out.rejected.loc[0, "detail"]
        assert out.rejected.loc[0, "detail"].startswith(f"nip '{nip}' ")


def test_the_nip_rules_are_configurable() -> None:
    lenient = NIPS.model_copy(update={"length": None, "pns_pattern": None})
    out = validate_register(pd.DataFrame([emp(nip="12345678")]), PERIOD, lenient)
    assert reasons(out) == []


def test_register_duplicates_and_spreadsheet_dates() -> None:
    out = validate_register(
        pd.DataFrame([emp(start_date="2020-01-01 00:00:00"), emp(), emp(nip=B, supervisor_nip=A)]),
        PERIOD,
    )
    assert reasons(out) == [v.DUPLICATE]
    assert set(out.valid["start_date"]) == {"2020-01-01"}


def test_a_delivery_without_its_fields_is_refused(register: Register) -> None:
    with pytest.raises(ValueError, match="lacks fields"):
        check("attendance", [{"nip": A, "day": "2025-10-01"}], register)


def test_every_reason_is_tested() -> None:
    assert set(v.REASONS) == {
        v.MALFORMED,
        v.UNKNOWN_ENUM,
        v.UNKNOWN_NIP,
        v.UNKNOWN_OPD,
        v.OUTSIDE_PERIOD,
        v.CHECKOUT_BEFORE_CHECKIN,
        v.IMPOSSIBLE_VALUE,
        v.IMPOSSIBLE_TIME,
        v.SELF_RATING,
        v.DUPLICATE,
        v.IMPLAUSIBLE_NIP,
    }


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2025-10-01T16:30:00", "2025-10-01 16:30:00"),
        ("2025-10-01 16:30:05", "2025-10-01 16:30:05"),
        ("2025-10-01T16:30", "2025-10-01 16:30:00"),
        ("2025-10-01T09:30:00+00:00", "2025-10-01 16:30:00"),  # UTC becomes WIB
        (" 2025-10-31T23:59:59 ", "2025-10-31 23:59:59"),
    ],
)
def test_entry_times_are_stored_in_one_form(register: Register, given: str, stored: str) -> None:
    out = check("activities", [act(entered_at=given)], register)
    assert reasons(out) == []
    assert out.valid.loc[0, "entered_at"] == stored


def test_entry_times_with_an_offset_are_stored_in_the_configured_zone(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A government in WITA stores its sources' times in WITA, as its people read them."""
    from kinerja.settings import get_settings

    monkeypatch.setenv("KINERJA_TIMEZONE", "Asia/Makassar")
    get_settings.cache_clear()
    try:
        out = check("activities", [act(entered_at="2025-10-01T09:30:00+00:00")], register)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert out.valid.loc[0, "entered_at"] == "2025-10-01 17:30:00"


@pytest.mark.parametrize("bad", ["2025-02-30 10:00:00", "2025-10-01 24:00:00", "1 Oktober"])
def test_impossible_entry_times_are_malformed(register: Register, bad: str) -> None:
    out = check("activities", [act(entered_at=bad)], register)
    assert reasons(out) == [v.MALFORMED]
    assert f"entered_at '{bad}' is not an ISO datetime" in out.rejected.loc[0, "detail"]


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=" \t\nab1\x0bé\u00a0-", max_size=6),
            st.none(),
            st.just(float("nan")),
        ),
        max_size=12,
    )
)
def test_bulk_text_cleaning_agrees_with_cleaning_each_cell(values: list[object]) -> None:
    """The one-pass fast path must give exactly what stripping cell by cell gives."""
    array = np.array(values, dtype=object)
    assert v.clean_texts(array) == [v._clean_text(x) for x in values]

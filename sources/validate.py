"""Vectorised row checks: each incoming row is valid (canonical form) or rejected with a reason."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from kinerja.domain import (
    ActivityKind,
    ApprovalStatus,
    AttendanceStatus,
    EmployeeStatus,
    IndicatorKind,
    PositionLevel,
    RaterRole,
)
from rules.frames import FRAME_COLUMNS

# Quarantine reasons (quarantined_row.reason). Each rejected row gets the first that applies.
MALFORMED = "malformed"  # a field is missing or cannot be parsed
UNKNOWN_ENUM = "unknown_enum"  # a status/kind/role/item outside the known values
UNKNOWN_NIP = "unknown_nip"  # the NIP (or rater/approver/supervisor) is not in the register
UNKNOWN_OPD = "unknown_opd"  # the OPD is unknown or the NIP is not assigned to it this month
OUTSIDE_PERIOD = "outside_period"  # dated outside the month being gathered
CHECKOUT_BEFORE_CHECKIN = "checkout_before_checkin"
IMPOSSIBLE_VALUE = "impossible_value"  # a score, percentage or duration outside its range
IMPOSSIBLE_TIME = "impossible_time"  # e.g. an activity entered before the day it records
SELF_RATING = "self_rating"  # a rater rating themselves
DUPLICATE = "duplicate"  # the same key twice in a delivery, or already delivered elsewhere
REASONS = [
    MALFORMED,
    UNKNOWN_ENUM,
    UNKNOWN_NIP,
    UNKNOWN_OPD,
    OUTSIDE_PERIOD,
    CHECKOUT_BEFORE_CHECKIN,
    IMPOSSIBLE_VALUE,
    IMPOSSIBLE_TIME,
    SELF_RATING,
    DUPLICATE,
]

# Natural key of each kind: what a re-delivery is matched on.
KEYS: dict[str, list[str]] = {
    "employees": ["nip", "start_date"],
    "attendance": ["nip", "work_date"],
    "activities": ["external_id"],
    "behaviour": ["nip", "rater_nip", "item"],
    "indicators": ["nip", "kind"],
}
# Columns stored per kind (besides period/source/batch_id), in canonical text/number form.
VALUE_COLUMNS: dict[str, list[str]] = {
    "attendance": ["nip", "work_date", "status", "check_in", "check_out"],
    "activities": [
        "nip",
        "external_id",
        "work_date",
        "entered_at",
        "kind",
        "minutes",
        "completed",
        "approval",
        "approver_nip",
    ],
    "behaviour": ["nip", "rater_nip", "rater_role", "item", "score"],
    "indicators": ["nip", "kind", "value"],
}
NIP_PATTERN = r"\d{8,32}"
TRUE_WORDS = {"true", "1", "yes", "ya", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "tidak", "n", "f"}


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM period; a bad period is a ValueError naming it."""
    try:
        year, month = (int(x) for x in period.split("-"))
        last = calendar.monthrange(year, month)[1]
        if len(period) != 7:
            raise ValueError
    except (ValueError, calendar.IllegalMonthError) as exc:
        raise ValueError(f"period {period!r} is not YYYY-MM") from exc
    return date(year, month, 1), date(year, month, last)


@dataclass
class Register:
    """Who exists this month: the context raw rows are checked against."""

    period: str
    nip_opd: pd.DataFrame  # nip, opd_code: assignments overlapping the month
    known_nips: frozenset[str] = frozenset()  # every NIP in the register (any month)
    opds: frozenset[str] = frozenset()  # every OPD with someone assigned this month
    month_nips: frozenset[str] = field(init=False)
    _by_opd: dict[str, frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.month_nips = frozenset(self.nip_opd["nip"])
        self._by_opd = {
            str(opd): frozenset(group["nip"]) for opd, group in self.nip_opd.groupby("opd_code")
        }
        if not self.opds:
            self.opds = frozenset(self._by_opd)
        if not self.known_nips:
            self.known_nips = self.month_nips

    def opd_nips(self, opd: str) -> frozenset[str]:
        return self._by_opd.get(opd, frozenset())

    def nip_to_opd(self) -> pd.Series:
        """One OPD per NIP (the latest assignment wins when a transfer falls in the month)."""
        return self.nip_opd.drop_duplicates("nip", keep="last").set_index("nip")["opd_code"]


@dataclass
class Checked:
    """The outcome of checking one delivery: valid rows (canonical) and rejected rows."""

    kind: str
    valid: pd.DataFrame
    rejected: pd.DataFrame  # the row as received + row_key, reason, detail
    received: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


class _Marks:
    """First reason wins: later checks only mark rows still unmarked."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.index = frame.index
        self.reason = pd.Series(None, index=frame.index, dtype=object)
        self.detail = pd.Series(None, index=frame.index, dtype=object)

    def free(self) -> pd.Series:
        return self.reason.isna()

    def mark(self, mask: pd.Series, reason: str, detail: str | Detail) -> None:
        m = mask.fillna(False).astype(bool) & self.free()
        if not m.any():
            return
        self.reason[m] = reason
        # details are built only for the (few) rejected rows
        self.detail[m] = detail if isinstance(detail, str) else detail.render(m)


class Detail:
    """A per-row message: text pieces and columns, rendered only for the rows marked."""

    def __init__(self, *parts: str | pd.Series) -> None:
        self.parts = parts

    def __add__(self, other: str | pd.Series) -> Detail:
        return Detail(*self.parts, other)

    def __radd__(self, other: str) -> Detail:
        return Detail(other, *self.parts)

    def render(self, mask: pd.Series) -> list[str]:
        n = int(mask.sum())
        cols = [
            [p] * n if isinstance(p, str) else ["" if pd.isna(x) else str(x) for x in p[mask]]
            for p in self.parts
        ]
        return ["".join(bits) for bits in zip(*cols, strict=True)]


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    """A column as stripped text, missing (and empty) as NaN."""
    if col not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="str")
    s = frame[col].astype("str").str.strip()
    return s.where(s != "", np.nan)


def _quoted(col: str, s: pd.Series) -> Detail:
    return Detail(f"{col} '", s, "'")


def _check_nip(marks: _Marks, col: str, s: pd.Series, required: bool = True) -> None:
    present = s.notna()
    bad = present & ~s.fillna("").str.fullmatch(NIP_PATTERN)
    marks.mark(bad, MALFORMED, _quoted(col, s) + " is not a NIP (8-32 digits)")
    if required:
        marks.mark(~present, MALFORMED, f"{col} is missing")


def _date(marks: _Marks, col: str, s: pd.Series, required: bool = True) -> pd.Series:
    """Parse ISO dates (also 'YYYY-MM-DD 00:00:00' from spreadsheets); canonical 'YYYY-MM-DD'."""
    cut = s.where(~s.fillna("").str.endswith(" 00:00:00"), s.str.slice(0, 10))
    parsed = pd.to_datetime(cut, format="%Y-%m-%d", errors="coerce")
    present = s.notna()
    marks.mark(present & parsed.isna(), MALFORMED, _quoted(col, s) + " is not a date (YYYY-MM-DD)")
    if required:
        marks.mark(~present, MALFORMED, f"{col} is missing")
    canonical = cut.where(cut.fillna("").str.len() == 10, parsed.dt.strftime("%Y-%m-%d"))
    return canonical.where(parsed.notna(), np.nan)


def _datetime(marks: _Marks, col: str, s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse ISO datetimes; canonical 'YYYY-MM-DD HH:MM:SS' and the parsed values."""
    parsed = pd.to_datetime(s, format="ISO8601", errors="coerce")
    present = s.notna()
    marks.mark(present & parsed.isna(), MALFORMED, _quoted(col, s) + " is not an ISO datetime")
    marks.mark(~present, MALFORMED, f"{col} is missing")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("Asia/Jakarta").dt.tz_localize(None)
    fast = s.fillna("").str.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")
    canonical = (s.str.slice(0, 10) + " " + s.str.slice(11, 19)).where(
        fast, parsed.dt.strftime("%Y-%m-%d %H:%M:%S")
    )
    return canonical.where(parsed.notna(), np.nan), parsed


def _time(marks: _Marks, col: str, s: pd.Series) -> pd.Series:
    """Parse optional HH:MM[:SS]; canonical 'HH:MM:SS'."""
    present = s.notna()
    fast = s.fillna("").str.fullmatch(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d")
    canonical = s.where(fast, np.nan)
    slow = present & ~fast
    if slow.any():
        parts = s[slow].str.extract(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
        h = pd.to_numeric(parts[0], errors="coerce")
        m = pd.to_numeric(parts[1], errors="coerce")
        sec = pd.to_numeric(parts[2], errors="coerce").fillna(0)
        ok = (h < 24) & (m < 60) & (sec < 60)
        good = ok[ok].index
        canonical[good] = (
            h[good].astype(int).astype(str).str.zfill(2)
            + ":"
            + m[good].astype(int).astype(str).str.zfill(2)
            + ":"
            + sec[good].astype(int).astype(str).str.zfill(2)
        )
        bad = pd.Series(False, index=s.index)
        bad[ok[~ok].index] = True
        marks.mark(bad, MALFORMED, _quoted(col, s) + " is not a time (HH:MM[:SS])")
    return canonical


def _enum(marks: _Marks, col: str, s: pd.Series, allowed: Iterable[str]) -> pd.Series:
    allowed = sorted(set(allowed))
    low = s.str.lower()
    marks.mark(s.isna(), MALFORMED, f"{col} is missing")
    marks.mark(
        s.notna() & ~low.isin(allowed),
        UNKNOWN_ENUM,
        _quoted(col, s) + f" is not one of {allowed}",
    )
    return low


def _number(marks: _Marks, col: str, s: pd.Series) -> pd.Series:
    num = pd.to_numeric(s, errors="coerce")
    marks.mark(s.isna(), MALFORMED, f"{col} is missing")
    marks.mark(s.notna() & num.isna(), MALFORMED, _quoted(col, s) + " is not a number")
    return num.astype(float)


def _range(marks: _Marks, col: str, raw: pd.Series, num: pd.Series, lo: float, hi: float) -> None:
    marks.mark(
        num.notna() & ((num < lo) | (num > hi)),
        IMPOSSIBLE_VALUE,
        _quoted(col, raw) + f" is outside {lo:g}..{hi:g}",
    )


def _in_register(
    marks: _Marks,
    col: str,
    s: pd.Series,
    register: Register,
    opd: str | None,
    month_only: bool = True,
) -> None:
    known = register.month_nips if month_only else register.known_nips
    present = s.notna()
    marks.mark(
        present & ~s.isin(known),
        UNKNOWN_NIP,
        _quoted(col, s) + f" is not in the register for {register.period}",
    )
    if opd is not None:
        marks.mark(
            present & ~s.isin(register.opd_nips(opd)),
            UNKNOWN_OPD,
            _quoted(col, s) + f" is not assigned to OPD {opd} in {register.period}",
        )


def _duplicates(marks: _Marks, keys: pd.DataFrame, values: pd.DataFrame, what: str) -> None:
    """Identical repeats: keep the first. Same key with different values: reject every copy."""
    ok = marks.free()
    if not ok.any():
        return
    k = keys[ok]
    dup_key = k.duplicated(keep=False)
    if not dup_key.any():
        return
    kv = pd.concat([k, values[ok]], axis=1)
    repeat = kv.duplicated(keep="first")
    # keys whose copies disagree among themselves
    distinct = kv[dup_key].drop_duplicates()
    conflicting_keys = distinct[distinct.duplicated(subset=list(k.columns), keep=False)]
    conflict = pd.Series(False, index=k.index)
    if len(conflicting_keys):
        merged = k.reset_index().merge(
            conflicting_keys[list(k.columns)].drop_duplicates(), on=list(k.columns)
        )
        conflict[merged["index"].to_numpy()] = True
    full_conflict = pd.Series(False, index=marks.index)
    full_conflict[conflict[conflict].index] = True
    full_repeat = pd.Series(False, index=marks.index)
    full_repeat[repeat[repeat].index] = True
    marks.mark(full_conflict, DUPLICATE, f"{what} appears more than once with different values")
    marks.mark(full_repeat, DUPLICATE, f"{what} repeats an earlier row of this delivery")


def _row_key(kind: str, frame: pd.DataFrame) -> pd.Series:
    parts = [_text(frame, c).fillna("") for c in KEYS[kind]]
    key = parts[0]
    for p in parts[1:]:
        key = key + "|" + p
    return key.str.slice(0, 200)


def _finish(kind: str, frame: pd.DataFrame, marks: _Marks, valid: pd.DataFrame) -> Checked:
    bad = marks.reason.notna()
    valid = valid.assign(_pos=np.arange(len(frame)))
    rejected = frame[bad].copy()
    rejected["row_key"] = _row_key(kind, frame[bad]) if len(rejected) else pd.Series(dtype=str)
    rejected["reason"] = marks.reason[bad]
    rejected["detail"] = marks.detail[bad]
    counts = rejected["reason"].value_counts().to_dict() if len(rejected) else {}
    return Checked(
        kind=kind,
        valid=valid[~bad].reset_index(drop=True),
        rejected=rejected.reset_index(drop=True),
        received=len(frame),
        by_reason={str(k): int(v) for k, v in counts.items()},
    )


def _missing_columns(kind: str, frame: pd.DataFrame) -> list[str]:
    return [c for c in FRAME_COLUMNS[kind] if c not in frame.columns]


def ensure_columns(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """An empty delivery gets the contract's columns; a non-empty one must already have them."""
    missing = _missing_columns(kind, frame)
    if missing and len(frame):
        raise ValueError(f"{kind}: the delivery lacks fields {missing}")
    for c in missing:
        frame[c] = pd.Series(dtype=object)
    return frame.reset_index(drop=True)


def validate_register(frame: pd.DataFrame, period: str) -> Checked:
    """Check the employee register; canonical columns are the EMPLOYEE_COLUMNS (+ extras)."""
    frame = ensure_columns("employees", frame)
    marks = _Marks(frame)
    nip = _text(frame, "nip")
    _check_nip(marks, "nip", nip)
    name = _text(frame, "name")
    marks.mark(name.isna(), MALFORMED, "name is missing")
    status = _text(frame, "status").str.upper()
    marks.mark(
        status.notna() & ~status.isin([s.value for s in EmployeeStatus]),
        UNKNOWN_ENUM,
        _quoted("status", status) + " is not PNS or PPPK",
    )
    marks.mark(status.isna(), MALFORMED, "status is missing")
    opd = _text(frame, "opd_code")
    marks.mark(opd.isna(), MALFORMED, "opd_code is missing")
    level = _enum(marks, "position_level", _text(frame, "position_level"), list(PositionLevel))
    sup = _text(frame, "supervisor_nip")
    _check_nip(marks, "supervisor_nip", sup, required=False)
    start = _date(marks, "start_date", _text(frame, "start_date"))
    end = _date(marks, "end_date", _text(frame, "end_date"), required=False)
    marks.mark(
        end.notna() & start.notna() & (end < start),
        IMPOSSIBLE_TIME,
        Detail("end_date ", end, " is before start_date ", start),
    )
    known = set(nip[marks.free()])
    marks.mark(
        sup.notna() & ~sup.isin(list(known)),
        UNKNOWN_NIP,
        _quoted("supervisor_nip", sup) + " is not in the register",
    )
    marks.mark(sup.notna() & (sup == nip), MALFORMED, "supervisor_nip is the employee's own NIP")
    valid = pd.DataFrame(
        {
            "nip": nip,
            "name": name,
            "status": status,
            "opd_code": opd,
            "opd_name": _text(frame, "opd_name").fillna(opd),
            "rumpun_code": _text(frame, "rumpun_code"),
            "rumpun_name": _text(frame, "rumpun_name"),
            "position_level": level,
            "job_title": _text(frame, "job_title").fillna(""),
            "supervisor_nip": sup,
            "start_date": start,
            "end_date": end,
            "email": _text(frame, "email"),
            "phone": _text(frame, "phone"),
        }
    )
    _duplicates(
        marks,
        valid[["nip", "start_date"]],
        valid.drop(columns=["nip", "start_date"]).fillna(""),
        "nip+start_date",
    )
    return _finish("employees", frame, marks, valid)


def validate_rows(
    kind: str,
    frame: pd.DataFrame,
    register: Register,
    *,
    opd: str | None = None,
    behaviour_items: Iterable[str] | None = None,
    scale: tuple[float, float] = (1.0, 5.0),
) -> Checked:
    """Check one delivery of a raw kind for the register's period (and the OPD it came for)."""
    frame = ensure_columns(kind, frame)
    start, end = period_bounds(register.period)
    first, last = start.isoformat(), end.isoformat()
    marks = _Marks(frame)
    nip = _text(frame, "nip")
    _check_nip(marks, "nip", nip)
    if kind == "attendance":
        day = _date(marks, "work_date", _text(frame, "work_date"))
        status = _enum(marks, "status", _text(frame, "status"), list(AttendanceStatus))
        cin = _time(marks, "check_in", _text(frame, "check_in"))
        cout = _time(marks, "check_out", _text(frame, "check_out"))
        _in_register(marks, "nip", nip, register, opd)
        marks.mark(
            day.notna() & ((day < first) | (day > last)),
            OUTSIDE_PERIOD,
            _quoted("work_date", day) + f" is outside {register.period}",
        )
        marks.mark(
            cin.notna() & cout.notna() & (cout < cin),
            CHECKOUT_BEFORE_CHECKIN,
            Detail("check_out ", cout, " is before check_in ", cin),
        )
        valid = pd.DataFrame(
            {"nip": nip, "work_date": day, "status": status, "check_in": cin, "check_out": cout}
        )
    elif kind == "activities":
        ext = _text(frame, "external_id")
        marks.mark(ext.isna(), MALFORMED, "external_id is missing")
        marks.mark(ext.fillna("").str.len() > 64, MALFORMED, "external_id is over 64 characters")
        day = _date(marks, "work_date", _text(frame, "work_date"))
        entered, entered_ts = _datetime(marks, "entered_at", _text(frame, "entered_at"))
        akind = _enum(marks, "kind", _text(frame, "kind"), list(ActivityKind))
        minutes_raw = _text(frame, "minutes")
        minutes = _number(marks, "minutes", minutes_raw)
        done_raw = _text(frame, "completed").str.lower()
        completed = done_raw.isin(list(TRUE_WORDS))
        marks.mark(
            done_raw.notna() & ~done_raw.isin(list(TRUE_WORDS | FALSE_WORDS)),
            MALFORMED,
            _quoted("completed", done_raw) + " is not true/false",
        )
        completed = completed.where(done_raw.notna(), True)
        approval = _enum(marks, "approval", _text(frame, "approval"), list(ApprovalStatus))
        approver = _text(frame, "approver_nip")
        _check_nip(marks, "approver_nip", approver, required=False)
        _range(marks, "minutes", minutes_raw, minutes, 1, 24 * 60)
        _in_register(marks, "nip", nip, register, opd)
        marks.mark(
            approver.notna() & ~approver.isin(register.known_nips),
            UNKNOWN_NIP,
            _quoted("approver_nip", approver) + " is not in the register",
        )
        marks.mark(
            day.notna() & ((day < first) | (day > last)),
            OUTSIDE_PERIOD,
            _quoted("work_date", day) + f" is outside {register.period}",
        )
        day_ts = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
        marks.mark(
            entered_ts.notna() & day_ts.notna() & (entered_ts < day_ts),
            IMPOSSIBLE_TIME,
            Detail("entered_at ", entered, " is before work_date ", day),
        )
        valid = pd.DataFrame(
            {
                "nip": nip,
                "external_id": ext,
                "work_date": day,
                "entered_at": entered,
                "kind": akind,
                "minutes": minutes,
                "completed": completed.astype(bool),
                "approval": approval,
                "approver_nip": approver,
            }
        )
    elif kind == "behaviour":
        rater = _text(frame, "rater_nip")
        _check_nip(marks, "rater_nip", rater)
        role = _enum(marks, "rater_role", _text(frame, "rater_role"), list(RaterRole))
        item_raw = _text(frame, "item")
        item = (
            _enum(marks, "item", item_raw, behaviour_items)
            if behaviour_items is not None
            else item_raw
        )
        score_raw = _text(frame, "score")
        score = _number(marks, "score", score_raw)
        _range(marks, "score", score_raw, score, scale[0], scale[1])
        _in_register(marks, "nip", nip, register, opd)
        marks.mark(
            rater.notna() & ~rater.isin(register.month_nips),
            UNKNOWN_NIP,
            _quoted("rater_nip", rater) + f" is not in the register for {register.period}",
        )
        marks.mark(rater == nip, SELF_RATING, Detail("rater_nip ", rater, " rates themself"))
        valid = pd.DataFrame(
            {"nip": nip, "rater_nip": rater, "rater_role": role, "item": item, "score": score}
        )
    elif kind == "indicators":
        ikind = _enum(marks, "kind", _text(frame, "kind"), list(IndicatorKind))
        value_raw = _text(frame, "value")
        value = _number(marks, "value", value_raw)
        _range(marks, "value", value_raw, value, 0, 100)
        _in_register(marks, "nip", nip, register, opd)
        valid = pd.DataFrame({"nip": nip, "kind": ikind, "value": value})
    else:
        raise ValueError(f"unknown data kind {kind!r}")
    keys = KEYS[kind]
    _duplicates(
        marks,
        valid[keys],
        valid.drop(columns=keys).astype(object).where(valid.drop(columns=keys).notna(), ""),
        "+".join(keys),
    )
    return _finish(kind, frame, marks, valid)

"""Vectorised row checks: each incoming row is valid (canonical form) or rejected with a reason."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from kinerja.domain import (
    ActivityKind,
    ApprovalStatus,
    AttendanceStatus,
    EmployeeStatus,
    IndicatorKind,
    Period,
    PositionLevel,
    RaterRole,
)
from kinerja.rules.frames import FRAME_COLUMNS
from kinerja.rules.policy import NipPolicy, Policy

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
IMPLAUSIBLE_NIP = "implausible_nip"  # a register NIP whose structure cannot be (policy.nip)
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
    IMPLAUSIBLE_NIP,
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

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)
        self.free = np.ones(n, dtype=bool)

    def mark(self, mask: np.ndarray, reason: str, detail: str | Detail) -> None:
        m = mask & self.free
        if not m.any():
            return
        self.reason[m] = reason
        self.free[m] = False
        # details are built only for the (few) rejected rows
        self.detail[m] = detail if isinstance(detail, str) else detail.render(m)


class Field:
    """A column factorised: each row points at one of the distinct values (last: missing).

    Checks and parsing run once per distinct value, then map back to rows with numpy
    indexing, so a million rows with thirty distinct dates parse thirty dates.
    """

    def __init__(self, idx: np.ndarray, uniq: np.ndarray) -> None:
        self.idx = idx
        self.uniq = uniq  # stripped text (or None), with a trailing None for missing

    @classmethod
    def of(cls, frame: pd.DataFrame, name: str) -> Field:
        n = len(frame)
        if name not in frame.columns:
            return cls(np.zeros(n, dtype=np.intp), np.array([None], dtype=object))
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):  # already factorised (CSV import)
            column = column.cat.remove_unused_categories()
            codes = column.cat.codes.to_numpy()
            uniques = column.cat.categories.to_numpy(dtype=object)
        else:
            codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
        cleaned = clean_texts(uniques)
        uniq = np.array([*cleaned, None], dtype=object)
        idx = np.where(codes < 0, len(cleaned), codes).astype(np.intp)
        return cls(idx, uniq)

    def per_unique(self, fn: Callable[[Any], Any], dtype: Any = object) -> np.ndarray:
        return np.array([fn(x) for x in self.uniq], dtype=dtype)

    def rows(self, per_unique: np.ndarray) -> np.ndarray:
        return per_unique[self.idx]

    @property
    def present(self) -> np.ndarray:
        return self.rows(self.per_unique(lambda x: x is not None, bool))

    def values(self) -> np.ndarray:
        return self.uniq[self.idx]


def _padded(joined: str) -> bool:
    """Does any NUL-separated piece of this ASCII text start or end with whitespace?"""
    b = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    space = (b == 32) | ((b >= 9) & (b <= 13))
    edge = np.ones(len(b) + 2, dtype=bool)  # piece boundaries: the ends and every NUL
    edge[1:-1] = b == 0
    return bool((space & (edge[:-2] | edge[2:])).any())


def clean_texts(values: np.ndarray) -> list[str | None]:
    """_clean_text of every value; text that is already clean (the usual case) in one pass."""
    items = values.tolist()
    if items and pd.api.types.infer_dtype(values, skipna=False) == "string":
        joined = "\x00".join(items)
        # ASCII only (else strip() may know more spaces), none empty, none padded
        if joined.isascii() and min(map(len, items)) > 0 and not _padded(joined):
            return items
    return [_clean_text(x) for x in items]


def _clean_text(x: Any) -> str | None:
    if x is None:
        return None
    if isinstance(x, float) and np.isnan(x):
        return None
    if isinstance(x, bool | np.bool_):
        return "true" if x else "false"
    text = str(x).strip()
    return text or None


class Detail:
    """A per-row message: text pieces and fields/arrays, rendered only for the rows marked."""

    def __init__(self, *parts: str | Field | np.ndarray) -> None:
        self.parts = parts

    def __add__(self, other: str) -> Detail:
        return Detail(*self.parts, other)

    def render(self, mask: np.ndarray) -> list[str]:
        n = int(mask.sum())
        cols: list[list[str]] = []
        for p in self.parts:
            if isinstance(p, str):
                cols.append([p] * n)
            else:
                vals = p.values()[mask] if isinstance(p, Field) else p[mask]
                cols.append(["" if v is None else str(v) for v in vals])
        return ["".join(bits) for bits in zip(*cols, strict=True)]


def _quoted(name: str, f: Field) -> Detail:
    return Detail(f"{name} '", f, "'")


NIP_RE = re.compile(NIP_PATTERN)
TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _check_nip(marks: _Marks, name: str, f: Field, required: bool = True) -> np.ndarray:
    ok = f.per_unique(lambda x: x is None or NIP_RE.fullmatch(x) is not None, bool)
    marks.mark(~f.rows(ok), MALFORMED, _quoted(name, f) + " is not a NIP (8-32 digits)")
    if required:
        marks.mark(~f.present, MALFORMED, f"{name} is missing")
    return f.rows(f.per_unique(lambda x: x if x is not None and NIP_RE.fullmatch(x) else None))


def _parse_date(x: str | None) -> date | None:
    if x is None:
        return None
    if len(x) == 19 and x.endswith(" 00:00:00"):  # spreadsheets turn dates into datetimes
        x = x[:10]
    if len(x) != 10:
        return None
    try:
        return date.fromisoformat(x)
    except ValueError:
        return None


def _date(
    marks: _Marks, name: str, f: Field, required: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Canonical 'YYYY-MM-DD' per row (None if bad) and the day ordinal (-1 if bad)."""
    parsed = [_parse_date(x) for x in f.uniq]
    canon = np.array([d.isoformat() if d else None for d in parsed], dtype=object)
    ordinal = np.array([d.toordinal() if d else -1 for d in parsed], dtype=np.int64)
    bad = np.array([x is not None and d is None for x, d in zip(f.uniq, parsed, strict=True)])
    marks.mark(f.rows(bad), MALFORMED, _quoted(name, f) + " is not a date (YYYY-MM-DD)")
    if required:
        marks.mark(~f.present, MALFORMED, f"{name} is missing")
    return f.rows(canon), f.rows(ordinal)


def _local_zone() -> ZoneInfo:
    """The government's zone (settings.timezone): times without an offset are read in it."""
    from kinerja.settings import get_settings

    return ZoneInfo(get_settings().timezone)


def _parse_datetime(x: str | None, zone: ZoneInfo) -> datetime | None:
    if x is None:
        return None
    try:
        value = datetime.fromisoformat(x)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(zone).replace(tzinfo=None)
    return value.replace(microsecond=0)


_DIGITS_19 = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]


def _fast_datetimes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised parse of 'YYYY-MM-DD[ T]HH:MM:SS' via character codes: (ok, secs, canon).

    Values of any other shape come back not ok and take the slow path.
    """
    n = len(values)
    c = values.astype("U20").view(np.uint32).reshape(n, 20).astype(np.int64)
    ok = (c[:, 18] != 0) & (c[:, 19] == 0)
    ok &= np.all((c[:, _DIGITS_19] >= 48) & (c[:, _DIGITS_19] <= 57), axis=1)
    ok &= (c[:, 4] == 45) & (c[:, 7] == 45) & (c[:, 13] == 58) & (c[:, 16] == 58)
    ok &= (c[:, 10] == 32) | (c[:, 10] == 84)
    d = c - 48

    def num(*pos: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        for p in pos:
            out = out * 10 + d[:, p]
        return out

    year, month, day = num(0, 1, 2, 3), num(5, 6), num(8, 9)
    hour, minute, sec = num(11, 12), num(14, 15), num(17, 18)
    ok &= (month >= 1) & (month <= 12) & (hour < 24) & (minute < 60) & (sec < 60) & (day >= 1)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    nxt = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    ok &= day <= nxt - first
    secs = np.where(ok, (first + day - 1) * 86400 + hour * 3600 + minute * 60 + sec, 0)
    c[:, 10] = 32  # canonical separator is a space
    canon = np.ascontiguousarray(c[:, :19].astype(np.uint32)).view("U19").ravel().astype(object)
    return ok, secs.astype(float), canon


def _datetime(marks: _Marks, name: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Canonical local 'YYYY-MM-DD HH:MM:SS' per row and seconds since 1970 (NaN if bad)."""
    ok, secs, canon = _fast_datetimes(values)
    canon[~ok] = None
    secs = np.where(ok, secs, np.nan)
    rest = np.flatnonzero(~ok)
    present = np.ones(len(rest), dtype=bool)
    if len(rest):  # other shapes (time zones, no seconds, missing): parse one by one
        epoch = datetime(1970, 1, 1)
        zone = _local_zone()
        for k, i in enumerate(rest):
            text = _clean_text(values[i])
            present[k] = text is not None
            parsed = _parse_datetime(text, zone)
            if parsed is not None:
                canon[i] = parsed.isoformat(" ")
                secs[i] = (parsed - epoch).total_seconds()
    missing = np.zeros(len(values), dtype=bool)
    missing[rest[~present]] = True
    bad = np.zeros(len(values), dtype=bool)
    bad[rest[present]] = True
    bad &= np.isnan(secs)
    marks.mark(missing, MALFORMED, f"{name} is missing")
    marks.mark(bad, MALFORMED, Detail(f"{name} '", values, "' is not an ISO datetime"))
    return canon, secs


def _parse_time(x: str | None) -> int:
    if x is None:
        return -1
    m = TIME_RE.fullmatch(x)
    if not m:
        return -2
    h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or se > 59:
        return -2
    return h * 3600 + mi * 60 + se


def _time(marks: _Marks, name: str, f: Field) -> tuple[np.ndarray, np.ndarray]:
    """Optional HH:MM[:SS]: canonical 'HH:MM:SS' per row and seconds of day (-1 missing)."""
    secs = f.per_unique(_parse_time, np.int64)
    canon = np.array(
        [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 0 else None for s in secs],
        dtype=object,
    )
    marks.mark(f.rows(secs == -2), MALFORMED, _quoted(name, f) + " is not a time (HH:MM[:SS])")
    return f.rows(canon), f.rows(np.maximum(secs, -1))


def _enum(marks: _Marks, name: str, f: Field, allowed: Iterable[str]) -> np.ndarray:
    allowed = sorted(set(allowed))
    lower = f.per_unique(lambda x: x.lower() if x is not None else None)
    ok = np.array([x is None or x in allowed for x in lower], dtype=bool)
    marks.mark(~f.present, MALFORMED, f"{name} is missing")
    marks.mark(~f.rows(ok), UNKNOWN_ENUM, _quoted(name, f) + f" is not one of {', '.join(allowed)}")
    lower[~ok] = None
    return f.rows(lower)


def _to_float(x: str | None) -> float:
    if x is None:
        return np.nan
    try:
        value = float(x)
    except ValueError:
        return np.nan
    return value if np.isfinite(value) else np.nan


def _number(marks: _Marks, name: str, f: Field, lo: float, hi: float) -> np.ndarray:
    num = f.per_unique(_to_float, float)
    marks.mark(~f.present, MALFORMED, f"{name} is missing")
    bad = np.array([x is not None for x in f.uniq]) & np.isnan(num)
    marks.mark(f.rows(bad), MALFORMED, _quoted(name, f) + " is not a number")
    with np.errstate(invalid="ignore"):
        out = (num < lo) | (num > hi)
    marks.mark(f.rows(out), IMPOSSIBLE_VALUE, _quoted(name, f) + f" is outside {lo:g}..{hi:g}")
    return f.rows(num)


def _in(f: Field, members: frozenset[str] | set[str]) -> np.ndarray:
    return f.rows(f.per_unique(lambda x: x in members, bool))


def _in_register(marks: _Marks, name: str, f: Field, register: Register, opd: str | None) -> None:
    present = f.present
    marks.mark(
        present & ~_in(f, register.month_nips),
        UNKNOWN_NIP,
        _quoted(name, f) + f" is not in the register for {register.period}",
    )
    if opd is not None:
        marks.mark(
            present & ~_in(f, register.opd_nips(opd)),
            UNKNOWN_OPD,
            _quoted(name, f) + f" is not assigned to OPD {opd} in {register.period}",
        )


def _codes(values: np.ndarray) -> np.ndarray:
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes)


def _duplicates(marks: _Marks, keys: list[np.ndarray], values: list[np.ndarray], what: str) -> None:
    """Identical repeats: keep the first. Same key with different values: reject every copy."""
    ok = np.flatnonzero(marks.free)
    if len(ok) < 2:
        return
    kf = pd.DataFrame({f"k{i}": _codes(k[ok]) for i, k in enumerate(keys)})
    dup_key = kf.duplicated(keep=False).to_numpy()
    if not dup_key.any():
        return
    sub = ok[dup_key]
    kv = pd.DataFrame(
        {
            **{f"k{i}": _codes(k[sub]) for i, k in enumerate(keys)},
            **{f"v{i}": _codes(v[sub]) for i, v in enumerate(values)},
        }
    )
    kcols = [f"k{i}" for i in range(len(keys))]
    distinct = kv.drop_duplicates()
    conflicting = distinct[distinct.duplicated(subset=kcols, keep=False)][kcols].drop_duplicates()
    conflict_rows = (
        kv.reset_index().merge(conflicting, on=kcols)["index"].to_numpy()
        if len(conflicting)
        else np.array([], dtype=int)
    )
    n = len(marks.free)
    conflict = np.zeros(n, dtype=bool)
    conflict[sub[conflict_rows]] = True
    repeat = np.zeros(n, dtype=bool)
    repeat[sub[kv.duplicated(keep="first").to_numpy()]] = True
    marks.mark(conflict, DUPLICATE, f"{what} appears more than once with different values")
    marks.mark(repeat, DUPLICATE, f"{what} repeats an earlier row of this delivery")


def _finish(
    kind: str,
    frame: pd.DataFrame,
    marks: _Marks,
    columns: dict[str, np.ndarray],
    key_fields: list[Field],
) -> Checked:
    bad = ~marks.free
    good = marks.free
    data: dict[str, pd.Series] = {}
    for name, arr in columns.items():
        dtype = arr.dtype if arr.dtype != object else object
        data[name] = pd.Series(arr[good], dtype=dtype)
    data["_pos"] = pd.Series(np.flatnonzero(good), dtype=np.int64)
    valid = pd.DataFrame(data)
    rows = np.flatnonzero(bad)
    rejected = frame.iloc[rows].copy().reset_index(drop=True)
    if len(rows):
        parts = [[("" if v is None else str(v)) for v in f.values()[bad]] for f in key_fields]
        rejected["row_key"] = ["|".join(p)[:200] for p in zip(*parts, strict=True)]
    else:
        rejected["row_key"] = pd.Series(dtype=object)
    rejected["reason"] = pd.Series(marks.reason[bad], dtype=object)
    details = marks.detail[bad]
    numbers, file = frame.attrs.get("rows"), frame.attrs.get("file")
    if len(rows) and numbers is not None and file is not None:
        # a file's rows are named as the spreadsheet numbers them
        details = np.array(
            [f"{file} row {numbers[i]}: {d}" for i, d in zip(rows, details, strict=True)],
            dtype=object,
        )
    rejected["detail"] = pd.Series(details, dtype=object)
    counts = pd.Series(marks.reason[bad]).value_counts().to_dict() if len(rows) else {}
    return Checked(
        kind=kind,
        valid=valid,
        rejected=rejected,
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
    frame = frame.reset_index(drop=True)
    for c in missing:
        frame[c] = pd.Series(dtype=object)
    return frame


def nip_problem(nip: str, status: str | None, rule: NipPolicy) -> str | None:
    """Why a register NIP cannot be right for its status (None: plausible), per policy.nip."""
    pattern = rule.pppk_pattern if status == EmployeeStatus.PPPK else rule.pns_pattern
    if pattern is None:
        return None
    label = "PPPK" if status == EmployeeStatus.PPPK else "PNS"
    m = re.fullmatch(pattern, nip)
    if m is None:
        return (
            f"does not have the structure of a {label} number (policy nip.{label.lower()}_pattern)"
        )
    parts = m.groupdict()
    try:
        birth = datetime.strptime(parts["birth"], "%Y%m%d").date()
    except ValueError:
        return f"birth date {parts['birth']} is not a date"
    if birth.year < rule.earliest_birth_year:
        return f"birth year {birth.year} is before {rule.earliest_birth_year}"
    month = int(parts.get("month") or 1)
    if not 1 <= month <= 12:
        return f"appointment month {parts['month']} is not a month"
    year = int(parts["year"])
    if year - birth.year < rule.min_age_at_appointment:
        return f"appointed in {year} at an age under {rule.min_age_at_appointment}"
    if year > date.today().year + 1:
        return f"appointment year {year} is in the future"
    if parts.get("seq") is not None and not parts["seq"].strip("0"):
        return f"sequence number {parts['seq']} is not used"
    return None


def validate_register(
    frame: pd.DataFrame, period: str, nip_rule: NipPolicy | None = None
) -> Checked:
    """Check the employee register; valid rows keep the EMPLOYEE_COLUMNS (+ optional extras).

    `nip_rule` (the policy's `nip`): NIPs of the wrong length or structure are quarantined as
    implausible_nip; None checks only that a NIP is digits.
    """
    frame = ensure_columns("employees", frame)
    marks = _Marks(len(frame))
    f = {c: Field.of(frame, c) for c in [*FRAME_COLUMNS["employees"], *REGISTER_EXTRAS]}
    nip = _check_nip(marks, "nip", f["nip"])
    marks.mark(~f["name"].present, MALFORMED, "name is missing")
    status = f["status"].per_unique(lambda x: x.upper() if x else None)
    ok_status = np.array([x is None or x in set(EmployeeStatus) for x in status], dtype=bool)
    marks.mark(~f["status"].present, MALFORMED, "status is missing")
    marks.mark(
        ~f["status"].rows(ok_status),
        UNKNOWN_ENUM,
        _quoted("status", f["status"]) + " is not PNS or PPPK",
    )
    marks.mark(~f["opd_code"].present, MALFORMED, "opd_code is missing")
    level = _enum(marks, "position_level", f["position_level"], list(PositionLevel))
    sup = _check_nip(marks, "supervisor_nip", f["supervisor_nip"], required=False)
    start, start_day = _date(marks, "start_date", f["start_date"])
    end, end_day = _date(marks, "end_date", f["end_date"], required=False)
    marks.mark(
        (end_day >= 0) & (start_day >= 0) & (end_day < start_day),
        IMPOSSIBLE_TIME,
        Detail("end_date ", end, " is before start_date ", start),
    )
    known = set(nip[marks.free]) - {None}
    has_sup = sup != None  # noqa: E711 (elementwise on an object array)
    marks.mark(
        has_sup & ~np.array([x in known for x in sup], dtype=bool),
        UNKNOWN_NIP,
        _quoted("supervisor_nip", f["supervisor_nip"]) + " is not in the register",
    )
    marks.mark(has_sup & (sup == nip), MALFORMED, "supervisor_nip is the employee's own NIP")
    if nip_rule is not None:
        _plausible(marks, nip, f["status"].rows(status), nip_rule)
    opd = f["opd_code"].values()
    columns = {
        "nip": nip,
        "name": f["name"].values(),
        "status": f["status"].rows(status),
        "opd_code": opd,
        "opd_name": np.where(f["opd_name"].present, f["opd_name"].values(), opd),
        "rumpun_code": f["rumpun_code"].values(),
        "rumpun_name": f["rumpun_name"].values(),
        "position_level": level,
        "job_title": np.where(f["job_title"].present, f["job_title"].values(), ""),
        "supervisor_nip": sup,
        "start_date": start,
        "end_date": end,
        "email": f["email"].values(),
        "phone": f["phone"].values(),
    }
    others = [c for c in columns if c not in ("nip", "start_date")]
    _duplicates(
        marks,
        [columns["nip"], columns["start_date"]],
        [columns[c] for c in others],
        "nip+start_date",
    )
    return _finish("employees", frame, marks, columns, [f["nip"], f["start_date"]])


REGISTER_EXTRAS = ["rumpun_name", "email", "phone"]


def _plausible(marks: _Marks, nip: np.ndarray, status: np.ndarray, rule: NipPolicy) -> None:
    """Mark register NIPs of the wrong length or structure (checked once per NIP and status)."""
    why = np.full(len(nip), None, dtype=object)
    seen: dict[tuple[str, str], str | None] = {}
    for i in np.flatnonzero(marks.free):
        n, st = nip[i], status[i]
        if n is None:
            continue
        key = (n, st)
        if key not in seen:
            if rule.length is not None and len(n) != rule.length:
                seen[key] = f"has {len(n)} digits, not {rule.length}"
            else:
                seen[key] = nip_problem(n, st, rule)
        why[i] = seen[key]
    bad = why != None  # noqa: E711 (elementwise on an object array)
    marks.mark(bad, IMPLAUSIBLE_NIP, Detail("nip '", nip, "' ", why))


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
    start, end = Period.parse(register.period).bounds()
    first, last = start.toordinal(), end.toordinal()
    marks = _Marks(len(frame))
    per_row = {"external_id", "entered_at"}
    f = {c: Field.of(frame, c) for c in FRAME_COLUMNS[kind] if c not in per_row}
    nip = _check_nip(marks, "nip", f["nip"])
    columns: dict[str, np.ndarray]
    if kind == "attendance":
        day, ordinal = _date(marks, "work_date", f["work_date"])
        status = _enum(marks, "status", f["status"], list(AttendanceStatus))
        cin, cin_s = _time(marks, "check_in", f["check_in"])
        cout, cout_s = _time(marks, "check_out", f["check_out"])
        _in_register(marks, "nip", f["nip"], register, opd)
        marks.mark(
            (ordinal >= 0) & ((ordinal < first) | (ordinal > last)),
            OUTSIDE_PERIOD,
            _quoted("work_date", f["work_date"]) + f" is outside {register.period}",
        )
        marks.mark(
            (cin_s >= 0) & (cout_s >= 0) & (cout_s < cin_s),
            CHECKOUT_BEFORE_CHECKIN,
            Detail("check_out ", cout, " is before check_in ", cin),
        )
        columns = {
            "nip": nip,
            "work_date": day,
            "status": status,
            "check_in": cin,
            "check_out": cout,
        }
    elif kind == "activities":
        # ids and entry times are (nearly) all distinct: handled per row, not per value
        ext = np.array(clean_texts(frame["external_id"].to_numpy(object)), dtype=object)
        marks.mark(ext == None, MALFORMED, "external_id is missing")  # noqa: E711
        too_long = np.array([x is not None and len(x) > 64 for x in ext], dtype=bool)
        marks.mark(too_long, MALFORMED, "external_id is over 64 characters")
        day, ordinal = _date(marks, "work_date", f["work_date"])
        entered, entered_s = _datetime(
            marks, "entered_at", frame["entered_at"].to_numpy(dtype=object)
        )
        akind = _enum(marks, "kind", f["kind"], list(ActivityKind))
        minutes = _number(marks, "minutes", f["minutes"], 1, 24 * 60)
        done = f["completed"].per_unique(lambda x: x.lower() if x is not None else None)
        ok_done = np.array([x is None or x in TRUE_WORDS | FALSE_WORDS for x in done], bool)
        marks.mark(
            ~f["completed"].rows(ok_done),
            MALFORMED,
            _quoted("completed", f["completed"]) + " is not true/false",
        )
        completed = f["completed"].rows(
            np.array([x is None or x in TRUE_WORDS for x in done], dtype=bool)
        )
        approval = _enum(marks, "approval", f["approval"], list(ApprovalStatus))
        approver = _check_nip(marks, "approver_nip", f["approver_nip"], required=False)
        _in_register(marks, "nip", f["nip"], register, opd)
        marks.mark(
            f["approver_nip"].present & ~_in(f["approver_nip"], register.known_nips),
            UNKNOWN_NIP,
            _quoted("approver_nip", f["approver_nip"]) + " is not in the register",
        )
        marks.mark(
            (ordinal >= 0) & ((ordinal < first) | (ordinal > last)),
            OUTSIDE_PERIOD,
            _quoted("work_date", f["work_date"]) + f" is outside {register.period}",
        )
        day_start = (ordinal - date(1970, 1, 1).toordinal()) * 86400.0
        with np.errstate(invalid="ignore"):
            early = (ordinal >= 0) & (entered_s < day_start)
        marks.mark(
            early, IMPOSSIBLE_TIME, Detail("entered_at ", entered, " is before work_date ", day)
        )
        columns = {
            "nip": nip,
            "external_id": ext,
            "work_date": day,
            "entered_at": entered,
            "kind": akind,
            "minutes": minutes,
            "completed": completed,
            "approval": approval,
            "approver_nip": approver,
        }
    elif kind == "behaviour":
        rater = _check_nip(marks, "rater_nip", f["rater_nip"])
        role = _enum(marks, "rater_role", f["rater_role"], list(RaterRole))
        item = (
            _enum(marks, "item", f["item"], behaviour_items)
            if behaviour_items is not None
            else f["item"].values()
        )
        score = _number(marks, "score", f["score"], scale[0], scale[1])
        _in_register(marks, "nip", f["nip"], register, opd)
        marks.mark(
            f["rater_nip"].present & ~_in(f["rater_nip"], register.month_nips),
            UNKNOWN_NIP,
            _quoted("rater_nip", f["rater_nip"]) + f" is not in the register for {register.period}",
        )
        marks.mark(
            (rater != None) & (rater == nip),  # noqa: E711
            SELF_RATING,
            Detail("rater_nip ", rater, " rates themself"),
        )
        columns = {"nip": nip, "rater_nip": rater, "rater_role": role, "item": item, "score": score}
    elif kind == "indicators":
        ikind = _enum(marks, "kind", f["kind"], list(IndicatorKind))
        value = _number(marks, "value", f["value"], 0, 100)
        _in_register(marks, "nip", f["nip"], register, opd)
        columns = {"nip": nip, "kind": ikind, "value": value}
    else:
        raise ValueError(f"unknown data kind {kind!r}")
    keys = KEYS[kind]
    _duplicates(
        marks,
        [columns[k] for k in keys],
        [columns[c] for c in columns if c not in keys],
        "+".join(keys),
    )
    key_fields = [f[k] if k in f else Field.of(frame, k) for k in keys]
    return _finish(kind, frame, marks, columns, key_fields)


def check_delivery(
    kind: str, frame: pd.DataFrame, register: Register, policy: Policy, opd: str | None = None
) -> Checked:
    """validate_rows with the policy's behaviour items and scale."""
    return validate_rows(
        kind,
        frame,
        register,
        opd=opd,
        behaviour_items=policy.behaviour.items,
        scale=(policy.behaviour.scale_min, policy.behaviour.scale_max),
    )

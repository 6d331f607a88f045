"""Vectorised helpers shared by the scoring modules: integer codes, masks, times, group sums."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import time
from typing import Any

import numpy as np
import pandas as pd


def _wide(codes: np.ndarray) -> np.ndarray:
    """Codes as int32 or wider, so code arithmetic (code * k + j) cannot overflow."""
    return codes if codes.dtype.itemsize >= 4 else codes.astype(np.int32)


def codes_for(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each value in `index` (-1 if absent); categoricals map categories only."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        raw = values.cat.codes.to_numpy()
        if categories.equals(index):
            return _wide(raw)
        # A trailing -1 maps the missing-value code (-1) to "absent" in the same gather.
        cat_map = np.append(index.get_indexer(categories), -1).astype(np.int64)
        return cat_map[raw]
    return index.get_indexer(pd.Index(values)).astype(np.int64, copy=False)


def factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 = missing) and uniques; categorical columns reuse their codes."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _wide(values.cat.codes.to_numpy()), pd.Index(values.cat.categories)
    codes, uniques = pd.factorize(values)
    return codes, pd.Index(uniques)


def map_values(values: pd.Series, fn: Callable[[Any], Any], missing: Any, dtype: Any) -> np.ndarray:
    """fn(value) for every row, computed once per distinct value; `missing` for empty cells."""
    codes, uniques = factorize(values)
    table = np.empty(len(uniques) + 1, dtype=dtype)
    table[: len(uniques)] = [fn(u) for u in uniques]
    table[-1] = missing  # code -1 (missing) picks the last entry
    return table[codes]


def isin(values: pd.Series, allowed: Iterable[str]) -> np.ndarray:
    """Boolean mask of values in `allowed`, evaluated once per distinct value."""
    allowed_set = {str(a) for a in allowed}
    return map_values(values, lambda u: str(u) in allowed_set, False, bool)


def position_in(values: pd.Series, known: list[str]) -> np.ndarray:
    """Index of each value in `known` (-1 when absent or empty), as small integers."""
    where = {name: i for i, name in enumerate(known)}
    dtype = np.int8 if len(known) < 127 else np.int64
    return map_values(values, lambda u: where.get(str(u), -1), -1, dtype)


def time_seconds(t: time) -> int:
    """Seconds since midnight of a time of day."""
    return t.hour * 3600 + t.minute * 60 + t.second


def parse_clock(value: object) -> float:
    """Seconds since midnight of 'HH:MM[:SS]' or a time; NaN when empty; ValueError when bad."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    text = str(value).strip()
    if not text:
        return np.nan
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r} is not a time HH:MM[:SS]")
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) == 3 else 0
    if h > 23 or m > 59 or s > 59:
        raise ValueError(f"{text!r} is not a time HH:MM[:SS]")
    return float(h * 3600 + m * 60 + s)


def clock_seconds(values: pd.Series) -> np.ndarray:
    """Seconds since midnight for a column of times, parsing each distinct value once."""
    codes, uniques = factorize(values)
    table = np.full(len(uniques) + 1, np.nan)  # the last entry serves code -1 (empty)
    table[: len(uniques)] = _parse_clocks(uniques)
    return table[codes]


def _parse_clocks(uniques: pd.Index) -> np.ndarray:
    """Vectorised 'HH:MM[:SS]' parsing with the same rules as parse_clock; anything else
    (time objects, odd shapes, errors) goes through parse_clock one value at a time."""
    if not len(uniques):
        return np.array([], dtype=np.float64)
    texts = np.asarray(uniques.astype(str), dtype=str)
    padded = np.where(np.strings.str_len(texts) == 5, np.strings.add(texts, ":00"), texts)
    hh, mm, ss = (np.strings.slice(padded, i, i + 2) for i in (0, 3, 6))
    fast = (
        (np.strings.str_len(padded) == 8)
        & (np.strings.slice(padded, 2, 3) == ":")
        & (np.strings.slice(padded, 5, 6) == ":")
        & np.strings.isdigit(np.strings.add(np.strings.add(hh, mm), ss))
        & (hh < "24")
        & (mm < "60")
        & (ss < "60")
    )
    out = np.full(len(texts), np.nan)
    if fast.any():
        h, m, sec = (np.asarray(part[fast], dtype=np.int64) for part in (hh, mm, ss))
        out[fast] = h * 3600 + m * 60 + sec
    for i in np.flatnonzero(~fast):
        out[i] = parse_clock(uniques[int(i)])
    return out


_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _epoch_ints(values: pd.Series) -> tuple[np.ndarray, int]:
    """The int64 view of a datetime column and how many of its units make a second."""
    arr = values.to_numpy()
    if not np.issubdtype(arr.dtype, np.datetime64):
        arr = pd.to_datetime(values).to_numpy()
    unit, _ = np.datetime_data(arr.dtype)
    if unit not in _PER_SECOND:
        arr = arr.astype("datetime64[s]")
        unit = "s"
    return arr.view(np.int64), _PER_SECOND[unit]


def day_numbers(values: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of a datetime/date column (int64; NaT becomes a huge negative)."""
    ints, per_second = _epoch_ints(values)
    return ints // (per_second * 86400)


def seconds_since_epoch(values: pd.Series) -> np.ndarray:
    """Whole seconds since the epoch of a datetime column."""
    ints, per_second = _epoch_ints(values)
    return ints // per_second if per_second > 1 else ints.copy()


def lookup_days(days: np.ndarray, first: int, table: np.ndarray, outside: object = 0) -> np.ndarray:
    """table[d - first] for each day number d; `outside` for days beyond the table."""
    padded = np.concatenate(
        [np.array([outside], dtype=table.dtype), table, np.array([outside], dtype=table.dtype)]
    )
    return np.take(padded, days - (first - 1), mode="clip")


def group_sum(codes: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Sum of `weights` (or count) per code 0..n-1; codes must already be filtered to >= 0."""
    return np.bincount(codes, weights=weights, minlength=n)[:n].astype(np.float64)


def truthy(values: pd.Series) -> np.ndarray:
    """Boolean mask from bools or 'true'/'false'/'1'/'0' strings."""
    if values.dtype == bool:
        return values.to_numpy()
    yes = {"true", "1", "yes", "y"}
    return map_values(values, lambda u: str(u).strip().lower() in yes, False, bool)

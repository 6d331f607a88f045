"""Helpers: times parse the same on the fast and the slow path; bad times are refused."""

from __future__ import annotations

from datetime import time

import numpy as np
import pandas as pd
import pytest

from kinerja.rules.vectors import clock_seconds, codes_for, isin


def test_clock_seconds_accepts_strings_times_and_empty_cells() -> None:
    values = pd.Series(["07:30", "07:30:15", "7:05", "", None, time(8, 1, 2), "23:59:59"])
    expected = [27000, 27015, 25500, np.nan, np.nan, 28862, 86399]
    np.testing.assert_array_equal(clock_seconds(values), np.array(expected, dtype=float))
    as_category = clock_seconds(values.astype("category"))
    np.testing.assert_array_equal(as_category, np.array(expected, dtype=float))


@pytest.mark.parametrize("bad", ["24:00", "07:61", "07:30:60", "ab:cd", "0730"])
def test_bad_times_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a time"):
        clock_seconds(pd.Series(["07:30", bad]))


def test_codes_and_masks_agree_for_plain_and_categorical_columns() -> None:
    index = pd.Index(["a", "b", "c"])
    plain = pd.Series(["c", "x", None, "a"])
    for values in (plain, plain.astype("category")):
        np.testing.assert_array_equal(codes_for(values, index), [2, -1, -1, 0])
        np.testing.assert_array_equal(isin(values, ["a", "x"]), [False, True, False, True])

"""Files as Excel in the Indonesian locale writes them, through `score --data` and `gather`.

Each variant of one clean month is either loaded exactly (every frame, and every stored row,
equal to the clean month's) or refused with the message an operator can act on; none is
loaded changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.rules.csv_month import CsvError, write_month_csv
from kinerja.rules.frames import MonthData
from kinerja.rules.policy import load_policy
from kinerja.sources.cells import AMBIGUOUS_DATES, LOST_DIGITS
from kinerja.sources.config import Dialect, files_config
from kinerja.sources.gather import gather_month
from kinerja.sources.month_files import read_month_files
from tests.conftest import _clean
from tests.factories import MonthBuilder
from tests.sources.test_gather import dump

PERIOD = "2025-10"
POLICY = load_policy("jabar")
TITLED = "Dra. Hj. Siti Nur'aini, M.Si."
ACCENTED = "Ir. H. Dédi Sutrisno, M.T."
KINDS = ["employees", "attendance", "activities", "behaviour", "indicators"]
DATES = {"start_date", "end_date", "work_date"}
NUMBERS = {"minutes", "score", "value"}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean month as the contract writes it: ISO dates, points, true/false, UTF-8."""
    mb = MonthBuilder()
    head = mb.good_employee(level="eselon_iv", name=ACCENTED)
    mb.indicator(head, "capaian_fisik", 80.5)
    mb.indicator(head, "iki", 77.25)
    nip = mb.good_employee(supervisor=head, name=TITLED)
    mb.full_attendance(nip, late_minutes=[12], excused_days=2)
    for _ in range(3):
        mb.good_employee(supervisor=head)
    mb.register_raters()
    folder = tmp_path_factory.mktemp("clean")
    write_month_csv(mb.build(), folder)
    return folder


def frames(folder: Path) -> dict[str, pd.DataFrame]:
    return {k: pd.read_csv(folder / f"{k}.csv", dtype=str, keep_default_na=False) for k in KINDS}


def _dmy(text: str, padded: bool) -> str:
    if not text:
        return text
    if "T" in text:  # a date-time: dd/mm/yyyy hh:mm, seconds only when there are any
        moment = datetime.fromisoformat(text)
        shown = moment.strftime("%d/%m/%Y %H:%M")
        return shown + (f":{moment.second:02d}" if moment.second else "")
    day = date.fromisoformat(text)
    return day.strftime("%d/%m/%Y") if padded else f"{day.day}/{day.month}/{day.year}"


def excel_csv(
    clean: Path,
    out: Path,
    *,
    sep: str = ";",
    encoding: str = "utf-8-sig",
    edit: Callable[[str, pd.DataFrame], None] | None = None,
) -> Path:
    """What Excel's 'CSV (Comma delimited)' writes on an Indonesian Windows."""
    out.mkdir(parents=True, exist_ok=True)
    for kind, df in frames(clean).items():
        for col in df.columns:
            if col in DATES or col == "entered_at":
                # start dates padded (dd/mm/yyyy), work dates not (d/m/yyyy)
                df[col] = [_dmy(v, col != "work_date") for v in df[col]]
            elif col in NUMBERS:
                df[col] = [v[:-2] if v.endswith(".0") else v.replace(".", ",") for v in df[col]]
            elif col == "completed":
                df[col] = df[col].map({"true": "Ya", "false": "Tidak"})
        if edit is not None:
            edit(kind, df)
        text = df.to_csv(index=False, sep=sep, lineterminator="\r\n")
        (out / f"{kind}.csv").write_bytes(text.encode(encoding))
    return out


def excel_xlsx(clean: Path, out: Path, *, nip_as_number: bool = False) -> Path:
    """A workbook typed as Excel types it: date cells, number cells, TRUE/FALSE."""
    out.mkdir(parents=True, exist_ok=True)
    for kind, df in frames(clean).items():
        book = Workbook()
        sheet = book.active
        sheet.append(list(df.columns))
        for row in df.itertuples(index=False):
            cells: list[object] = []
            for col, v in zip(df.columns, row, strict=True):
                if v == "":
                    cells.append(None)
                elif col.endswith("nip") and nip_as_number:
                    cells.append(float(v))  # what Excel keeps of an 18-digit number
                elif col in DATES:
                    cells.append(date.fromisoformat(v))
                elif col == "entered_at":
                    cells.append(datetime.fromisoformat(v))
                elif col in NUMBERS:
                    cells.append(float(v))
                elif col == "completed":
                    cells.append(v == "true")
                else:
                    cells.append(v)
            sheet.append(cells)
        book.save(out / f"{kind}.xlsx")
    return out


def assert_same_month(got: MonthData, expected: MonthData) -> None:
    for kind in KINDS:
        pd.testing.assert_frame_equal(
            getattr(got, kind).reset_index(drop=True),
            getattr(expected, kind).reset_index(drop=True),
            check_dtype=False,
            check_categorical=False,
            obj=kind,
        )


def gathered(engine: Engine, folder: Path, fmt: str = "csv") -> dict[str, list[tuple[object, ...]]]:
    _clean(engine)
    report = gather_month(engine, PERIOD, files_config(folder, fmt), policy=POLICY)  # type: ignore[arg-type]
    assert report.ok and not report.failures, report.summary()
    return dump(engine, with_source=False)


def refused(engine: Engine, folder: Path, fmt: str = "csv") -> str:
    """score --data refuses the folder, and gather fails the same file: both messages."""
    with pytest.raises(CsvError) as err:
        read_month_files(folder, PERIOD, POLICY)
    _clean(engine)
    report = gather_month(engine, PERIOD, files_config(folder, fmt), policy=POLICY)  # type: ignore[arg-type]
    assert report.failures, report.summary()
    return str(err.value) + "\n" + "\n".join(report.failures)


def test_the_clean_month_reads_the_titled_names_exactly(clean: Path) -> None:
    month = read_month_files(clean, PERIOD, POLICY)
    assert {TITLED, ACCENTED} <= set(month.employees["name"])


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(";", "utf-8-sig"), (";", "utf-8"), (",", "utf-8-sig"), (";", "cp1252"), ("\t", "utf-8")],
)
def test_indonesian_csv_exports_load_exactly(
    clean: Path, tmp_path: Path, engine: Engine, sep: str, encoding: str
) -> None:
    folder = excel_csv(clean, tmp_path / "export", sep=sep, encoding=encoding)
    assert_same_month(
        read_month_files(folder, PERIOD, POLICY), read_month_files(clean, PERIOD, POLICY)
    )
    assert gathered(engine, folder) == gathered(engine, clean)


def test_excel_workbooks_with_date_and_number_cells_load_exactly(
    clean: Path, tmp_path: Path, engine: Engine
) -> None:
    folder = excel_xlsx(clean, tmp_path / "xlsx")
    assert_same_month(
        read_month_files(folder, PERIOD, POLICY), read_month_files(clean, PERIOD, POLICY)
    )
    assert gathered(engine, folder, "xlsx") == gathered(engine, clean)


def test_a_nip_stored_as_a_number_in_excel_is_refused_naming_the_cell(
    clean: Path, tmp_path: Path, engine: Engine
) -> None:
    folder = excel_xlsx(clean, tmp_path / "xlsx", nip_as_number=True)
    text = refused(engine, folder, "xlsx")
    first = frames(clean)["employees"].loc[0, "nip"]
    shown = f"{float(first):.15G}"  # what the cell holds: 15 digits, the last ones lost
    assert f"employees.xlsx row 2, column nip: '{shown}': {LOST_DIGITS}" in text
    assert shown != first


def _put(kind: str, column: str, row: int, value: str) -> Callable[[str, pd.DataFrame], None]:
    def edit(k: str, df: pd.DataFrame) -> None:
        if k == kind:
            df.loc[row, column] = value

    return edit


@pytest.mark.parametrize(
    ("kind", "column", "row", "value", "expected"),
    [
        # Excel's 15 significant digits: the last three digits become zeros
        ("employees", "nip", 1, "{nip15}", "employees.csv row 3, column nip: '{nip15}': "),
        ("indicators", "nip", 0, "1.99409E+17", "indicators.csv row 2, column nip: '1.99409E+17'"),
        ("behaviour", "rater_nip", 2, "1,97505E+17", "behaviour.csv row 4, column rater_nip"),
        ("employees", "supervisor_nip", 1, "19800101201001", "NIP 14 digit, bukan 18"),
    ],
)
def test_nips_that_lost_digits_are_refused_by_score_and_gather(
    clean: Path,
    tmp_path: Path,
    engine: Engine,
    kind: str,
    column: str,
    row: int,
    value: str,
    expected: str,
) -> None:
    nip15 = frames(clean)["employees"].loc[1, "nip"][:15] + "000"
    value, expected = value.format(nip15=nip15), expected.format(nip15=nip15)
    text = refused(
        engine, excel_csv(clean, tmp_path / "export", edit=_put(kind, column, row, value))
    )
    assert expected in text
    assert LOST_DIGITS in text


def test_dates_that_read_both_ways_are_refused_naming_the_column(
    clean: Path, tmp_path: Path, engine: Engine
) -> None:
    def early(kind: str, df: pd.DataFrame) -> None:
        if kind == "employees":
            df["start_date"] = "03/02/2020"  # 3 February or 2 March?

    text = refused(engine, excel_csv(clean, tmp_path / "export", edit=early))
    assert f"employees.csv, column start_date: {AMBIGUOUS_DATES}" in text


def test_the_sources_dialect_settles_what_the_file_cannot(clean: Path, tmp_path: Path) -> None:
    def early(kind: str, df: pd.DataFrame) -> None:
        if kind == "employees":
            df["start_date"] = "03/02/2020"

    folder = excel_csv(clean, tmp_path / "export", edit=early)
    month = read_month_files(folder, PERIOD, POLICY, Dialect(date_format="dd/mm/yyyy"))
    assert set(month.employees["start_date"]) == {pd.Timestamp("2020-02-03")}


def test_a_file_in_an_unknown_encoding_is_refused_by_name(
    clean: Path, tmp_path: Path, engine: Engine
) -> None:
    folder = excel_csv(clean, tmp_path / "export", encoding="utf-16")
    text = refused(engine, folder)
    assert "employees.csv is not UTF-8 (it looks like utf_16)" in text


def test_thousands_or_decimal_is_refused_when_the_file_cannot_tell(
    clean: Path, tmp_path: Path, engine: Engine
) -> None:
    def values(kind: str, df: pd.DataFrame) -> None:
        if kind == "indicators":
            df["value"] = ["1.250", "77"]  # in a ';' file: one thousand two hundred and fifty?

    folder = excel_csv(clean, tmp_path / "export", edit=values)
    text = refused(engine, folder)
    assert (
        "indicators.csv row 2, column value: '1.250': pemisah ini bisa desimal atau ribuan" in text
    )


@pytest.mark.parametrize(
    ("kind", "column", "value", "reason", "detail"),
    [
        ("employees", "nip", "12345ABC", "malformed", "nip '12345ABC' is not a NIP"),
        ("behaviour", "score", "7", "impossible_value", "score '7' is outside 1..5"),
        ("behaviour", "item", "setia", "unknown_enum", "item 'setia' is not one of"),
        (
            "employees",
            "nip",
            "198013012005011001",
            "implausible_nip",
            "nip '198013012005011001' birth date 19801301",
        ),
    ],
)
def test_what_gather_quarantines_score_refuses(
    clean: Path,
    tmp_path: Path,
    engine: Engine,
    kind: str,
    column: str,
    value: str,
    reason: str,
    detail: str,
) -> None:
    folder = tmp_path / "month"
    folder.mkdir()
    for k, df in frames(clean).items():
        if k == kind:
            df.loc[3, column] = value
        df.to_csv(folder / f"{k}.csv", index=False)
    result = CliRunner().invoke(
        app, ["score", "--data", str(folder), "--period", PERIOD, "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert f"{kind}.csv row 5: {detail}" in result.output and f"[{reason}]" in result.output
    _clean(engine)
    gather_month(engine, PERIOD, files_config(folder), policy=POLICY)
    from tests.sources.test_gather import quarantine

    held = [q for q in quarantine(engine) if q.kind == kind and q.reason == reason]
    assert held and f"{kind}.csv row 5: {detail}" in (held[0].detail or "")


def test_entry_times_with_mixed_offsets_are_read_in_local_time(
    clean: Path, tmp_path: Path, engine: Engine
) -> None:
    """An export in UTC, WITA or WIB (offsets given) reads as the same local times."""
    folder = tmp_path / "offsets"
    folder.mkdir()
    zones = ["+07:00", "+08:00", "Z", "+09:00"]
    for kind, df in frames(clean).items():
        if kind == "activities":
            local = pd.to_datetime(df["entered_at"]).dt.tz_localize("Asia/Jakarta")
            df["entered_at"] = [
                t.tz_convert("UTC" if z == "Z" else f"Etc/GMT-{int(z[1:3])}").isoformat()
                for t, z in zip(local, [zones[i % 4] for i in range(len(df))], strict=True)
            ]
            assert df["entered_at"].str.endswith("+00:00").any()
        df.to_csv(folder / f"{kind}.csv", index=False)
    assert_same_month(
        read_month_files(folder, PERIOD, POLICY), read_month_files(clean, PERIOD, POLICY)
    )
    assert gathered(engine, folder) == gathered(engine, clean)

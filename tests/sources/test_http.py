"""The HTTP client against the real simulator server on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pandas as pd
import pytest
import requests

from kinerja.rules.frames import ATTENDANCE_COLUMNS
from kinerja.sources.config import SourceConfig
from kinerja.sources.http import HttpSource, SourceError
from kinerja.sources.server import Fault, SimulatorServer
from kinerja.sources.simulator import SimulatedProvince
from tests.sources.conftest import FAST, PERIOD, TOKEN


def client(url: str, token: str | None = TOKEN, **options: object) -> HttpSource:
    opts = {**FAST, **options}
    cfg = SourceConfig.model_validate({"type": "http", "base_url": url, "token": token, **opts})
    return HttpSource("kmob", cfg)


def data_requests(server: SimulatorServer) -> list[dict[str, str]]:
    return [q for _t, path, q, _s in server.log.entries if path.startswith("/v1/")]


@pytest.mark.parametrize("layout", ["rows", "columns"])
@pytest.mark.parametrize("pagination", ["cursor", "page"])
def test_pagination_collects_every_row_across_pages(
    server: SimulatorServer, province: SimulatedProvince, pagination: str, layout: str
) -> None:
    opd = province.opds["code"].iloc[0]
    expected = province.opd_rows("attendance", opd)
    with client(server.url, pagination=pagination, page_size=100, layout=layout) as src:
        got = src.fetch("attendance", PERIOD, opd)
    pages = -(-len(expected) // 100)
    assert pages >= 3
    assert len(data_requests(server)) == pages
    assert list(got.columns) == ATTENDANCE_COLUMNS
    pd.testing.assert_frame_equal(
        got.astype(str).reset_index(drop=True),
        expected.astype(str).replace({"None": "nan"}).reset_index(drop=True),
        check_dtype=False,
    )
    assert not got.duplicated().any()
    assert {q.get("layout", "rows") for q in data_requests(server)} == {layout}


@pytest.mark.parametrize("kind", ["employees", "attendance", "activities", "behaviour"])
def test_both_layouts_deliver_the_same_cells(server: SimulatorServer, kind: str) -> None:
    """Columns are only a cheaper encoding: every cell, null and type arrives as with rows."""
    opd = None if kind == "employees" else "DINKES"
    with (
        client(server.url, page_size=20) as rows,
        client(server.url, page_size=20, layout="columns") as columns,
    ):
        by_rows = rows.fetch(kind, PERIOD, opd)
        by_columns = columns.fetch(kind, PERIOD, opd)
    assert len(by_rows) > 40  # several pages
    raw = requests.get(
        f"{server.url}/v1/{kind}",
        params={"period": PERIOD, "layout": "columns", "limit": 5},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    ).json()
    assert "data" not in raw
    assert {len(v) for v in raw["columns"].values()} == {5}
    pd.testing.assert_frame_equal(by_rows, by_columns)
    # the same Python values cell by cell (True stays a bool, 85.0 a float, null None)
    assert [type(v) for v in by_rows.iloc[0]] == [type(v) for v in by_columns.iloc[0]]


def test_whole_government_fetch_without_opd(
    server: SimulatorServer, province: SimulatedProvince
) -> None:
    with client(server.url, page_size=5000) as src:
        rows = src.fetch("employees", PERIOD)
    assert len(rows) == len(province.employees)


def test_auth_failure_names_the_source_and_is_not_retried(server: SimulatorServer) -> None:
    with client(server.url, token="wrong-token") as src, pytest.raises(SourceError) as err:
        src.fetch("attendance", PERIOD)
    message = str(err.value)
    assert "source 'kmob'" in message
    assert "HTTP 401" in message
    assert "bearer token" in message
    assert "wrong-token" not in message  # the token never appears in errors
    assert len(data_requests(server)) == 1


def test_missing_token_is_refused(server: SimulatorServer) -> None:
    with client(server.url, token=None) as src, pytest.raises(SourceError, match="HTTP 401"):
        src.fetch("attendance", PERIOD)


def test_503_twice_then_200_is_retried_and_succeeds(
    server: SimulatorServer, province: SimulatedProvince
) -> None:
    server.add_fault(Fault(status=503, times=2, kind="behaviour"))
    opd = province.opds["code"].iloc[1]
    with client(server.url, page_size=5000) as src:
        got = src.fetch("behaviour", PERIOD, opd)
    assert len(got) == len(province.opd_rows("behaviour", opd))
    statuses = [s for _t, p, _q, s in server.log.entries if p == "/v1/behaviour"]
    assert statuses == [503, 503, 200]


def test_503_beyond_the_retry_budget_fails_with_the_last_status(server: SimulatorServer) -> None:
    server.add_fault(Fault(status=503, times=None))
    with client(server.url, max_retries=2) as src, pytest.raises(SourceError) as err:
        src.fetch("attendance", PERIOD)
    assert "HTTP 503" in str(err.value)
    assert "gave up after 3 attempts" in str(err.value)
    assert len(data_requests(server)) == 3


def test_other_4xx_is_not_retried(server: SimulatorServer) -> None:
    with client(server.url) as src, pytest.raises(SourceError) as err:
        src.fetch("attendance", PERIOD, "NO-SUCH-OPD")
    assert "HTTP 404" in str(err.value)
    assert "unknown OPD 'NO-SUCH-OPD'" in str(err.value)
    assert len(data_requests(server)) == 1


def test_server_that_never_answers_fails_within_the_configured_time(
    server: SimulatorServer,
) -> None:
    server.add_fault(Fault(hang=True, times=None))
    started = time.monotonic()
    with (
        client(server.url, read_timeout=0.3, max_retries=1) as src,
        pytest.raises(SourceError) as err,
    ):
        src.fetch("attendance", PERIOD)
    elapsed = time.monotonic() - started
    # two attempts of 0.3 s plus a short backoff; far below anything a test would wait for
    assert elapsed < 2.0
    assert "no answer within 0.3 s (read timeout)" in str(err.value)
    assert "source 'kmob'" in str(err.value)
    assert "gave up after 2 attempts" in str(err.value)


def test_429_retry_after_is_honoured(server: SimulatorServer, province: SimulatedProvince) -> None:
    server.add_fault(Fault(status=429, times=1, retry_after="1", kind="indicators"))
    started = time.monotonic()
    with client(server.url) as src:
        got = src.fetch("indicators", PERIOD)
    assert len(got) == len(province.frames["indicators"])
    entries = [(t, s) for t, p, _q, s in server.log.entries if p == "/v1/indicators"]
    assert [s for _t, s in entries][:2] == [429, 200]
    # backoff is 0.01 s in this config: only the server's Retry-After explains the wait
    assert entries[1][0] - entries[0][0] >= 0.95
    assert time.monotonic() - started >= 0.95


def test_retry_after_beyond_the_limit_fails_clearly(server: SimulatorServer) -> None:
    server.add_fault(Fault(status=429, times=1, retry_after="600"))
    with client(server.url, retry_after_max=5) as src, pytest.raises(SourceError) as err:
        src.fetch("attendance", PERIOD)
    assert "Retry-After 600 s exceeds the 5 s we wait" in str(err.value)


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    slept: list[float] = []
    cfg = SourceConfig.model_validate(
        {"type": "http", "base_url": f"http://127.0.0.1:{port}", **FAST, "max_retries": 2}
    )
    src = HttpSource("sikap", cfg, token=None, sleep=slept.append)
    with pytest.raises(SourceError) as err:
        src.fetch("activities", PERIOD)
    assert "source 'sikap'" in str(err.value)
    assert "connection failed" in str(err.value)
    assert slept == [0.01, 0.02]  # exponential backoff between the three attempts


def test_bodies_the_fast_parser_refuses_are_still_read_the_standard_way() -> None:
    from kinerja.sources.http import decode_json

    body = b'{"data": [{"nip": "198001012005011001", "score": NaN, "big": 123456789012345678901}]}'
    row = decode_json(body)["data"][0]
    assert row["nip"] == "198001012005011001"
    assert row["big"] == 123456789012345678901
    assert row["score"] != row["score"]  # NaN kept as NaN (then quarantined as malformed)
    with pytest.raises(ValueError):
        decode_json(b"<html>503</html>")


def test_pages_of_records_with_differing_fields_are_aligned() -> None:
    from kinerja.sources.http import Columns, page_columns

    out = Columns()
    first = {"data": [{"nip": "1", "status": "present"}, {"nip": "2"}]}
    second = {"data": [{"nip": "3", "status": "absent", "check_in": "07:00"}]}
    third = {"columns": {"nip": ["4", "5"], "check_in": ["07:01", None]}}
    for body in (first, second, third):
        out.add(*page_columns("kmob", "GET /v1/attendance", body))
    frame = out.frame()
    assert frame.to_dict("list") == {
        "nip": ["1", "2", "3", "4", "5"],
        "status": ["present", None, "absent", None, None],
        "check_in": [None, None, "07:00", "07:01", None],
    }
    # the same number of fields but other ones: matched by name, not by position
    swapped = {"data": [{"nip": "6", "status": "present"}, {"nip": "7", "check_in": "08:00"}]}
    cells, n = page_columns("kmob", "GET /v1/attendance", swapped)
    assert n == 2
    assert cells == {
        "nip": ["6", "7"],
        "status": ["present", None],
        "check_in": [None, "08:00"],
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"columns": {"nip": ["1", "2"], "status": ["present"]}}, "columns differ in length"),
        ({"columns": {"nip": "1"}}, "column 'nip' is not a list"),
        ({"rows": []}, "no 'data' list nor 'columns' object"),
        ({"data": [{"nip": "1"}, ["2"]]}, "row 2 of the page is not an object"),
    ],
)
def test_malformed_pages_are_refused_naming_the_source(
    body: dict[str, object], problem: str
) -> None:
    from kinerja.sources.http import page_columns

    with pytest.raises(SourceError) as err:
        page_columns("kmob", "GET /v1/attendance {'period': '2025-10'}", body)
    assert "source 'kmob'" in str(err.value)
    assert problem in str(err.value)

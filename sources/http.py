"""HTTP client for the JSON source contract: timeouts, retries, pagination, both layouts."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from operator import itemgetter
from typing import Any

import orjson
import pandas as pd
import requests
from pydantic import SecretStr

from kinerja.domain import now as clock
from kinerja.sources.config import SourceConfig, resolve_token

log = logging.getLogger(__name__)


def decode_json(content: bytes) -> Any:
    """Parse a JSON body: orjson (a month is millions of records), else the standard library.

    orjson refuses what the standard library accepts (NaN, integers beyond 64 bits); such a
    body is parsed again the standard way rather than rejected.
    """
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)


class SourceError(RuntimeError):
    """A source could not deliver; the message names the source and what went wrong."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"source {source!r}: {message}")
        self.source = source


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - clock()).total_seconds())


class HttpSource:
    """Fetches one data kind for a period (and OPD) from one source, all pages."""

    def __init__(
        self,
        name: str,
        config: SourceConfig,
        *,
        token: SecretStr | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        assert config.base_url is not None
        self.name = name
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        (self.connect_timeout, self.read_timeout, self.max_retries, self.backoff_base) = (
            config.resolved_timeouts()
        )
        self._token = token if token is not None else resolve_token(config)
        self._sleep = sleep
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        return headers

    def _backoff(self, attempt: int) -> float:
        return float(min(self.config.backoff_max, self.backoff_base * (2**attempt)))

    def get_json(self, path: str, params: dict[str, Any], hasher: Any = None) -> dict[str, Any]:
        """One GET with retries on 5xx, 429 and connection errors; none on other 4xx."""
        url = f"{self.base_url}{path}"
        what = f"GET {url} {params}"
        attempt = 0
        while True:
            try:
                resp = self._session.get(
                    url,
                    params=params,
                    headers=self._headers(),
                    timeout=(self.connect_timeout, self.read_timeout),
                )
            except requests.Timeout as exc:
                kind = "connect" if isinstance(exc, requests.ConnectTimeout) else "read"
                limit = self.read_timeout if kind == "read" else self.connect_timeout
                problem = f"no answer within {limit:g} s ({kind} timeout)"
                wait = self._backoff(attempt)
            except requests.ConnectionError as exc:
                problem = f"connection failed ({type(exc).__name__})"
                wait = self._backoff(attempt)
            else:
                status = resp.status_code
                if status == 200:
                    try:
                        body = decode_json(resp.content)
                    except ValueError as exc:
                        raise SourceError(self.name, f"{what}: answer is not JSON") from exc
                    if not isinstance(body, dict):
                        raise SourceError(self.name, f"{what}: answer is not a JSON object")
                    if hasher is not None:
                        hasher.update(resp.content)
                    return body
                detail = _error_detail(resp)
                if status == 429:
                    after = _retry_after_seconds(resp.headers.get("Retry-After"))
                    if after is not None and after > self.config.retry_after_max:
                        raise SourceError(
                            self.name,
                            f"{what}: HTTP 429, Retry-After {after:g} s exceeds the "
                            f"{self.config.retry_after_max:g} s we wait",
                        )
                    problem = f"HTTP 429 Too Many Requests{detail}"
                    wait = after if after is not None else self._backoff(attempt)
                elif status >= 500:
                    problem = f"HTTP {status} {resp.reason}{detail}"
                    wait = self._backoff(attempt)
                else:
                    hint = " (check the bearer token)" if status in (401, 403) else ""
                    raise SourceError(
                        self.name, f"{what}: HTTP {status} {resp.reason}{detail}{hint}"
                    )
            if attempt >= self.max_retries:
                raise SourceError(
                    self.name, f"{what}: {problem}; gave up after {attempt + 1} attempts"
                )
            log.warning(
                "source %r: %s; retry %d/%d in %.2f s",
                self.name,
                problem,
                attempt + 1,
                self.max_retries,
                wait,
            )
            self._sleep(wait)
            attempt += 1

    def fetch_columns(
        self, kind: str, period: str, opd: str | None = None, hasher: Any = None
    ) -> Columns:
        """All cells of one kind for the period (and OPD), following cursors or pages."""
        params: dict[str, Any] = {"period": period}
        if opd is not None:
            params["opd"] = opd
        if self.config.layout == "columns":
            params["layout"] = "columns"
        out = Columns()
        path = f"/v1/{kind}"
        if self.config.pagination == "cursor":
            params["limit"] = self.config.page_size
            cursor: str | None = None
            while True:
                if cursor is not None:
                    params["cursor"] = cursor
                body = self.get_json(path, params, hasher)
                out.add(*page_columns(self.name, f"GET {path} {params}", body))
                nxt = body.get("next_cursor")
                if not nxt:
                    return out
                if nxt == cursor:
                    raise SourceError(self.name, f"GET {path}: cursor {nxt!r} does not advance")
                cursor = str(nxt)
        page = 1
        params["page_size"] = self.config.page_size
        while True:
            params["page"] = page
            body = self.get_json(path, params, hasher)
            columns, n = page_columns(self.name, f"GET {path} {params}", body)
            out.add(columns, n)
            pages = int(body.get("pages") or 1)
            if page >= pages or not n:
                return out
            page += 1

    def fetch(self, kind: str, period: str, opd: str | None = None) -> pd.DataFrame:
        """The rows as a frame of text/number cells; attrs["digest"] fingerprints the bytes."""
        hasher = hashlib.sha256()
        frame = self.fetch_columns(kind, period, opd, hasher).frame()
        frame.attrs["digest"] = hasher.hexdigest()
        return frame


class Columns:
    """Cells of every page, column by column; a field missing from a page is None there."""

    def __init__(self) -> None:
        self.cells: dict[str, list[Any]] = {}
        self.rows = 0

    def add(self, page: dict[str, list[Any]], n: int) -> None:
        for name in page:
            if name not in self.cells:
                self.cells[name] = [None] * self.rows
        for name, cells in self.cells.items():
            values = page.get(name)
            cells.extend(values if values is not None else [None] * n)
        self.rows += n

    def frame(self) -> pd.DataFrame:
        """Cells kept as received (object dtype): checking them is sources.validate's job."""
        return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in self.cells.items()})


def page_columns(source: str, what: str, body: dict[str, Any]) -> tuple[dict[str, list[Any]], int]:
    """A page's cells per field, and its row count, from either layout of the contract.

    Rows: `{"data": [{field: value}, ...]}`; columns: `{"columns": {field: [value, ...]}}`,
    every list as long as the others. A source may answer rows when asked for columns.
    """
    columns = body.get("columns")
    if isinstance(columns, dict):
        lists = {str(k): v for k, v in columns.items()}
        for name, values in lists.items():
            if not isinstance(values, list):
                raise SourceError(source, f"{what}: column {name!r} is not a list")
        lengths = {len(v) for v in lists.values()}
        if len(lengths) > 1:
            sizes = ", ".join(f"{k} {len(v)}" for k, v in lists.items())
            raise SourceError(source, f"{what}: columns differ in length ({sizes})")
        return lists, lengths.pop() if lengths else 0
    rows = body.get("data")
    if not isinstance(rows, list):
        raise SourceError(source, f"{what}: answer has no 'data' list nor 'columns' object")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise SourceError(source, f"{what}: row {i + 1} of the page is not an object")
    return records_columns(rows), len(rows)


def records_columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows to per-field lists; rows lacking a field get None there."""
    names: dict[str, None] = {}
    for row in rows[:1000]:
        names.update(dict.fromkeys(row))
    if set(map(len, rows)) == {len(names)} and len(names) > 1:
        # The usual page: every row has the same fields; transposed in C, not cell by cell.
        try:
            cells = zip(*map(itemgetter(*names), rows), strict=True)
            return {name: list(column) for name, column in zip(names, cells, strict=True)}
        except KeyError:  # same count, other fields: the general path below
            pass
    for row in rows:
        names.update(dict.fromkeys(row))
    return {c: [r.get(c) for r in rows] for c in names}


def _error_detail(resp: requests.Response) -> str:
    """The server's own error message, if it gave one (short)."""
    try:
        body = resp.json()
    except ValueError:
        text = resp.text.strip()[:200]
        return f": {text}" if text else ""
    if isinstance(body, dict) and body.get("error"):
        return f": {str(body['error'])[:200]}"
    return ""

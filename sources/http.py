"""HTTP client for the JSON source contract: timeouts, retries with backoff, pagination."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
import pandas as pd
import requests
from pydantic import SecretStr

from sources.config import SourceConfig, resolve_token

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
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


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
                    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                        raise SourceError(self.name, f"{what}: answer has no 'data' list")
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

    def fetch_records(
        self, kind: str, period: str, opd: str | None = None, hasher: Any = None
    ) -> list[dict[str, Any]]:
        """All rows of one kind for the period (and OPD), following cursors or pages."""
        params: dict[str, Any] = {"period": period}
        if opd is not None:
            params["opd"] = opd
        rows: list[dict[str, Any]] = []
        path = f"/v1/{kind}"
        if self.config.pagination == "cursor":
            params["limit"] = self.config.page_size
            cursor: str | None = None
            while True:
                if cursor is not None:
                    params["cursor"] = cursor
                body = self.get_json(path, params, hasher)
                rows.extend(body["data"])
                nxt = body.get("next_cursor")
                if not nxt:
                    return rows
                if nxt == cursor:
                    raise SourceError(self.name, f"GET {path}: cursor {nxt!r} does not advance")
                cursor = str(nxt)
        page = 1
        params["page_size"] = self.config.page_size
        while True:
            params["page"] = page
            body = self.get_json(path, params, hasher)
            rows.extend(body["data"])
            pages = int(body.get("pages") or 1)
            if page >= pages or not body["data"]:
                return rows
            page += 1

    def fetch(self, kind: str, period: str, opd: str | None = None) -> pd.DataFrame:
        """The rows as a frame of text/number cells; attrs["digest"] fingerprints the bytes."""
        hasher = hashlib.sha256()
        frame = records_frame(self.fetch_records(kind, period, opd, hasher))
        frame.attrs["digest"] = hasher.hexdigest()
        return frame


def records_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """JSON records to a frame column by column, cells kept as received (object dtype)."""
    columns: dict[str, None] = {}
    for row in rows[:1000]:
        columns.update(dict.fromkeys(row))
    if any(len(r) != len(columns) for r in rows):
        for row in rows:
            columns.update(dict.fromkeys(row))
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})


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

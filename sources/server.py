"""A real HTTP server on 127.0.0.1 serving a simulated province through the JSON source contract.

GET /v1/{kind}?period=YYYY-MM[&opd=CODE][&cursor=C&limit=N | &page=P&page_size=N]
[&layout=columns] with `Authorization: Bearer <token>` when a token is set. Faults can be
injected for tests: 503 (or any status) N times, 429 with Retry-After, or never answering.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import orjson
import pandas as pd

from kinerja.sources.config import KINDS
from kinerja.sources.simulator import SimulatedProvince

MAX_PAGE = 50_000


@dataclass
class Fault:
    """Answer matching requests with `status` (or hang) `times` times (None: forever)."""

    status: int = 503
    times: int | None = 1
    kind: str | None = None
    opd: str | None = None
    retry_after: str | None = None
    hang: bool = False

    def matches(self, kind: str, opd: str | None) -> bool:
        return (self.kind is None or self.kind == kind) and (self.opd is None or self.opd == opd)


@dataclass
class RequestLog:
    """What the server saw: (monotonic time, path, query, status)."""

    entries: list[tuple[float, str, dict[str, str], int]] = field(default_factory=list)

    def count(self, path: str | None = None) -> int:
        return sum(1 for e in self.entries if path is None or e[1] == path)


class _Pages:
    """Rows of a kind per OPD, pre-grouped so a page is a slice."""

    def __init__(self, province: SimulatedProvince) -> None:
        self.period = province.period
        self.by_kind: dict[str, dict[str | None, pd.DataFrame]] = {}
        for kind in KINDS:
            frame = province.frames[kind]
            groups: dict[str | None, pd.DataFrame] = {
                str(opd): province.opd_rows(kind, str(opd)).reset_index(drop=True)
                for opd in sorted(frame["opd_code"].dropna().unique())
            }
            groups[None] = province.opd_rows(kind, None).reset_index(drop=True)
            self.by_kind[kind] = groups
        self.opds = set(province.opds["code"])
        self.opd_list = province.opds[["code", "name", "rumpun_code", "rumpun_name"]]

    def rows(self, kind: str, opd: str | None) -> pd.DataFrame:
        groups = self.by_kind[kind]
        if opd in groups:
            return groups[opd]
        return groups[None].iloc[0:0]


class SimulatorServer:
    """Serve a province over HTTP (ThreadingHTTPServer); use as a context manager or .stop()."""

    def __init__(
        self,
        province: SimulatedProvince,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
    ) -> None:
        self.pages = _Pages(province)
        self.token = token
        self.faults: list[Fault] = []
        self.log = RequestLog()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def take_fault(self, kind: str, opd: str | None) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.matches(kind, opd) and (f.times is None or f.times > 0):
                    if f.times is not None:
                        f.times -= 1
                    return f
        return None

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name="simulator-http", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that were told to hang
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server_ref: SimulatorServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the RequestLog records what tests need."""

    def _send(self, status: int, body: str | bytes, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._record(status)  # before answering, so a client never sees an unlogged reply
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps({"error": message}), headers)

    def _record(self, status: int) -> None:
        self.server_ref.log.entries.append((time.monotonic(), self._url_path, self._query, status))

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        self._url_path = url.path
        self._query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self._handle(self.server_ref, url.path, self._query)

    def _handle(self, srv: SimulatorServer, path: str, query: dict[str, str]) -> int:
        if path == "/health":
            self._send(200, '{"status": "ok"}')
            return 200
        if srv.token is not None:
            auth = self.headers.get("Authorization", "")
            if auth != f"Bearer {srv.token}":
                self._error(401, "invalid or missing bearer token", {"WWW-Authenticate": "Bearer"})
                return 401
        parts = path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "v1":
            self._error(404, f"no such endpoint {path}")
            return 404
        kind = parts[1]
        opd = query.get("opd")
        if kind == "opds":
            body = srv.pages.opd_list.to_json(orient="records", force_ascii=False)
            self._send(200, f'{{"data": {body}, "next_cursor": null}}')
            return 200
        if kind not in KINDS:
            self._error(404, f"unknown data kind {kind!r}; known: {KINDS}")
            return 404
        fault = srv.take_fault(kind, opd)
        if fault is not None:
            if fault.hang:
                self._record(0)
                srv._stopping.wait(3600)
                self.close_connection = True
                return 0
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            self._error(fault.status, f"injected fault {fault.status}", headers)
            return fault.status
        period = query.get("period")
        if not period:
            self._error(400, "query parameter 'period' (YYYY-MM) is required")
            return 400
        if opd is not None and opd not in srv.pages.opds:
            self._error(404, f"unknown OPD {opd!r}")
            return 404
        rows = srv.pages.rows(kind, opd) if period == srv.pages.period else None
        if rows is None:
            rows = srv.pages.rows(kind, "__none__")
        try:
            if "page" in query:
                size = int(query.get("page_size", "1000"))
                page = int(query["page"])
                if page < 1 or not 1 <= size <= MAX_PAGE:
                    raise ValueError
                offset = (page - 1) * size
                pages = max(1, -(-len(rows) // size))
                chunk = rows.iloc[offset : offset + size]
                meta: dict[str, Any] = {"page": page, "pages": pages, "total": len(rows)}
            else:
                size = int(query.get("limit", "1000"))
                offset = int(query.get("cursor", "0"))
                if offset < 0 or not 1 <= size <= MAX_PAGE:
                    raise ValueError
                chunk = rows.iloc[offset : offset + size]
                nxt = offset + size
                meta = {"next_cursor": str(nxt) if nxt < len(rows) else None, "total": len(rows)}
        except ValueError:
            self._error(400, f"bad paging parameters (page_size/limit 1..{MAX_PAGE})")
            return 400
        self._send(200, _page_body(chunk, meta, query.get("layout") == "columns"))
        return 200


def _page_body(chunk: pd.DataFrame, meta: dict[str, Any], columns: bool) -> bytes:
    """One page of the contract, as rows (`data`) or as columns (`columns`)."""
    if columns:
        cells = {str(c): chunk[c].tolist() for c in chunk.columns}
        # NaN cells are written as null, as pandas does for rows
        return orjson.dumps({"columns": cells, **meta}, option=orjson.OPT_SERIALIZE_NUMPY)
    data = chunk.to_json(orient="records", force_ascii=False) if len(chunk) else "[]"
    return f'{{"data": {data}, {json.dumps(meta)[1:-1]}}}'.encode()


def serve_in_thread(
    province: SimulatedProvince,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
) -> SimulatorServer:
    """Start the simulator server in a daemon thread; returns it (with .url and .stop())."""
    return SimulatorServer(province, host=host, port=port, token=token).start()

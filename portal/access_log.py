"""Uvicorn's access log without link tokens: ``/l/<token>`` is written as ``/l/<redacted>``,
a short code ``/s/<code>`` as ``/s/<redacted>``."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

TOKEN_PATH = re.compile(r"/([ls])/[^/?#\s\"]+")
REDACTED = "/l/<redacted>"


def redact(text: str) -> str:
    """A request path or log line with every portal link token or short code replaced."""
    return TOKEN_PATH.sub(lambda m: f"/{m.group(1)}/<redacted>", text)


class RedactLinkTokens(logging.Filter):
    """Rewrites a record's message and arguments; the line is kept (method, status, client)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            args = record.args.items()
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in args}
        return True


def log_config() -> dict[str, Any]:
    """Uvicorn's default logging config with the redacting filter on its access logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_link_tokens"] = {"()": RedactLinkTokens}
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = config["loggers"].setdefault(name, {})
        logger["filters"] = [*logger.get("filters", []), "redact_link_tokens"]
    return config

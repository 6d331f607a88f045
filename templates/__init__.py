"""Jinja2 templates (Indonesian texts) and the one Environment that renders them."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The single Environment: autoescape for HTML, strict about missing variables."""
    from kinerja.templates.filters import FILTERS

    env = Environment(
        loader=PackageLoader("kinerja.templates", "."),
        autoescape=select_autoescape(["html", "htm", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env

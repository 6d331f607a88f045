"""The attack suite: one test per attempt of issue #19, each marked with what it tries.

`@pytest.mark.attack("attempt", "path")` names the line of the summary table that the session
prints at its end (attempt / path / result), as quoted in the issue's note. Each test asserts
the refusal and that nothing changed in the database (`snapshot`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from kinerja.db.base import Base
from kinerja.db.session import session_scope
from tests.portal.conftest import client, issue, portal_settings, world  # noqa: F401

RESULTS: list[tuple[str, str, str, str]] = []  # attempt, path, backend, result
# Written by every refusal on purpose: the audit trail and the anonymous counters.
EXPECTED_WRITES = {"audit_event", "refusal_count"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    marker = item.get_closest_marker("attack")
    if marker is not None and (report.when == "call" or (report.when == "setup" and report.failed)):
        attempt, path = marker.args
        backend = getattr(getattr(item, "callspec", None), "id", "") or "-"
        result = "refused, nothing changed" if report.passed else "NOT REFUSED or changed"
        if report.skipped:
            result = "skipped"
        RESULTS.append((attempt, path, backend, result))
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    width = max(len(a) for a, *_ in RESULTS)
    paths = max(len(p) for _, p, *_ in RESULTS)
    terminalreporter.section("attack table (issue #19)")
    terminalreporter.write_line(f"{'attempt':<{width}}  {'path':<{paths}}  {'db':<10}  result")
    for attempt, path, backend, result in RESULTS:
        terminalreporter.write_line(f"{attempt:<{width}}  {path:<{paths}}  {backend:<10}  {result}")


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the refusal records, as plain tuples (ordered)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with session_scope(engine) as s:
        for table in Base.metadata.sorted_tables:
            if table.name in EXPECTED_WRITES:
                continue
            out[table.name] = sorted(
                (tuple(str(v) for v in r) for r in s.execute(select(table))), key=str
            )
    return out


@pytest.fixture
def snapshot() -> Callable[[Engine], Callable[[], None]]:
    """snapshot(engine) -> check(): check() asserts no table changed since the snapshot."""

    def take(engine: Engine) -> Callable[[], None]:
        before = rows(engine)

        def unchanged() -> None:
            after = rows(engine)
            changed = [t for t in before if before[t] != after[t]]
            assert not changed, f"tables changed by a refused attempt: {changed}"

        return unchanged

    return take

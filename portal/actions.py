"""The portal acts only through review.service: the one validation path the CLI shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine

from kinerja.review import service
from kinerja.review.service import PausedRuns

CHANNEL = "portal"


class ActionRefused(Exception):
    """The review service refused a submission against the review's current state."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@contextmanager
def _refusals() -> Iterator[None]:
    """What the service raises when it refuses (state, deadline, input; no review) as one type."""
    try:
        yield
    except service.Refused as exc:
        raise ActionRefused(list(exc.problems) or [str(exc)]) from exc
    except LookupError as exc:
        raise ActionRefused([str(exc)]) from exc


def submit_selection(
    engine: Engine,
    period: str,
    scope_code: str,
    actor: str,
    selections: dict[str, tuple[bool, str]],
    runs: PausedRuns | None,
) -> None:
    with _refusals():
        service.submit_selection(engine, period, scope_code, actor, selections, CHANNEL, runs=runs)


def submit_defence(
    engine: Engine,
    period: str,
    scope_code: str,
    nip: str,
    actor: str,
    text: str,
    evidence: list[Any] | None,
    objections: list[Any] | None,
    runs: PausedRuns | None,
) -> None:
    """The defence with its evidence (review.evidence.Upload) and data objections."""
    with _refusals():
        service.submit_defence(
            engine, period, scope_code, nip, actor, text, CHANNEL,
            evidence=evidence or [], objections=objections or [], runs=runs,
        )  # fmt: skip


def submit_verdict(
    engine: Engine,
    period: str,
    scope_code: str,
    nip: str,
    actor: str,
    accepted: bool,
    reason: str,
    rulings: dict[int, tuple[bool, str]] | None,
    runs: PausedRuns | None,
) -> None:
    with _refusals():
        service.submit_verdict(
            engine, period, scope_code, nip, actor, accepted, reason, CHANNEL,
            rulings=rulings or {}, runs=runs,
        )  # fmt: skip

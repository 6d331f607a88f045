"""The portal acts only through review.service: the one validation path the CLI shares."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sqlalchemy import Engine

CHANNEL = "portal"


class ActionRefused(Exception):
    """The review service refused a submission against the review's current state."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _service() -> ModuleType:
    # Imported on use: the service pulls in Prefect, which the portal's pages do not need.
    from kinerja.review import service

    return service


def _refusals(service: ModuleType) -> tuple[type[BaseException], ...]:
    """What the service raises when it refuses: Refused (state, deadline, input), no review."""
    return (service.ReviewRefused, LookupError)


def _refused(exc: BaseException) -> ActionRefused:
    problems = getattr(exc, "problems", None)
    return ActionRefused(list(problems) if problems else [str(exc)])


def _call(name: str, *args: Any, **kwargs: Any) -> None:
    """Call the service's `name` with `args` and the portal's channel; refusals as ActionRefused."""
    service = _service()
    try:
        getattr(service, name)(*args, CHANNEL, **kwargs)
    except _refusals(service) as exc:
        raise _refused(exc) from exc


def submit_selection(
    engine: Engine,
    period: str,
    scope_code: str,
    actor: str,
    selections: dict[str, tuple[bool, str]],
) -> None:
    _call("submit_selection", engine, period, scope_code, actor, selections)


def submit_defence(
    engine: Engine,
    period: str,
    scope_code: str,
    nip: str,
    actor: str,
    text: str,
    evidence: list[Any] | None = None,
    objections: list[Any] | None = None,
) -> None:
    """The defence with its evidence (review.evidence.Upload) and data objections."""
    _call(
        "submit_defence", engine, period, scope_code, nip, actor, text,
        evidence=evidence or [], objections=objections or [],
    )  # fmt: skip


def submit_verdict(
    engine: Engine,
    period: str,
    scope_code: str,
    nip: str,
    actor: str,
    accepted: bool,
    reason: str,
    rulings: dict[int, tuple[bool, str]] | None = None,
) -> None:
    _call(
        "submit_verdict", engine, period, scope_code, nip, actor, accepted, reason,
        rulings=rulings or {},
    )  # fmt: skip

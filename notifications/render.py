"""Render notification templates (subject + plain text) and check their context keys."""

from __future__ import annotations

from typing import Any

from templates import environment

# Required context keys per template; see notifications.service for what each one means.
TEMPLATE_KEYS: dict[str, frozenset[str]] = {
    "selection_request": frozenset(
        {"recipient_name", "scope_name", "period", "candidates", "deadline", "link"}
    ),
    "selection_reminder": frozenset({"recipient_name", "scope_name", "period", "deadline", "link"}),
    "warning": frozenset(
        {"recipient_name", "period", "opd_name", "indicators", "reason", "deadline", "link"}
    ),
    "defence_received": frozenset(
        {"recipient_name", "employee_name", "period", "deadline", "link"}
    ),
    "defence_reminder": frozenset({"recipient_name", "period", "deadline", "link"}),
    "deadline_passed": frozenset({"recipient_name", "scope_name", "period", "stage", "deadline"}),
    "outcome": frozenset({"recipient_name", "period", "outcome", "reason"}),
    "drafts_ready": frozenset({"recipient_name", "period", "count"}),
    "coaching_assigned": frozenset(
        {"recipient_name", "period", "employee_name", "coach_label", "goals", "checkin_dates"}
    ),
}


def render_message(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a notification; a missing key is a ValueError naming it."""
    try:
        required = TEMPLATE_KEYS[template]
    except KeyError:
        raise ValueError(
            f"unknown notification template {template!r}; known: {sorted(TEMPLATE_KEYS)}"
        ) from None
    missing = sorted(required - set(context))
    if missing:
        raise ValueError(f"notification template {template!r} needs context keys {missing}")
    env = environment()
    subject = env.get_template(f"notifications/{template}.subject.j2").render(**context)
    body = env.get_template(f"notifications/{template}.txt.j2").render(**context)
    return " ".join(subject.split()), body.strip() + "\n"

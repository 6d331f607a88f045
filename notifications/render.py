"""Render notification templates (subject + plain text) and check their context keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kinerja.templates import environment
from kinerja.templates.filters import fields_label

if TYPE_CHECKING:
    from kinerja.settings import Settings

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
    # stage picks the wording: "selection" (the head chose no one by the deadline) or
    # "defence"/"verdict" (the head gave no verdict on a defence by the deadline).
    "deadline_passed": frozenset({"recipient_name", "scope_name", "period", "stage", "deadline"}),
    "outcome": frozenset({"recipient_name", "period", "outcome", "reason"}),
    "drafts_ready": frozenset({"recipient_name", "period", "count"}),
    "coaching_assigned": frozenset(
        {"recipient_name", "period", "employee_name", "coach_label", "goals", "checkin_dates"}
    ),
}


DEADLINE_STAGES = ("selection", "defence", "verdict")


def publication_context(settings: Settings | None = None) -> dict[str, Any]:
    """What the outcome message says about the announcement, from the configured policy."""
    from kinerja.rules.policy import load_policy
    from kinerja.settings import get_settings

    pub = load_policy((settings or get_settings()).policy).publication
    return {
        "published_fields": fields_label(list(pub.fields)),
        "channel_label": pub.channel_label,
        "max_per_scope": pub.max_per_scope,
        "publication_scope": "OPD" if pub.per == "opd" else "rumpun",
    }


def render_message(
    template: str, context: dict[str, Any], settings: Settings | None = None
) -> tuple[str, str]:
    """(subject, body) of a notification; a missing key is a ValueError naming it.

    The outcome template gets `published_fields`, `channel_label`, `max_per_scope` and
    `publication_scope` from the policy in `settings` unless the caller gives them.
    """
    try:
        required = TEMPLATE_KEYS[template]
    except KeyError:
        raise ValueError(
            f"unknown notification template {template!r}; known: {sorted(TEMPLATE_KEYS)}"
        ) from None
    missing = sorted(required - set(context))
    if missing:
        raise ValueError(f"notification template {template!r} needs context keys {missing}")
    if template == "deadline_passed" and context["stage"] not in DEADLINE_STAGES:
        raise ValueError(
            f"notification template 'deadline_passed': stage {context['stage']!r} is not one of "
            f"{list(DEADLINE_STAGES)}"
        )
    if template == "outcome" and "published_fields" not in context:
        context = {**publication_context(settings), **context}
    env = environment()
    subject = env.get_template(f"notifications/{template}.subject.j2").render(**context)
    body = env.get_template(f"notifications/{template}.txt.j2").render(**context)
    return " ".join(subject.split()), body.strip() + "\n"

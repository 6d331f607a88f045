"""Names of the flows, their served deployments and their runs: read by the flows and callers."""

from __future__ import annotations

CYCLE_FLOW = "monthly_cycle"
REVIEW_FLOW = "opd_review"
SWEEPER_FLOW = "review_sweeper"

CYCLE_SERVED = "monthly"
REVIEW_SERVED = "review"
SWEEPER_SERVED = "sweep"

CYCLE_DEPLOYMENT = f"{CYCLE_FLOW}/{CYCLE_SERVED}"
REVIEW_DEPLOYMENT = f"{REVIEW_FLOW}/{REVIEW_SERVED}"
SWEEPER_DEPLOYMENT = f"{SWEEPER_FLOW}/{SWEEPER_SERVED}"

CYCLE_RUN_PREFIX = "cycle-"
REVIEW_RUN_NAME = "review-{period}-{scope_code}"  # a template of the review flow's parameters


def cycle_run_name(period: str) -> str:
    """The month's cycle run: a rerun of the period shares the name."""
    return f"{CYCLE_RUN_PREFIX}{period}"


def review_run_name(period: str, scope_code: str) -> str:
    """One OPD's review run of the month."""
    return REVIEW_RUN_NAME.format(period=period, scope_code=scope_code)

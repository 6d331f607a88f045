"""Prefect flows: they only orchestrate; every step is a task from tasks/."""

"""Policies and scoring: pure functions over pandas DataFrames, no Prefect."""

"""Prefect tasks: thin, verb-named wrappers around plain functions."""

"""The Prefect adapter: creating, starting, resuming and reading flow runs, and secret blocks."""

"""Fixtures of the adapter tests: a migrated database and the served deployments."""

from tests.served import (  # noqa: F401  (fixtures, found by name)
    extra_flow_settings,
    flow_db_url,
    flow_engine,
    flow_home,
    flow_settings,
    server,
)

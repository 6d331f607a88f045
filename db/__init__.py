"""Persistence: typed models, sessions, migrations, one data-access module per concern."""

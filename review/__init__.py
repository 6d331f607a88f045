"""The review of one OPD as plain functions: its rules, people, texts and the service."""

"""Notifications: one Notifier interface, channels in a registry."""

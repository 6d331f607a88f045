"""Channel registry: names in configuration map to Notifier factories."""

from __future__ import annotations

from collections.abc import Callable

from kinerja.notifications.base import Notifier
from kinerja.settings import Settings

ChannelFactory = Callable[[Settings], Notifier]

_REGISTRY: dict[str, ChannelFactory] = {}


def register_channel(name: str) -> Callable[[ChannelFactory], ChannelFactory]:
    """Decorator: make a channel available under `name` (e.g. in KINERJA_NOTIFICATION_CHANNELS)."""

    def deco(factory: ChannelFactory) -> ChannelFactory:
        _REGISTRY[name] = factory
        return factory

    return deco


def _load_builtin() -> None:
    # Imported lazily so that importing the registry never builds clients.
    from kinerja.notifications import email, outbox, webhook  # noqa: F401


def channel_names() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def build_channel(name: str, settings: Settings) -> Notifier:
    """Build the channel called `name`; an unknown name is a configuration error."""
    _load_builtin()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown notification channel {name!r}; known: {sorted(_REGISTRY)}"
        ) from None
    return factory(settings)

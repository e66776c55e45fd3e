"""The mailing services digest hands an issue to as a draft campaign: one module each, found here.

This package's registry is the only list of services. A service is one module in this folder
that ends with ``SERVICE = <its Service subclass>`` (see :mod:`digest.services.base` for the
shape): its ``[delivery.<name>]`` settings table, the mailer whose merge tags it substitutes,
its endpoints and the few calls that differ. The config's ``[delivery] method`` choices, its
tables, ``digest check`` and the job's hand-off all read :data:`SERVICES`; adding a module adds
a service to all of them. The package sits below ``digest.settings`` so the config can name the
services' tables; it imports only shared leaves.

The registry knows the services by their modules' names without importing them: a module (its
settings model, its HTTP client) is imported when its name is first looked up, so a config that
hands off files, or uses one service, never pays for the others (issue 23).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the shared names, for callers; imported on first use so the registry itself stays cheap
    from digest.services.base import Content, Need, Remote, Sender, Service
    from digest.services.client import ServiceError
    from digest.services.settings import ServiceSettings

__all__ = ["NAMES", "SERVICES", "Content", "Need", "Remote", "Sender", "Service", "ServiceError",
           "ServiceSettings", "service_named"]

_MACHINERY = frozenset({"base", "client", "clicks", "settings", "shape", "tally"})
_SHARED = {"Content": "base", "Need": "base", "Remote": "base", "Sender": "base", "Service": "base",
           "ServiceError": "client", "ServiceSettings": "settings"}

NAMES: tuple[str, ...] = tuple(sorted(
    info.name for info in pkgutil.iter_modules(__path__)
    if info.name not in _MACHINERY and not info.name.startswith("_")
))


def __getattr__(name: str) -> object:
    """``from digest.services import Service`` (and the other shared names) without loading them here."""
    if name in _SHARED:
        return getattr(importlib.import_module(f"{__name__}.{_SHARED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Registry(Mapping[str, "type[Service]"]):
    """Every service by name; a service's module is imported when it is first looked up."""

    def __init__(self) -> None:
        self._loaded: dict[str, type[Service]] = {}

    def __getitem__(self, name: str) -> type[Service]:
        if name not in NAMES:
            raise KeyError(name)
        if name not in self._loaded:
            from digest.services.base import Service

            module = importlib.import_module(f"{__name__}.{name}")
            service = getattr(module, "SERVICE", None)
            if not (isinstance(service, type) and issubclass(service, Service)) or service.name != name:
                raise ImportError(f"{module.__name__} must end with SERVICE = <its Service subclass named "
                                  f"{name!r}>")
            self._loaded[name] = service
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in NAMES

    def __iter__(self) -> Iterator[str]:
        return iter(NAMES)

    def __len__(self) -> int:
        return len(NAMES)


SERVICES: Mapping[str, type[Service]] = _Registry()


def service_named(name: str) -> type[Service] | None:
    """The service whose ``[delivery] method`` is ``name``; None for files, smtp and webhook."""
    return SERVICES[name] if name in SERVICES else None

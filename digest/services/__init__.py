"""The mailing services digest hands an issue to as a draft campaign: one module each, found here.

This package's registry is the only list of services. A service is one module in this folder
that ends with ``SERVICE = <its Service subclass>`` (see :mod:`digest.services.base` for the
shape): its ``[delivery.<name>]`` settings table, the mailer whose merge tags it substitutes,
its endpoints and the few calls that differ. The config's ``[delivery] method`` choices, its
tables, ``digest check`` and the job's hand-off all read :data:`SERVICES`; adding a module adds
a service to all of them. The package sits below ``digest.settings`` so the config can name the
services' tables; it imports only shared leaves.
"""

from __future__ import annotations

import importlib
import pkgutil

from digest.services.base import Content, Need, Remote, Sender, Service
from digest.services.client import ServiceError
from digest.services.settings import ServiceSettings

__all__ = ["SERVICES", "Content", "Need", "Remote", "Sender", "Service", "ServiceError", "ServiceSettings",
           "service_named"]

_MACHINERY = frozenset({"base", "client", "clicks", "settings", "shape"})


def _discover() -> dict[str, type[Service]]:
    found: dict[str, type[Service]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in _MACHINERY or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        service = getattr(module, "SERVICE", None)
        if not (isinstance(service, type) and issubclass(service, Service)) or service.name != info.name:
            raise ImportError(f"{module.__name__} must end with SERVICE = <its Service subclass named "
                              f"{info.name!r}>")
        found[service.name] = service
    return found


SERVICES: dict[str, type[Service]] = _discover()


def service_named(name: str) -> type[Service] | None:
    """The service whose ``[delivery] method`` is ``name``; None for files, smtp and webhook."""
    return SERVICES.get(name)

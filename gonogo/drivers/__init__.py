"""Deploy drivers: how a service is changed, inspected, health-checked and rolled back.

One module per driver (``compose``, ``swarm``, ``shell``), each registered through the
``gonogo_drivers`` hook like a third party's; ``driver_for`` builds the one a service's
``driver:`` names. Drivers are leaves: they know ``core``, the config model
(``ServiceModel``), the utilities (targets, redact, private) and the plugin registry; never
the engine, journal, reports or commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.plugins import PluginError, registry

if TYPE_CHECKING:
    from gonogo.config.model import ServiceModel
    from gonogo.drivers.base import Driver, DriverContext


def driver_for(service: ServiceModel, ctx: DriverContext) -> Driver:
    """The driver ``service.driver`` names, for this service; an unknown name is a PluginError
    (the config loader rejects it first, with its file and line)."""
    known = registry().drivers
    cls: type[Driver] | None = known.get(service.driver)
    if cls is None:
        raise PluginError(f"service {service.name}: unknown driver {service.driver!r} "
                          f"(known drivers: {', '.join(known)})")
    return cls(service, ctx)

"""Deploy drivers: how a service is changed, inspected, health-checked and rolled back.

One module per driver (``compose``, ``swarm``, ``shell``); ``driver_for`` picks one.
Drivers are leaves: they know ``core``, the config model (``ServiceModel``) and the
utilities (targets, redact, private); never the engine, journal, reports or commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gonogo.config.model import ServiceModel
    from gonogo.drivers.base import Driver, DriverContext


def driver_for(service: ServiceModel, ctx: DriverContext) -> Driver:
    """The driver named by ``service.driver`` (imported lazily)."""
    if service.driver == "compose":
        from gonogo.drivers.compose import ComposeDriver

        return ComposeDriver(service, ctx)
    if service.driver == "swarm":
        from gonogo.drivers.swarm import SwarmDriver

        return SwarmDriver(service, ctx)
    from gonogo.drivers.shell import ShellDriver

    return ShellDriver(service, ctx)

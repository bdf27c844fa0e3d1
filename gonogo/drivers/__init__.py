"""Deploy drivers: how a service is changed, inspected, health-checked and rolled back.

One module per driver (``compose``, ``swarm``, ``shell``), each registered through the
``gonogo_drivers`` hook like a third party's; ``gonogo.plugins.driver_for`` builds the one a
service's ``driver:`` names.
"""

"""A faithful Dukcapil gateway simulator for demo mode and tests (refuses production)."""

from app.services.simulator.app import (
    DIALECTS,
    BalikanSetup,
    Dialect,
    GatewaySimulator,
    SimulatorAccount,
    SimulatorConfig,
    SimulatorRefusedError,
    ensure_simulator_allowed,
)
from app.services.simulator.faults import Fault, FaultPlan, LinkShape
from app.services.simulator.population import Population, build_population
from app.services.simulator.server import RunningSimulator, start_simulator

__all__ = [
    "DIALECTS",
    "BalikanSetup",
    "Dialect",
    "Fault",
    "FaultPlan",
    "GatewaySimulator",
    "LinkShape",
    "Population",
    "RunningSimulator",
    "SimulatorAccount",
    "SimulatorConfig",
    "SimulatorRefusedError",
    "build_population",
    "ensure_simulator_allowed",
    "start_simulator",
]

"""A faithful Dukcapil gateway simulator for demo mode and tests (refuses production)."""

from app.services.simulator.app import (
    DIALECTS,
    IP_POLICIES,
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
from app.services.simulator.record import ReceiptSummary, RecordKey, summarise_records
from app.services.simulator.server import RunningSimulator, start_simulator

__all__ = [
    "DIALECTS",
    "IP_POLICIES",
    "BalikanSetup",
    "Dialect",
    "Fault",
    "FaultPlan",
    "GatewaySimulator",
    "LinkShape",
    "Population",
    "ReceiptSummary",
    "RecordKey",
    "RunningSimulator",
    "SimulatorAccount",
    "SimulatorConfig",
    "SimulatorRefusedError",
    "build_population",
    "ensure_simulator_allowed",
    "start_simulator",
    "summarise_records",
]

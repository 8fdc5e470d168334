"""Dukcapil gateway client (no Qt): lookup by NIK and verify by element."""

from app.services.dukcapil.classify import classify_response
from app.services.dukcapil.config import GatewayConfig, GatewayConfigError, GatewayCredentials
from app.services.dukcapil.errors import TransportError, TransportFailure
from app.services.dukcapil.guidance import Guidance, QueryBlock, Severity, guidance_for
from app.services.dukcapil.outcomes import Outcome, OutcomeKind, Verdict
from app.services.dukcapil.profiles import AgreementProfile, load_profile, load_profiles
from app.services.dukcapil.record import PermittedRecord

__all__ = [
    "AgreementProfile",
    "GatewayConfig",
    "GatewayConfigError",
    "GatewayCredentials",
    "Guidance",
    "Outcome",
    "OutcomeKind",
    "PermittedRecord",
    "QueryBlock",
    "Severity",
    "TransportError",
    "TransportFailure",
    "Verdict",
    "classify_response",
    "guidance_for",
    "load_profile",
    "load_profiles",
]

"""Dukcapil gateway client (no Qt): lookup by NIK and verify by element.

Nothing outside this package ever receives an unfiltered gateway record: lookups return a
:class:`PermittedRecord` holding only the agreement profile's elements.
"""

from app.services.dukcapil.classify import classify_response
from app.services.dukcapil.client import (
    DukcapilClient,
    GatewayResult,
    LookupResult,
    NotPermittedError,
    VerifyResult,
)
from app.services.dukcapil.config import (
    GatewayConfig,
    GatewayConfigError,
    GatewayCredentials,
    GatewayTimeouts,
)
from app.services.dukcapil.errors import TransportError, TransportFailure
from app.services.dukcapil.guidance import (
    PLAIN_HTTP_NOTICE,
    Guidance,
    QueryBlock,
    Severity,
    guidance_for,
    guidance_for_failure,
    guidance_text,
)
from app.services.dukcapil.outcomes import Outcome, OutcomeKind, Verdict
from app.services.dukcapil.profiles import (
    AgreementProfile,
    Element,
    ProfileError,
    load_profile,
    load_profiles,
)
from app.services.dukcapil.record import PermittedRecord

__all__ = [
    "PLAIN_HTTP_NOTICE",
    "AgreementProfile",
    "DukcapilClient",
    "Element",
    "GatewayConfig",
    "GatewayConfigError",
    "GatewayCredentials",
    "GatewayResult",
    "GatewayTimeouts",
    "Guidance",
    "LookupResult",
    "NotPermittedError",
    "Outcome",
    "OutcomeKind",
    "PermittedRecord",
    "ProfileError",
    "QueryBlock",
    "Severity",
    "TransportError",
    "TransportFailure",
    "Verdict",
    "VerifyResult",
    "classify_response",
    "guidance_for",
    "guidance_for_failure",
    "guidance_text",
    "load_profile",
    "load_profiles",
]

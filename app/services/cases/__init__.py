"""The case use-case API: what the UI and the CLI call to serve one applicant."""

from app.services.cases.active import ActiveCase, LookupView, ReturnedCase
from app.services.cases.errors import (
    AgreementEnded,
    CaseError,
    GatewayUnavailable,
    GuardRefused,
    LookupBlocked,
    NikMismatch,
    NikNotAllowedHere,
    NotIssuable,
    NotPermittedByAgreement,
    PurposeMissing,
    VerifyElementsMissing,
    WrongAccessMethod,
)
from app.services.cases.port import GatewayAnswer, GatewayPort, GatewayTransportError
from app.services.cases.service import (
    CaseService,
    Decision,
    GuardOverride,
    NikCorrection,
    NikSource,
)

__all__ = [
    "ActiveCase",
    "AgreementEnded",
    "CaseError",
    "CaseService",
    "Decision",
    "GatewayAnswer",
    "GatewayPort",
    "GatewayTransportError",
    "GatewayUnavailable",
    "GuardOverride",
    "GuardRefused",
    "LookupBlocked",
    "LookupView",
    "NikCorrection",
    "NikMismatch",
    "NikNotAllowedHere",
    "NikSource",
    "NotIssuable",
    "NotPermittedByAgreement",
    "PurposeMissing",
    "ReturnedCase",
    "VerifyElementsMissing",
    "WrongAccessMethod",
]

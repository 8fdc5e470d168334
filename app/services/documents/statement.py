"""Build the issued statement for a case (R-25): the NIK only after an issuable answer."""

from __future__ import annotations

from datetime import datetime

from app.domain.case_flow import STATE_LABELS
from app.domain.i18n import N_, _
from app.domain.outcomes import OutcomeKind
from app.services.cases.active import ActiveCase
from app.services.documents.issued import IssuedDocument, render_issued_document
from app.services.documents.page import official
from app.services.settings import Settings

DECISION_LABELS = {
    "approve": N_("Approved: the NIK was verified"),
    "return": N_("Returned for fixes"),
    "refuse": N_("Refused"),
}


@official
def statement_for(
    case: ActiveCase, settings: Settings, officer_name: str, issued_at: datetime
) -> IssuedDocument:
    """The statement's content; the NIK is printed only when the last answer allows it."""
    last = case.last
    outcome = last.kind if last is not None else OutcomeKind.UNKNOWN
    printable = last is not None and last.confirms
    decision = _(DECISION_LABELS.get(case.decision or "", STATE_LABELS[case.state]))
    return IssuedDocument(
        agency_name=settings.agency.name,
        agency_address=settings.agency.address,
        case_number=case.number,
        document_number=case.document_number or f"DOK-{case.number}",
        programme=case.programme,
        officer_name=officer_name,
        issued_at=issued_at,
        decision=decision,
        outcome=outcome,
        nik=case.nik if printable else None,
        demo=settings.is_demo,
    )


@official
def render_statement(
    case: ActiveCase, settings: Settings, officer_name: str, issued_at: datetime
) -> bytes:
    """The statement as PDF bytes, in memory only."""
    return render_issued_document(statement_for(case, settings, officer_name, issued_at))

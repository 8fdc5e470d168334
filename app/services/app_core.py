"""The application's services, wired once by the composition root.

``AppServices`` is what the UI and the CLI receive: small use-case objects
(officers, cases, status) over one database, one key ring and one gateway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from app.domain.access import AccessGrants
from app.domain.agreement_term import TermStatus, term_status
from app.domain.outcomes import OutcomeKind
from app.domain.quota_rules import QuotaStatus
from app.services.audit import AuditTrail
from app.services.balikan.outbox import Outbox
from app.services.balikan.service import BalikanService
from app.services.bootstrap import Core
from app.services.cases import CaseService, GatewayPort
from app.services.cases.balikan_owed import field_labels
from app.services.clock import Clock, system_clock
from app.services.dukcapil.profiles import ProfileError
from app.services.guard import PatternGuard
from app.services.key_binding import open_keys
from app.services.keys import KeyRing
from app.services.link import GovernedGateway, LinkGovernor
from app.services.lockouts import ActiveLockout, LockoutService
from app.services.officers import OfficerService, OfficerView
from app.services.quota import QuotaCounter

if TYPE_CHECKING:
    import httpx

    from app.services.cases.returned import ReturnedCases
    from app.services.incidents import IncidentService
    from app.services.officer_records import OfficerRecords
    from app.services.reports.service import ReportService


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    """What the status bar shows (counts only)."""

    quota: QuotaStatus
    balikan_pending: int
    lockouts: tuple[ActiveLockout, ...]
    term: TermStatus
    access_method: str
    plain_http: bool
    demo: bool
    #: The PoC result letter that allows the web service ("number, date"), or "".
    poc_letter: str = ""
    #: The renewal request on record ("letter number, date"), or "".
    renewal_letter: str = ""
    renewal_limit: date | None = None
    #: Which method the agreement grants by which channel (None: not known).
    grants: AccessGrants | None = None


def _letter(number: str, day: date | None) -> str:
    """A letter as "number, dd-mm-yyyy" ("" when none is on record)."""
    if not number.strip() or day is None:
        return ""
    return f"{number.strip()}, {day:%d-%m-%Y}"


@dataclass
class AppServices:
    """Everything the UI and CLI use, built from a :class:`Core`."""

    core: Core
    keys: KeyRing
    audit: AuditTrail
    officers: OfficerService
    cases: CaseService
    quota: QuotaCounter
    lockouts: LockoutService
    outbox: Outbox
    clock: Clock = system_clock
    extras: dict[str, object] = field(default_factory=dict)
    link: LinkGovernor | None = None
    balikan: BalikanService | None = None

    def status(self) -> StatusSnapshot:
        """A fresh snapshot for the status bar."""
        settings = self.core.settings
        with self.core.sessions() as session:
            quota = self.quota.status(session)
            pending = self.outbox.pending_count(session)
            lockouts = tuple(self.lockouts.active(session))
        agreement = settings.agreement
        return StatusSnapshot(
            quota=quota,
            balikan_pending=pending,
            lockouts=lockouts,
            term=term_status(
                self.clock().date(), agreement.start, agreement.end, agreement.renewal_limit
            ),
            access_method=agreement.access_method,
            plain_http=settings.gateway.base_url.startswith("http://"),
            demo=settings.is_demo,
            poc_letter=_letter(agreement.poc_letter_number, agreement.poc_letter_date),
            renewal_letter=_letter(agreement.renewal_letter_number, agreement.renewal_letter_date),
            renewal_limit=agreement.renewal_limit,
            grants=self._grants(),
        )

    def _grants(self) -> AccessGrants | None:
        """The case service's grants; None when the profile cannot be read (the start and the
        doctor say why)."""
        try:
            return self.cases.grants
        except ProfileError:
            return None

    def clear_lockouts(self, administrator: OfficerView) -> int:
        """An administrator lifts the access blocks after fixing their cause."""
        from app.services.officers import NotPermitted, Role

        if administrator.role is not Role.ADMINISTRATOR:
            raise NotPermitted(administrator.username)
        with self.core.sessions.begin() as session:
            count = self.lockouts.clear_all(session, administrator.username)
            self.audit.append(
                session, administrator.username, "lockouts.cleared", detail={"count": count}
            )
        return count

    @property
    def officer_records(self) -> OfficerRecords:
        """SPTJM, NDAs, User-ID forms and officer changes (administrators; issue 15)."""
        from app.services.officer_records import OfficerRecords

        service = self.extras.get("officer_records")
        if not isinstance(service, OfficerRecords):
            service = OfficerRecords(self.core.sessions, self.audit, self.clock)
            self.extras["officer_records"] = service
        return service

    @property
    def reports(self) -> ReportService:
        """Reports, due reminders and submission records (supervisors)."""
        from app.services.reports.service import ReportService

        service = self.extras.get("reports")
        if not isinstance(service, ReportService):
            service = ReportService(self.core.sessions, self.audit, self.core.settings, self.clock)
            self.extras["reports"] = service
        return service

    @property
    def returned(self) -> ReturnedCases:
        """Returned cases that end, and interrupted ones closable from any counter (R-20)."""
        from app.services.cases.returned import ReturnedCases

        service = self.extras.get("returned")
        if not isinstance(service, ReturnedCases):
            service = ReturnedCases(
                self.core.sessions,
                self.outbox,
                self.audit,
                self.clock,
                self.core.settings.retention.returned_case_days,
            )
            self.extras["returned"] = service
        return service

    @property
    def incidents(self) -> IncidentService:
        """Personal-data incidents and their 3×24-hour notice (supervisors)."""
        from app.services.incidents import IncidentService

        service = self.extras.get("incidents")
        if not isinstance(service, IncidentService):
            service = IncidentService(self.core.sessions, self.audit, self.clock)
            self.extras["incidents"] = service
        return service

    def report(self, kind: str, day: date, printed_by: OfficerView) -> bytes:
        """The daily summary or the semester report containing ``day`` as PDF (supervisors)."""
        start, end = self.reports.period(kind, day)
        return self.reports.pdf(printed_by, kind, start, end)

    def processing_record(self, nik_text: str, requested_by: OfficerView) -> bytes:
        """A resident's record of processing (R-28) as PDF; supervisors only, audited."""
        from app.domain.nik import parse_nik
        from app.services.officers import NotPermitted, Role
        from app.services.subject_access import processing_record, render_processing_record

        if not requested_by.has_role(Role.SUPERVISOR):
            raise NotPermitted(requested_by.username)
        nik = parse_nik(nik_text, today=self.clock().date())
        events = processing_record(self.core.sessions, self.keys, nik)
        pdf = render_processing_record(
            events,
            nik,
            self.core.settings.agency.name,
            requested_by.display_name,
            self.clock(),
            demo=self.core.settings.is_demo,
        )
        with self.core.sessions.begin() as session:
            self.audit.append(
                session,
                requested_by.username,
                "subject_access.printed",
                nik_hash=self.keys.nik_hash(nik.value),
                detail={"records": len(events)},
            )
        return pdf

    def audit_checkpoint(self) -> str:
        """A signed checkpoint code of the audit trail as it is now (printed on reports)."""
        with self.core.sessions() as session:
            return self.audit.current_checkpoint(session)

    def verify_audit(self) -> object:
        """The first broken audit record, or None."""
        with self.core.sessions() as session:
            return self.audit.verify(session)


def build_services(
    core: Core,
    gateway: GatewayPort | None,
    *,
    guidance: Callable[[OutcomeKind, str | None], str] | None = None,
    clock: Clock = system_clock,
    balikan_transport: httpx.BaseTransport | Callable[[], httpx.BaseTransport] | None = None,
    balikan_base_url: str | None = None,
) -> AppServices:
    """Wire the use-case services over ``core``.

    The gateway is wrapped so every lookup is marked on the shared link governor, which the
    data balikan sender waits behind (``balikan_transport``/``balikan_base_url``: demo; the
    transport may be a function making it when the sender first needs it).
    """
    settings = core.settings
    keys = core.keys or open_keys(core.engine, core.secrets)  # refuses missing/other keys
    audit = AuditTrail(keys.audit_key, settings.counter_id, clock)
    quota = QuotaCounter(settings.quota.daily_limit, clock)
    lockouts = LockoutService(settings.counter_id, clock)
    balikan = settings.balikan
    outbox = Outbox(
        keys,
        settings.agency.id_lembaga,
        settings.agency.name,
        (balikan.number_key, balikan.programme_key, balikan.note_key),
        clock,
    )
    link = LinkGovernor(balikan.link_kbps, balikan.link_share)
    if gateway is not None:
        gateway = GovernedGateway(gateway, link)
    balikan_service = BalikanService(
        balikan,
        core.sessions,
        outbox,
        audit,
        core.secrets,
        settings.counter_id,
        governor=link,
        transport=balikan_transport,
        base_url=balikan_base_url,
        clock=clock,
        field_labels=field_labels(settings),
    )
    guard = PatternGuard(settings.guard, keys)
    extra: dict[str, object] = {}
    if guidance is not None:
        extra["guidance"] = guidance
    cases = CaseService(
        settings=settings,
        sessions=core.sessions,
        keys=keys,
        audit=audit,
        gateway=gateway,
        guard=guard,
        quota=quota,
        lockouts=lockouts,
        outbox=outbox,
        clock=clock,
        on_balikan_queued=balikan_service.wake,
        **extra,  # type: ignore[arg-type]
    )
    officers = OfficerService(core.sessions, audit, clock)
    return AppServices(
        core=core,
        keys=keys,
        audit=audit,
        officers=officers,
        cases=cases,
        quota=quota,
        lockouts=lockouts,
        outbox=outbox,
        clock=clock,
        link=link,
        balikan=balikan_service,
    )


def today(services: AppServices) -> date:
    """The counter's current day."""
    return services.clock().date()

"""Data balikan use cases for the UI and the CLI: status, send, export, confirm."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.balikan.client import BalikanClient, BalikanSetupError
from app.services.balikan.export import (
    NOT_SUPERVISOR,
    BalikanExporter,
    ExportError,
    ExportResult,
    columns_of,
)
from app.services.balikan.outbox import (
    ATTENTION,
    DELIVERED,
    EXPORTED,
    PENDING,
    HeldAges,
    Outbox,
)
from app.services.balikan.sender import BalikanSender, SendReport
from app.services.clock import Clock, system_clock
from app.services.link import LinkGovernor
from app.services.officers import OfficerView, Role
from app.services.safe_output import OutputRefused
from app.services.secrets import BALIKAN_TOKEN, SecretStore, require
from app.services.settings import BalikanSettings

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True, slots=True)
class BalikanStatus:
    """Counts for the status bar and the CLI (no NIK, no URL)."""

    pending: int
    exported: int
    attention: int
    delivered: int
    next_due: datetime | None
    delivery: str
    sender_running: bool
    problem: str | None
    held: HeldAges | None = None

    @property
    def owed(self) -> int:
        """Everything not yet delivered."""
        return self.pending + self.exported + self.attention


class BalikanService:
    """One counter's data balikan: the outbox, its sender and its exports."""

    def __init__(
        self,
        settings: BalikanSettings,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        audit: AuditTrail,
        secrets: SecretStore,
        counter_id: str,
        *,
        governor: LinkGovernor | None = None,
        transport: httpx.BaseTransport | Callable[[], httpx.BaseTransport] | None = None,
        base_url: str | None = None,
        clock: Clock = system_clock,
        sender_options: dict[str, object] | None = None,
        field_labels: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self._sessions = sessions
        self.outbox = outbox
        self._audit = audit
        self._secrets = secrets
        self.counter_id = counter_id
        self.governor = governor or LinkGovernor(settings.link_kbps, settings.link_share)
        self._transport = transport
        self._base_url = base_url
        self._clock = clock
        self._sender_options = dict(sender_options or {})
        self._sender: BalikanSender | None = None
        self._sender_client: BalikanClient | None = None
        self.exporter = BalikanExporter(
            outbox,
            audit,
            counter_id,
            columns_of(settings.number_key, settings.programme_key, settings.note_key),
            clock=clock,
            field_labels=field_labels,
        )

    # -- web service ------------------------------------------------------------------------
    def client(self) -> BalikanClient:
        """A client for the configured web service (token from the secret store)."""
        token = require(self._secrets, BALIKAN_TOKEN)
        settings = self.settings
        if self._base_url:
            settings = replace(settings, base_url=self._base_url)
        # a transport factory (the demo simulator's) is called only now: no httpx at start
        transport = self._transport() if callable(self._transport) else self._transport
        return BalikanClient.from_settings(
            settings, token, transport, connections=settings.max_in_flight
        )

    def sender(self) -> BalikanSender:
        """The (one) sender of this counter, built on first use."""
        if self._sender is None:
            options: dict[str, object] = {
                "counter_id": self.counter_id,
                "shape": self.settings.body_shape,
                "batch_size": self.settings.batch_size,
                "max_in_flight": self.settings.max_in_flight,
                "governor": self.governor,
                "audit": self._audit,
                **self._sender_options,
            }
            self._sender_client = self.client()
            self._sender = BalikanSender(
                self._sessions,
                self.outbox,
                self._sender_client,
                **options,  # type: ignore[arg-type]
            )
        return self._sender

    def send_once(self) -> SendReport:
        """Deliver everything due now (CLI ``send --once``, tests)."""
        if self.settings.delivery != "web_service":
            raise BalikanSetupError("balikan.delivery is file: export instead of sending")
        sender = self.sender()
        sender.recover()
        return sender.send_once()

    def start_background(self, idle_seconds: float = 30.0) -> bool:
        """Start the background sender when this agreement delivers by web service."""
        if self.settings.delivery != "web_service":
            return False
        if not (self._base_url or self.settings.base_url):
            return False
        self.sender().start(idle_seconds)
        return True

    def wake(self) -> None:
        """A case queued an item: send soon."""
        if self._sender is not None:
            self._sender.wake()

    def stop(self) -> None:
        """Stop the background sender, if running, and close its connections."""
        if self._sender is not None:
            self._sender.stop()
        if self._sender_client is not None:
            self._sender_client.close()

    def param_keys(self) -> list[str]:
        """The param keys the web service expects for this agency."""
        client = self.client()
        try:
            return client.param_keys()
        finally:
            client.close()

    # -- status -----------------------------------------------------------------------------
    def status(self) -> BalikanStatus:
        """Counts per status, and what the sender last met."""
        with self._sessions() as session:
            counts = self.outbox.counts(session)
            next_due = self.outbox.next_due(session)
            held = self.outbox.held_ages(session)
        sender = self._sender
        return BalikanStatus(
            pending=counts[PENDING],
            exported=counts[EXPORTED],
            attention=counts[ATTENTION],
            delivered=counts[DELIVERED],
            next_due=next_due,
            delivery=self.settings.delivery,
            sender_running=bool(sender and sender.running),
            problem=sender.last_problem if sender else None,
            held=held,
        )

    # -- files ------------------------------------------------------------------------------
    def export(
        self, path: Path, file_format: str, actor: str, *, force: bool = False
    ) -> ExportResult:
        """Write everything owed to ``path`` (CSV or XLSX); items stay owed until confirmed."""
        written = False
        try:
            with self._sessions.begin() as session:
                result = self.exporter.export(session, path, file_format, actor, force=force)
                written = True
            return result
        except (ExportError, OutputRefused):
            raise
        except BaseException:
            if written:  # written but not recorded: it must not be uploaded
                path.unlink(missing_ok=True)
            raise

    def confirm(
        self, supervisor: OfficerView, *, file: Path | None = None, all_exported: bool = False
    ) -> int:
        """A supervisor confirms the upload of one export file (or of all exports)."""
        if not supervisor.has_role(Role.SUPERVISOR):
            raise ExportError(NOT_SUPERVISOR)
        with self._sessions.begin() as session:
            if all_exported:
                return self.exporter.confirm_all(session, supervisor.username)
            if file is None:
                raise ValueError("give a file or all_exported")
            return self.exporter.confirm_file(session, file, supervisor.username)

    def requeue_attention(self, actor: str) -> int:
        """Items refused by the web service go back to the queue after the cause was fixed."""
        with self._sessions.begin() as session:
            count = self.outbox.requeue_attention(session)
            self._audit.append(session, actor, "balikan.requeued", detail={"count": count})
        return count


def build_balikan_service(
    settings: BalikanSettings,
    sessions: sessionmaker[Session],
    outbox: Outbox,
    audit: AuditTrail,
    secrets: SecretStore,
    counter_id: str,
    *,
    governor: LinkGovernor | None = None,
    transport_factory: Callable[[], httpx.BaseTransport] | None = None,
    base_url: str | None = None,
    clock: Clock = system_clock,
) -> BalikanService:
    """Wire the service (``transport_factory``/``base_url``: the demo simulator)."""
    return BalikanService(
        settings,
        sessions,
        outbox,
        audit,
        secrets,
        counter_id,
        governor=governor,
        transport=transport_factory() if transport_factory else None,
        base_url=base_url,
        clock=clock,
    )

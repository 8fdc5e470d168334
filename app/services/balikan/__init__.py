"""Data balikan: the outbox of what the agency owes Dukcapil, its sender and exports."""

from app.services.balikan.client import BalikanClient, BalikanSetupError, Verdict
from app.services.balikan.export import BalikanExporter, ExportError, ExportResult
from app.services.balikan.outbox import BalikanParams, Outbox
from app.services.balikan.sender import BalikanSender, SendReport
from app.services.balikan.service import BalikanService, BalikanStatus

__all__ = [
    "BalikanClient",
    "BalikanExporter",
    "BalikanParams",
    "BalikanSender",
    "BalikanService",
    "BalikanSetupError",
    "BalikanStatus",
    "ExportError",
    "ExportResult",
    "Outbox",
    "SendReport",
    "Verdict",
]

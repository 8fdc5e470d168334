"""What a case owes as data balikan: the note from the fixed list, and the agreement's fields.

Every answer that says "Data Ditemukan" (found, verified, deceased, duplicate, non-active)
and every demographic card read is an access to the resident's data, so data balikan is
owed (see :data:`app.domain.outcomes.DATA_ACCESSED`). When nothing was handed over, the note
says why, from a fixed list: the answer's own status first (``MENINGGAL``, ``DATA GANDA``,
``TIDAK AKTIF``), else what the officer decided.

The values of the agreement's data balikan fields (profile ``[[balikan_fields]]``) are
checked here, against the profile the counter runs under, before they reach the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.case_flow import CaseState
from app.domain.outcomes import OutcomeKind
from app.domain.scrub import scrub
from app.services.balikan.fields import FieldValue, validate_fields
from app.services.balikan.outbox import BalikanParams
from app.services.cases.compare import profile_of
from app.services.cases.errors import NikNotAllowedHere
from app.services.cases.returned import NOTE_NOT_RETURNED
from app.services.cases.row import CaseFacts
from app.services.dukcapil.profiles import BalikanField
from app.services.settings import Settings

# Notes (keterangan) sent as data balikan: data for Dukcapil, always in Indonesian.
NOTE_RETURNED = "DIKEMBALIKAN UNTUK PERBAIKAN BERKAS"
NOTE_REFUSED = "DITOLAK"
NOTE_CANCELLED = "DIBATALKAN"
NOTE_INTERRUPTED = "DIBATALKAN (LAYANAN TERPUTUS)"
NOTE_DECEASED = "MENINGGAL"
NOTE_DUPLICATE = "DATA GANDA"
NOTE_INACTIVE = "TIDAK AKTIF"
NOTE_NOT_ISSUED = "TIDAK DITERBITKAN"

#: The answer statuses that are the reason nothing was issued, by outcome value.
OUTCOME_NOTES: Mapping[str, str] = {
    OutcomeKind.DECEASED.value: NOTE_DECEASED,
    OutcomeKind.DUPLICATE.value: NOTE_DUPLICATE,
    OutcomeKind.INACTIVE.value: NOTE_INACTIVE,
}

#: Every note an item may carry (the fixed list; typed text never becomes a note).
NOTES = (
    NOTE_DECEASED,
    NOTE_DUPLICATE,
    NOTE_INACTIVE,
    NOTE_REFUSED,
    NOTE_RETURNED,
    NOTE_CANCELLED,
    NOTE_INTERRUPTED,
    NOTE_NOT_RETURNED,
    NOTE_NOT_ISSUED,
)


def owed_note(row: CaseFacts) -> str:
    """Why nothing was handed over in this case (a note from :data:`NOTES`)."""
    outcome_note = OUTCOME_NOTES.get(row.last_outcome or "")
    if outcome_note is not None:
        return outcome_note
    if row.state == CaseState.REFUSED.value:
        return NOTE_REFUSED
    if row.decision == "return":
        return NOTE_RETURNED
    if row.state == CaseState.CANCELLED.value:
        return NOTE_CANCELLED
    return NOTE_NOT_ISSUED


def owed_params(row: CaseFacts, fields: tuple[FieldValue, ...] = ()) -> BalikanParams:
    """The data balikan of a case: the recipient number, or the note; with ``fields``."""
    if row.state == CaseState.HANDED_OVER.value:
        return BalikanParams(programme=row.programme, number=row.recipient_number, fields=fields)
    return BalikanParams(programme=row.programme, note=owed_note(row), fields=fields)


def profile_fields(settings: Settings) -> tuple[BalikanField, ...]:
    """The data balikan fields of the agreement this counter runs under."""
    return profile_of(settings.agreement.profile).balikan_fields


def typed_fields(settings: Settings) -> tuple[BalikanField, ...]:
    """The fields the officer types with the decision (not the case's recipient number or
    programme, which the item carries as NO_PENERIMA and JENIS_PROGRAM)."""
    return tuple(field for field in profile_fields(settings) if field.typed)


def recipient_label(settings: Settings) -> str | None:
    """The agreement's own words for the recipient number, when its profile names them."""
    for field in profile_fields(settings):
        if field.source == "recipient_number":
            return field.label
    return None


def field_labels(settings: Settings) -> dict[str, str]:
    """Field name → label of the counter's typed fields (export column headers)."""
    return {field.name: field.label for field in typed_fields(settings)}


def checked_fields(
    settings: Settings,
    values: Mapping[str, str],
    words: frozenset[str],
    *,
    require: bool,
) -> tuple[FieldValue, ...]:
    """``values`` validated against the profile (raises ``FieldsInvalid``, Indonesian).

    ``require`` False lets required fields stay empty (nothing was issued). A value that
    repeats a NIK or a word of the answer is refused like any free text at the counter."""
    for value in values.values():
        text = str(value).strip()
        if scrub(text, words) != text:
            raise NikNotAllowedHere()
    return validate_fields(typed_fields(settings), values, require=require)

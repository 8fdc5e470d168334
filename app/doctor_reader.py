"""The doctor's reader line: readers and SAM slots through the reader layer's public functions.

Lives outside ``app.services`` (services do not import the reader). Only reader names and slot
roles are reported: no card is read and no SAM secret is used.
"""

from __future__ import annotations

from collections.abc import Callable

from app.domain.i18n import _
from app.reader.apdu import establish_context, list_readers, release_context
from app.reader.config import ReaderConfig
from app.reader.errors import ReaderError, ServiceUnavailable
from app.reader.slots import discover
from app.services.doctor import Check, error, ok, warning


def reader_checks(
    config: ReaderConfig,
    *,
    establish: Callable[[], int] = establish_context,
    readers: Callable[[int], list[str]] = list_readers,
) -> list[Check]:
    """The card slot and the SAM slot as the configured patterns find them."""
    try:
        context = establish()
    except ServiceUnavailable:
        return [
            error(
                "reader",
                _("the smart-card service (PC/SC) is not running"),
                _("Start the smart-card service (pcscd on Linux, SCardSvr on Windows)."),
            )
        ]
    try:
        names = readers(context)
    except ReaderError as failure:
        return [
            error(
                "reader",
                _("the smart-card service fails ({kind})").format(kind=type(failure).__name__),
                _("Restart the smart-card service, then plug the reader in again."),
            )
        ]
    finally:
        release_context(context)
    if not names:
        return [
            error(
                "reader",
                _("no reader connected"),
                _("Plug the KTP-el reader in (USB) and check its driver."),
            )
        ]
    slots = discover(names, config)
    checks: list[Check] = []
    if slots.card is None:
        checks.append(
            error(
                "reader",
                _("{count} reader(s), none matches the card slot patterns").format(
                    count=len(names)
                ),
                _("Check [reader] card_slot_patterns against loket reader list."),
            )
        )
    else:
        checks.append(ok("reader", _("card slot: {name}").format(name=slots.card)))
    if slots.sam is not None:
        checks.append(ok("sam", _("SAM slot: {name}").format(name=slots.sam)))
    elif config.require_sam:
        checks.append(
            error(
                "sam",
                _("no SAM slot found"),
                _("Insert the SAM personalised by Dukcapil; check sam_slot_patterns."),
            )
        )
    else:
        checks.append(
            warning(
                "sam",
                _("no SAM slot (photo/UID reads only)"),
                _("Demographic reads need the SAM from Dukcapil (R-15)."),
            )
        )
    return checks

"""Typed errors of the reader layer, each with a translated message for the officer."""

from __future__ import annotations

from app.domain.i18n import N_, _


class ReaderError(Exception):
    """Base class. ``str(error)`` is a diagnostic safe for logs; ``user_message`` is for people."""

    message: str = N_("The card reader reported an error.")
    code: str = "reader_error"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        #: The PC/SC return code behind the error, when there is one.
        self.pcsc_code: int | None = None

    @property
    def user_message(self) -> str:
        """The translated message to show the officer."""
        return _(self.message)


class ServiceUnavailable(ReaderError):
    """The smart-card service (pcscd / SCardSvr) cannot be reached."""

    message = N_("The smart-card service is not running. Check that the reader is plugged in.")
    code = "no_service"


class NoReader(ReaderError):
    """No usable reader (card slot) is connected."""

    message = N_("No KTP-el reader is connected.")
    code = "no_reader"


class VirtualReaderRefused(ReaderError):
    """A virtual reader was found outside demo mode."""

    message = N_("A virtual card reader was found. It may only be used in demo mode.")
    code = "virtual_reader"


class NoCard(ReaderError):
    """No card lies on the reader."""

    message = N_("Place the KTP-el on the reader.")
    code = "no_card"


class CardRemoved(ReaderError):
    """The card left the field (or was reset) during the read."""

    message = N_("The card was removed during the read. Place it on the reader and try again.")
    code = "card_removed"


class CardReset(CardRemoved):
    """Another program or the reader reset the card; the read may be retried after a reconnect."""

    message = N_("The card was reset during the read. Place it on the reader and try again.")
    code = "card_reset"


class ReaderBusy(ReaderError):
    """The reader or the smart-card service is busy (another program holds the card)."""

    message = N_("The card reader is busy (another program may be using it). Try again.")
    code = "reader_busy"


class NotAKtpel(ReaderError):
    """The card does not answer like a KTP-el."""

    message = N_("This card is not a KTP-el.")
    code = "not_ktpel"


class ReadFailed(ReaderError):
    """The card answered, but not as expected."""

    message = N_("The card could not be read. Place it on the reader and try again.")
    code = "read_failed"


class CardUnresponsive(ReadFailed):
    """A card lies on the reader but does not answer (mute, unpowered, invalid ATR)."""

    message = N_(
        "The card on the reader does not answer. Take it off, place it flat on the reader and "
        "try again."
    )
    code = "card_unresponsive"


class CorruptCardFile(ReadFailed):
    """A file on the card announces an impossible length (for example FFFF) or is cut short."""

    message = N_("The data on the card is damaged (invalid file length). The card cannot be read.")
    code = "corrupt_card_file"


class InvalidCardData(ReadFailed):
    """The card's data could not be understood (for example an invalid NIK)."""

    message = N_("The data on the card could not be understood. Enter the NIK by hand.")
    code = "invalid_card_data"


class SamMissing(ReaderError):
    """No SAM sits in the SAM slot."""

    message = N_("No SAM was found in the reader's SAM slot.")
    code = "no_sam"


class SamError(ReaderError):
    """The SAM answered with an error, or did not answer."""

    message = N_("The SAM reported an error. The read was stopped.")
    code = "sam_error"


class SamBlockedRisk(SamError):
    """Opening the SAM was refused: PCID/CONF are probably wrong. Never retried automatically."""

    message = N_(
        "The SAM refused the PCID/CONF. The read was stopped and will not be retried: check the "
        "SAM secrets in the settings. A blocked SAM must be re-personalised through SIFILMA."
    )
    code = "sam_blocked_risk"

    def __init__(self, detail: str | None = None, tries_left: int | None = None) -> None:
        super().__init__(detail)
        self.tries_left = tries_left


class SdkUnavailable(ReaderError):
    """The vendor library could not be loaded or lacks a function."""

    message = N_("The reader vendor's library could not be loaded. Check the settings.")
    code = "sdk_unavailable"


class ProductionRefused(ReaderError):
    """A simulated or virtual component was asked to run outside demo mode."""

    message = N_("This function is only available in demo mode.")
    code = "production_refused"


class Busy(ReaderError):
    """A read is already running."""

    message = N_("A card read is already in progress.")
    code = "busy"

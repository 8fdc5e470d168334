"""Every PC/SC return code (pcsc-lite and WinSCard) mapped to what the reader layer does with it.

Each code belongs to one :class:`Category`; the category decides the exception raised by a
card operation and the visible state the officer sees. Codes not in the table (a Win32 error
passed through by WinSCard, a future code) fall into :attr:`Category.INTERNAL`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.reader.errors import (
    CardRemoved,
    CardReset,
    CardUnresponsive,
    NoReader,
    ReaderBusy,
    ReaderError,
    ReadFailed,
    ServiceUnavailable,
)
from app.reader.states import ReaderState


class Category(enum.Enum):
    """What a return code means for the reader layer."""

    #: The smart-card service is gone or stopping: re-establish the context with back-off.
    SERVICE_DOWN = "service_down"
    #: The card left the field (or the handle died with it): abort the read.
    CARD_GONE = "card_gone"
    #: Another program (or the reader) reset the card: reconnect and retry the read once.
    CARD_RESET = "card_reset"
    #: A card lies on the reader but does not answer properly (mute, unpowered, bad ATR).
    CARD_MUTE = "card_mute"
    #: The reader or service is busy (another program holds the card, a timeout).
    BUSY = "busy"
    #: The reader vanished, or no reader is connected.
    NO_READER = "no_reader"
    #: A wait or call was cancelled (SCardCancel, shutdown).
    CANCELLED = "cancelled"
    #: Anything else: a failed read with a diagnostic code.
    INTERNAL = "internal"


@dataclass(frozen=True)
class PcscCode:
    """One return code: its constant name, category and an English description for logs."""

    code: int
    name: str
    category: Category
    text: str


def _c(code: int, name: str, category: Category, text: str) -> PcscCode:
    return PcscCode(code, name, category, text)


_S, _G, _R, _M = Category.SERVICE_DOWN, Category.CARD_GONE, Category.CARD_RESET, Category.CARD_MUTE
_B, _N, _X, _I = Category.BUSY, Category.NO_READER, Category.CANCELLED, Category.INTERNAL

#: pcsc-lite's pcsclite.h and Windows' winerror.h SCARD_* codes (0x8010001F is
#: SCARD_E_UNEXPECTED on Windows and SCARD_E_UNSUPPORTED_FEATURE on pcsc-lite; 0x80100022 is
#: Windows' SCARD_E_UNSUPPORTED_FEATURE).
CODES: dict[int, PcscCode] = {
    c.code: c
    for c in (
        _c(0x80100001, "SCARD_F_INTERNAL_ERROR", _S, "internal error in the smart-card service"),
        _c(0x80100002, "SCARD_E_CANCELLED", _X, "the action was cancelled"),
        _c(0x80100003, "SCARD_E_INVALID_HANDLE", _G, "the card handle is no longer valid"),
        _c(0x80100004, "SCARD_E_INVALID_PARAMETER", _I, "invalid parameter"),
        _c(0x80100005, "SCARD_E_INVALID_TARGET", _I, "invalid start-up information"),
        _c(0x80100006, "SCARD_E_NO_MEMORY", _I, "not enough memory"),
        _c(0x80100007, "SCARD_F_WAITED_TOO_LONG", _B, "an internal wait timed out"),
        _c(0x80100008, "SCARD_E_INSUFFICIENT_BUFFER", _I, "answer buffer too small"),
        _c(0x80100009, "SCARD_E_UNKNOWN_READER", _N, "the reader name is not known"),
        _c(0x8010000A, "SCARD_E_TIMEOUT", _B, "the timeout expired"),
        _c(0x8010000B, "SCARD_E_SHARING_VIOLATION", _B, "another program holds the card"),
        _c(0x8010000C, "SCARD_E_NO_SMARTCARD", _G, "no card in the reader"),
        _c(0x8010000D, "SCARD_E_UNKNOWN_CARD", _M, "unknown card type"),
        _c(0x8010000E, "SCARD_E_CANT_DISPOSE", _I, "the card cannot be disposed as asked"),
        _c(0x8010000F, "SCARD_E_PROTO_MISMATCH", _M, "no common protocol with the card"),
        _c(0x80100010, "SCARD_E_NOT_READY", _B, "the reader or card is not ready"),
        _c(0x80100011, "SCARD_E_INVALID_VALUE", _I, "invalid value"),
        _c(0x80100012, "SCARD_E_SYSTEM_CANCELLED", _X, "cancelled by the system (log-off)"),
        _c(0x80100013, "SCARD_F_COMM_ERROR", _S, "communication with the service failed"),
        _c(0x80100014, "SCARD_F_UNKNOWN_ERROR", _I, "unknown internal error"),
        _c(0x80100015, "SCARD_E_INVALID_ATR", _M, "the card's ATR is invalid"),
        _c(0x80100016, "SCARD_E_NOT_TRANSACTED", _G, "the card left during a transaction"),
        _c(0x80100017, "SCARD_E_READER_UNAVAILABLE", _G, "the reader is not available"),
        _c(0x80100018, "SCARD_P_SHUTDOWN", _S, "the service is shutting down"),
        _c(0x80100019, "SCARD_E_PCI_TOO_SMALL", _I, "protocol control block too small"),
        _c(0x8010001A, "SCARD_E_READER_UNSUPPORTED", _N, "reader driver not supported"),
        _c(0x8010001B, "SCARD_E_DUPLICATE_READER", _N, "duplicate reader name"),
        _c(0x8010001C, "SCARD_E_CARD_UNSUPPORTED", _M, "the card is not supported"),
        _c(0x8010001D, "SCARD_E_NO_SERVICE", _S, "the smart-card service is not running"),
        _c(0x8010001E, "SCARD_E_SERVICE_STOPPED", _S, "the smart-card service stopped"),
        _c(0x8010001F, "SCARD_E_UNEXPECTED", _I, "unexpected error / unsupported feature"),
        _c(0x80100020, "SCARD_E_ICC_INSTALLATION", _I, "no primary provider for the card"),
        _c(0x80100021, "SCARD_E_ICC_CREATEORDER", _I, "creation order not supported"),
        _c(0x80100022, "SCARD_E_UNSUPPORTED_FEATURE", _I, "feature not supported"),
        _c(0x80100023, "SCARD_E_DIR_NOT_FOUND", _I, "directory not found on the card"),
        _c(0x80100024, "SCARD_E_FILE_NOT_FOUND", _I, "file not found on the card"),
        _c(0x80100025, "SCARD_E_NO_DIR", _I, "not a directory"),
        _c(0x80100026, "SCARD_E_NO_FILE", _I, "not a file"),
        _c(0x80100027, "SCARD_E_NO_ACCESS", _I, "access denied to the file"),
        _c(0x80100028, "SCARD_E_WRITE_TOO_MANY", _I, "the card is full"),
        _c(0x80100029, "SCARD_E_BAD_SEEK", _I, "file pointer error"),
        _c(0x8010002A, "SCARD_E_INVALID_CHV", _I, "the PIN is wrong"),
        _c(0x8010002B, "SCARD_E_UNKNOWN_RES_MNG", _I, "unknown resource manager error"),
        _c(0x8010002C, "SCARD_E_NO_SUCH_CERTIFICATE", _I, "no such certificate"),
        _c(0x8010002D, "SCARD_E_CERTIFICATE_UNAVAILABLE", _I, "certificate unavailable"),
        _c(0x8010002E, "SCARD_E_NO_READERS_AVAILABLE", _N, "no reader is connected"),
        _c(0x8010002F, "SCARD_E_COMM_DATA_LOST", _I, "communication data lost"),
        _c(0x80100030, "SCARD_E_NO_KEY_CONTAINER", _I, "no key container"),
        _c(0x80100031, "SCARD_E_SERVER_TOO_BUSY", _B, "the service is too busy"),
        _c(0x80100032, "SCARD_E_PIN_CACHE_EXPIRED", _I, "PIN cache expired"),
        _c(0x80100033, "SCARD_E_NO_PIN_CACHE", _I, "no PIN cache"),
        _c(0x80100034, "SCARD_E_READ_ONLY_CARD", _I, "read-only card"),
        _c(0x80100065, "SCARD_W_UNSUPPORTED_CARD", _M, "the card does not answer the reset"),
        _c(0x80100066, "SCARD_W_UNRESPONSIVE_CARD", _M, "the card does not answer"),
        _c(0x80100067, "SCARD_W_UNPOWERED_CARD", _M, "the card is not powered"),
        _c(0x80100068, "SCARD_W_RESET_CARD", _R, "the card was reset"),
        _c(0x80100069, "SCARD_W_REMOVED_CARD", _G, "the card was removed"),
        # pcsc-lite answers a handle that no longer belongs to this client (a restarted daemon,
        # a handle of a dead context) with SCARD_W_SECURITY_VIOLATION.
        _c(0x8010006A, "SCARD_W_SECURITY_VIOLATION", _G, "handle refused (security violation)"),
        _c(0x8010006B, "SCARD_W_WRONG_CHV", _I, "wrong PIN"),
        _c(0x8010006C, "SCARD_W_CHV_BLOCKED", _I, "PIN blocked"),
        _c(0x8010006D, "SCARD_W_EOF", _I, "end of card file reached"),
        _c(0x8010006E, "SCARD_W_CANCELLED_BY_USER", _X, "cancelled by the user"),
        _c(0x8010006F, "SCARD_W_CARD_NOT_AUTHENTICATED", _I, "no PIN was presented"),
        _c(0x80100070, "SCARD_W_CACHE_ITEM_NOT_FOUND", _I, "cache item not found"),
        _c(0x80100071, "SCARD_W_CACHE_ITEM_STALE", _I, "cache item stale"),
        _c(0x80100072, "SCARD_W_CACHE_ITEM_TOO_BIG", _I, "cache item too big"),
    )
}

#: The visible state a failure of each category leads to.
CATEGORY_STATES: dict[Category, ReaderState] = {
    Category.SERVICE_DOWN: ReaderState.NO_SERVICE,
    Category.CARD_GONE: ReaderState.READY,
    Category.CARD_RESET: ReaderState.READ_FAILED,
    Category.CARD_MUTE: ReaderState.READ_FAILED,
    Category.BUSY: ReaderState.READ_FAILED,
    Category.NO_READER: ReaderState.NO_READER,
    Category.CANCELLED: ReaderState.READ_FAILED,
    Category.INTERNAL: ReaderState.READ_FAILED,
}

_EXCEPTIONS: dict[Category, type[ReaderError]] = {
    Category.SERVICE_DOWN: ServiceUnavailable,
    Category.CARD_GONE: CardRemoved,
    Category.CARD_RESET: CardReset,
    Category.CARD_MUTE: CardUnresponsive,
    Category.BUSY: ReaderBusy,
    Category.NO_READER: NoReader,
    Category.CANCELLED: ReadFailed,
    Category.INTERNAL: ReadFailed,
}


def hr32(hresult: int) -> int:
    """The hresult as an unsigned 32-bit number (pyscard may return it signed)."""
    return hresult & 0xFFFFFFFF


def lookup(hresult: int) -> PcscCode:
    """The table entry of ``hresult`` (an INTERNAL placeholder for unknown codes)."""
    code = hr32(hresult)
    return CODES.get(code) or PcscCode(code, "UNKNOWN", Category.INTERNAL, "unknown error code")


def category(hresult: int) -> Category:
    """The category of ``hresult``."""
    return lookup(hresult).category


def state_for(hresult: int) -> ReaderState:
    """The visible state a failed operation with ``hresult`` leads to."""
    return CATEGORY_STATES[category(hresult)]


def describe(hresult: int) -> str:
    """``SCARD_W_REMOVED_CARD (0x80100069): the card was removed`` — for logs."""
    entry = lookup(hresult)
    return f"{entry.name} (0x{entry.code:08X}): {entry.text}"


def error_for(operation: str, hresult: int) -> ReaderError:
    """The exception a failed ``operation`` (``SCardTransmit`` …) raises for ``hresult``."""
    entry = lookup(hresult)
    error = _EXCEPTIONS[entry.category](f"{operation} {describe(hresult)}")
    error.pcsc_code = entry.code
    return error

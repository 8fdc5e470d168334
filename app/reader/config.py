"""Settings and secrets of the reader layer, handed in by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

#: Card (PICC, contactless) slot names of common dual-interface KTP-el readers (fnmatch patterns,
#: matched case-insensitively): ACS ACR1281/ACR1252 "PICC", Creator CRT-603 "CL", HID OMNIKEY
#: 5422 "CL", Identiv uTrust "CL" and the usual "Contactless" wording.
DEFAULT_CARD_SLOT_PATTERNS: tuple[str, ...] = (
    "*PICC*",
    "*Contactless*",
    "*CRT-603*CL*",
    "*5422CL*",
    "*CL Reader*",
    "*uTrust*CL*",
    "KTPel Test Reader 00 00",
    "Virtual PCD 00 00",
)

#: SAM (contact) slot names of the same readers.
DEFAULT_SAM_SLOT_PATTERNS: tuple[str, ...] = (
    "*SAM*",
    "*CRT-603*CT*",
    "*5422 Smartcard*",
    "*uTrust*CT*",
    "KTPel Test Reader 00 01",
    "Virtual PCD 00 01",
)

#: Reader-name fragments that say a reader is not real hardware (case-insensitive).
DEFAULT_VIRTUAL_MARKERS: tuple[str, ...] = (
    "virtual",
    "vpcd",
    "vicc",
    "test reader",
    "emulat",
    "simulat",
)


@dataclass(frozen=True)
class SamFlow:
    """How ``ApduSamSession`` talks to the card and the SAM (see docs/reader.md, "APDU flow").

    The defaults follow the flow the public integrations share; ``SamFlow.legacy()`` is the
    project's earlier reconstruction, kept behind the ``reader.sam_flow = "legacy"`` setting.
    """

    #: Read EF 6FF0 as ``00 B0 00 00 35`` and keep the card-control bytes its 2-byte length
    #: prefix announces (51 or 29); False: the first 16 bytes as they are (legacy).
    control_length_prefixed: bool = True
    #: Send the 8-byte card UID to the SAM between card control and challenge (``00 F1``).
    challenge_with_uid: bool = True
    #: ``00 F1`` P2 = 01 when the card control is 51 bytes, else 00; False: always 00.
    p2_by_control_length: bool = True
    #: Reset the SAM's session (``00 FF 00 00 00``) before GET CHALLENGE.
    sam_session_reset: bool = True
    #: Unwrap (``00 F4``) the card's answer without its status word (True: with it, legacy).
    unwrap_with_card_sw: bool = False
    #: SAM commands ``F1``–``F4`` as case 3 (no Le; T=0 answers 61xx); False: with Le 00.
    sam_commands_without_le: bool = True
    #: Creator CRT-603 readers only: select the SAM slot (``68 92 01 00 03 <slot> 00 00``)
    #: before opening the SAM; None sends nothing (every other PC/SC reader).
    sam_slot_select: int | None = None

    @classmethod
    def legacy(cls) -> SamFlow:
        """The project's earlier flow (16-byte 6FF0, no UID, no SAM reset, SW into F4)."""
        return cls(
            control_length_prefixed=False,
            challenge_with_uid=False,
            p2_by_control_length=False,
            sam_session_reset=False,
            unwrap_with_card_sw=True,
            sam_commands_without_le=False,
        )


@dataclass(frozen=True)
class ReaderConfig:
    """How to find and drive the reader.

    ``allow_virtual`` is true only in demo mode and in tests: otherwise a reader whose name says
    it is virtual is refused.
    """

    card_slot_patterns: tuple[str, ...] = DEFAULT_CARD_SLOT_PATTERNS
    sam_slot_patterns: tuple[str, ...] = DEFAULT_SAM_SLOT_PATTERNS
    virtual_markers: tuple[str, ...] = DEFAULT_VIRTUAL_MARKERS
    allow_virtual: bool = False
    #: The SAM is needed for the demographic read; a site that only reads the photo sets False.
    require_sam: bool = True
    #: Path of the vendor library (``EktpSdk.dll`` / ``libektpsdk.so``) for VendorSdkSession.
    sdk_library_path: str | None = None
    #: Finite timeout of one SCardGetStatusChange wait, in milliseconds.
    poll_timeout_ms: int = 1000
    #: A card must stay present this long before it counts as inserted.
    debounce_ms: int = 300
    #: Back-off between attempts to reach the smart-card service, in seconds.
    backoff_initial_s: float = 0.2
    backoff_max_s: float = 5.0
    #: READ BINARY chunk size (the card answers at most 248 bytes per read).
    chunk_size: int = 248
    #: Explicit (card slot, SAM slot) pairs by exact reader name; tried before the patterns.
    slot_pairs: tuple[tuple[str, str], ...] = ()
    #: The APDU SAM flow.
    sam_flow: SamFlow = SamFlow()
    #: SAM resets tried (per new card) to clear a SAM error; 0 disables the recovery.
    sam_recovery_attempts: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.chunk_size <= 248:
            raise ValueError("chunk_size must be between 1 and 248")
        if self.poll_timeout_ms <= 0:
            raise ValueError("poll_timeout_ms must be positive")
        if self.sam_recovery_attempts < 0:
            raise ValueError("sam_recovery_attempts must not be negative")


@dataclass(frozen=True, repr=False)
class SamKeys:
    """The two per-SAM secrets from the SAM personalisation. Never logged, never printed."""

    pcid: bytes
    conf: bytes

    def __post_init__(self) -> None:
        if len(self.pcid) != 16:
            raise ValueError("PCID must be 16 bytes")
        if len(self.conf) != 32:
            raise ValueError("CONF must be 32 bytes")

    def __repr__(self) -> str:
        return "SamKeys(<redacted>)"

    __str__ = __repr__

    def open_block(self) -> bytes:
        """The 32-byte SAM open data: PCID XOR each half of CONF."""
        first = bytes(p ^ c for p, c in zip(self.pcid, self.conf[:16], strict=True))
        second = bytes(p ^ c for p, c in zip(self.pcid, self.conf[16:], strict=True))
        return first + second

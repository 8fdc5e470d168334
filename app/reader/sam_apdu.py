"""ApduSamSession — EXPERIMENTAL: the public APDU flow through the SAM, on two PC/SC slots.

The flow is the one the public integrations share (docs/reader.md lists every APDU and its
sources); no specification is published, so confirm it on a real reader and SAM at a pilot
site. With the default :class:`~app.reader.config.SamFlow`:

1. card: SELECT DF 7F0A (KTP-el test), UID (``FF CA``; Type B ``00 DD``), photo (plain reads);
2. SAM:  optional CRT-603 slot select, then ``00 F0`` open with PCID⊕CONF — **never retried**:
   a refusal latches this session;
3. card: SELECT 6FF0, READ BINARY ``00 B0 00 00 35`` → 2-byte length + 51 or 29 bytes;
4. SAM:  ``00 FF`` session reset; card: GET CHALLENGE ``00 84 00 00 08``;
5. SAM:  ``00 F1 00 <P2>`` card control ‖ UID ‖ challenge → card: EXTERNAL AUTHENTICATE
   ``00 82 00 00 28``; SAM: ``00 F2`` checks the card's answer;
6. every further card APDU is wrapped by SAM ``00 F3`` and the card's answer (without its
   status word) unwrapped by ``00 F4``, which returns the plain answer with the card's own
   status word.
"""

from __future__ import annotations

import logging
import threading
import time

from app.reader.apdu import CardChannel, Response, command, get_challenge, read_binary
from app.reader.card_data import CardData
from app.reader.config import SamFlow, SamKeys
from app.reader.errors import (
    CardRemoved,
    CardReset,
    CorruptCardFile,
    ReaderError,
    ReadFailed,
    SamBlockedRisk,
    SamError,
    SamMissing,
    ServiceUnavailable,
)
from app.reader.parsers import SIGNATURE_BYTES, signature_to_png
from app.reader.session import (
    EF_CONTROL,
    EF_DEMOGRAPHIC,
    EF_SIGNATURE,
    FileReader,
    PhotoReader,
    ProgressSpan,
    ReadRequest,
)

log = logging.getLogger(__name__)

SAM_OPEN = 0xF0
SAM_HOST_AUTH = 0xF1
SAM_CHECK_CARD = 0xF2
SAM_WRAP = 0xF3
SAM_UNWRAP = 0xF4
SAM_GET_UID = 0xF7
SAM_SESSION_RESET = 0xFF
#: Card: the Type B UID (``00 DD 00 00 08``).
CARD_UID_TYPE_B = bytes([0x00, 0xDD, 0x00, 0x00, 0x08])
#: ``00 B0 00 00 35``: the card-control file with its 2-byte length prefix.
CONTROL_READ_LENGTH = 0x35
CONTROL_LENGTHS = (51, 29)
LEGACY_CONTROL_LENGTH = 16
AUTH_UID_LENGTH = 8
EXTERNAL_AUTH_LENGTH = 0x28
#: Wrapped READ BINARY chunk (the integrations read 8 bytes, then chunks of this size or less).
SECURE_CHUNK = 200


def crt603_slot_select(slot: int) -> bytes:
    """Creator CRT-603: select SAM slot ``slot`` (``68 92 01 00 03 <slot> 00 00``)."""
    return bytes([0x68, 0x92, 0x01, 0x00, 0x03, slot & 0xFF, 0x00, 0x00])


def auth_uid(uid_a: bytes, uid_b: bytes | None) -> bytes:
    """The 8-byte UID the SAM expects: the Type B UID, else ``80`` ‖ Type A UID (zero padded)."""
    if uid_b:
        return bytes(uid_b[:AUTH_UID_LENGTH]).ljust(AUTH_UID_LENGTH, b"\x00")
    return (b"\x80" + bytes(uid_a))[:AUTH_UID_LENGTH].ljust(AUTH_UID_LENGTH, b"\x00")


class SamChannel:
    """The SAM slot: every failure is a :class:`SamError` (a gone SAM is not a gone card)."""

    def __init__(self, channel: CardChannel, flow: SamFlow | None = None) -> None:
        self.channel = channel
        self.flow = flow or SamFlow()

    def send(self, apdu: bytes) -> Response:
        """Transmit to the SAM (T=0 rules apply in the channel)."""
        try:
            return self.channel.transmit(apdu)
        except (CardRemoved, ReadFailed) as exc:
            raise SamError(f"SAM not answering: {exc}") from None

    def uid(self) -> bytes:
        """The SAM's UID (``00 F7``)."""
        answer = self.send(command(0x00, SAM_GET_UID, 0, 0, le=0))
        if not answer.ok:
            raise SamError(f"SAM UID answered {answer.sw_text}")
        return answer.data

    def select_slot(self, slot: int) -> None:
        """The CRT-603 SAM slot selection."""
        answer = self.send(crt603_slot_select(slot))
        if not answer.ok:
            raise SamError(f"SAM slot select answered {answer.sw_text}")

    def open(self, keys: SamKeys) -> None:
        """Open the SAM with PCID⊕CONF. Any refusal raises; the caller must not retry."""
        answer = self.send(command(0x00, SAM_OPEN, 0, 0, keys.open_block()))
        if answer.ok:
            return
        sw = answer.sw
        if sw & 0xFFF0 == 0x63C0:
            raise SamBlockedRisk(f"SAM open refused {answer.sw_text}", tries_left=sw & 0x0F)
        if sw in (0x6983, 0x6984):
            raise SamBlockedRisk(f"SAM open refused {answer.sw_text}", tries_left=0)
        if sw in (0x6982, 0x6A80, 0x6700):
            raise SamBlockedRisk(f"SAM open refused {answer.sw_text}")
        raise SamError(f"SAM open answered {answer.sw_text}")

    def session_reset(self) -> None:
        """``00 FF 00 00 00``: drop the SAM's previous card session."""
        answer = self.send(bytes([0x00, SAM_SESSION_RESET, 0x00, 0x00, 0x00]))
        if not answer.ok:
            raise SamError(f"SAM reset answered {answer.sw_text}")

    def step(self, ins: int, data: bytes, p2: int = 0) -> bytes:
        """One SAM computation step; anything but 90 00 is a SAM error."""
        le = None if self.flow.sam_commands_without_le else 0
        answer = self.send(command(0x00, ins, 0, p2, data, le=le))
        if not answer.ok:
            raise SamError(f"SAM {ins:02X} answered {answer.sw_text}")
        return answer.data


class SecureChannel:
    """Card APDUs wrapped by the SAM (``F3``) and answers unwrapped by it (``F4``)."""

    def __init__(self, card: CardChannel, sam: SamChannel) -> None:
        self._card, self._sam = card, sam

    def transmit(self, apdu: bytes) -> Response:
        """Wrap, send to the card, unwrap; the plain answer carries the card's own SW."""
        wrapped = self._sam.step(SAM_WRAP, apdu)
        answer = self._card.transmit(wrapped)
        if self._sam.flow.unwrap_with_card_sw:
            plain = self._sam.step(SAM_UNWRAP, answer.data + answer.sw.to_bytes(2, "big"))
        else:
            if not answer.ok:
                raise ReadFailed(f"wrapped command answered {answer.sw_text}")
            plain = self._sam.step(SAM_UNWRAP, answer.data)
        return Response.parse(plain)


def reset_sam(sam_reader: str, *, attempts: int = 3, pause_s: float = 0.2) -> bytes:
    """Reset the SAM (``SCardReconnect`` with SCARD_RESET_CARD) until it answers its UID.

    Bounded: ``attempts`` rounds with a growing pause. Returns the SAM UID; raises
    :class:`SamMissing` when the slot is empty, :class:`SamError` when it never answers.
    Never sends PCID/CONF.
    """
    last: ReaderError | None = None
    for attempt in range(1, attempts + 1):
        channel = CardChannel(sam_reader)
        try:
            channel.open()
            channel.reconnect(reset=True)
            return SamChannel(channel).uid()
        except ServiceUnavailable:
            raise
        except CardRemoved as exc:
            if not isinstance(exc, CardReset):
                raise SamMissing(f"no SAM in the SAM slot ({exc})") from None
            last = exc
        except ReaderError as exc:
            last = exc
        finally:
            channel.close()
        log.warning("SAM reset attempt %d/%d failed: %s", attempt, attempts, last)
        time.sleep(pause_s * attempt)
    raise SamError(f"SAM did not answer after {attempts} resets: {last}")


class ApduSamSession:
    """EXPERIMENTAL KtpelSession over the card slot and the SAM slot (see the module doc)."""

    name = "apdu-sam"
    experimental = True

    def __init__(self, keys: SamKeys, flow: SamFlow | None = None) -> None:
        self._keys = keys
        self.flow = flow or SamFlow()
        self._refused: SamBlockedRisk | None = None
        self._lock = threading.Lock()

    @property
    def refused(self) -> bool:
        """True once the SAM refused PCID/CONF: this session never opens it again."""
        return self._refused is not None

    def read(self, request: ReadRequest) -> CardData:
        """Read photo, demographic data and signature; one retry after a card reset."""
        if request.sam_reader is None:
            raise SamMissing("no SAM slot")
        if self._refused is not None:
            raise SamBlockedRisk(
                "SAM open refused earlier; not retried", tries_left=self._refused.tries_left
            )
        with self._lock:
            try:
                return self._read(request, request.sam_reader)
            except CardReset as exc:
                if request.abort.is_set():
                    raise
                log.warning("card reset during the read (%s); reading again", exc)
                return self._read(request, request.sam_reader)

    def _read(self, request: ReadRequest, sam_reader: str) -> CardData:
        progress = request.progress
        card = CardChannel(request.card_reader, abort=request.abort)
        sam_link = CardChannel(sam_reader)
        with card, card.transaction():
            plain = PhotoReader(card, chunk_size=request.chunk_size)
            progress(0)
            plain.check_ktpel()
            uid = plain.uid()
            photo = (
                plain.photo(ProgressSpan(progress, 2, 60)) if request.with_photo else bytearray()
            )
            uid_b = self._uid_type_b(plain.files)
            try:
                sam_link.open()
            except CardRemoved:
                raise SamMissing("no SAM in the SAM slot") from None
            try:
                with sam_link.transaction():
                    sam = SamChannel(sam_link, self.flow)
                    if self.flow.sam_slot_select is not None:
                        sam.select_slot(self.flow.sam_slot_select)
                    self._open_once(sam)
                    progress(62)
                    secure = self._authenticate(plain.files, card, sam, auth_uid(uid, uid_b))
                    progress(68)
                    return self._read_protected(request, secure, uid, photo)
            finally:
                sam_link.close()

    def _uid_type_b(self, files: FileReader) -> bytes | None:
        if not self.flow.challenge_with_uid:
            return None
        answer = files.send(CARD_UID_TYPE_B)
        return answer.data if answer.ok and answer.data else None

    def _open_once(self, sam: SamChannel) -> None:
        try:
            sam.open(self._keys)
        except SamBlockedRisk as exc:
            self._refused = exc
            log.error("SAM refused the open command (%s); not retried", exc.detail)
            raise

    def _card_control(self, files: FileReader) -> bytes:
        files.select(EF_CONTROL)
        if not self.flow.control_length_prefixed:
            return bytes(files.read_fixed(LEGACY_CONTROL_LENGTH))
        answer = files.send(read_binary(0, CONTROL_READ_LENGTH))
        if not (answer.ok or answer.end_of_file) or len(answer.data) < 2:
            raise ReadFailed(f"READ BINARY 6FF0 answered {answer.sw_text}")
        length = (answer.data[0] << 8) | answer.data[1]
        control = bytes(answer.data[2 : 2 + length])
        if length not in CONTROL_LENGTHS or len(control) != length:
            raise CorruptCardFile(f"card control announces {length} bytes, {len(control)} read")
        return control

    def _authenticate(
        self, files: FileReader, card: CardChannel, sam: SamChannel, uid8: bytes
    ) -> FileReader:
        control = self._card_control(files)
        if self.flow.sam_session_reset:
            sam.session_reset()
        challenge = files.send(get_challenge(8))
        if not challenge.ok or len(challenge.data) != 8:
            raise ReadFailed(f"GET CHALLENGE answered {challenge.sw_text}")
        p2 = 1 if self.flow.p2_by_control_length and len(control) == 51 else 0
        host_input = control + (uid8 if self.flow.challenge_with_uid else b"") + challenge.data
        host = sam.step(SAM_HOST_AUTH, host_input, p2=p2)
        if len(host) != EXTERNAL_AUTH_LENGTH:
            raise SamError(f"SAM F1 gave {len(host)} bytes")
        answer = files.send(command(0x00, 0x82, 0, 0, host))
        if not answer.ok:
            raise ReadFailed(f"EXTERNAL AUTHENTICATE answered {answer.sw_text}")
        sam.step(SAM_CHECK_CARD, answer.data)
        return FileReader(
            SecureChannel(card, sam).transmit, chunk_size=SECURE_CHUNK, abort=card.abort
        )

    def _read_protected(
        self, request: ReadRequest, secure: FileReader, uid: bytes, photo: bytearray
    ) -> CardData:
        secure.select(EF_DEMOGRAPHIC)
        raw = secure.read_length_prefixed(ProgressSpan(request.progress, 68, 85))
        signature = b""
        if request.with_signature:
            secure.select(EF_SIGNATURE)
            bitmap = secure.read_fixed(SIGNATURE_BYTES, ProgressSpan(request.progress, 85, 99))
            signature = signature_to_png(bytes(bitmap))
            bitmap[:] = b"\x00" * len(bitmap)
        try:
            data = CardData.from_raw(
                raw, uid=uid, photo=photo, signature_png=signature, source=self.name
            )
        except Exception:
            photo[:] = b"\x00" * len(photo)
            raise
        finally:
            raw[:] = b"\x00" * len(raw)
        request.progress(100)
        return data

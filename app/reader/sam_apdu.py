"""ApduSamSession — EXPERIMENTAL: the public APDU flow through the SAM, on two PC/SC slots.

The flow follows integrations seen in the field (see ``ktpel-card.md``), not a published
specification; confirm it on a real reader and SAM at a pilot site before relying on it:

1. card: SELECT 7F0A (KTP-el test), UID, photo (plain reads);
2. SAM:  ``00 F0`` open with PCID⊕CONF — **never retried**: a refusal latches this session;
3. card: read 6FF0 (card control), GET CHALLENGE;
4. SAM:  ``00 F1`` answer → card: EXTERNAL AUTHENTICATE ``00 82 00 00 28``;
5. SAM:  ``00 F2`` checks the card's cryptogram;
6. every further card APDU is wrapped by SAM ``00 F3`` and its answer unwrapped by ``00 F4``.
"""

from __future__ import annotations

import logging
import threading

from app.reader.apdu import CardChannel, Response, command, get_challenge
from app.reader.card_data import CardData
from app.reader.config import SamKeys
from app.reader.errors import (
    CardRemoved,
    ReadFailed,
    SamBlockedRisk,
    SamError,
    SamMissing,
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
CARD_CONTROL_LENGTH = 16
EXTERNAL_AUTH_LENGTH = 0x28


class SamChannel:
    """The SAM slot: every failure is a :class:`SamError` (a gone SAM is not a gone card)."""

    def __init__(self, channel: CardChannel) -> None:
        self.channel = channel

    def send(self, apdu: bytes) -> Response:
        """Transmit to the SAM."""
        try:
            return self.channel.transmit(apdu)
        except CardRemoved as exc:
            raise SamError(f"SAM not answering: {exc}") from None

    def uid(self) -> bytes:
        """The SAM's UID (``00 F7``)."""
        answer = self.send(command(0x00, SAM_GET_UID, 0, 0, le=0))
        if not answer.ok:
            raise SamError(f"SAM UID answered {answer.sw_text}")
        return answer.data

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

    def step(self, ins: int, data: bytes) -> bytes:
        """One SAM computation step; anything but 90 00 is a SAM error."""
        answer = self.send(command(0x00, ins, 0, 0, data, le=0))
        if not answer.ok:
            raise SamError(f"SAM {ins:02X} answered {answer.sw_text}")
        return answer.data


class SecureChannel:
    """Card APDUs wrapped by the SAM (``F3``) and answers unwrapped by it (``F4``)."""

    def __init__(self, card: CardChannel, sam: SamChannel) -> None:
        self._card, self._sam = card, sam

    def transmit(self, apdu: bytes) -> Response:
        """Wrap, send to the card, unwrap."""
        wrapped = self._sam.step(SAM_WRAP, apdu)
        answer = self._card.transmit(wrapped)
        plain = self._sam.step(SAM_UNWRAP, answer.data + answer.sw.to_bytes(2, "big"))
        return Response.parse(plain)


class ApduSamSession:
    """EXPERIMENTAL KtpelSession over the card slot and the SAM slot (see the module doc)."""

    name = "apdu-sam"
    experimental = True

    def __init__(self, keys: SamKeys) -> None:
        self._keys = keys
        self._refused: SamBlockedRisk | None = None
        self._lock = threading.Lock()

    @property
    def refused(self) -> bool:
        """True once the SAM refused PCID/CONF: this session never opens it again."""
        return self._refused is not None

    def read(self, request: ReadRequest) -> CardData:
        """Read photo, demographic data and signature."""
        if request.sam_reader is None:
            raise SamMissing("no SAM slot")
        if self._refused is not None:
            raise SamBlockedRisk(
                "SAM open refused earlier; not retried", tries_left=self._refused.tries_left
            )
        with self._lock:
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
            try:
                sam_link.open()
            except CardRemoved:
                raise SamMissing("no SAM in the SAM slot") from None
            try:
                with sam_link.transaction():
                    sam = SamChannel(sam_link)
                    self._open_once(sam)
                    progress(62)
                    secure = self._authenticate(plain.files, card, sam)
                    progress(68)
                    return self._read_protected(request, secure, uid, photo)
            finally:
                sam_link.close()

    def _open_once(self, sam: SamChannel) -> None:
        try:
            sam.open(self._keys)
        except SamBlockedRisk as exc:
            self._refused = exc
            log.error("SAM refused the open command (%s); not retried", exc.detail)
            raise

    def _authenticate(self, files: FileReader, card: CardChannel, sam: SamChannel) -> FileReader:
        files.select(EF_CONTROL)
        control = bytes(files.read_fixed(CARD_CONTROL_LENGTH))
        challenge = files.send(get_challenge(8))
        if not challenge.ok or len(challenge.data) != 8:
            raise ReadFailed(f"GET CHALLENGE answered {challenge.sw_text}")
        host = sam.step(SAM_HOST_AUTH, control + challenge.data)
        if len(host) != EXTERNAL_AUTH_LENGTH:
            raise SamError(f"SAM F1 gave {len(host)} bytes")
        answer = files.send(command(0x00, 0x82, 0, 0, host, le=0))
        if not answer.ok:
            raise ReadFailed(f"EXTERNAL AUTHENTICATE answered {answer.sw_text}")
        sam.step(SAM_CHECK_CARD, answer.data)
        return FileReader(SecureChannel(card, sam).transmit, chunk_size=200, abort=card.abort)

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

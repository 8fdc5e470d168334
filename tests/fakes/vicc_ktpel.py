"""Run vicc's own ISO 7816 card with DF 7F0A / EF 6FF2 (a photo) — started by tests/fakes/vicc.py.

    /usr/bin/python3 vicc_ktpel.py <vpcd port> <photo file>

Only the file system is ours; SELECT, READ BINARY and the status words are vicc's
implementation (vsmartcard's virtualsmartcard package). One workaround: vicc 0.8 (Debian 3.3)
crashes on SELECT with P2 = 00 ("return FCI", what KTP-el integrations send) because its BER-TLV
packer ends in ``b"".join(<bytes>)`` under Python 3; a corrected packer is installed below.
Two: vpcd passes the PC/SC pseudo-APDU ``FF CA`` (UID) through to the card, where a real
reader answers it itself; vicc takes CLA ``FF`` for secure messaging and dies. The driver
answers ``FF CA`` in the reader's place (a synthetic UID) and hands every other APDU to vicc.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import virtualsmartcard.SmartcardFilesystem as filesystem
from virtualsmartcard.SmartcardFilesystem import DF, TransparentStructureEF
from virtualsmartcard.VirtualSmartcard import VirtualICC


def bertlv_pack(items: list[tuple[int, int, bytes]]) -> bytes:
    """BER-TLV of (tag, length, value) items with byte values (what SELECT's FCI needs)."""
    out = b""
    for tag, _length, value in items:
        tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
        size = len(value)
        if size < 0x80:
            length = bytes([size])
        else:
            raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
            length = bytes([0x80 | len(raw)]) + raw
        out += tag_bytes + length + bytes(value)
    return out


#: What the "reader" answers to ``FF CA 00 00 00`` (synthetic).
UID = bytes.fromhex("04112233")


def main() -> None:
    """Build the card, connect to vpcd and serve until stopped."""
    filesystem.bertlv_pack = bertlv_pack  # the workaround (see the module doc)
    port, photo_path = int(sys.argv[1]), Path(sys.argv[2])
    photo = photo_path.read_bytes()
    icc = VirtualICC(None, "iso7816", "localhost", port, logginglevel=logging.WARNING)
    mf = icc.os.mf
    df = DF(parent=mf, fid=0x7F0A)
    mf.append(df)
    df.append(
        TransparentStructureEF(parent=df, fid=0x6FF2, data=len(photo).to_bytes(2, "big") + photo)
    )
    card_execute = icc.os.execute

    def reader_execute(apdu: bytes) -> bytes:
        if apdu[:2] == b"\xff\xca":
            return UID + b"\x90\x00"
        return card_execute(apdu)

    icc.os.execute = reader_execute
    icc.run()


if __name__ == "__main__":
    main()

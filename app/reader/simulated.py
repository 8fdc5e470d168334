"""SimulatedSession: an invented KTP-el for demo mode. Refuses to exist in production."""

from __future__ import annotations

from app.reader.card_data import CardData
from app.reader.errors import CardRemoved, ProductionRefused
from app.reader.parsers import signature_to_png
from app.reader.session import ReadRequest
from app.reader.synthetic import (
    synthetic_demographic,
    synthetic_jpeg,
    synthetic_nik,
    synthetic_signature,
)


class SimulatedSession:
    """KtpelSession returning "WARGA CONTOH" with a synthetic photo; demo mode only."""

    name = "simulated"
    experimental = False

    def __init__(self, *, demo: bool, nik: str | None = None, step_delay_s: float = 0.05) -> None:
        if not demo:
            raise ProductionRefused("simulated session outside demo mode")
        self._nik = nik or synthetic_nik()
        self._delay = step_delay_s

    def read(self, request: ReadRequest) -> CardData:
        """Pretend to read, with progress; honours ``abort`` like a real session."""
        for percent in range(0, 100, 10):
            request.progress(percent)
            if request.abort.wait(self._delay):
                raise CardRemoved("simulated removal")
        photo = synthetic_jpeg() if request.with_photo else b""
        signature = signature_to_png(synthetic_signature()) if request.with_signature else b""
        data = CardData.from_raw(
            synthetic_demographic(self._nik),
            uid=b"\x04\x12\x34\x56",
            photo=photo,
            signature_png=signature,
            source=self.name,
        )
        request.progress(100)
        return data

"""Look at a PDF as a reader would: its text as poppler extracts it, and its pixels."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.real_components import component_missing


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        component_missing("poppler-utils", f"{name} is needed: scripts/install-system-deps test")
    return path


def pdf_text(pdf: bytes) -> str:
    """The text of every page (pdftotext -layout), as printed; metadata is not included."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        return subprocess.run(
            [_tool("pdftotext"), "-layout", str(source), "-"],
            check=True, capture_output=True, text=True,
        ).stdout


def page_gray_pixels(pdf: bytes, page: int = 1, dpi: int = 30) -> tuple[int, int, bytes]:
    """One page rendered in 8-bit grey: (width, height, pixels row by row)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [_tool("pdftoppm"), "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page),
             str(source), str(Path(folder) / "page")],
            check=True, capture_output=True,
        )
        [image] = list(Path(folder).glob("page*.pgm"))
        data = image.read_bytes()
    # binary PGM: "P5\n<w> <h>\n<max>\n" then the pixels
    fields: list[bytes] = []
    index = 0
    while len(fields) < 4:
        while data[index:index + 1].isspace():
            index += 1
        start = index
        while not data[index:index + 1].isspace():
            index += 1
        fields.append(data[start:index])
    width, height = int(fields[1]), int(fields[2])
    pixels = data[index + 1:]
    assert len(pixels) == width * height
    return width, height, pixels


#: A page with the DEMO watermark shows well over a thousand such pixels at 30 dpi; one without
#: it shows a few dozen (text crossing the band).
WATERMARK_MIN_PIXELS = 500


def diagonal_watermark_pixels(pdf: bytes, page: int = 1) -> int:
    """How many light-grey pixels lie on the page's rising diagonal band (the DEMO watermark).

    The watermark is drawn in 85 % grey at 45° through the page centre; body text is black.
    """
    width, height, pixels = page_gray_pixels(pdf, page)
    count = 0
    for y in range(height):
        for x in range(width):
            # distance from the rising diagonal through the centre, in pixels
            dx, dy = x - width / 2, (height / 2) - y
            if abs(dx - dy) > width * 0.08:
                continue
            value = pixels[y * width + x]
            if 170 <= value <= 240:
                count += 1
    return count

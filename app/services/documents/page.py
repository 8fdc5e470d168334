"""The pieces every printed page of the agency shares (reportlab canvas, A4, in memory)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from app.services.translations import official_language

if TYPE_CHECKING:  # reportlab is loaded when a page is drawn, not at start-up
    from reportlab.pdfgen.canvas import Canvas

#: reportlab's units and page size (the same expressions as reportlab.lib.units/pagesizes).
mm = 72.0 / 2.54 * 0.1
A4 = (210 * mm, 297 * mm)

DEMO_WATERMARK = "DEMO / CONTOH"

P = ParamSpec("P")
R = TypeVar("R")


def official(build: Callable[P, R]) -> Callable[P, R]:
    """Run ``build`` with the texts in Indonesian: official paper does not follow the
    screen language (the officer may work in English; the resident gets Indonesian)."""

    @functools.wraps(build)
    def in_indonesian(*args: P.args, **kwargs: P.kwargs) -> R:
        with official_language():
            return build(*args, **kwargs)

    return in_indonesian


def draw_demo_watermark(canvas: Canvas) -> None:
    """The diagonal "DEMO / CONTOH" across the page and the same words in the footer."""
    width, height = A4
    canvas.saveState()
    canvas.setFont("Helvetica-Bold", 60)
    canvas.setFillGray(0.85)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, 0, DEMO_WATERMARK)
    canvas.restoreState()
    canvas.saveState()
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(20 * mm, 12 * mm, DEMO_WATERMARK)
    canvas.restoreState()


def draw_letterhead(canvas: Canvas, agency_name: str, agency_address: str) -> None:
    """The agency's name and address over a rule at the top of the page."""
    width, height = A4
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(width / 2, height - 25 * mm, agency_name.upper())
    canvas.setFont("Helvetica", 9)
    if agency_address:
        canvas.drawCentredString(width / 2, height - 31 * mm, agency_address)
    canvas.setLineWidth(1.2)
    canvas.line(20 * mm, height - 35 * mm, width - 20 * mm, height - 35 * mm)


def draw_label_value(canvas: Canvas, y: float, label: str, value: str) -> float:
    """One "label   value" line; returns the y of the next line."""
    canvas.setFont("Helvetica", 10)
    canvas.drawString(25 * mm, y, label)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(80 * mm, y, value)
    return float(y - 7 * mm)


def draw_signature(canvas: Canvas, role: str, name: str) -> None:
    """The signing officer's block at the bottom right."""
    width, _height = A4
    canvas.setFont("Helvetica", 10)
    canvas.drawString(width - 80 * mm, 60 * mm, role)
    canvas.drawString(width - 80 * mm, 35 * mm, f"( {name} )")


def letter_page(
    *,
    title: str,
    agency_name: str,
    agency_address: str,
    demo: bool,
    body: Callable[[Canvas], None],
) -> bytes:
    """One A4 page with the letterhead (and the DEMO marks in demo mode), as PDF bytes."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(title)
    canvas.setAuthor(agency_name)
    if demo:
        draw_demo_watermark(canvas)
    draw_letterhead(canvas, agency_name, agency_address)
    body(canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def simple_split(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines that fit ``width`` (reportlab's simpleSplit, loaded late)."""
    from reportlab.lib.utils import simpleSplit

    return list(simpleSplit(text, font, size, width))

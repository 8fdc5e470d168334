"""The incident's notice draft (PDF, Indonesian) and the counts-only export (CSV/JSON).

The notice follows UU 27/2022 Pasal 46(2): which personal data was disclosed, when and how,
and the handling and recovery efforts; it is addressed to the Kepala Dinas Dukcapil (PKS Pasal
2(2)g: the agency answers for any leak) and to the PDP authority. The notice is always in
Indonesian: it goes to Indonesian authorities whatever the screen's language.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from babel.dates import format_datetime
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.services.documents.page import draw_demo_watermark
from app.services.incidents import IncidentView

#: What an export holds: counts and facts about the incident, never a resident's identity.
EXPORT_FIELDS = (
    "number",
    "discovered_at",
    "deadline",
    "occurred_from",
    "occurred_to",
    "counters",
    "residents",
    "notified_at",
)


def _when(moment: datetime | None) -> str:
    return format_datetime(moment, "d MMMM y HH:mm", locale="id") if moment else "-"


def export_row(incident: IncidentView) -> dict[str, str | int]:
    """The exported facts of one incident."""
    return {
        "number": incident.number,
        "discovered_at": incident.discovered_at.isoformat(timespec="minutes"),
        "deadline": incident.deadline.isoformat(timespec="minutes"),
        "occurred_from": incident.occurred_from.isoformat(timespec="minutes")
        if incident.occurred_from
        else "",
        "occurred_to": incident.occurred_to.isoformat(timespec="minutes")
        if incident.occurred_to
        else "",
        "counters": ",".join(incident.counters) or "*",
        "residents": incident.residents,
        "notified_at": incident.notified_at.isoformat(timespec="minutes")
        if incident.notified_at
        else "",
    }


def export_incidents(incidents: Sequence[IncidentView], file_format: str) -> bytes:
    """CSV or JSON of the incidents' counts and dates."""
    rows = [export_row(incident) for incident in incidents]
    if file_format == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8")
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return text.getvalue().encode("utf-8")
    raise ValueError(f"unknown format {file_format!r}; one of csv, json")


def notice_pdf(
    incident: IncidentView,
    *,
    agency_name: str,
    agency_address: str,
    signer: str = "",
    printed_at: datetime,
    demo: bool,
) -> bytes:
    """The written notice draft, one letter for Dinas Dukcapil and the PDP authority."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontSize=10, leading=14)
    title = ParagraphStyle("title", parent=styles["Title"], fontSize=12, leading=15)
    width, height = A4

    def decorate(canvas: Canvas, _doc: object) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawCentredString(width / 2, height - 18 * mm, agency_name.upper())
        canvas.setFont("Helvetica", 8.5)
        if agency_address:
            canvas.drawCentredString(width / 2, height - 23 * mm, agency_address)
        canvas.setLineWidth(1.4)
        canvas.line(18 * mm, height - 26 * mm, width - 18 * mm, height - 26 * mm)
        canvas.setFont("Helvetica", 7.5)
        canvas.drawRightString(
            width - 18 * mm, 10 * mm, "DRAF — periksa dan lengkapi sebelum ditandatangani"
        )
        canvas.restoreState()
        if demo:
            draw_demo_watermark(canvas)

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=32 * mm,
        bottomMargin=18 * mm,
        title=f"Pemberitahuan insiden {incident.number}",
        author=agency_name,
        invariant=True,
    )
    counters = ", ".join(incident.counters) or "semua loket instansi"
    facts = [
        ["Nomor insiden", incident.number],
        ["Diketahui pada", _when(incident.discovered_at)],
        ["Batas pemberitahuan (3 × 24 jam)", _when(incident.deadline)],
        [
            "Rentang waktu kejadian",
            f"{_when(incident.occurred_from)} s.d. {_when(incident.occurred_to)}",
        ],
        ["Loket terdampak", counters],
        ["Jumlah penduduk terdampak", f"{incident.residents} orang (dihitung dari jejak audit)"],
    ]
    table = Table(facts, colWidths=[62 * mm, 104 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story = [
        Paragraph(
            f"{format_datetime(printed_at, 'd MMMM y', locale='id')}<br/>"
            "Nomor&nbsp;&nbsp;: ................................<br/>"
            "Sifat&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;: Segera<br/>"
            "Hal&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;: "
            "Pemberitahuan kegagalan pelindungan data pribadi",
            body,
        ),
        Spacer(1, 5 * mm),
        Paragraph(
            "Yth.<br/>1. Kepala Dinas Kependudukan dan Pencatatan Sipil<br/>"
            "2. Lembaga Penyelenggara Pelindungan Data Pribadi<br/>di tempat",
            body,
        ),
        Spacer(1, 5 * mm),
        Paragraph("PEMBERITAHUAN KEGAGALAN PELINDUNGAN DATA PRIBADI", title),
        Paragraph(
            "Sesuai Pasal 46 Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi "
            "dan Perjanjian Kerja Sama pemanfaatan NIK, Data Kependudukan dan KTP-el, dengan ini "
            f"kami memberitahukan insiden yang terjadi pada {escape(agency_name)}:",
            body,
        ),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph("<b>a. Data pribadi yang terungkap dan kejadiannya</b>", body),
        Paragraph(escape(incident.summary), body),
        Spacer(1, 3 * mm),
        Paragraph("<b>b. Upaya penanganan dan pemulihan</b>", body),
        Paragraph(escape(incident.measures) or "................................", body),
        Spacer(1, 4 * mm),
        Paragraph(
            "Surat ini hanya memuat jumlah; identitas penduduk terdampak tidak dicantumkan. "
            "Demikian pemberitahuan ini kami sampaikan untuk dipergunakan sebagaimana mestinya.",
            body,
        ),
        Spacer(1, 10 * mm),
        Paragraph(
            f"Kepala {escape(agency_name)},<br/><br/><br/><br/>"
            f"( {escape(signer) or '.' * 40} )<br/>"
            "NIP. ................................",
            ParagraphStyle("sign", parent=body, leftIndent=95 * mm),
        ),
    ]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()

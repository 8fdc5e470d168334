"""The evidence pack: one PDF an agency hands to an auditor or attaches to a PoC request.

For every clause R-01 … R-28: the control that enforces it, the tests that prove it and their
latest result (from the JUnit XML file the test run writes; "not run" without one), the audit
trail's verify result, and the settings in force — addresses and identifiers shown only as
"set", secrets never (they live in the keyring and are not read here).
"""

from __future__ import annotations

import dataclasses
import io
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app import __version__
from app.domain.i18n import _
from app.services.documents.page import draw_demo_watermark
from app.services.evidence.controls import CLAUSES
from app.services.settings import Settings

#: Where ``./scripts/test`` writes the JUnit results (relative to the repository).
DEFAULT_JUNIT = Path(".test-results/junit.xml")
NOT_RUN = "not run"
#: Settings whose value identifies the closed network or the agency's account: shown as set.
_CONFIDENTIAL = frozenset(
    {
        "database_url",
        "gateway.base_url",
        "gateway.consumer_id",
        "gateway.ip_user",
        "gateway.region_code",
        "gateway.instansi",
        "agreement.portal_url",
        "balikan.base_url",
        "reader.sdk_library",
    }
)


def _node_path(classname: str) -> str:
    return classname.replace(".", "/") + ".py"


def read_junit(path: Path) -> dict[str, str] | None:
    """``{"tests/…py::test_name": "passed|failed|skipped"}``, or None when the file is absent.

    Parametrised cases are folded into their test: failed if any failed, skipped if all were.
    """
    if not path.is_file():
        return None
    tree = ElementTree.parse(path)  # noqa: S314 - written by this project's own test run
    results: dict[str, list[str]] = {}
    for case in tree.iter("testcase"):
        name = case.get("name", "").split("[", 1)[0]
        node = f"{_node_path(case.get('classname', ''))}::{name}"
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            outcome = "failed"
        elif "skipped" in tags:
            outcome = "skipped"
        else:
            outcome = "passed"
        results.setdefault(node, []).append(outcome)
    folded: dict[str, str] = {}
    for node, outcomes in results.items():
        if "failed" in outcomes:
            folded[node] = "failed"
        elif all(o == "skipped" for o in outcomes):
            folded[node] = "skipped"
        else:
            folded[node] = "passed"
    return folded


def settings_in_force(settings: Settings) -> Iterator[tuple[str, str]]:
    """(key, value) of every setting; confidential ones as "set"/"not set"."""

    def walk(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for item in dataclasses.fields(value):
                name = f"{prefix}.{item.name}" if prefix else item.name
                yield from walk(name, getattr(value, item.name))
            return
        if prefix in _CONFIDENTIAL:
            yield prefix, "(set)" if value else "(not set)"
        elif isinstance(value, tuple):
            yield prefix, ", ".join(str(v) for v in value)
        else:
            yield prefix, "-" if value is None else str(value)

    yield from walk("", settings)


@dataclasses.dataclass(frozen=True, slots=True)
class EvidenceFacts:
    """What the pack states besides the clause map."""

    agency_name: str
    counter_id: str
    generated_at: datetime
    generated_by: str
    audit_result: str
    junit_path: Path
    demo: bool


def clause_rows(results: Mapping[str, str] | None) -> list[tuple[str, str, str, str, str]]:
    """(id, title, enforced, control, tests with results) per clause."""
    rows = []
    for clause in CLAUSES:
        tests = []
        for node in clause.tests:
            outcome = NOT_RUN if results is None else results.get(node, NOT_RUN)
            tests.append(f"{node.removeprefix('tests/')} — {outcome}")
        rows.append(
            (
                clause.id,
                _(clause.title),
                _("yes") if clause.enforced else _("no"),
                clause.control,
                "\n".join(tests) or "-",
            )
        )
    return rows


def render_evidence(
    facts: EvidenceFacts, results: Mapping[str, str] | None, settings: Settings
) -> bytes:
    """The evidence pack as PDF bytes (A4 landscape)."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["Normal"], fontSize=7.5, leading=9.5)
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=9, leading=12)

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawRightString(
            landscape(A4)[0] - 15 * mm,
            8 * mm,
            f"{facts.agency_name} · {facts.generated_at:%d-%m-%Y %H:%M} · {doc.page}",
        )
        canvas.restoreState()
        if facts.demo:
            draw_demo_watermark(canvas)

    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Evidence pack"),
        author=facts.agency_name,
        invariant=True,
    )
    junit = (
        _("test results from {path}").format(path=facts.junit_path)
        if results is not None
        else _("no test results found at {path}: every test is shown as not run").format(
            path=facts.junit_path
        )
    )
    story: list[Any] = [
        Paragraph(_("Evidence pack: how Loket KTP-el enforces the agreement"), styles["Title"]),
        Paragraph(
            _("{agency} · counter {counter} · Loket KTP-el {version}").format(
                agency=facts.agency_name, counter=facts.counter_id, version=__version__
            ),
            small,
        ),
        Paragraph(
            _("Generated {at} by {who}; {junit}.").format(
                at=f"{facts.generated_at:%d-%m-%Y %H:%M}", who=facts.generated_by, junit=junit
            ),
            small,
        ),
        Paragraph(_("Audit trail: {result}").format(result=facts.audit_result), small),
        Spacer(1, 4 * mm),
    ]
    header = [_("Clause"), _("Requirement"), _("Enforced"), _("Control"), _("Tests and result")]
    rows: list[list[Any]] = [header]
    for clause_id, title, enforced, control, tests in clause_rows(results):
        rows.append(
            [
                clause_id,
                Paragraph(title, cell),
                enforced,
                Paragraph(control, cell),
                Paragraph(tests.replace("\n", "<br/>"), cell),
            ]
        )
    table = Table(rows, colWidths=[18 * mm, 48 * mm, 18 * mm, 78 * mm, 105 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    story.append(
        Paragraph(
            _("Settings in force (addresses and identifiers shown as set)"), styles["Heading3"]
        )
    )
    settings_rows = [[key, Paragraph(value, cell)] for key, value in settings_in_force(settings)]
    settings_table = Table(settings_rows, colWidths=[70 * mm, 180 * mm])
    settings_table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(settings_table)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()

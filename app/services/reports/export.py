"""The report's figures as CSV or XLSX: the same numbers as the PDF, one row per figure."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook

from app.domain.i18n import _
from app.services.reports.figures import ReportFigures
from app.services.reports.labels import (
    decision_label,
    guard_rule_label,
    method_label,
    outcome_label,
)

#: Columns of the export: a stable machine key per figure and its label in the user's language.
COLUMNS = ("section", "key", "label", "value")
FORMATS = ("csv", "xlsx")


def figure_rows(figures: ReportFigures) -> Iterator[tuple[str, str, str, str | int]]:
    """(section, key, label, value) for every figure of the report."""
    yield "period", "start", _("Period start"), figures.start.isoformat()
    yield "period", "end", _("Period end"), figures.end.isoformat()
    yield (
        "period",
        "counters_requested",
        _("Counters asked for"),
        ",".join(figures.counters_requested) or "*",
    )
    yield "period", "counters_seen", _("Counters recorded"), ",".join(figures.counters_seen)
    yield "summary", "cases_opened", _("Cases opened"), figures.cases_opened
    yield "summary", "hits", _("Lookups (hits)"), figures.hits
    yield "summary", "card_reads", _("KTP-el card reads"), figures.card_reads
    yield (
        "summary",
        "card_reads_demographic",
        _("  of which with population data (SAM)"),
        figures.card_reads_demographic,
    )
    yield "summary", "quota_used", _("Quota used (whole agency)"), figures.quota_used
    for key, count in sorted(figures.by_outcome.items()):
        yield "outcome", key, outcome_label(key), count
    for key, count in sorted(figures.by_method.items()):
        yield "method", key, method_label(key), count
    for key, count in sorted(figures.by_officer.items()):
        yield "officer", key, key, count
    for key, count in sorted(figures.decisions.items()):
        yield "decision", key, decision_label(key), count
    for hour, count in enumerate(figures.by_hour):
        yield "hour", f"{hour:02d}", f"{hour:02d}:00-{hour:02d}:59", count
    for key, count in sorted(figures.guard_refusals.items()):
        yield "guard_refused", key, guard_rule_label(key), count
    yield "control", "overrides", _("Allowed by a supervisor's override"), figures.overrides
    yield "control", "quota_refusals", _("Refused: daily quota used up"), figures.quota_refusals
    yield (
        "control",
        "other_refusals",
        _("Refused for other reasons (NDA, term, access)"),
        figures.other_refusals,
    )
    for key, count in sorted(figures.access_lockouts.items()):
        yield "access_lockout", key, outcome_label(key), count
    yield (
        "control",
        "account_lockouts",
        _("Officer accounts locked after failed sign-ins"),
        figures.account_lockouts,
    )
    yield "balikan", "created", _("Data balikan created"), figures.balikan_created
    yield "balikan", "delivered", _("Data balikan delivered"), figures.balikan_delivered
    yield "balikan", "pending", _("Data balikan still pending (now)"), figures.balikan_pending


def figures_csv(figures: ReportFigures) -> bytes:
    """CSV (UTF-8 with BOM, so spreadsheet programs read it right)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(figure_rows(figures))
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def figures_xlsx(figures: ReportFigures) -> bytes:
    """An XLSX workbook with one sheet of the figures."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "laporan"
    sheet.append(list(COLUMNS))
    for row in figure_rows(figures):
        sheet.append(list(row))
    sheet.column_dimensions["C"].width = 48
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_figures(figures: ReportFigures, file_format: str) -> bytes:
    """The figures in ``file_format`` (``csv`` or ``xlsx``)."""
    if file_format == "csv":
        return figures_csv(figures)
    if file_format == "xlsx":
        return figures_xlsx(figures)
    raise ValueError(f"unknown format {file_format!r}; one of {', '.join(FORMATS)}")

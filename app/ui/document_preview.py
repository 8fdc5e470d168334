"""Documents for the applicant (statement, return slip): previewed from memory with QtPdf,
printed through the Qt print dialog.

No copy is ever written to disk: the PDF bytes go into a QBuffer for QPdfDocument, and
printing refuses print-to-file and PDF "printers" (which would write the document to a file).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _


def printer_refused(printer: QPrinter) -> bool:
    """True if printing to ``printer`` would write the document to a file."""
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
        return True
    if printer.outputFileName():
        return True
    name = printer.printerName().upper()
    return "PDF" in name or "FILE" in name or "XPS" in name


class DocumentPreview(QWidget):
    """Shows a PDF held in memory; ``clear()`` drops it."""

    printed = Signal()
    #: The installed printers' names (replaced in tests, per instance or for the class).
    printer_names: Callable[[], list[str]] = staticmethod(QPrinterInfo.availablePrinterNames)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.print_button = QPushButton(_("&Print…"), self)
        self.print_button.setToolTip(_("Print the document (Ctrl+P)"))
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.clicked.connect(self.print_document)
        self.notice = QLabel(_("The document is shown from memory; no copy is saved."), self)
        self.notice.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.notice, 1)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._bytes = QByteArray()
        self._buffer: QBuffer | None = None
        self.print_dialog_factory = QPrintDialog

    @property
    def loaded(self) -> bool:
        """True while a document is shown."""
        return bool(self.document.status() == QPdfDocument.Status.Ready)

    def show_pdf(self, data: bytes) -> None:
        """Load ``data`` (PDF bytes) from memory."""
        self.clear()
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        self.print_button.setEnabled(self.loaded)

    def clear(self) -> None:
        """Forget the document."""
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        self._bytes.fill(0)
        self._bytes.clear()
        self.print_button.setEnabled(False)

    def print_document(self) -> bool:
        """Ask for a printer (never a file) and print every page."""
        if not self.loaded:
            return False
        if not self.printer_names():
            QMessageBox.warning(
                self,
                _("No printer installed"),
                _(
                    "No printer is installed on this computer, so the document cannot be "
                    "printed. Ask the administrator to install the counter's paper printer, "
                    "then print again."
                ),
            )
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
        dialog = self.print_dialog_factory(printer, self)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        if printer_refused(printer):
            QMessageBox.warning(
                self,
                _("Printing refused"),
                _(
                    "The document may only go to a paper printer: printing to a file or a "
                    "PDF printer would leave a copy on disk. Choose the counter's printer."
                ),
            )
            return False
        self.render_to(printer)
        self.printed.emit()
        return True

    def render_to(self, printer: QPrinter) -> None:
        """Render each page into the printer's page rectangle."""
        painter = QPainter()
        if not painter.begin(printer):
            return
        try:
            rect = printer.pageLayout().paintRectPixels(printer.resolution())
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                size = self.document.pagePointSize(page)
                scale = min(rect.width() / size.width(), rect.height() / size.height())
                target = QRect(QPoint(0, 0), (size * scale).toSize())
                image = self.document.render(page, target.size(), QPdfDocumentRenderOptions())
                painter.drawImage(target, image)
        finally:
            painter.end()

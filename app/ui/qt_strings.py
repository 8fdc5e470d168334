"""Qt's own button texts (wizard, message boxes) through the application's catalogue.

Qt ships no Indonesian translation of its standard buttons; this translator answers
Qt's lookups from the same gettext catalogue as the rest of the app, so the one
language switch covers them too.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

from app.domain.i18n import N_, _

#: Qt source texts we translate (contexts QWizard, QPlatformTheme, QMessageBox, QDialogButtonBox).
QT_TEXTS = frozenset(
    {
        N_("&Next >"),
        N_("< &Back"),
        N_("&Finish"),
        N_("Cancel"),
        N_("&Cancel"),
        N_("OK"),
        N_("&OK"),
        N_("Close"),
        N_("&Close"),
        N_("&Yes"),
        N_("&No"),
        N_("Apply"),
        N_("Help"),
        N_("&Help"),
        N_("Save"),
        N_("Discard"),
        N_("Retry"),
        N_("Ignore"),
        N_("Abort"),
        N_("Show Details..."),
        N_("Hide Details..."),
    }
)


class CatalogueTranslator(QTranslator):
    """Translate Qt's standard texts with ``_()`` (the installed language)."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if source in QT_TEXTS:
            return _(source)
        return ""  # not ours: Qt keeps its own text


_installed: CatalogueTranslator | None = None


def install_qt_strings() -> None:
    """Install the translator on the running application (once)."""
    global _installed
    app = QCoreApplication.instance()
    if app is None or _installed is not None:
        return
    _installed = CatalogueTranslator(app)
    QCoreApplication.installTranslator(_installed)

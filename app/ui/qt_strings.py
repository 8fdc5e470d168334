"""Qt's own texts (wizard, message boxes, context menus, shortcuts) in the chosen language.

Qt ships no Indonesian translation of its standard texts. Two translators answer Qt's
lookups: Qt's own ``qtbase`` catalogue for the language when the Qt installation has one,
and the application's gettext catalogue for the standard buttons we translate ourselves.
Every other text gets *no* translation (a null string), so Qt shows its English original;
an empty string would be taken as the translation and blank the text out.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.domain.i18n import N_, _, current_language

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

#: Qt's print dialog texts, translated only in its own contexts (short words such as "to" or
#: "Off" could mean something else elsewhere in Qt).
PRINT_CONTEXTS = frozenset({"QPrintDialog", "QPrintSettingsOutput", "QPrintWidget"})
PRINT_TEXTS = frozenset(
    {
        N_("&Options >>"),
        N_("&Options <<"),
        N_("&Print"),
        N_("Print"),
        N_("All Pages"),
        N_("Even Pages"),
        N_("Odd Pages"),
        N_("Collate"),
        N_("Color"),
        N_("Color Mode"),
        N_("Copies"),
        N_("Copies:"),
        N_("Current Page"),
        N_("Double Sided Printing"),
        N_("Grayscale"),
        N_("Long side binding"),
        N_("Short side binding"),
        N_("Off"),
        N_("Options"),
        N_("Output Settings"),
        N_("Page &Set:"),
        N_("Pages"),
        N_("Pages from"),
        N_("Print all"),
        N_("Print range"),
        N_("Reverse"),
        N_("Selection"),
        N_("to"),
        N_("&Name:"),
        N_("Location:"),
        N_("P&roperties"),
        N_("Printer"),
        N_("Type:"),
        N_("Output &file:"),
        N_("Preview"),
    }
)


class CatalogueTranslator(QTranslator):
    """Translate Qt's standard texts with ``_()`` (the installed language)."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        if source in QT_TEXTS:
            return _(source)
        if context in PRINT_CONTEXTS and source in PRINT_TEXTS:
            return _(source)
        return None  # not ours: no translation, Qt keeps its own text


_installed: CatalogueTranslator | None = None
_qtbase: QTranslator | None = None


def load_qtbase(language: str) -> QTranslator | None:
    """Qt's own catalogue for ``language`` from the Qt installation, or None if it ships none."""
    translator = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(language), "qtbase", "_", folder):
        return translator
    return None


def install_qt_strings(language: str | None = None) -> None:
    """Install the translators on the running application for ``language`` (default: the
    installed one); calling it again after a language switch swaps Qt's own catalogue."""
    global _installed, _qtbase
    app = QCoreApplication.instance()
    if app is None:
        return
    language = language or current_language()
    if _qtbase is not None:
        QCoreApplication.removeTranslator(_qtbase)
        _qtbase = None
    if language != "en":
        _qtbase = load_qtbase(language)
        if _qtbase is not None:
            QCoreApplication.installTranslator(_qtbase)
    if _installed is None:
        _installed = CatalogueTranslator(app)
    else:  # the most recently installed translator is asked first: ours stays on top
        QCoreApplication.removeTranslator(_installed)
    QCoreApplication.installTranslator(_installed)

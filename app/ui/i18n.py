"""One language switch for the core's and the UI's texts (gettext catalogue, Indonesian default)."""

from __future__ import annotations

from app.domain.i18n import N_, current_language
from app.services.translations import DEFAULT_LANGUAGE, LANGUAGES, install_language

LANGUAGE_NAMES = {"id": N_("Bahasa Indonesia"), "en": N_("English")}


def apply_language(language: str) -> None:
    """Install ``language`` for every ``_()`` of the application (core and UI)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    install_language(language)


def language() -> str:
    """The installed language code."""
    return current_language()

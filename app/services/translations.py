"""Load the gettext catalogues in ``resources/translations`` and install one language.

Message ids are English; ``id`` (Indonesian, the default) has a catalogue.
The same catalogue serves the Qt-free core and the UI, so one switch changes both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from app.domain.i18n import install_translator, translating_in
from app.domain.resource_files import resource_path

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DOMAIN = "loket"
#: Official paper handed to residents is always in Indonesian, whatever the screen shows.
OFFICIAL_LANGUAGE = "id"


@cache
def load_catalog(language: str) -> Catalog | None:
    """The parsed catalogue of ``language``, or None for the source language (English)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; choose one of {LANGUAGES}")
    if language == "en":
        return None
    path = resource_path("translations", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@cache
def _messages(language: str) -> dict[str, str]:
    catalog = load_catalog(language)
    if catalog is None:
        return {}
    table: dict[str, str] = {}
    for message in catalog:
        usable = isinstance(message.id, str) and isinstance(message.string, str)
        if usable and message.id and message.string and not message.fuzzy:
            table[str(message.id)] = str(message.string)
    return table


def translator(language: str) -> dict[str, str]:
    """The msgid → text table of ``language`` (empty for English)."""
    load_catalog(language)  # validates the language
    return _messages(language)


def install_language(language: str = DEFAULT_LANGUAGE) -> None:
    """Make ``_()`` in the whole application answer in ``language``."""
    table = translator(language)
    install_translator(language, lambda message: table.get(message, message))


@contextmanager
def official_language() -> Iterator[None]:
    """Within the block, ``_()`` answers in Indonesian (official documents), in this thread
    only: the screen language of the rest of the application is untouched."""
    table = translator(OFFICIAL_LANGUAGE)
    with translating_in(OFFICIAL_LANGUAGE, lambda message: table.get(message, message)):
        yield

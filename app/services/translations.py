"""Load the gettext catalogues in ``resources/translations`` and install one language.

Message ids are English; ``id`` (Indonesian, the default) has a catalogue.
The same catalogue serves the Qt-free core and the UI, so one switch changes both.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.i18n import install_translator, translating_in
from app.domain.resource_files import resource_path
from app.services.user_cache import cache_dir, write_atomically

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

log = logging.getLogger(__name__)

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DOMAIN = "loket"
#: Official paper handed to residents is always in Indonesian, whatever the screen shows.
OFFICIAL_LANGUAGE = "id"


#: Bump when the table built from a catalogue changes shape (cached tables are then rebuilt).
_TABLE_FORMAT = "1"


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; choose one of {LANGUAGES}")


def _catalog_file(language: str) -> Path:
    return resource_path("translations", language, "LC_MESSAGES", f"{DOMAIN}.po")


@cache
def load_catalog(language: str) -> Catalog | None:
    """The parsed catalogue of ``language``, or None for the source language (English)."""
    _check_language(language)
    if language == "en":
        return None
    from babel.messages.pofile import read_po

    with _catalog_file(language).open("rb") as handle:
        return read_po(handle, locale=language)


def _table_of(catalog: Catalog) -> dict[str, str]:
    table: dict[str, str] = {}
    for message in catalog:
        usable = isinstance(message.id, str) and isinstance(message.string, str)
        if usable and message.id and message.string and not message.fuzzy:
            table[str(message.id)] = str(message.string)
    return table


def _cached_table_path(language: str) -> Path:
    digest = hashlib.sha256(_TABLE_FORMAT.encode() + b"\0" + _catalog_file(language).read_bytes())
    return cache_dir() / f"messages-{language}-{digest.hexdigest()[:24]}.json"


@cache
def _messages(language: str) -> dict[str, str]:
    """The table of ``language``: from the user's cache when this very catalogue was parsed
    before (parsing it is a noticeable part of a start), else parsed and cached."""
    if language == "en":
        return {}
    path = _cached_table_path(language)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(table, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            return table
    except (OSError, ValueError):
        pass  # not cached yet (or unreadable): parse the catalogue
    catalog = load_catalog(language)
    assert catalog is not None
    table = _table_of(catalog)
    try:
        write_atomically(path, json.dumps(table, ensure_ascii=False).encode("utf-8"))
    except OSError as error:  # only a slower next start
        log.warning("message table not cached: %s", type(error).__name__)
    return table


def translator(language: str) -> dict[str, str]:
    """The msgid → text table of ``language`` (empty for English)."""
    _check_language(language)
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

"""Translation hook for the Qt-free core.

Messages are written in English and marked with ``_()``. The composition root
(``app.cli`` or the UI start-up) installs a gettext catalogue with
:func:`install_translator`; until then messages come back untranslated. The
domain never reads files itself: the catalogue is loaded by
``app.services.translations``.
"""

from __future__ import annotations

from collections.abc import Callable

_translate: Callable[[str], str] = lambda message: message  # noqa: E731
_language = "en"


def _(message: str) -> str:
    """Translate ``message`` with the installed catalogue."""
    return _translate(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


def install_translator(language: str, translate: Callable[[str], str]) -> None:
    """Install the function that translates messages (called by the composition root)."""
    global _translate, _language
    _translate = translate
    _language = language


def current_language() -> str:
    """The language code of the installed catalogue (``"id"`` or ``"en"``)."""
    return _language

"""Translation hook for the Qt-free core.

Messages are written in English and marked with ``_()``. The composition root
(``app.cli`` or the UI start-up) installs a gettext catalogue with
:func:`install_translator`; until then messages come back untranslated. The
domain never reads files itself: the catalogue is loaded by
``app.services.translations``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_translate: Callable[[str], str] = lambda message: message  # noqa: E731
_language = "en"
#: A language fixed for the current thread/context only (official documents), else None.
_fixed: ContextVar[tuple[str, Callable[[str], str]] | None] = ContextVar(
    "loket_fixed_language", default=None
)


def _(message: str) -> str:
    """Translate ``message`` with the installed catalogue (or the context's fixed one)."""
    fixed = _fixed.get()
    if fixed is not None:
        return fixed[1](message)
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
    """The language code in force here (``"id"`` or ``"en"``)."""
    fixed = _fixed.get()
    return fixed[0] if fixed is not None else _language


@contextmanager
def translating_in(language: str, translate: Callable[[str], str]) -> Iterator[None]:
    """Within the block, ``_()`` in this thread answers in ``language`` whatever the
    installed (screen) language is; other threads are not affected."""
    token = _fixed.set((language, translate))
    try:
        yield
    finally:
        _fixed.reset(token)

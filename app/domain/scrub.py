"""One scrubber for free text: no NIK, no No. KK, no word of the open answer.

Whatever an officer types may end up on disk (a cancellation reason, a purpose, an
override reason) or in a log line. Before that, it passes :func:`scrub`, which removes

* every run of digits that :func:`app.domain.nik.normalise_digits` would turn into
  16 digits (a NIK or a No. KK): digits of any script Unicode knows (full-width,
  Arabic-Indic, …), separated by any number of spaces, dots or dashes; and
* every word of the text fields of the answer the case holds in memory (a name,
  a place of birth, an address).

:func:`mask_digit_runs` is the same search for the log: it keeps the first and last
four digits (``3303••••••••0001``) so a log line still says which kind of number it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from app.domain.i18n import _

#: The length of a NIK and of a No. KK.
NUMBER_LENGTH = 16
#: Characters that may separate groups of digits (as typed, pasted or printed).
SEPARATOR_CLASS = r"[\s.\-\u2010-\u2015\u2212\u30fb\uff0d\uff0e]"
_SEPARATOR = re.compile(SEPARATOR_CLASS)
_RUN = re.compile(rf"\d+(?:{SEPARATOR_CLASS}+\d+)*")
_GROUP = re.compile(r"\d+")
_WORD = re.compile(r"\w+")
_MIN_WORD = 2
_MASK = "•" * 8


def ascii_digits(text: str) -> str:
    """The digits of ``text`` as ASCII (``"３３"`` and ``"٣٣"`` become ``"33"``)."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def is_separator(ch: str) -> bool:
    """True for a character allowed between digit groups."""
    return _SEPARATOR.fullmatch(ch) is not None


def number_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a NIK-like number: consecutive digit groups of 16 digits in all.

    A longer unbroken digit run (17 digits) is not a NIK; a NIK followed by another
    group ("3303 0145 0590 0001 12") still is. Overlapping finds are merged.
    """
    spans: list[tuple[int, int]] = []
    for run in _RUN.finditer(text):
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in _GROUP.finditer(run[0])]
        for first in range(len(groups)):
            total = 0
            for last in range(first, len(groups)):
                total += groups[last][1] - groups[last][0]
                if total == NUMBER_LENGTH:
                    spans.append((groups[first][0], groups[last][1]))
                if total >= NUMBER_LENGTH:
                    break
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _replace_spans(text: str, spans: list[tuple[int, int]], render: Callable[[str], str]) -> str:
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append(render(text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def answer_words(record: Mapping[str, object] | None) -> frozenset[str]:
    """Every word (case-folded) of the text fields of an answer held in memory."""
    words: set[str] = set()
    for value in (record or {}).values():
        if isinstance(value, str):
            words.update(w.casefold() for w in _WORD.findall(value) if len(w) >= _MIN_WORD)
    return frozenset(words)


def scrub(text: str, words: Iterable[str] = ()) -> str:
    """``text`` without NIK/No. KK numbers and without any of ``words`` (case-insensitive)."""
    marker = _("[NIK removed]")
    cleaned = _replace_spans(text, number_spans(text), lambda _found: marker)
    banned = {w.casefold() for w in words if len(w) >= _MIN_WORD}
    if banned:
        cleaned = _WORD.sub(lambda m: "…" if m[0].casefold() in banned else m[0], cleaned)
    return cleaned


def mask_digit_runs(text: str) -> str:
    """For logs: every NIK-like number shown as ``3303••••••••0001``."""

    def render(found: str) -> str:
        digits = ascii_digits(found)
        return digits[:4] + _MASK + digits[-4:]

    return _replace_spans(text, number_spans(text), render)

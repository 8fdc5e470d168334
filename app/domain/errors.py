"""The base of every refusal the officer sees: a translated message, a detail for logs."""

from __future__ import annotations

from app.domain.i18n import N_, _


class UserFacingError(Exception):
    """An error with a message for the person at the counter (``msgid``, translated)."""

    msgid = N_("The action was refused.")

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.msgid)
        self.detail = detail

    @property
    def message(self) -> str:
        """The explanation in the installed language."""
        return _(self.msgid)

"""Which granted check a case uses, when the agreement grants more than one (issue 15).

Seed 002 (Kota Magelang) grants the lookup by NIK through the web portal and verify by
element through the web service. The new-case page then shows a choice, "Cari NIK (portal
web)" or "Verifikasi elemen (web service)"; step 3 follows it: the assisted portal mode
(the outcome recorded) or the elements sent to the gateway. Only granted checks are
offered; the case service refuses anything else in any case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QGroupBox, QRadioButton, QVBoxLayout, QWidget

from app.domain.access import CHOICE_LABELS, VERIFY, WEB_PORTAL, WEB_SERVICE, AccessGrants
from app.domain.i18n import _

if TYPE_CHECKING:
    from app.ui.case.case_base import CaseScreenBase as CaseScreen


def initial_mode(grants: AccessGrants) -> tuple[bool, bool]:
    """(portal, verify fields needed) for the screen's start: portal when the first granted
    check is by portal; the verify fields whenever verify by web service is granted (shown
    only while that check is chosen)."""
    offered = grants.offered
    portal = bool(offered) and offered[0][1] == WEB_PORTAL
    return portal, grants.allows(VERIFY, WEB_SERVICE)


class AccessChooser(QGroupBox):
    """One radio button per granted (method, channel); hidden when only one is granted."""

    chosen = Signal(str, str)

    def __init__(self, grants: AccessGrants, parent: QWidget | None = None) -> None:
        super().__init__(_("Check to use (as the agreement grants)"), parent)
        self.setObjectName("accessChooser")
        self.group = QButtonGroup(self)
        self.buttons: dict[tuple[str, str], QRadioButton] = {}
        layout = QVBoxLayout(self)
        for pair in grants.offered:
            button = QRadioButton(_(CHOICE_LABELS[pair]))
            button.setObjectName(f"access_{pair[0]}_{pair[1]}")
            self.group.addButton(button)
            self.buttons[pair] = button
            layout.addWidget(button)
            button.toggled.connect(lambda on, pair=pair: self._toggled(on, pair))
        self.setVisible(len(self.buttons) > 1)
        self.reset()

    def _toggled(self, on: bool, pair: tuple[str, str]) -> None:
        if on:
            self.chosen.emit(*pair)

    def choice(self) -> tuple[str, str] | None:
        """The selected (method, channel)."""
        for pair, button in self.buttons.items():
            if button.isChecked():
                return pair
        return None

    def select(self, method: str, channel: str) -> None:
        """Choose a granted check (ignored if not granted)."""
        button = self.buttons.get((method, channel))
        if button is not None:
            button.setChecked(True)

    def reset(self) -> None:
        """Back to the first granted check."""
        if self.buttons:
            next(iter(self.buttons.values())).setChecked(True)


def apply_choice(screen: CaseScreen, method: str, channel: str) -> None:
    """Put step 3 of ``screen`` in the mode of the chosen check."""
    page = screen.nik_page
    portal = channel == WEB_PORTAL
    verify = method == VERIFY and channel == WEB_SERVICE and bool(page.verify_edits)
    screen.portal = portal
    screen.verify_only = verify
    page.portal = portal
    page.portal_box.setVisible(portal)
    page.verify_box.setVisible(verify)
    if portal:
        page.lookup.setText(_("Record &outcome"))
    elif verify:
        page.lookup.setText(_("&Verify the elements"))
    else:
        page.lookup.setText(_("&Look up"))


def attach_chooser(screen: CaseScreen) -> AccessChooser:
    """Add the chooser to the new-case page and let it set step 3's mode."""
    chooser = AccessChooser(screen.grants)
    screen.new_page.add_option(chooser)
    chooser.chosen.connect(lambda method, channel: apply_choice(screen, method, channel))
    pair = chooser.choice()
    if pair is not None:
        apply_choice(screen, *pair)
    return chooser

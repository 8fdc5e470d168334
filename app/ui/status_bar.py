"""The status bar: reader, SAM, gateway link, quota left today, data balikan pending, DEMO."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.domain.access import CHOICE_LABELS, WEB_PORTAL
from app.domain.i18n import _
from app.domain.quota_rules import QuotaLevel
from app.reader.states import ReaderEvent
from app.services.app_core import StatusSnapshot
from app.services.dukcapil import PLAIN_HTTP_NOTICE
from app.ui.reader_bridge import reader_text, sam_text

LEVEL_STYLE = {
    QuotaLevel.WARNING: "background:#fff3b0; color:#5a4500; padding:0 6px;",
    QuotaLevel.CRITICAL: "background:#ffcf99; color:#5a2a00; padding:0 6px; font-weight:bold;",
    QuotaLevel.EXHAUSTED: "background:#c62828; color:white; padding:0 6px; font-weight:bold;",
}


def link_text(snapshot: StatusSnapshot, link_ok: bool | None) -> str:
    """The gateway link as the officer sees it."""
    grants = snapshot.grants
    if grants is not None and grants.mixed:
        parts = [_(CHOICE_LABELS[pair]) for pair in grants.offered]
        text = _("Access: {methods}").format(methods=", ".join(parts))
        if snapshot.demo:
            text += " — " + _("simulator (DEMO)")
        if link_ok is False:
            text += " — " + _("no answer")
        return text
    portal_only = grants.channels == {WEB_PORTAL} if grants is not None else None
    if portal_only or (portal_only is None and snapshot.access_method == "web_portal"):
        return _("Gateway: web portal (assisted)")
    if snapshot.demo:
        return _("Gateway: simulator (DEMO)")
    if snapshot.plain_http:
        text = _("Gateway: http, not encrypted")
    else:
        text = _("Gateway: web service, https")
    if snapshot.poc_letter:
        text += " — " + _("PoC letter {letter}").format(letter=snapshot.poc_letter)
    if link_ok is False:
        text += " — " + _("no answer")
    return text


class CounterStatusBar(QStatusBar):
    """Always visible; refreshed after every action and on a timer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.demo = QLabel("DEMO")
        self.demo.setObjectName("demoBadge")
        self.demo.setStyleSheet("background:#6a1b9a; color:white; font-weight:bold; padding:0 8px;")
        self.reader = QLabel()
        self.sam = QLabel()
        self.link = QLabel()
        self.quota = QLabel()
        self.balikan = QLabel()
        self.officer = QLabel()
        self.loading = QLabel(_("Working…"))
        self.loading.setObjectName("statusLoading")
        self.loading.hide()
        for label in (self.demo, self.reader, self.sam, self.link, self.quota, self.balikan):
            self.addWidget(label)
        self.addWidget(self.loading)
        self.addPermanentWidget(self.officer)
        self.demo.hide()
        self.link_ok: bool | None = None
        self.sam_required = True

    def show_reader(self, event: ReaderEvent | None) -> None:
        """Reader and SAM state."""
        if event is None:
            self.reader.setText(_("Reader: none"))
            self.sam.setText(_("SAM: none"))
            return
        self.reader.setText(_("Reader: {state}").format(state=reader_text(event)))
        self.sam.setText(_("SAM: {state}").format(state=sam_text(event, self.sam_required)))

    def show_snapshot(self, snapshot: StatusSnapshot) -> None:
        """Quota, data balikan, link, DEMO."""
        self.demo.setVisible(snapshot.demo)
        self.link.setText(link_text(snapshot, self.link_ok))
        self.link.setToolTip(_(PLAIN_HTTP_NOTICE) if snapshot.plain_http else "")
        self.link.setStyleSheet("color:#b00020;" if snapshot.plain_http else "")
        left = snapshot.quota.left
        if left is None:
            quota = _("Quota today: unlimited")
        else:
            quota = _("Quota left today: {left} of {limit}").format(
                left=left, limit=snapshot.quota.limit or left
            )
        self.quota.setText(quota)
        self.quota.setStyleSheet(LEVEL_STYLE.get(snapshot.quota.level(), ""))
        self.balikan.setText(_("Data balikan pending: {n}").format(n=snapshot.balikan_pending))

    def set_loading(self, loading: bool) -> None:
        """Show that the figures are being read (off the UI thread)."""
        self.loading.setText(_("Working…"))  # in the language chosen since the bar was built
        self.loading.setVisible(loading)

    def show_officer(self, text: str) -> None:
        """Who is signed in."""
        self.officer.setText(text)

"""The case service's gate on access: a method by a channel the agreement does not grant is
refused before anything is counted or sent (fail closed)."""

from __future__ import annotations

from app.domain.access import LOOKUP, METHODS, WEB_PORTAL, AccessGrants
from app.services.cases.errors import ChannelNotGranted, NotPermittedByAgreement


def require_granted(grants: AccessGrants, method: str, channel: str) -> None:
    """Raise unless ``method`` is granted by ``channel``.

    Not granted at all: :class:`NotPermittedByAgreement`; granted by the other channel:
    :class:`ChannelNotGranted` (a :class:`WrongAccessMethod`)."""
    granted = grants.channel_for(method)
    if granted is None:
        raise NotPermittedByAgreement(method)
    if granted != channel:
        raise ChannelNotGranted(f"{method} via {granted}")


def portal_method(grants: AccessGrants) -> str:
    """The method an assisted portal check stands for: the first granted by the web portal
    (lookup when none is: the gate then refuses it)."""
    for method in METHODS:
        if grants.allows(method, WEB_PORTAL):
            return method
    return LOOKUP

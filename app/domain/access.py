"""What an agreement grants: each access method (lookup by NIK, verify by element) by a channel.

Permendagri 102/2019 and the agreements in the seeds name, per method, the channel it is
served through: the *web service* (the app calls the Dukcapil gateway) or the *web portal*
(the officer looks the NIK up in the portal in a browser; the app records the outcome).
Seed 002 (Kota Magelang) grants verify by element through the web service *and* the lookup
through the web portal to the same agency, so the channel is per method, not per install.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.i18n import N_

WEB_SERVICE = "web_service"
WEB_PORTAL = "web_portal"
CHANNELS = (WEB_SERVICE, WEB_PORTAL)

LOOKUP = "lookup"
VERIFY = "verify"
METHODS = (LOOKUP, VERIFY)

#: What the officer is offered for each (method, channel), English msgids (wrap in ``_()``).
CHOICE_LABELS: dict[tuple[str, str], str] = {
    (LOOKUP, WEB_PORTAL): N_("Look up NIK (web portal)"),
    (LOOKUP, WEB_SERVICE): N_("Look up NIK (web service)"),
    (VERIFY, WEB_SERVICE): N_("Verify elements (web service)"),
    (VERIFY, WEB_PORTAL): N_("Verify elements (web portal)"),
}


@dataclass(frozen=True, slots=True)
class AccessGrants:
    """The channel each access method is granted by, or None when it is not granted."""

    lookup: str | None
    verify: str | None

    def __post_init__(self) -> None:
        for method, channel in ((LOOKUP, self.lookup), (VERIFY, self.verify)):
            if channel is not None and channel not in CHANNELS:
                raise ValueError(f"{method}: unknown channel {channel!r}")

    def channel_for(self, method: str) -> str | None:
        """The channel ``method`` is granted by (None: not granted)."""
        if method == LOOKUP:
            return self.lookup
        if method == VERIFY:
            return self.verify
        raise ValueError(f"unknown access method {method!r}")

    def allows(self, method: str, channel: str) -> bool:
        """True only when ``method`` is granted and by exactly ``channel`` (fail closed)."""
        return channel in CHANNELS and self.channel_for(method) == channel

    @property
    def offered(self) -> tuple[tuple[str, str], ...]:
        """Every granted (method, channel), lookup first."""
        pairs = ((LOOKUP, self.lookup), (VERIFY, self.verify))
        return tuple((method, channel) for method, channel in pairs if channel is not None)

    @property
    def channels(self) -> frozenset[str]:
        """The channels used by any granted method."""
        return frozenset(channel for _method, channel in self.offered)

    @property
    def uses_web_service(self) -> bool:
        """True when some method calls the gateway (secrets, PoC letter, network check)."""
        return WEB_SERVICE in self.channels

    @property
    def uses_web_portal(self) -> bool:
        """True when some method is served through the web portal (portal address needed)."""
        return WEB_PORTAL in self.channels

    @property
    def mixed(self) -> bool:
        """True when both channels are in use (the officer chooses per case)."""
        return len(self.channels) > 1

    @property
    def summary(self) -> str:
        """A short English summary for logs and the CLI, e.g. ``lookup=web_portal verify=-``."""
        return f"lookup={self.lookup or '-'} verify={self.verify or '-'}"


def derive_grants(
    *,
    lookup: bool,
    verify: bool,
    lookup_via: str | None,
    verify_via: str | None,
    fallback: str,
) -> AccessGrants:
    """The grants of an agreement profile, with the install's access method as the fallback.

    - A method the profile does not grant is never granted.
    - A method whose channel the profile names keeps it, except the *Proof-of-Concept step*: a
      profile naming only the web portal ("saat ini ... melalui metode akses Web Portal",
      Juknis seed 000) follows an install configured for the web service, which production
      settings allow only with the PoC result letter on file. A profile naming different
      channels per method (seed 002) is always served as written.
    - A method whose channel the profile does not name uses ``fallback``.
    """
    named = {channel for channel in (lookup_via, verify_via) if channel is not None}
    poc_step = named == {WEB_PORTAL} and fallback == WEB_SERVICE

    def channel(granted: bool, via: str | None) -> str | None:
        if not granted:
            return None
        if via is None or poc_step:
            return fallback if fallback in CHANNELS else None
        return via

    return AccessGrants(lookup=channel(lookup, lookup_via), verify=channel(verify, verify_via))

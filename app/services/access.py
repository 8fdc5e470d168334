"""The active agreement's grants (:class:`~app.domain.access.AccessGrants`) from its profile.

Every part of the app that depends on how Dukcapil is reached (the case service, the case
screen, the status bar, the doctor, the gateway set-up) asks :func:`grants_for`, so one rule
decides: the profile's ``lookup``/``verify`` and ``lookup_via``/``verify_via``, with
``agreement.access_method`` for a method whose channel the profile does not name.
"""

from __future__ import annotations

from app.domain.access import AccessGrants, derive_grants
from app.domain.resource_files import resources_dir
from app.services.dukcapil.profiles import AgreementProfile, ProfileError, load_profile
from app.services.settings import Settings


def grants_of(profile: AgreementProfile, access_method: str) -> AccessGrants:
    """The grants of ``profile`` on an install configured with ``access_method``."""
    return derive_grants(
        lookup=profile.lookup,
        verify=profile.verify,
        lookup_via=profile.lookup_via,
        verify_via=profile.verify_via,
        fallback=access_method,
    )


def grants_for(settings: Settings) -> AccessGrants:
    """The grants of the configured agreement; raises ProfileError if its profile is unusable."""
    profile = load_profile(resources_dir(), settings.agreement.profile)
    return grants_of(profile, settings.agreement.access_method)


def grants_or_fallback(settings: Settings) -> AccessGrants:
    """Like :func:`grants_for`, but a broken profile (reported elsewhere, e.g. by the doctor)
    gives the install's access method for lookup only, so a status line can still be drawn."""
    try:
        return grants_for(settings)
    except ProfileError:
        method = settings.agreement.access_method
        return AccessGrants(lookup=method or None, verify=None)

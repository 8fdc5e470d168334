"""Doctor line: which access method the agreement grants by which channel (issue 15)."""

from __future__ import annotations

from app.domain.access import CHOICE_LABELS
from app.domain.i18n import _
from app.services.access import grants_for
from app.services.doctor import Check, error, ok
from app.services.dukcapil.profiles import ProfileError
from app.services.settings import Settings
from app.services.settings_checks import grants_problem


def access_grants(settings: Settings) -> Check:
    """The grants of the configured profile, and what the settings lack for them."""
    try:
        grants = grants_for(settings)
    except ProfileError as failure:
        return error(
            "access",
            _("the agreement profile cannot be used ({detail})").format(detail=str(failure)),
            _("The administrator corrects the profile file or the agreement.profile setting."),
        )
    offered = ", ".join(_(CHOICE_LABELS[pair]) for pair in grants.offered)
    problem = grants_problem(settings, grants)
    if problem:
        return error(
            "access",
            offered or _("nothing granted"),
            _("Complete the administrator file: {problem}").format(problem=problem),
        )
    return ok("access", offered)

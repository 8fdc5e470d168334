"""Known failures of start-up and the command-line tools, as messages that say what to do.

The CLI prints them and exits with status 2; the GUI shows them in a dialog. Anything not
recognised here is an unexpected error: :mod:`app.services.crash` writes a crash record
and the person gets its reference number. Details shown never hold a password or a NIK
(a database address is named by its kind only).
"""

from __future__ import annotations

from app.domain.errors import UserFacingError
from app.domain.i18n import N_, _
from app.services.dukcapil import GatewayConfigError, ProfileError
from app.services.gateway_setup import GatewaySetupError
from app.services.secrets import SecretMissing, SecretStoreUnavailable
from app.services.settings import SettingsError

SETTINGS_UNUSABLE = N_(
    "The settings cannot be used: {detail}. What to do: the administrator corrects the "
    "settings file, then starts the app again."
)
DATABASE_UNUSABLE = N_(
    "The database cannot be opened ({detail}). What to do: the administrator checks "
    "database_url in the settings file and that the database server is reachable, then "
    "starts the app again."
)
CERTIFICATE_UNUSABLE = N_(
    "The gateway certificate cannot be used: {detail}. What to do: the administrator "
    "imports the gateway's certificate again and checks gateway.certificate_sha256."
)
GATEWAY_UNUSABLE = N_(
    "The gateway is not set up: {detail}. What to do: the administrator completes the "
    "[gateway] settings."
)
PROFILE_UNUSABLE = N_(
    "The agreement profiles cannot be used: {detail}. What to do: the administrator corrects "
    "that profile file (or removes it from the profiles folder beside the settings file), "
    "then starts the app again."
)
AUDIT_HEAD_UNREADABLE = N_(
    "The audit trail's head record is unreadable: the trail was changed outside the app. "
    "What to do: leave the database as it is and tell the administrator."
)
UNEXPECTED = N_(
    "An unexpected error stopped the app. A crash record without population data was "
    "written to the log folder with the reference {reference}: give this number to the "
    "administrator."
)


def _database_error(error: BaseException) -> bool:
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(error, SQLAlchemyError)


def user_message(error: BaseException) -> str | None:
    """The translated message (with what to do) for a known failure; None if unknown."""
    if isinstance(error, SettingsError):
        return _(SETTINGS_UNUSABLE).format(detail=str(error))
    if isinstance(error, ProfileError):
        return _(PROFILE_UNUSABLE).format(detail=str(error))
    if isinstance(error, SecretStoreUnavailable | SecretMissing):
        return error.message
    if isinstance(error, GatewayConfigError):
        return _(CERTIFICATE_UNUSABLE).format(detail=str(error))
    if isinstance(error, GatewaySetupError):
        return _(GATEWAY_UNUSABLE).format(detail=str(error))
    if _database_error(error):
        return _(DATABASE_UNUSABLE).format(detail=type(error).__name__)
    if isinstance(error, UserFacingError):
        return error.message
    return None

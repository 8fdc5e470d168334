"""Secrets (gateway credentials, balikan token, keys, SAM PCID/CONF) in the OS keyring.

There is never a plaintext fallback: a missing or locked keyring raises
:class:`SecretStoreUnavailable` with a message the administrator can act on.
Demo mode uses :class:`MemorySecretStore`, which forgets everything on exit.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from app.domain.i18n import N_, _

if TYPE_CHECKING:
    import keyring.backend

SERVICE = "loket-ktpel"

GATEWAY_USER = "gateway.user_id"
GATEWAY_PASSWORD = "gateway.password"  # noqa: S105 - a key name, not a password
BALIKAN_TOKEN = "balikan.token"  # noqa: S105 - a key name
HMAC_KEY = "key.hmac"
ENCRYPTION_KEY = "key.encryption"
SAM_PCID = "sam.pcid"
SAM_CONF = "sam.conf"
KNOWN_SECRETS = (
    GATEWAY_USER,
    GATEWAY_PASSWORD,
    BALIKAN_TOKEN,
    HMAC_KEY,
    ENCRYPTION_KEY,
    SAM_PCID,
    SAM_CONF,
)

_UNAVAILABLE = N_(
    "The system keyring is not available or is locked, so the gateway password and keys "
    "cannot be read. Unlock the keyring (or sign in to the desktop session) and try again; "
    "the administrator can check the keyring setup."
)
_MISSING = N_("A required secret has not been set up: ask the administrator to enter it.")


class SecretStoreUnavailable(RuntimeError):
    """The OS keyring is missing, locked or failing."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"keyring unavailable: {detail}")
        self.detail = detail

    @property
    def message(self) -> str:
        """What to tell the person at the PC."""
        return _(_UNAVAILABLE)


class SecretMissing(KeyError):
    """A secret that is needed has not been stored yet."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    @property
    def message(self) -> str:
        """What to tell the person at the PC."""
        return _(_MISSING) + f" ({self.name})"


class SecretStore(Protocol):
    """Where secrets live."""

    label: str

    def get(self, name: str) -> str | None:
        """The secret, or None when it was never set."""

    def set(self, name: str, value: str) -> None:
        """Store (or replace) a secret."""

    def delete(self, name: str) -> None:
        """Forget a secret (no error if absent)."""


def _keyring() -> ModuleType:
    """The keyring package, imported on first use (not on demo start: it is slow to load)."""
    import keyring
    import keyring.errors

    return keyring


class KeyringSecretStore:
    """Secrets in the operating system's keyring (Windows Credential Manager, Secret Service)."""

    label = "keyring"

    def __init__(
        self, service: str = SERVICE, backend: keyring.backend.KeyringBackend | None = None
    ) -> None:
        self._service = service
        # one OS keyring per PC; a given backend instance stands for another PC's (tests)
        self._backend = backend

    @property
    def _keyring(self) -> Any:
        return self._backend if self._backend is not None else _keyring()

    def _fail(self, error: Exception) -> SecretStoreUnavailable:
        return SecretStoreUnavailable(type(error).__name__)

    def get(self, name: str) -> str | None:
        """The secret, or None when it was never set."""
        try:
            value: str | None = self._keyring.get_password(self._service, name)
            return value
        except _keyring().errors.KeyringError as error:
            raise self._fail(error) from error
        except RuntimeError as error:  # some backends raise plain RuntimeErrors when locked
            raise self._fail(error) from error

    def set(self, name: str, value: str) -> None:
        """Store (or replace) a secret."""
        try:
            self._keyring.set_password(self._service, name, value)
        except (_keyring().errors.KeyringError, RuntimeError) as error:
            raise self._fail(error) from error

    def delete(self, name: str) -> None:
        """Forget a secret (no error if absent)."""
        try:
            self._keyring.delete_password(self._service, name)
        except _keyring().errors.PasswordDeleteError:
            return
        except (_keyring().errors.KeyringError, RuntimeError) as error:
            raise self._fail(error) from error

    def check(self) -> None:
        """Raise :class:`SecretStoreUnavailable` unless the keyring answers."""
        self.get("__probe__")


class MemorySecretStore:
    """An ephemeral store for demo mode and tests: nothing is written anywhere."""

    label = "demo (memory)"

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        self._values: dict[str, str] = dict(initial or {})

    def get(self, name: str) -> str | None:
        """The secret, or None when it was never set."""
        return self._values.get(name)

    def set(self, name: str, value: str) -> None:
        """Store (or replace) a secret."""
        self._values[name] = value

    def delete(self, name: str) -> None:
        """Forget a secret (no error if absent)."""
        self._values.pop(name, None)

    def snapshot(self) -> dict[str, str]:
        """A copy of every secret (the demo's state file for its supervisor tools)."""
        return dict(self._values)


def require(store: SecretStore, name: str) -> str:
    """The secret, or :class:`SecretMissing`."""
    value = store.get(name)
    if value is None or value == "":
        raise SecretMissing(name)
    return value

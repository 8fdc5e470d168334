"""Secrets (gateway credentials, balikan token, keys, SAM PCID/CONF) in the OS keyring.

There is never a plaintext fallback: a missing or locked keyring raises
:class:`SecretStoreUnavailable` with a message the administrator can act on.
Demo mode uses :class:`MemorySecretStore`, which forgets everything on exit.
"""

from __future__ import annotations

import secrets as _random
from types import ModuleType
from typing import Protocol

from app.domain.i18n import N_, _

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

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service

    def _fail(self, error: Exception) -> SecretStoreUnavailable:
        return SecretStoreUnavailable(type(error).__name__)

    def get(self, name: str) -> str | None:
        """The secret, or None when it was never set."""
        keyring = _keyring()
        try:
            return keyring.get_password(self._service, name)  # type: ignore[no-any-return]
        except keyring.errors.KeyringError as error:
            raise self._fail(error) from error
        except RuntimeError as error:  # some backends raise plain RuntimeErrors when locked
            raise self._fail(error) from error

    def set(self, name: str, value: str) -> None:
        """Store (or replace) a secret."""
        keyring = _keyring()
        try:
            keyring.set_password(self._service, name, value)
        except (keyring.errors.KeyringError, RuntimeError) as error:
            raise self._fail(error) from error

    def delete(self, name: str) -> None:
        """Forget a secret (no error if absent)."""
        keyring = _keyring()
        try:
            keyring.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError:
            return
        except (keyring.errors.KeyringError, RuntimeError) as error:
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


def require(store: SecretStore, name: str) -> str:
    """The secret, or :class:`SecretMissing`."""
    value = store.get(name)
    if value is None or value == "":
        raise SecretMissing(name)
    return value


def ensure_key(store: SecretStore, name: str, size: int = 32) -> bytes:
    """A random key kept in the store, created on first use (hex-encoded there)."""
    value = store.get(name)
    if value is None:
        value = _random.token_hex(size)
        store.set(name, value)
    return bytes.fromhex(value)

"""Secrets: keyring wrapper, no plaintext fallback, ephemeral demo store."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest

from app.services.keys import KeyRing, KeysMissing
from app.services.secrets import (
    ENCRYPTION_KEY,
    GATEWAY_PASSWORD,
    HMAC_KEY,
    KeyringSecretStore,
    MemorySecretStore,
    SecretMissing,
    SecretStoreUnavailable,
    require,
)


def test_keyring_round_trip(memory_keyring: object) -> None:
    store = KeyringSecretStore()
    assert store.get(GATEWAY_PASSWORD) is None
    store.set(GATEWAY_PASSWORD, "rahasia-contoh")
    assert store.get(GATEWAY_PASSWORD) == "rahasia-contoh"
    assert require(store, GATEWAY_PASSWORD) == "rahasia-contoh"
    store.delete(GATEWAY_PASSWORD)
    store.delete(GATEWAY_PASSWORD)  # idempotent
    with pytest.raises(SecretMissing) as info:
        require(store, GATEWAY_PASSWORD)
    assert GATEWAY_PASSWORD in info.value.message


def test_missing_keyring_is_a_clear_error_not_a_fallback(tmp_path: object) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    store = KeyringSecretStore()
    with pytest.raises(SecretStoreUnavailable) as info:
        store.get(GATEWAY_PASSWORD)
    assert "keyring" in info.value.message.lower()
    with pytest.raises(SecretStoreUnavailable):
        store.set(GATEWAY_PASSWORD, "x")
    with pytest.raises(SecretStoreUnavailable):
        store.check()


def test_reading_keys_never_creates_them() -> None:
    store = MemorySecretStore()
    with pytest.raises(KeysMissing):
        KeyRing.load(store)
    assert store.get(HMAC_KEY) is None and store.get(ENCRYPTION_KEY) is None
    ring = KeyRing.generate()
    ring.save(store)
    assert KeyRing.load(store) == ring
    assert len(ring.hmac_key) == 32 and ring.hmac_id.startswith("h-")
    store.delete(ENCRYPTION_KEY)
    with pytest.raises(KeysMissing):
        KeyRing.load(store)
    assert store.get(ENCRYPTION_KEY) is None
    assert store.label.startswith("demo")

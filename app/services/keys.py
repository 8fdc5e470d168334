"""Keyed hashes and encryption with keys from the secret store.

A 16-digit NIK cannot resist a plain or salted hash (10^16 guesses), so every
stored fingerprint is an HMAC with a secret key; the NIKs owed as data balikan
are encrypted with AES-GCM until delivered.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.services.secrets import ENCRYPTION_KEY, HMAC_KEY, SecretStore, ensure_key

_NONCE = 12


@dataclass(frozen=True)
class KeyRing:
    """The two application keys, loaded once from the secret store."""

    hmac_key: bytes
    encryption_key: bytes

    @classmethod
    def from_store(cls, store: SecretStore) -> KeyRing:
        """Load (creating on first use) both keys."""
        return cls(ensure_key(store, HMAC_KEY), ensure_key(store, ENCRYPTION_KEY))

    def _mac(self, label: str, value: str) -> str:
        message = f"{label}:{value}".encode()
        return hmac.new(self.hmac_key, message, hashlib.sha256).hexdigest()

    def nik_hash(self, nik: str) -> str:
        """Keyed hash of a full NIK."""
        return self._mac("nik", nik)

    def prefix_hash(self, nik: str) -> str:
        """Keyed hash of a NIK's first 12 digits (region + birth date), for the guard."""
        return self._mac("prefix", nik[:12])

    @property
    def audit_key(self) -> bytes:
        """Key of the audit hash chain (derived, so it differs from the NIK hash key)."""
        return hmac.new(self.hmac_key, b"audit-chain", hashlib.sha256).digest()

    def encrypt(self, plaintext: str, context: str) -> bytes:
        """AES-GCM encrypt ``plaintext``; ``context`` is authenticated (e.g. the case number)."""
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self.encryption_key).encrypt(
            nonce, plaintext.encode(), context.encode()
        )

    def decrypt(self, blob: bytes, context: str) -> str:
        """Reverse :meth:`encrypt` (raises if the blob or context was tampered with)."""
        nonce, body = blob[:_NONCE], blob[_NONCE:]
        return AESGCM(self.encryption_key).decrypt(nonce, body, context.encode()).decode()

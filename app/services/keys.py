"""Keyed hashes and encryption with the agency's keys from the secret store.

A 16-digit NIK cannot resist a plain or salted hash (10^16 guesses), so every
stored fingerprint is an HMAC with a secret key; the NIKs owed as data balikan
are encrypted with AES-GCM until delivered.

Keys are created once, on purpose (:func:`generate_keyring` from the first-run
set-up or ``loket keys init``), never as a side effect of reading them:
:meth:`KeyRing.load` raises :class:`KeysMissing` when the store has none.
Every key has an id (a fingerprint of the key), which the database records
(see :mod:`app.services.key_binding`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.domain.errors import UserFacingError
from app.domain.i18n import N_, _
from app.services.secrets import ENCRYPTION_KEY, HMAC_KEY, SecretStore

_NONCE = 12
KEY_SIZE = 32


def key_id(kind: str, key: bytes) -> str:
    """A short public fingerprint of a key (``h-…`` HMAC, ``e-…`` encryption)."""
    digest = hashlib.sha256(b"loket-key-id|" + kind.encode() + b"|" + key).hexdigest()
    return f"{kind[0]}-{digest[:16]}"


class KeyProblem(UserFacingError):
    """The keys of this counter cannot be used with this database; nothing was written."""

    msgid = N_("The keys of this counter cannot be used.")
    way_out = N_(
        "Way out: import the agency's key bundle (loket keys import FILE, exported on a counter "
        "that works with `loket keys export`), or restore this PC's keyring from its backup. "
        "Nothing was written to the database."
    )

    @property
    def message(self) -> str:
        """What happened and the way out, in the installed language."""
        return f"{_(self.msgid)} {_(self.way_out)}"


class KeysMissing(KeyProblem):
    """The secret store holds no keys (or only one of the two)."""

    msgid = N_(
        "This counter has no keys for the agency's database: the encryption or HMAC key is "
        "missing from the system keyring. Keys are never created again silently, because new "
        "keys would make the owed data balikan unreadable and the audit trail unverifiable."
    )


class KeysMismatch(KeyProblem):
    """The store's keys are not the keys the database was written with."""

    msgid = N_(
        "The keys in this counter's keyring are not the keys the agency's database was written "
        "with (another counter or another installation created them)."
    )


class KeysNotSetUp(KeyProblem):
    """The database was never bound to keys (a new database)."""

    msgid = N_("The database has not been set up with the agency's keys yet.")
    way_out = N_(
        "Way out: on the first counter of a new agency run `loket keys init` (or the first-run "
        "set-up); a further counter imports the agency's key bundle (loket keys import FILE)."
    )


@dataclass(frozen=True)
class KeyRing:
    """The two application keys: HMAC (hashes, audit chain) and encryption (owed NIKs)."""

    hmac_key: bytes
    encryption_key: bytes

    @classmethod
    def load(cls, store: SecretStore) -> KeyRing:
        """Both keys from the store; :class:`KeysMissing` if either is absent (never created)."""
        hmac_hex, enc_hex = store.get(HMAC_KEY), store.get(ENCRYPTION_KEY)
        if not hmac_hex or not enc_hex:
            missing = [n for n, v in ((HMAC_KEY, hmac_hex), (ENCRYPTION_KEY, enc_hex)) if not v]
            raise KeysMissing(f"missing in {store.label}: {', '.join(missing)}")
        try:
            ring = cls(bytes.fromhex(hmac_hex), bytes.fromhex(enc_hex))
        except ValueError as error:
            raise KeysMissing(f"unreadable key in {store.label}") from error
        if len(ring.hmac_key) != KEY_SIZE or len(ring.encryption_key) != KEY_SIZE:
            raise KeysMissing(f"key of the wrong size in {store.label}")
        return ring

    @classmethod
    def generate(cls) -> KeyRing:
        """Two fresh random keys (only on purpose: a new agency, a test, a demo)."""
        return cls(os.urandom(KEY_SIZE), os.urandom(KEY_SIZE))

    def save(self, store: SecretStore) -> None:
        """Write both keys to the store (hex-encoded there)."""
        store.set(HMAC_KEY, self.hmac_key.hex())
        store.set(ENCRYPTION_KEY, self.encryption_key.hex())

    @property
    def hmac_id(self) -> str:
        """Id of the HMAC key."""
        return key_id("hmac", self.hmac_key)

    @property
    def encryption_id(self) -> str:
        """Id of the encryption key."""
        return key_id("encryption", self.encryption_key)

    @property
    def ids(self) -> dict[str, str]:
        """Both key ids, as the database records them."""
        return {"hmac": self.hmac_id, "encryption": self.encryption_id}

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

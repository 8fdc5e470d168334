"""The agency's key bundle: both keys, encrypted with a passphrase, to move to another counter.

scrypt (memory-hard, from ``cryptography``) derives a 256-bit key from the passphrase;
AES-256-GCM encrypts the keys and authenticates the readable header (format, KDF
parameters, key ids). No home-made cryptography.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.domain.errors import UserFacingError
from app.domain.i18n import N_
from app.services.keys import KeyRing

FORMAT = "loket-key-bundle"
VERSION = 1
MIN_PASSPHRASE = 12
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # 32 MiB, about 0.1 s per try
_MAX_N = 2**20


class BundleError(UserFacingError):
    """The bundle cannot be read."""

    msgid = N_("The file is not a Loket KTP-el key bundle, or it is damaged.")


class BundlePassphraseWrong(BundleError):
    """Wrong passphrase (or a changed file: GCM cannot tell which)."""

    msgid = N_("The passphrase does not open this key bundle (or the file was changed).")


class PassphraseTooShort(UserFacingError):
    """Export needs a passphrase that resists guessing."""

    msgid = N_("The passphrase must have at least 12 characters.")


class PassphrasesDiffer(UserFacingError):
    """The passphrase was typed differently the second time."""

    msgid = N_("The two passphrases differ; nothing was written.")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise BundleError("field is not base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as error:
        raise BundleError("field is not base64") from error


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _aad(header: dict[str, object]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def export_bundle(ring: KeyRing, passphrase: str, *, agency: str = "") -> bytes:
    """The bundle file's bytes (JSON), keys encrypted under ``passphrase``."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseTooShort(f"{len(passphrase)} characters")
    salt, nonce = os.urandom(16), os.urandom(12)
    header: dict[str, object] = {
        "format": FORMAT,
        "version": VERSION,
        "agency": agency,
        "key_ids": ring.ids,
        "kdf": {"name": "scrypt", "salt": _b64(salt), **_SCRYPT},
        "aead": "AES-256-GCM",
    }
    secret = json.dumps({"hmac": ring.hmac_key.hex(), "encryption": ring.encryption_key.hex()})
    key = _derive(passphrase, salt, _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"])
    body = AESGCM(key).encrypt(nonce, secret.encode(), _aad(header))
    bundle = {**header, "nonce": _b64(nonce), "ciphertext": _b64(body)}
    return (json.dumps(bundle, indent=2, sort_keys=True) + "\n").encode()


def bundle_key_ids(data: bytes) -> dict[str, str]:
    """The key ids a bundle states (readable without the passphrase)."""
    header = _header(_load(data))
    ids = header.get("key_ids")
    if not isinstance(ids, dict):
        raise BundleError("no key ids")
    return {str(k): str(v) for k, v in ids.items()}


def _load(data: bytes) -> dict[str, object]:
    try:
        bundle = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BundleError("not JSON") from error
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise BundleError("not a key bundle")
    if bundle.get("version") != VERSION:
        raise BundleError(f"unknown bundle version {bundle.get('version')!r}")
    return bundle


def _header(bundle: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in bundle.items() if k not in ("nonce", "ciphertext")}


def import_bundle(data: bytes, passphrase: str) -> KeyRing:
    """The keys in a bundle; :class:`BundlePassphraseWrong` or :class:`BundleError`."""
    bundle = _load(data)
    header = _header(bundle)
    kdf = header.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
        raise BundleError("unknown key derivation")
    try:
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
    except (KeyError, TypeError, ValueError) as error:
        raise BundleError("bad scrypt parameters") from error
    if not (2 <= n <= _MAX_N and 1 <= r <= 32 and 1 <= p <= 16):
        raise BundleError("scrypt parameters out of range")
    key = _derive(passphrase, _unb64(kdf.get("salt")), n, r, p)
    try:
        plain = AESGCM(key).decrypt(
            _unb64(bundle.get("nonce")), _unb64(bundle.get("ciphertext")), _aad(header)
        )
    except InvalidTag as error:
        raise BundlePassphraseWrong("AES-GCM tag mismatch") from error
    secret = json.loads(plain)
    ring = KeyRing(bytes.fromhex(secret["hmac"]), bytes.fromhex(secret["encryption"]))
    if ring.ids != bundle_key_ids(data):
        raise BundleError("key ids do not match the keys")
    return ring

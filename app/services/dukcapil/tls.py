"""TLS to the gateway, pinned to the certificate the administrator imported.

The context trusts only that certificate (as its own trust anchor), and every handshake is
also checked against its SHA-256 fingerprint before the socket is handed back, so no byte of
the request (credentials included) is written to a server that presents anything else.
Hostname checking is off because the gateways are addressed by IP; there is no switch that
turns verification off.
"""

from __future__ import annotations

import hashlib
import hmac
import ssl

from app.services.dukcapil.config import GatewayConfigError, normalise_sha256


class PinMismatchError(ssl.SSLCertVerificationError):
    """The server's certificate is not the pinned one."""


class _PinnedSocket(ssl.SSLSocket):
    """An SSLSocket that compares the peer certificate with the pin right after the handshake."""

    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        context = self.context
        expected = getattr(context, "pinned_sha256", None)
        der = self.getpeercert(binary_form=True)
        actual = hashlib.sha256(der).hexdigest() if der else ""
        if not isinstance(expected, str) or not hmac.compare_digest(actual, expected):
            self.close()
            raise PinMismatchError("the server certificate does not match the pinned one")


class PinnedContext(ssl.SSLContext):
    """A client SSLContext whose sockets enforce the SHA-256 pin."""

    sslsocket_class = _PinnedSocket
    pinned_sha256: str

    def __new__(cls, pinned_sha256: str) -> PinnedContext:
        return super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)

    def __init__(self, pinned_sha256: str) -> None:
        self.pinned_sha256 = pinned_sha256


def certificate_sha256(pem: str) -> str:
    """SHA-256 fingerprint (lower-case hex) of a PEM certificate."""
    try:
        der = ssl.PEM_cert_to_DER_cert(pem.strip())
    except (ValueError, IndexError) as exc:
        raise GatewayConfigError("the imported gateway certificate is not PEM") from exc
    return hashlib.sha256(der).hexdigest()


def pinned_context(cert_pem: str, sha256: str | None = None) -> PinnedContext:
    """A context that trusts only ``cert_pem``; ``sha256``, if given, must be its fingerprint."""
    fingerprint = certificate_sha256(cert_pem)
    if sha256 is not None and normalise_sha256(sha256) != fingerprint:
        raise GatewayConfigError("the certificate pin does not match the imported certificate")
    context = PinnedContext(fingerprint)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False  # gateways are addressed by IP; the pin identifies them
    context.verify_mode = ssl.CERT_REQUIRED
    # Python >= 3.13 sets X509_STRICT, which self-signed gateway certificates fail; the imported
    # leaf itself is the trust anchor (partial chain), so no CA is involved.
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    try:
        context.load_verify_locations(cadata=cert_pem.strip())
    except ssl.SSLError as exc:
        raise GatewayConfigError("the imported gateway certificate cannot be loaded") from exc
    return context


def caused_by_tls(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is a TLS failure: a handshake, certificate or pin."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False

"""Doctor checks of an endpoint (gateway, data balikan): certificate, pinned TLS, reachability
and the clock against the server's ``Date`` header. No credentials are sent: a bare GET of the
base URL proves the route, the TLS pin and the clock."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from app.domain.i18n import _
from app.services.doctor import Check, error, ok, warning
from app.services.dukcapil.config import GatewayConfigError
from app.services.dukcapil.tls import PinMismatchError, pinned_context

#: Clock skew that makes a warning / an error (TLS and signed requests fail past minutes).
SKEW_WARNING_S = 60.0
SKEW_ERROR_S = 300.0
#: A certificate this close to its expiry makes a warning.
EXPIRY_WARNING_DAYS = 30


def certificate_check(name: str, cert_file: str, now: datetime) -> tuple[str | None, Check]:
    """The imported certificate (PEM text, or None) and its expiry line."""
    from cryptography import x509

    if not cert_file:
        return None, error(
            f"{name}.certificate",
            _("no certificate imported"),
            _("Import the certificate Dukcapil gave (certificate_file in the administrator file)."),
        )
    try:
        pem = Path(cert_file).read_text(encoding="ascii")
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (OSError, ValueError):
        return None, error(
            f"{name}.certificate",
            _("{path} cannot be read as a PEM certificate").format(path=cert_file),
            _("Import the certificate again (PEM file from Dukcapil)."),
        )
    expires = certificate.not_valid_after_utc
    days = (expires - now).days
    found = _("{path}, valid until {date}").format(path=cert_file, date=f"{expires:%Y-%m-%d}")
    if expires <= now:
        return pem, error(
            f"{name}.certificate",
            found + " — " + _("expired"),
            _("Ask Dukcapil for the renewed server certificate and import it."),
        )
    if days < EXPIRY_WARNING_DAYS:
        return pem, warning(
            f"{name}.certificate",
            found + " — " + _("expires in {days} days").format(days=days),
            _("Ask Dukcapil for the renewed server certificate before it expires."),
        )
    return pem, ok(f"{name}.certificate", found)


def _ssl_cause(failure: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = failure
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _tls_failure(name: str, failure: BaseException) -> Check:
    cause = _ssl_cause(failure)
    if isinstance(cause, PinMismatchError):
        reason = "pin"
    elif isinstance(cause, ssl.SSLCertVerificationError):
        reason = "expired" if "expired" in str(cause.verify_message) else "pin"
    else:
        reason = "handshake"
    if reason == "expired":
        return error(
            name,
            _("the server's certificate has expired; no request was sent"),
            _("Dukcapil must renew the server certificate; then import the new one."),
        )
    if reason == "pin":
        return error(
            name,
            _("the server's certificate is not the imported one (TLS pin); nothing was sent"),
            _(
                "Check the address; if Dukcapil changed the certificate, import the new one "
                "and its fingerprint (certificate_sha256)."
            ),
        )
    return error(
        name,
        _("the TLS handshake failed"),
        _("Check the address and port, and that the server speaks HTTPS."),
    )


def probe_endpoint(
    name: str,
    base_url: str,
    *,
    cert_file: str,
    cert_sha256: str,
    allow_plain_http: bool,
    now: Callable[[], datetime],
    timeout: float = 5.0,
) -> list[Check]:
    """Certificate, reachability over the pinned TLS, and clock skew of one endpoint."""
    if not base_url:
        return [
            error(
                name,
                _("no address configured"),
                _("Enter base_url in the administrator file."),
            )
        ]
    checks: list[Check] = []
    verify: ssl.SSLContext | bool = False
    if base_url.startswith("https://"):
        pem, cert_line = certificate_check(name, cert_file, now())
        checks.append(cert_line)
        if pem is None:
            return checks
        try:
            verify = pinned_context(pem, cert_sha256 or None)
        except GatewayConfigError as failure:
            checks.append(
                error(
                    name,
                    str(failure),
                    _("Import the certificate and its fingerprint again, from the same file."),
                )
            )
            return checks
    elif not allow_plain_http:
        checks.append(error(name, _("plain http is not allowed"), _("Use the https address.")))
        return checks
    started = time.perf_counter()
    try:
        with httpx.Client(verify=verify, timeout=timeout, trust_env=False) as client:
            response = client.get(base_url.rstrip("/") + "/")
    except httpx.TimeoutException:
        checks.append(
            error(
                name,
                _("no answer within {s} s").format(s=int(timeout)),
                _("Check the VPN / closed network link and the route to the server."),
            )
        )
        return checks
    except httpx.HTTPError as failure:
        if _ssl_cause(failure) is not None:
            checks.append(_tls_failure(name, failure))
        else:
            checks.append(
                error(
                    name,
                    _("not reachable ({kind})").format(kind=type(failure).__name__),
                    _("Check the VPN / closed network link, the address and the port."),
                )
            )
        return checks
    elapsed_ms = (time.perf_counter() - started) * 1000
    secure = _("pinned TLS") if verify else _("plain http, not encrypted")
    found = _("reachable over {secure} (HTTP {status}, {ms} ms)").format(
        secure=secure, status=response.status_code, ms=int(elapsed_ms)
    )
    checks.append(ok(name, found) if verify else warning(name, found, _("Use https.")))
    checks.append(clock_check(f"{name}.clock", response.headers.get("date"), now()))
    return checks


def clock_check(name: str, date_header: str | None, now: datetime) -> Check:
    """This PC's clock against the server's ``Date`` header."""
    if not date_header:
        return warning(name, _("the server sent no Date header"), _("Check the clock by hand."))
    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return warning(
            name, _("the server's Date header is unreadable"), _("Check the clock by hand.")
        )
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    skew = (now - server).total_seconds()
    found = _("this PC's clock is {s} s off the server's").format(s=f"{skew:+.0f}")
    if abs(skew) >= SKEW_ERROR_S:
        return error(name, found, _("Set the clock (enable time synchronisation, NTP)."))
    if abs(skew) >= SKEW_WARNING_S:
        return warning(name, found, _("Enable time synchronisation (NTP)."))
    return ok(name, found)

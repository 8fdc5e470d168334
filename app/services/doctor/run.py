"""Run every doctor check in order; nothing here changes the counter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.domain.i18n import _
from app.services.access import grants_or_fallback
from app.services.doctor import Check, DoctorReport, ReaderProbe, error, ok, utc_now
from app.services.doctor.access import access_grants
from app.services.doctor.local import (
    admin_file,
    agreement_term,
    migration_level,
    open_database,
    quota_today,
    secret_store,
    versions,
)
from app.services.doctor.network import probe_endpoint
from app.services.persistence.db import default_database_path, sqlite_url
from app.services.secrets import SecretStore
from app.services.settings import Settings


def network_checks(settings: Settings, now: Callable[[], datetime]) -> list[Check]:
    """The gateway (web service only) and the data balikan endpoint (web service delivery)."""
    checks: list[Check] = []
    gateway = settings.gateway
    if settings.is_demo:
        checks.append(ok("gateway", _("demo mode: the built-in simulator answers")))
    elif not grants_or_fallback(settings).uses_web_service:
        checks.append(ok("gateway", _("web portal (assisted): the app does not call the gateway")))
    else:
        checks += probe_endpoint(
            "gateway",
            gateway.base_url,
            cert_file=gateway.certificate_file,
            cert_sha256=gateway.certificate_sha256,
            allow_plain_http=gateway.allow_plain_http,
            now=now,
        )
    balikan = settings.balikan
    if settings.is_demo:
        checks.append(ok("balikan", _("demo mode: data balikan goes to the simulator")))
    elif balikan.delivery != "web_service":
        checks.append(ok("balikan", _("delivered as exported files (CSV/XLSX)")))
        return checks
    else:
        checks += probe_endpoint(
            "balikan",
            balikan.base_url,
            cert_file=balikan.certificate_file,
            cert_sha256=balikan.certificate_sha256,
            allow_plain_http=balikan.allow_plain_http,
            now=now,
        )
    checks.append(sender_settings(settings))
    return checks


def sender_settings(settings: Settings) -> Check:
    """How the data balikan sender uses the link (the administrator file's settings)."""
    balikan = settings.balikan
    if balikan.body_shape == "batch":
        shape = _("up to {count} items per request (JSON batch)").format(count=balikan.batch_size)
    else:
        shape = _("one item per request (form)")
    found = _(
        "{shape}; up to {in_flight} requests in flight; at most {share:.0%} of a "
        "{kbps:g} kbit/s link while no lookup runs; {timeout:g} s per request"
    ).format(
        shape=shape,
        in_flight=balikan.max_in_flight,
        share=balikan.link_share,
        kbps=balikan.link_kbps,
        timeout=balikan.timeout,
    )
    return ok("balikan.sender", found)


def run_doctor(
    settings: Settings,
    secrets: SecretStore,
    *,
    admin_path: Path,
    reader_probe: ReaderProbe | None = None,
    now: Callable[[], datetime] = utc_now,
    database_url: str | None = None,
) -> DoctorReport:
    """Diagnose the counter: every line ok / warning / error, no secret, no population data."""
    report = DoctorReport()
    report.extend([versions(), admin_file(settings, admin_path)])
    report.extend(secret_store(settings, secrets))
    url = database_url or settings.database_url or sqlite_url(default_database_path())
    engine, lines = open_database(url)
    report.extend(lines)
    today = now().astimezone().date()
    if engine is not None:
        try:
            report.extend([migration_level(engine), quota_today(engine, settings, today)])
        except Exception as failure:  # an old or foreign schema: say so, do not crash
            report.extend(
                [
                    error(
                        "migration",
                        _("the schema cannot be read ({kind})").format(kind=type(failure).__name__),
                        _("As administrator: loket db upgrade (a backup is taken first)."),
                    )
                ]
            )
        finally:
            engine.dispose()
    report.extend(network_checks(settings, now))
    if reader_probe is not None:
        report.extend(reader_probe())
    report.extend([agreement_term(settings, today), access_grants(settings)])
    return report

"""loket doctor against a real simulator server: healthy, wrong pin, expired certificate,
skewed clock, no database, no reader; never a secret in the output."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.doctor_reader import reader_checks
from app.reader.config import ReaderConfig
from app.reader.errors import ServiceUnavailable
from app.services.doctor import Check, DoctorReport, Status
from app.services.doctor.run import run_doctor
from app.services.persistence.db import create_db_engine, upgrade_database
from app.services.secrets import MemorySecretStore
from app.services.settings import Settings, settings_from_dicts
from app.services.simulator.certs import SelfSignedCert, make_self_signed
from app.services.simulator.server import RunningSimulator, start_simulator

SECRETS = {
    "key.hmac": "aa" * 32,
    "key.encryption": "bb" * 32,
    "gateway.user_id": "USER-CANARY-7731",
    "gateway.password": "PASSWORD-CANARY-7731",
}


def expired_cert() -> SelfSignedCert:
    """A self-signed certificate for 127.0.0.1 that expired yesterday."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired gateway")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=400))
        .not_valid_after(now - timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return SelfSignedCert(
        cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii"),
    )


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    running = start_simulator(mode="test", tls=True)
    yield running
    running.stop()


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite+pysqlite:///{tmp_path / 'loket.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return url


def counter(tmp_path: Path, base_url: str, cert_pem: str, **gateway: str) -> tuple[Settings, Path]:
    cert_file = tmp_path / "gateway.pem"
    cert_file.write_text(cert_pem, encoding="ascii")
    admin = tmp_path / "loket.toml"
    admin.write_text("# administrator file\n", encoding="utf-8")
    os.chmod(admin, 0o644)
    settings = settings_from_dicts(
        {
            "mode": "production",
            "counter_id": "LOKET-7",
            "agency": {"id_lembaga": "330301", "name": "Dinas Contoh"},
            "agreement": {
                "access_method": "web_service",
                "poc_letter_number": "470/PoC/2026",
                "poc_letter_date": datetime.now().date() - timedelta(days=60),
                "start": datetime.now().date() - timedelta(days=30),
                "end": datetime.now().date() + timedelta(days=400),
            },
            "gateway": {"base_url": base_url, "certificate_file": str(cert_file), **gateway},
            "balikan": {"delivery": "file"},
        }
    )
    return settings, admin


def by_name(report: DoctorReport) -> dict[str, Check]:
    return {check.name: check for check in report.checks}


def doctor(settings: Settings, admin: Path, url: str, **kwargs: object) -> DoctorReport:
    return run_doctor(
        settings,
        MemorySecretStore(SECRETS),
        admin_path=admin,
        database_url=url,
        **kwargs,  # type: ignore[arg-type]
    )


def test_healthy_counter_is_all_ok_and_shows_no_secret(
    simulator: RunningSimulator, database: str, tmp_path: Path
) -> None:
    assert simulator.cert is not None
    settings, admin = counter(
        tmp_path,
        simulator.base_url,
        simulator.cert.cert_pem,
        certificate_sha256=simulator.cert.sha256,
    )
    report = doctor(settings, admin, database)
    lines = by_name(report)
    assert report.worst is Status.OK, report.to_text()
    assert "pinned TLS" in lines["gateway"].found
    assert lines["gateway.clock"].status is Status.OK
    assert lines["migration"].status is Status.OK
    assert lines["quota"].found.startswith("0 of 200 hits used today")
    assert lines["balikan"].status is Status.OK
    output = report.to_json() + report.to_text()
    for value in SECRETS.values():
        assert value not in output
    assert json.loads(report.to_json())["status"] == "ok"


def test_wrong_pin_is_an_error_and_nothing_is_sent(
    simulator: RunningSimulator, database: str, tmp_path: Path
) -> None:
    other = make_self_signed()  # the administrator imported some other certificate
    settings, admin = counter(tmp_path, simulator.base_url, other.cert_pem)
    lines = by_name(doctor(settings, admin, database))
    assert lines["gateway"].status is Status.ERROR
    assert "TLS pin" in lines["gateway"].found
    assert "gateway.clock" not in lines
    assert simulator.simulator.hits_today() == 0
    assert simulator.cert is not None
    mismatch, admin = counter(
        tmp_path, simulator.base_url, simulator.cert.cert_pem, certificate_sha256="ab" * 32
    )
    assert by_name(doctor(mismatch, admin, database))["gateway"].status is Status.ERROR


def test_expired_certificate(database: str, tmp_path: Path) -> None:
    cert = expired_cert()
    with start_simulator(mode="test", tls=True, cert=cert) as running:
        settings, admin = counter(tmp_path, running.base_url, cert.cert_pem)
        lines = by_name(doctor(settings, admin, database))
    assert lines["gateway.certificate"].status is Status.ERROR
    assert "expired" in lines["gateway.certificate"].found
    assert lines["gateway"].status is Status.ERROR
    assert "expired" in lines["gateway"].found


def test_skewed_clock(simulator: RunningSimulator, database: str, tmp_path: Path) -> None:
    assert simulator.cert is not None
    settings, admin = counter(tmp_path, simulator.base_url, simulator.cert.cert_pem)
    ahead = lambda: datetime.now(UTC) + timedelta(minutes=10)  # noqa: E731
    line = by_name(doctor(settings, admin, database, now=ahead))["gateway.clock"]
    assert line.status is Status.ERROR
    assert "+6" in line.found  # about +600 s
    assert "NTP" in line.action


def test_no_database_and_unreachable_gateway(tmp_path: Path) -> None:
    settings, admin = counter(tmp_path, "https://127.0.0.1:9", make_self_signed().cert_pem)
    missing = tmp_path / "gone" / "loket.sqlite3"
    report = doctor(settings, admin, f"sqlite+pysqlite:///{missing}")
    lines = by_name(report)
    assert lines["database"].status is Status.ERROR
    assert "no database file" in lines["database"].found
    assert not missing.exists()  # the doctor creates nothing
    assert lines["gateway"].status is Status.ERROR
    assert "migration" not in lines
    assert report.worst is Status.ERROR


def test_admin_file_writable_by_others_and_missing_secret(database: str, tmp_path: Path) -> None:
    settings, admin = counter(tmp_path, "https://127.0.0.1:9", make_self_signed().cert_pem)
    os.chmod(admin, 0o666)
    report = run_doctor(
        settings,
        MemorySecretStore({k: v for k, v in SECRETS.items() if k != "gateway.password"}),
        admin_path=admin,
        database_url=database,
    )
    lines = by_name(report)
    assert lines["admin_file"].status is Status.ERROR
    assert "chmod 644" in lines["admin_file"].action
    assert lines["secrets"].found == "not set: gateway.password"


def test_no_reader() -> None:
    def no_service() -> int:
        raise ServiceUnavailable("SCardEstablishContext: no service")

    down = reader_checks(ReaderConfig(), establish=no_service)
    assert [(c.name, c.status) for c in down] == [("reader", Status.ERROR)]
    assert "not running" in down[0].found
    empty = reader_checks(ReaderConfig(), establish=lambda: 1, readers=lambda context: [])
    assert [(c.name, c.status, c.found) for c in empty] == [
        ("reader", Status.ERROR, "no reader connected")
    ]


def test_the_sender_line_states_the_link_settings_of_the_administrator_file() -> None:
    from app.services.doctor.run import sender_settings

    settings = settings_from_dicts(
        {
            "mode": "demo",
            "balikan": {
                "body_shape": "batch",
                "batch_size": 40,
                "max_in_flight": 6,
                "link_share": 0.9,
                "link_kbps": 512,
                "timeout": 20,
            },
        }
    )
    line = sender_settings(settings)
    assert line.status is Status.OK and line.name == "balikan.sender"
    assert line.found == (
        "up to 40 items per request (JSON batch); up to 6 requests in flight; at most 90% of "
        "a 512 kbit/s link while no lookup runs; 20 s per request"
    )
    form = sender_settings(settings_from_dicts({"mode": "demo"}))
    assert form.found.startswith("one item per request (form); up to 32 requests in flight")


def test_file_delivery_has_no_sender_line(database: str, tmp_path: Path) -> None:
    settings, admin = counter(tmp_path, "https://127.0.0.1:9", "")
    assert "balikan.sender" not in by_name(doctor(settings, admin, database))

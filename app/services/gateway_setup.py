"""Build the gateway port from settings and secrets (production) or the simulator (demo)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.resource_files import resources_dir
from app.services.access import grants_of
from app.services.dukcapil import (
    DukcapilClient,
    GatewayConfig,
    GatewayCredentials,
    GatewayTimeouts,
    load_profile,
)
from app.services.dukcapil.port_adapter import ClientGateway
from app.services.secrets import GATEWAY_PASSWORD, GATEWAY_USER, SecretStore, require
from app.services.settings import Settings
from app.services.settings_checks import grants_problem

if TYPE_CHECKING:
    from app.services.simulator import GatewaySimulator  # the demo's only: loaded there

SIMULATOR_BASE_URL = "http://simulator.demo:8000"


class GatewaySetupError(RuntimeError):
    """The gateway cannot be configured from the settings (message names what is missing)."""


def demo_simulator(settings: Settings) -> GatewaySimulator:
    """The in-process simulator for demo mode (refuses production itself)."""
    from app.services.simulator import GatewaySimulator, SimulatorConfig

    return GatewaySimulator(
        SimulatorConfig(daily_quota=settings.quota.daily_limit), mode=settings.mode
    )


def build_gateway(
    settings: Settings, secrets: SecretStore, simulator: GatewaySimulator | None = None
) -> ClientGateway | None:
    """The client behind the case service, or None in web-portal mode (R-24)."""
    # every profile (shipped and the administrator's) is validated here, at start, in any mode
    profile = load_profile(resources_dir(), settings.agreement.profile)
    grants = grants_of(profile, settings.agreement.access_method)
    problem = grants_problem(settings, grants)
    if problem:
        raise GatewaySetupError(problem)
    if not grants.uses_web_service:
        return None
    gateway = settings.gateway
    timeouts = GatewayTimeouts(connect=gateway.connect_timeout, read=gateway.read_timeout)
    if simulator is not None:
        account = simulator.config.account
        config = GatewayConfig(
            base_url=SIMULATOR_BASE_URL,
            consumer_id=account.consumer_id,
            allow_plain_http=True,
            timeouts=timeouts,
            key_style="default",
        )
        credentials = GatewayCredentials(account.user_id, account.password, account.ip_user)
        # the simulator's transport (and httpx) are made when the first query is sent
        client = DukcapilClient(config, credentials, profile, transport=simulator.transport)
        return ClientGateway(client)
    if not gateway.base_url:
        raise GatewaySetupError("gateway.base_url is not set")
    pem: str | None = None
    if gateway.certificate_file:
        try:
            pem = Path(gateway.certificate_file).read_text(encoding="ascii")
        except OSError as error:
            raise GatewaySetupError(
                f"gateway.certificate_file cannot be read ({error.strerror})"
            ) from error
    config = GatewayConfig(
        base_url=gateway.base_url,
        layout="regional" if gateway.layout == "regional" else "consumer",
        consumer_id=gateway.consumer_id,
        region_code=gateway.region_code,
        instansi=gateway.instansi,
        lookup_method=gateway.lookup_method,
        verify_method=gateway.verify_method,
        key_style=gateway.key_style,  # type: ignore[arg-type]
        verify_key_style=gateway.verify_key_style,  # type: ignore[arg-type]
        timeouts=timeouts,
        pinned_cert_pem=pem,
        pinned_sha256=gateway.certificate_sha256 or None,
        allow_plain_http=gateway.allow_plain_http,
    )
    credentials = GatewayCredentials(
        require(secrets, GATEWAY_USER), require(secrets, GATEWAY_PASSWORD), gateway.ip_user
    )
    return ClientGateway(DukcapilClient(config, credentials, profile))

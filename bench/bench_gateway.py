"""Client overhead: verdict latency over the raw HTTP round trip, on a shaped link.

The simulator runs on a real TLS socket with 80 ms latency and 1 Mbps. "Raw" is a bare httpx
POST of the same body over the same pinned TLS setup, reading the bytes; "client" is the full
DukcapilClient call (encode, send, decode, classify, filter, guidance). Target: ratio <= 1.2.

Run from the repository root: ``python bench/bench_gateway.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from app.domain.resource_files import resources_dir
from app.services.dukcapil import (
    DukcapilClient,
    GatewayConfig,
    GatewayCredentials,
    load_profiles,
)
from app.services.dukcapil.tls import pinned_context
from app.services.simulator import (
    FaultPlan,
    LinkShape,
    SimulatorConfig,
    build_population,
    start_simulator,
)

TARGET = 1.2


def _median_seconds(call: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    """Measure and print the ratios; exit 1 if one is above the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)

    config = SimulatorConfig(daily_quota=None)
    account = config.account
    person = build_population().get(build_population().examples()["found"])
    assert person is not None
    profiles = load_profiles(resources_dir())
    credentials = GatewayCredentials(account.user_id, account.password, account.ip_user)
    faults = FaultPlan(LinkShape(latency_ms=80, bandwidth_kbps=1000))

    with start_simulator(config, mode="demo", tls=True, faults=faults) as running:
        assert running.cert is not None
        gateway = GatewayConfig(
            base_url=running.base_url,
            consumer_id=account.consumer_id,
            pinned_cert_pem=running.cert.cert_pem,
        )
        elements = {"NAMA_LGKP": person.name, "TGL_LHR": person.birth_date.strftime("%d-%m-%Y")}
        verify_body = json.dumps(
            {
                "NIK": person.nik,
                "USER_ID": account.user_id,
                "PASSWORD": account.password,
                "IP_USER": account.ip_user,
                "TRESHOLD": "90",
                **elements,
            }
        ).encode()
        lookup_body = json.dumps(
            {
                "nik": person.nik,
                "user_id": account.user_id,
                "password": account.password,
                "IP_USER": account.ip_user,
            }
        ).encode()
        raw_http = httpx.Client(verify=pinned_context(running.cert.cert_pem), trust_env=False)
        verifier = DukcapilClient(gateway, credentials, profiles["verify-only"])
        looker = DukcapilClient(gateway, credentials, profiles["purbalingga-8"])
        headers = {"Content-Type": "application/json"}

        def raw(method: str, body: bytes) -> Callable[[], object]:
            url = gateway.url_for(method)
            return lambda: raw_http.post(url, content=body, headers=headers).content

        cases = {
            "verdict (verify by element)": (
                raw(gateway.verify_method, verify_body),
                lambda: verifier.verify(person.nik, elements),
            ),
            "lookup (filtered record)": (
                raw(gateway.lookup_method, lookup_body),
                lambda: looker.lookup(person.nik),
            ),
        }
        worst = 0.0
        print(f"link: 80 ms latency, 1 Mbps, TLS pinned; {args.rounds} rounds each (median)")
        for name, (raw_call, client_call) in cases.items():
            raw_call()
            client_call()  # warm up both connections
            raw_s = _median_seconds(raw_call, args.rounds)
            client_s = _median_seconds(client_call, args.rounds)
            ratio = client_s / raw_s
            worst = max(worst, ratio)
            print(
                f"{name}: raw {raw_s * 1000:.1f} ms, client {client_s * 1000:.1f} ms, "
                f"ratio {ratio:.3f}"
            )
        raw_http.close()
        verifier.close()
        looker.close()
    verdict = "OK" if worst <= TARGET else "ABOVE TARGET"
    print(f"ratio {worst:.3f} (target <= {TARGET}) {verdict}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

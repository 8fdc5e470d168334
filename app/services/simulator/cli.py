"""``loket simulator``: serve the gateway simulator on a socket (demo mode only)."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from app.services.simulator.app import (
    DIALECTS,
    SimulatorConfig,
    SimulatorRefusedError,
    ensure_simulator_allowed,
)
from app.services.simulator.faults import Fault, FaultPlan, LinkShape
from app.services.simulator.population import build_population
from app.services.simulator.server import start_simulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loket simulator", description="Serve a simulated Dukcapil gateway (demo only)."
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tls", action="store_true", help="HTTPS with a new self-signed cert")
    parser.add_argument("--cert-out", type=Path, help="write the TLS certificate (PEM) here")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--bandwidth-kbps", type=float, default=None)
    parser.add_argument(
        "--fault", choices=[f.value for f in Fault], help="break every answer this way"
    )
    parser.add_argument("--dialect", choices=sorted(DIALECTS), default="modern")
    parser.add_argument("--quota", type=int, default=200, help="daily quota (0: unlimited)")
    parser.add_argument("--seed", type=int, default=SimulatorConfig.seed)
    parser.add_argument("--mode", choices=["demo", "production"], help="the application mode")
    return parser


def run_simulator_cli(argv: list[str], *, mode: str | None = None) -> int:
    """Run until interrupted; ``mode`` (or ``--mode``) must be demo, else it refuses."""
    args = _parser().parse_args(argv)
    try:
        ensure_simulator_allowed(mode or args.mode or "unset")
    except SimulatorRefusedError as exc:
        print(f"loket simulator: {exc}", file=sys.stderr)
        return 2
    config = SimulatorConfig(seed=args.seed, dialect=args.dialect, daily_quota=args.quota or None)
    faults = FaultPlan(
        LinkShape(args.latency_ms, args.bandwidth_kbps),
        always=Fault(args.fault) if args.fault else None,
    )
    running = start_simulator(
        config, mode="demo", host=args.host, port=args.port, tls=args.tls, faults=faults
    )
    account = config.account
    print(f"Gateway simulator on {running.base_url} (demo data only)")
    print(
        f"  consumer id {account.consumer_id}, user {account.user_id}, "
        f"password {account.password}, IP_USER {account.ip_user}"
    )
    if running.cert is not None:
        print(f"  certificate SHA-256 {running.cert.sha256}")
        if args.cert_out:
            args.cert_out.write_text(running.cert.cert_pem, encoding="ascii")
            print(f"  certificate written to {args.cert_out}")
    for outcome, nik in build_population(args.seed, config.population_size).examples().items():
        print(f"  {outcome:<15} {nik}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return 0

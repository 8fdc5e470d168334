"""``loket simulator``: serve the gateway simulator on a socket (demo mode only), and
``loket simulator receipts --record DIR``: summarise the data balikan deliveries recorded."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from app.services.safe_output import OutputRefused, check_output, write_output
from app.services.simulator.app import (
    DIALECTS,
    IP_POLICIES,
    BalikanSetup,
    SimulatorAccount,
    SimulatorConfig,
    SimulatorRefusedError,
    ensure_simulator_allowed,
)
from app.services.simulator.faults import Fault, FaultPlan, LinkShape
from app.services.simulator.population import build_population
from app.services.simulator.record import RECEIPTS_FILE, REQUESTS_FILE, summarise_records
from app.services.simulator.server import RunningSimulator, start_simulator
from app.services.simulator.wire import DEFAULT_DIALECTS

_ACCOUNT = SimulatorAccount()
_BALIKAN = BalikanSetup()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loket simulator",
        description="Serve a simulated Dukcapil gateway and data balikan service (demo only).",
        epilog="Summarise recorded deliveries with: loket simulator receipts --record DIR",
    )
    net = parser.add_argument_group("network")
    net.add_argument("--port", type=int, default=8000, help="TCP port (0: any free port)")
    net.add_argument("--host", default="127.0.0.1", help="address to listen on")
    net.add_argument("--tls", action="store_true", help="HTTPS with a new self-signed cert")
    net.add_argument("--cert-out", type=Path, help="write the TLS certificate (PEM) here")
    net.add_argument("--latency-ms", type=float, default=0.0, help="added round-trip latency")
    net.add_argument(
        "--bandwidth-kbps", type=float, default=None, help="link bandwidth cap (kbit/s)"
    )
    net.add_argument(
        "--fault", choices=[f.value for f in Fault], help="break every answer this way"
    )

    account = parser.add_argument_group("account (what the gateway has registered)")
    account.add_argument("--consumer-id", default=_ACCOUNT.consumer_id, help="consumer id path")
    account.add_argument("--user", default=_ACCOUNT.user_id, help="USER_ID")
    account.add_argument("--password", default=_ACCOUNT.password, help="PASSWORD")
    account.add_argument("--ip", default=_ACCOUNT.ip_user, help="registered IP_USER")
    account.add_argument(
        "--region", default=_ACCOUNT.region_code, help="region code of the old layout (33-03)"
    )
    account.add_argument(
        "--instansi", default=_ACCOUNT.instansi, help="instansi segment of the old layout"
    )
    account.add_argument(
        "--quota", type=int, default=200, help="the account's daily hits (0: unlimited)"
    )
    account.add_argument(
        "--extra-account",
        action="append",
        default=[],
        metavar="SPEC",
        help="a further account, repeatable: consumer=ID,user=U,password=P[,ip=IP]"
        "[,region=R,instansi=I][,quota=N] (quota 0: unlimited; default 200)",
    )
    account.add_argument(
        "--ip-policy",
        choices=IP_POLICIES,
        default=SimulatorConfig.ip_policy,
        help="IP_USER check: exact value, any value, or absent allowed (default)",
    )
    account.add_argument(
        "--any-case-paths",
        action="store_true",
        help="accept the consumer/region/instansi path segments in any case",
    )

    wire = parser.add_argument_group("answers")
    dialects = sorted(DIALECTS)
    wire.add_argument("--dialect", choices=dialects, help="dialect of both services")
    wire.add_argument(
        "--lookup-dialect",
        choices=dialects,
        help=f"dialect of lookup answers (default {DEFAULT_DIALECTS['lookup']})",
    )
    wire.add_argument(
        "--verify-dialect",
        choices=dialects,
        help=f"dialect of verify answers (default {DEFAULT_DIALECTS['verify']})",
    )
    wire.add_argument("--seed", type=int, default=SimulatorConfig.seed, help="population seed")

    balikan = parser.add_argument_group("data balikan")
    balikan.add_argument(
        "--balikan-path", default=_BALIKAN.prefix, help="path prefix before /api/store"
    )
    balikan.add_argument("--balikan-token", default=_BALIKAN.token, help="the Bearer token")
    balikan.add_argument("--id-lembaga", default=_BALIKAN.id_lembaga, help="the agency's id")

    parser.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="append every request and balikan receipt to DIR (JSON lines); the duplicate "
        "memory is kept there across restarts",
    )
    parser.add_argument("--mode", choices=["demo", "production"], help="the application mode")
    return parser


def _receipts_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loket simulator receipts",
        description="Summarise the data balikan deliveries recorded by 'loket simulator "
        "--record DIR': items received, duplicates, items delivered more than once.",
    )
    parser.add_argument("--record", type=Path, metavar="DIR", required=True, help="record dir")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def run_simulator_cli(argv: list[str], *, mode: str | None = None) -> int:
    """Run until interrupted; ``mode`` (or ``--mode``) must be demo, else it refuses."""
    if argv[:1] == ["receipts"]:
        return run_receipts_cli(argv[1:])
    args = _parser().parse_args(argv)
    try:
        ensure_simulator_allowed(mode or args.mode or "unset")
    except SimulatorRefusedError as exc:
        print(f"loket simulator: {exc}", file=sys.stderr)
        return 2
    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"loket simulator: {exc}", file=sys.stderr)
        return 2
    if args.cert_out:
        try:
            check_output(args.cert_out)  # never over an existing file or through a link
        except OutputRefused as exc:
            print(f"loket simulator: {exc.message}", file=sys.stderr)
            return 2
    faults = FaultPlan(
        LinkShape(args.latency_ms, args.bandwidth_kbps),
        always=Fault(args.fault) if args.fault else None,
    )
    try:
        running = start_simulator(
            config, mode="demo", host=args.host, port=args.port, tls=args.tls, faults=faults
        )
    except OSError as exc:
        print(f"loket simulator: cannot start: {exc.strerror or exc}", file=sys.stderr)
        return 2
    _print_banner(running, config, args.cert_out)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return 0


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """The simulator configuration the options describe (ValueError if inconsistent)."""
    if args.quota < 0:
        raise ValueError("--quota must be 0 (unlimited) or more")
    if not args.balikan_token.strip():
        raise ValueError("--balikan-token must not be empty")
    account = SimulatorAccount(
        user_id=args.user,
        password=args.password,
        ip_user=args.ip,
        consumer_id=args.consumer_id,
        region_code=args.region,
        instansi=args.instansi,
    )
    balikan = BalikanSetup(
        prefix="/" + args.balikan_path.strip("/"),
        token=args.balikan_token,
        id_lembaga=args.id_lembaga,
    )
    both = args.dialect
    return SimulatorConfig(
        seed=args.seed,
        account=account,
        more_accounts=tuple(parse_account(spec) for spec in args.extra_account),
        lookup_dialect=args.lookup_dialect or both or DEFAULT_DIALECTS["lookup"],
        verify_dialect=args.verify_dialect or both or DEFAULT_DIALECTS["verify"],
        daily_quota=args.quota or None,
        ip_policy=args.ip_policy,
        path_case_sensitive=not args.any_case_paths,
        balikan=balikan,
        record_dir=args.record,
    )


_SPEC_KEYS = frozenset({"consumer", "user", "password", "ip", "region", "instansi", "quota"})


def parse_account(spec: str) -> tuple[SimulatorAccount, int | None]:
    """``consumer=ID,user=U,password=P,…`` → (account, daily quota); ValueError if malformed."""
    fields: dict[str, str] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in _SPEC_KEYS or not value.strip() or key in fields:
            raise ValueError(f"--extra-account: cannot read {part.strip()!r}")
        fields[key] = value.strip()
    missing = {"consumer", "user", "password"} - set(fields)
    if missing:
        raise ValueError(f"--extra-account needs {', '.join(sorted(missing))}")
    consumer = fields["consumer"]
    quota_text = fields.get("quota", "200")
    if not quota_text.isdigit():
        raise ValueError("--extra-account: quota is a number of hits (0: unlimited)")
    account = SimulatorAccount(
        user_id=fields["user"],
        password=fields["password"],
        ip_user=fields.get("ip", _ACCOUNT.ip_user),
        consumer_id=consumer,
        region_code=fields.get("region", ""),  # no old layout unless both are given
        instansi=fields.get("instansi", ""),
    )
    return account, int(quota_text) or None


def _print_banner(
    running: RunningSimulator, config: SimulatorConfig, cert_out: Path | None
) -> None:
    account = config.account
    base = running.base_url
    print(f"Gateway simulator on {base} (demo data only)")
    print(f"  lookup  POST {base}/dukcapil/get_json/{account.consumer_id}/CALL_NIK")
    print(f"  verify  POST {base}/dukcapil/get_json/{account.consumer_id}/CALL_VERIFY_BY_ELEMEN")
    print(f"  old layout   {base}/dukcapil/get_json/{account.region_code}/{account.instansi}/…")
    print(
        f"  user {account.user_id}, password {account.password}, IP_USER {account.ip_user} "
        f"(IP policy {config.ip_policy})"
    )
    for extra, extra_quota in config.more_accounts:
        print(
            f"  also consumer id {extra.consumer_id}"
            + (f" ({extra.region_code}/{extra.instansi})" if extra.instansi else "")
            + ": "
            f"user {extra.user_id}, password {extra.password}, IP_USER {extra.ip_user}, "
            f"daily quota {extra_quota if extra_quota is not None else 'unlimited'}"
        )
    quota = config.daily_quota if config.daily_quota is not None else "unlimited"
    print(
        f"  daily quota {quota}; dialects lookup {config.lookup_dialect}, "
        f"verify {config.verify_dialect}"
    )
    for prefix in config.balikan.prefixes():
        print(f"  data balikan POST {base}{prefix}/api/store")
    print(f"  data balikan token {config.balikan.token} (id_lembaga {config.balikan.id_lembaga})")
    if config.record_dir is not None:
        print(f"  recording to {config.record_dir}/{{{REQUESTS_FILE},{RECEIPTS_FILE}}}")
    if running.cert is not None:
        print(f"  certificate SHA-256 {running.cert.sha256}")
        if cert_out:
            write_output(cert_out, running.cert.cert_pem.encode("ascii"), mode=0o644)
            print(f"  certificate written to {cert_out}")
    for outcome, nik in build_population(config.seed, config.population_size).examples().items():
        print(f"  {outcome:<15} {nik}")
    sys.stdout.flush()


def run_receipts_cli(argv: list[str]) -> int:
    """``loket simulator receipts --record DIR``: print what the record says was delivered."""
    args = _receipts_parser().parse_args(argv)
    directory: Path = args.record
    if not (directory / REQUESTS_FILE).exists() and not (directory / RECEIPTS_FILE).exists():
        print(f"loket simulator receipts: no simulator record in {directory}", file=sys.stderr)
        return 2
    summary = summarise_records(directory)
    if args.json:
        print(json.dumps(summary.as_dict(), sort_keys=True))
    else:
        print(f"Simulator record {directory}")
        for line in summary.lines():
            print(f"  {line}")
    return 0

"""``loket simulator`` options, the banner, ``--record`` and ``loket simulator receipts``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.cli import main
from app.services.simulator.cli import _parser, config_from_args, parse_account, run_simulator_cli

ROOT = Path(__file__).resolve().parents[3]
NIK = "3303010310730001"


def test_options_make_the_configuration(tmp_path: Path) -> None:
    args = _parser().parse_args(
        [
            "--consumer-id",
            "KAB3303",
            "--user",
            "OPERATOR-1",
            "--password",
            "rahasia-contoh",
            "--ip",
            "10.1.2.3",
            "--region",
            "33-02",
            "--instansi",
            "DINSOS",
            "--quota",
            "50",
            "--ip-policy",
            "exact",
            "--any-case-paths",
            "--dialect",
            "legacy",
            "--verify-dialect",
            "unpadded",
            "--balikan-path",
            "layanan/balikan/",
            "--balikan-token",
            "token-contoh",
            "--id-lembaga",
            "330201",
            "--record",
            str(tmp_path),
            "--extra-account",
            "consumer=KAB3302,user=U2,password=P2,region=33-01,instansi=DINKES,quota=5",
            "--extra-account",
            "consumer=KOTA3372,user=U3,password=P3,ip=10.9.9.9,quota=0",
        ]
    )
    config = config_from_args(args)
    account = config.account
    assert (account.consumer_id, account.user_id, account.password, account.ip_user) == (
        "KAB3303",
        "OPERATOR-1",
        "rahasia-contoh",
        "10.1.2.3",
    )
    assert (account.region_code, account.instansi) == ("33-02", "DINSOS")
    assert config.daily_quota == 50
    assert config.ip_policy == "exact"
    assert config.path_case_sensitive is False
    assert (config.lookup_dialect, config.verify_dialect) == ("legacy", "unpadded")
    assert config.balikan.prefix == "/layanan/balikan"
    assert (config.balikan.token, config.balikan.id_lembaga) == ("token-contoh", "330201")
    assert config.record_dir == tmp_path
    (second, quota_2), (third, quota_3) = config.more_accounts
    assert (second.consumer_id, second.user_id, second.password) == ("KAB3302", "U2", "P2")
    assert (second.region_code, second.instansi, quota_2) == ("33-01", "DINKES", 5)
    assert (third.consumer_id, third.ip_user, third.instansi, quota_3) == (
        "KOTA3372",
        "10.9.9.9",
        "",
        None,
    )


@pytest.mark.parametrize(
    "spec",
    [
        "user=U,password=P",
        "consumer=C,user=U",
        "consumer=C,user=U,password=P,quota=lots",
        "consumer=C,user=U,password=P,colour=red",
        "consumer=C,consumer=D,user=U,password=P",
        "consumer=C,user=,password=P",
    ],
)
def test_malformed_extra_accounts_exit_2(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="--extra-account"):
        parse_account(spec)
    assert run_simulator_cli(["--extra-account", spec], mode="demo") == 2
    assert "--extra-account" in capsys.readouterr().err


def test_defaults_follow_the_evidence() -> None:
    config = config_from_args(_parser().parse_args([]))
    assert config.ip_policy == "absent-allowed"
    assert (config.lookup_dialect, config.verify_dialect) == ("respon", "modern")
    assert config.daily_quota == 200
    assert config.path_case_sensitive is True
    assert config.record_dir is None
    assert config.more_accounts == ()
    assert config_from_args(_parser().parse_args(["--quota", "0"])).daily_quota is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--quota", "-1"], "--quota"),
        (["--balikan-token", " "], "--balikan-token"),
    ],
)
def test_inconsistent_options_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_simulator_cli(argv, mode="demo") == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["simulator", "--help"], ["simulator", "receipts", "--help"]])
def test_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "--record" in out
    if "receipts" not in argv:
        for option in ("--ip-policy", "--lookup-dialect", "--balikan-path", "--consumer-id"):
            assert option in out


def test_receipts_without_a_record_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulator", "receipts", "--record", str(tmp_path / "none")]) == 2
    assert "no simulator record" in capsys.readouterr().err


def _start(record: Path, *options: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from app.services.simulator.cli import run_simulator_cli as run; "
            "sys.exit(run(sys.argv[1:], mode='demo'))",
            "--port",
            "0",
            "--record",
            str(record),
            *options,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    banner: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        text = line.strip()
        if text.startswith("Gateway simulator on "):
            banner["base"] = text.split()[3]
        elif text.startswith("data balikan token "):
            banner["token"] = text.split()[3]
        elif text.startswith("data balikan POST "):
            banner.setdefault("stores", "")
            banner["stores"] += text.split()[3] + " "
        elif text.startswith("invalid_format"):
            break  # the last line of the banner
    return process, banner


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err


def test_served_recorded_and_summarised_across_a_restart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "record"
    form = {
        "nik": NIK,
        "id_lembaga": "330301",
        "nama_lembaga": "BAPPELITBANGDA CONTOH",
        "param": json.dumps([{"NO_PENERIMA": "PKH-001"}]),
    }
    process, banner = _start(record, "--balikan-token", "token-uji", "--balikan-path", "/bk")
    try:
        assert banner["token"] == "token-uji"
        stores = banner["stores"].split()
        assert stores == [
            f"{banner['base']}/bk/api/store",
            f"{banner['base']}/databalikan/api/store",
        ]
        auth = {"Authorization": "Bearer token-uji"}
        assert httpx.post(stores[0], data=form, headers=auth).status_code == 200
        assert httpx.post(stores[0], data=form, headers=auth).status_code == 400
    finally:
        _stop(process)
    process, banner = _start(record, "--balikan-token", "token-uji")
    try:
        store = f"{banner['base']}/data_balikan/public/api/store"
        answer = httpx.post(store, data=form, headers={"Authorization": "Bearer token-uji"})
        assert answer.status_code == 400  # remembered across the restart
    finally:
        _stop(process)
    capsys.readouterr()
    assert main(["simulator", "receipts", "--record", str(record), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["receipts"] == 3
    assert figures["items"] == 1
    assert figures["duplicates"] == 2
    assert figures["items_more_than_once"] == 1
    assert figures["requests"] == 3
    assert main(["simulator", "receipts", "--record", str(record)]) == 0
    report = capsys.readouterr().out
    assert "items delivered more than once: 1" in report
    assert "duplicate receipts:           2" in report


def test_cert_out_never_replaces_an_existing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.services.simulator.cli import run_simulator_cli

    target = tmp_path / "gateway.pem"
    target.write_text("the administrator's own certificate")
    argv = ["--tls", "--port", "0", "--cert-out", str(target)]
    assert run_simulator_cli(argv, mode="demo") == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "the administrator's own certificate"

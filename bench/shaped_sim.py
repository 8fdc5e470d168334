"""The simulator behind one shared, shaped link, served from its own process.

Benchmarks start it with :func:`start_shaped`; running in its own process keeps the
simulator's own work off the measured process, as a real gateway is off the counter PC.
Every byte of every request and answer (bodies plus ``HEADER_BYTES`` of HTTP headers per
message) crosses one shared pipe of ``kbps``, segment by segment; each answer also waits the
round-trip latency. The parent asks for the bytes moved so far with ``bytes`` on stdin.

Run directly: ``python bench/shaped_sim.py --latency-ms 80 --kbps 1000 [--tls]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEGMENT = 1460
HEADER_BYTES = 250  # status/request line and headers of one HTTP message


def _sleep_until(deadline: float) -> None:
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(left)


def _serve(argv: list[str] | None = None) -> int:
    from app.services.simulator import FaultPlan, LinkShape, SimulatorConfig, start_simulator

    class SharedLink(FaultPlan):
        """One pipe for everything: transfers queue segment by segment."""

        def __init__(self, link: LinkShape) -> None:
            super().__init__(link)
            self._pipe = threading.Lock()
            self._free_at = 0.0  # when the pipe has sent every segment queued so far
            self.bytes_moved = 0

        def wait_transfer(self, size: int) -> None:
            """Queue the message's segments one by one behind whatever is queued (FIFO).

            Each segment takes the first free slot of the pipe's own schedule: the pipe
            carries exactly ``kbps`` while anything is queued, however late a sleeping
            thread wakes, and a message's next segment goes right after its previous one
            unless others queued in between (as a TCP flow's window does).
            """
            remaining = size + HEADER_BYTES
            previous_end: float | None = None
            while remaining > 0:
                chunk = min(SEGMENT, remaining)
                with self._pipe:
                    ready = time.monotonic() if previous_end is None else previous_end
                    start = max(ready, self._free_at)
                    end = start + self.link.transfer_seconds(chunk)
                    self._free_at = end
                _sleep_until(end)
                with self._pipe:
                    self.bytes_moved += chunk
                previous_end = end
                remaining -= chunk

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=80.0)
    parser.add_argument("--kbps", type=float, default=1000.0)
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args(argv)
    link = SharedLink(LinkShape(latency_ms=args.latency_ms, bandwidth_kbps=args.kbps))
    config = SimulatorConfig(daily_quota=None)
    with start_simulator(config, mode="demo", tls=args.tls, faults=link) as running:
        print(
            json.dumps(
                {
                    "base_url": running.base_url,
                    "cert_pem": running.cert.cert_pem if running.cert else None,
                }
            ),
            flush=True,
        )
        for line in sys.stdin:
            command = line.strip()
            if command == "bytes":
                print(link.bytes_moved, flush=True)
            elif command == "received":
                print(len(running.simulator.balikan), flush=True)
            elif command == "twice":  # NIKs received more than once (synthetic), as JSON
                seen: dict[str, int] = {}
                for delivery in list(running.simulator.balikan):
                    seen[delivery.nik] = seen.get(delivery.nik, 0) + 1
                print(json.dumps({nik: n for nik, n in seen.items() if n > 1}), flush=True)
            elif command == "quit":
                break
    return 0


class ShapedSimulator:
    """A handle on the simulator process."""

    def __init__(self, latency_ms: float, kbps: float, tls: bool = False) -> None:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--latency-ms",
            str(latency_ms),
            "--kbps",
            str(kbps),
        ]
        if tls:
            command.append("--tls")
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        assert self._process.stdout is not None
        info = json.loads(self._process.stdout.readline())
        self.base_url: str = info["base_url"]
        self.cert_pem: str | None = info["cert_pem"]

    def _ask(self, command: str) -> int:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        return int(self._process.stdout.readline())

    @property
    def bytes_moved(self) -> int:
        """Bytes that crossed the shared pipe so far."""
        return self._ask("bytes")

    def received_twice(self) -> dict[str, int]:
        """NIKs the simulator received more than once, with their receipt counts."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write("twice\n")
        self._process.stdin.flush()
        found: dict[str, int] = json.loads(self._process.stdout.readline())
        return found

    @property
    def balikan_received(self) -> int:
        """Data balikan items the simulator received."""
        return self._ask("received")

    def close(self) -> None:
        """Stop the process."""
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.write("quit\n")
            self._process.stdin.flush()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def __enter__(self) -> ShapedSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    sys.exit(_serve())

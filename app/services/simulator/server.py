"""The simulator on a real socket: HTTP/1.1 or HTTPS with its own self-signed certificate.

TLS handshakes run in the per-connection thread, so a client that refuses the certificate
never blocks the listener; refused handshakes are counted.
"""

from __future__ import annotations

import os
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from app.services.simulator.app import (
    GatewaySimulator,
    SimRequest,
    SimulatorConfig,
    ensure_simulator_allowed,
)
from app.services.simulator.certs import SelfSignedCert, make_self_signed
from app.services.simulator.faults import Fault, FaultPlan

_CHUNK = 1460  # one TCP segment: pacing granularity on a capped link


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 15
    server: _SimulatorServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        simulator = self.server.simulator
        faults = simulator.faults
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        faults.wait_transfer(len(body))
        path, _, query = self.path.partition("?")
        headers = {key.lower(): value for key, value in self.headers.items()}
        answer = simulator.handle(SimRequest(self.command, path, query, headers, body))
        if answer.fault is Fault.RESET:
            self.close_connection = True
            return
        if answer.fault is Fault.TIMEOUT:
            time.sleep(faults.stall_seconds)
        faults.wait_latency()
        payload = answer.body
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if answer.fault is Fault.TRUNCATED:
            payload = payload[: len(payload) // 2]
            self.close_connection = True
        for start in range(0, len(payload), _CHUNK):
            chunk = payload[start : start + _CHUNK]
            faults.wait_transfer(len(chunk))
            self.wfile.write(chunk)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines carry the consumer id."""


class _SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        simulator: GatewaySimulator,
        tls: ssl.SSLContext | None,
    ) -> None:
        self.simulator = simulator
        self.tls = tls
        self.tls_failures = 0
        self.connections = 0
        self._count_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._count_lock:
            self.connections += 1
        # Latency is simulated explicitly; keep Nagle/delayed-ACK stalls out of the timings.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(10)
        try:
            secure = self.tls.wrap_socket(request, server_side=True)
        except OSError:
            with self._count_lock:
                self.tls_failures += 1
            return
        try:
            super().finish_request(secure, client_address)
        finally:
            secure.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Broken connections are part of the simulation; stay quiet."""


class RunningSimulator:
    """A simulator serving on a socket in a background thread."""

    def __init__(
        self, server: _SimulatorServer, cert: SelfSignedCert | None, *, owns_simulator: bool
    ) -> None:
        self._server = server
        self._owns_simulator = owns_simulator
        self.cert = cert
        self.simulator = server.simulator
        host, port = server.server_address[:2]
        scheme = "https" if cert else "http"
        self.base_url = f"{scheme}://{host!s}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The listening port."""
        return int(self._server.server_address[1])

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        return self._server.connections

    @property
    def tls_failures(self) -> int:
        """TLS handshakes that failed (e.g. the client refused the certificate)."""
        return self._server.tls_failures

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if self._owns_simulator:
            self.simulator.close()

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def server_tls_context(cert: SelfSignedCert) -> ssl.SSLContext:
    """A server context for ``cert`` (key files exist only while loading, mode 0600)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory(prefix="loket-sim-") as tmp:
        cert_file, key_file = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        for path, text in ((cert_file, cert.cert_pem), (key_file, cert.key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(text)
        context.load_cert_chain(cert_file, key_file)
    return context


def start_simulator(
    config: SimulatorConfig | None = None,
    *,
    mode: str,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: bool = False,
    cert: SelfSignedCert | None = None,
    faults: FaultPlan | None = None,
    clock: Callable[[], datetime] = datetime.now,
    simulator: GatewaySimulator | None = None,
) -> RunningSimulator:
    """Serve the simulator on ``host:port`` (0: any free port); refuses in production mode."""
    ensure_simulator_allowed(mode)
    owns_simulator = simulator is None
    if simulator is None:
        simulator = GatewaySimulator(config, mode=mode, faults=faults, clock=clock)
    if tls and cert is None:
        cert = make_self_signed(ip=_ip_for(host))
    context = server_tls_context(cert) if tls and cert is not None else None
    server = _SimulatorServer((host, port), simulator, context)
    return RunningSimulator(server, cert if context else None, owns_simulator=owns_simulator)


def _ip_for(host: str) -> str:
    try:
        socket.inet_aton(host)
    except OSError:
        return "127.0.0.1"
    return host if host != "0.0.0.0" else "127.0.0.1"  # noqa: S104

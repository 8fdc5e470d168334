"""A gateway connection kept warm across idle minutes: a spare connection opened ahead of need.

A counter looks a NIK up every few minutes; gateways close idle connections after seconds,
so each lookup would pay a new TCP and TLS handshake (several round trips on the VPN). The
:class:`WarmBackend` keeps one spare connection to the gateway already connected and through
its pinned TLS handshake; when the connection pool needs a new connection it gets the spare
at once, and a fresh spare is opened behind it. A spare the gateway closed is replaced
within ``check_seconds``; once the gateway has closed a spare, the keeper learns how long
it keeps idle connections and replaces each spare at ``RENEW_FRACTION`` of that age, the new
one opened before the old one is closed, so a spare is ready at every moment of the idle
minutes. No HTTP request is ever sent by the keeper (no query, no quota):
the gateway sees only connections. The keeper works for ``warm_seconds`` after the last use
and then sleeps until the next one, so an idle counter stops connecting.
"""

from __future__ import annotations

import logging
import select
import ssl
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore

from app.services.dukcapil.tls import caused_by_tls

log = logging.getLogger(__name__)

SocketOption = Any
#: A spare is replaced at this fraction of the idle time after which the gateway closed one.
RENEW_FRACTION = 0.6


def _readable(stream: httpcore.NetworkStream) -> bool:
    """True when an idle connection is unusable: the peer closed it, broke it or sent data.

    TLS 1.3 servers send session tickets after the handshake; those make the socket readable
    without any application data, so a readable TLS socket is read without blocking: only
    "want read" (tickets consumed, nothing else) means it is still good.
    """
    sock = stream.get_extra_info("socket")
    if sock is None:
        return True
    try:
        if sock.fileno() < 0:
            return True
        ready, _w, _x = select.select([sock], [], [], 0)
        if not ready:
            return False
        if not isinstance(sock, ssl.SSLSocket):
            return True
        timeout = sock.gettimeout()
        sock.setblocking(False)
        try:
            sock.recv(1)
        except ssl.SSLWantReadError:
            return False
        finally:
            sock.settimeout(timeout)
    except (OSError, ValueError):
        return True
    return True  # end of stream or unexpected bytes


class _Prepared(httpcore.NetworkStream):
    """A spare handed to the pool: already connected and, for https, already through TLS."""

    def __init__(self, stream: httpcore.NetworkStream, context: ssl.SSLContext | None) -> None:
        self._stream = stream
        self._context = context

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        if ssl_context is self._context:
            return self._stream  # the pinned handshake was done ahead of need
        return self._stream.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class WarmBackend(httpcore.NetworkBackend):
    """The network backend of the gateway's connection pool, with one spare kept warm."""

    def __init__(
        self,
        host: str,
        port: int,
        context: ssl.SSLContext | None,
        *,
        connect_timeout: float = 10.0,
        check_seconds: float = 1.0,
        warm_seconds: float = 1800.0,
    ) -> None:
        self._inner = httpcore.SyncBackend()
        self._host = host
        self._port = port
        self._context = context
        self._connect_timeout = connect_timeout
        self._check_seconds = check_seconds
        self._warm_seconds = warm_seconds
        self._lock = threading.Lock()
        self._spare: httpcore.NetworkStream | None = None
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_use = float("-inf")
        self._spare_born = 0.0
        self.idle_limit: float | None = None  # learned: the gateway closed a spare this old
        self.spares_opened = 0
        self.spares_expired = 0  # spares the gateway closed before they were used or renewed
        self.spares_used = 0

    # -- the pool's side ------------------------------------------------------------------
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        """The spare if one is ready, else a new connection; either way a new spare follows."""
        if (host, port) == (self._host, self._port) and local_address is None:
            spare = self._take()
            if spare is not None:
                return _Prepared(spare, self._context)
        return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)

    def _take(self) -> httpcore.NetworkStream | None:
        with self._lock:
            spare, self._spare = self._spare, None
        self._wake.set()
        if spare is None:
            return None
        if _readable(spare):  # closed by the gateway since the last check
            spare.close()
            return None
        self.spares_used += 1
        return spare

    # -- the keeper -----------------------------------------------------------------------
    def warm(self) -> None:
        """Keep a spare ready from now on (for ``warm_seconds`` after this call).

        Called after each answer from the gateway (so a refused certificate never starts
        it) and when a query is about to come.
        """
        if self._closed.is_set():
            return
        self._last_use = time.monotonic()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._keep, name="gateway-warm", daemon=True)
                self._thread.start()
        self._wake.set()

    def _open(self) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(self._host, self._port, self._connect_timeout)
        if self._context is not None:
            # the pinned context checks the certificate inside the handshake
            stream = stream.start_tls(self._context, self._host, self._connect_timeout)
        return stream

    def _keep(self) -> None:
        failures = 0
        while not self._closed.is_set():
            if time.monotonic() - self._last_use > self._warm_seconds:
                self._drop_spare()
                break  # idle counter: the next use starts the keeper again
            with self._lock:
                spare = self._spare
                born = self._spare_born
            age = time.monotonic() - born
            if spare is not None and _readable(spare):
                self._drop_spare()
                spare = None
                self.spares_expired += 1
                if self.idle_limit is None or age < self.idle_limit:
                    self.idle_limit = max(age, self._check_seconds)
            renew = spare is not None and age >= self._renew_age()
            pause = self._check_seconds
            if spare is None or renew:
                try:
                    fresh = self._open()
                except (httpcore.NetworkError, httpcore.TimeoutException, OSError) as error:
                    if caused_by_tls(error):  # not the pinned gateway: never try it again here
                        log.warning("gateway spare connection refused: certificate not pinned")
                        break
                    failures += 1
                    pause = min(60.0, self._check_seconds * 2.0**failures)
                    log.debug("gateway spare connection failed (%s)", type(error).__name__)
                else:
                    failures = 0
                    self.spares_opened += 1
                    stale: httpcore.NetworkStream | None = None
                    with self._lock:
                        if self._closed.is_set() or (self._spare is not None and not renew):
                            stale = fresh
                        else:  # the new spare replaces the old one (closed after the swap)
                            stale, self._spare = self._spare, fresh
                            self._spare_born = time.monotonic()
                    if stale is not None:
                        stale.close()
            self._wake.wait(pause)
            self._wake.clear()
        with self._lock:
            self._thread = None

    def _renew_age(self) -> float:
        """Age at which a spare is replaced: well before the learned idle limit, allowing for
        the check interval (the limit is seen up to one interval late); never, if unknown."""
        limit = self.idle_limit
        if limit is None:
            return float("inf")
        return max(0.0, min(RENEW_FRACTION * limit, limit - 2 * self._check_seconds))

    def _drop_spare(self) -> None:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.close()

    def close(self) -> None:
        """Stop the keeper and close the spare."""
        self._closed.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._drop_spare()

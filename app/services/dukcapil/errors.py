"""Transport failures: the gateway gave no answer that can be classified.

Messages name the failure only: never the URL (it carries confidential IPs and the
consumer id), never a body.
"""

from __future__ import annotations

import enum


class TransportFailure(enum.Enum):
    """Why no answer could be read."""

    CONNECT = "connect"  # no connection made: the query was not sent
    TLS = "tls"  # the server's certificate is not the imported one: nothing was sent
    TIMEOUT = "timeout"  # the query may have reached the gateway
    HTTP_STATUS = "http_status"
    NOT_JSON = "not_json"
    PROTOCOL = "protocol"  # connection broken mid-answer, truncated body
    TOO_LARGE = "too_large"

    @property
    def query_sent(self) -> bool:
        """Whether the query may have reached the gateway (and used a hit of the quota)."""
        return self not in (TransportFailure.CONNECT, TransportFailure.TLS)


class TransportError(Exception):
    """The gateway could not be reached or its reply could not be read."""

    def __init__(self, failure: TransportFailure, detail: str = "", status: int | None = None):
        self.failure = failure
        self.status = status
        self.detail = detail
        text = failure.value if status is None else f"{failure.value} {status}"
        super().__init__(f"{text}: {detail}" if detail else text)

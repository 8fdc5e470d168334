"""An in-process httpx transport onto the simulator, with the same faults and link shaping."""

from __future__ import annotations

import httpx

from app.services.simulator.app import GatewaySimulator, SimRequest
from app.services.simulator.faults import Fault


class SimulatorTransport(httpx.BaseTransport):
    """Hands requests straight to a :class:`GatewaySimulator` (no sockets)."""

    def __init__(self, simulator: GatewaySimulator) -> None:
        self._simulator = simulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        faults = self._simulator.faults
        faults.wait_transfer(len(body))
        answer = self._simulator.handle(
            SimRequest(
                method=request.method,
                path=request.url.path,
                query=request.url.query.decode("ascii"),
                headers={key.lower(): value for key, value in request.headers.items()},
                body=body,
            )
        )
        if answer.fault is Fault.TIMEOUT:
            raise httpx.ReadTimeout("timed out", request=request)
        if answer.fault is Fault.RESET:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        faults.wait_latency()
        faults.wait_transfer(len(answer.body))
        if answer.fault is Fault.TRUNCATED:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            )
        return httpx.Response(
            answer.status,
            headers={"Content-Type": answer.content_type},
            content=answer.body,
            request=request,
        )

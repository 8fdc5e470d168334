"""The client behind the case service's ``GatewayPort`` (app.services.cases.port)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from app.services.cases.port import GatewayAnswer, GatewayTransportError
from app.services.dukcapil.client import DukcapilClient, GatewayResult
from app.services.dukcapil.errors import TransportError
from app.services.dukcapil.guidance import guidance_for_failure, guidance_text


class ClientGateway:
    """Adapts :class:`DukcapilClient` to ``GatewayPort``: filtered answers, typed failures."""

    def __init__(self, client: DukcapilClient) -> None:
        self._client = client

    def permits(self, service: str, elements: Collection[str] = ()) -> bool:
        """Does the agreement permit ``service`` ("lookup" or "verify") with these elements?"""
        profile = self._client.profile
        if service == "lookup":
            return profile.lookup
        return profile.verify and set(elements) <= profile.verify_keys

    def lookup(self, nik: str) -> GatewayAnswer:
        """Query by NIK; the record holds only the agreement's elements."""
        try:
            result = self._client.lookup(nik)
        except TransportError as error:
            raise _port_error(error) from None
        answer = _answer(result)
        if result.record is not None:
            answer.record = dict(result.record)
            result.record.wipe()
        return answer

    def verify(self, nik: str, elements: Mapping[str, str]) -> GatewayAnswer:
        """Verify by element; verdicts are (matches, score) per element sent."""
        try:
            result = self._client.verify(nik, elements)
        except TransportError as error:
            raise _port_error(error) from None
        answer = _answer(result)
        if result.verdicts:
            answer.verdicts = {key: (v.matches, v.score) for key, v in result.verdicts.items()}
        return answer

    def warm(self) -> None:
        """Have a gateway connection ready for the next query (e.g. when a case opens)."""
        self._client.warm()

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()


def _answer(result: GatewayResult) -> GatewayAnswer:
    return GatewayAnswer(
        kind=result.kind,
        code=result.code,
        message=result.message,
        quota_left=result.quota_left,
        guidance=guidance_text(result.kind, result.code),
    )


def _port_error(error: TransportError) -> GatewayTransportError:
    return GatewayTransportError(
        guidance_for_failure(error.failure).paragraph, may_have_reached=error.failure.query_sent
    )

"""The simulated data balikan service: its setup and the two body shapes it accepts.

One NIK per request as form fields (urlencoded or multipart/form-data), or a JSON batch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

DEFAULT_BALIKAN_TOKEN = "demo-balikan-token-0123456789abcdef"  # noqa: S105 - synthetic


@dataclass(frozen=True)
class BalikanSetup:
    """The simulated data balikan service of one agency.

    ``prefix`` is the configured path (the Juknis layout); ``aliases`` are further layouts
    served the same way (``/databalikan/api/store`` is used by production clients).
    """

    prefix: str = "/data_balikan/public"
    token: str = DEFAULT_BALIKAN_TOKEN
    id_lembaga: str = "330301"
    params: tuple[str, ...] = ("NO_PENERIMA", "JENIS_PROGRAM")
    aliases: tuple[str, ...] = ("/databalikan",)

    def prefixes(self) -> tuple[str, ...]:
        """Every path prefix served, without trailing slashes (root: empty string)."""
        found: list[str] = []
        for prefix in (self.prefix, *self.aliases):
            clean = "/" + prefix.strip("/") if prefix.strip("/") else ""
            if clean not in found:
                found.append(clean)
        return tuple(found)


@dataclass(frozen=True)
class BalikanDelivery:
    """One data balikan item received (kept in memory only)."""

    shape: str  # "form" | "batch"
    id_lembaga: str
    nik: str
    params: tuple[Mapping[str, Any], ...]
    duplicate: bool


BalikanItem = tuple[str, str, str, tuple[Mapping[str, Any], ...]]


def balikan_items(content_type: str, body: bytes) -> list[BalikanItem] | None:
    """The items of either body shape, or None if the body is malformed."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            return _batch_items(json.loads(body))
        if kind == "multipart/form-data":
            fields = _multipart_fields(content_type, body)
        else:
            form = parse_qs(body.decode("utf-8"), strict_parsing=True)
            fields = {key: values[0] for key, values in form.items()}
        params = json.loads(fields["param"])
        return [("form", fields["id_lembaga"], fields["nik"], _param_list(params))]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        return None


def _multipart_fields(content_type: str, body: bytes) -> dict[str, str]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            raise ValueError("a form part without a name or content")
        fields.setdefault(name, payload.decode("utf-8"))
    return fields


def _batch_items(batch: object) -> list[BalikanItem]:
    if not isinstance(batch, list) or not batch:
        raise TypeError("a batch is a non-empty list")
    items: list[BalikanItem] = []
    for group in batch:
        id_lembaga = group["id_lembaga"]
        for entry in group["data"]:
            items.append(("batch", str(id_lembaga), str(entry["NIK"]), _param_list(entry["param"])))
    return items


def _param_list(params: object) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(params, list) or not all(isinstance(p, dict) for p in params):
        raise TypeError("param is a list of objects")
    return tuple(params)

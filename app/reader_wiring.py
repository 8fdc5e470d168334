"""Compose the reader layer from settings and secrets (the reader never reads them itself)."""

from __future__ import annotations

import dataclasses

from app.reader.config import ReaderConfig, SamFlow, SamKeys
from app.reader.session import KtpelSession
from app.services.secrets import SAM_CONF, SAM_PCID, SecretStore
from app.services.settings import Settings


def reader_config(settings: Settings, *, allow_virtual: bool | None = None) -> ReaderConfig:
    """ReaderConfig from ``[reader]``; virtual readers only in demo mode (or when told)."""
    config = ReaderConfig(
        allow_virtual=settings.is_demo if allow_virtual is None else allow_virtual
    )
    reader = settings.reader
    changes: dict[str, object] = {}
    if reader.card_slot_patterns:
        changes["card_slot_patterns"] = tuple(reader.card_slot_patterns)
    if reader.sam_slot_patterns:
        changes["sam_slot_patterns"] = tuple(reader.sam_slot_patterns)
    if reader.sdk_library:
        changes["sdk_library_path"] = reader.sdk_library
    if reader.session in ("photo_only", "simulated"):
        changes["require_sam"] = False
    if reader.slot_pairs:
        changes["slot_pairs"] = tuple(
            (card.strip(), sam.strip())
            for card, sam in (pair.split("|", 1) for pair in reader.slot_pairs)
        )
    flow = SamFlow.legacy() if reader.sam_flow == "legacy" else SamFlow()
    if reader.sam_slot_select:
        flow = dataclasses.replace(flow, sam_slot_select=reader.sam_slot_select)
    changes["sam_flow"] = flow
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def sam_keys(secrets: SecretStore) -> SamKeys | None:
    """The SAM's PCID and CONF from the secret store (hex), or None when not set up."""
    pcid, conf = secrets.get(SAM_PCID), secrets.get(SAM_CONF)
    if not pcid or not conf:
        return None
    return SamKeys(bytes.fromhex(pcid), bytes.fromhex(conf))


def reader_session(settings: Settings, secrets: SecretStore) -> KtpelSession | None:
    """The demographic-read session the settings ask for (None: photo/UID only)."""
    kind = settings.reader.session
    if kind == "simulated":
        from app.reader.simulated import SimulatedSession

        return SimulatedSession(demo=settings.is_demo)
    keys = sam_keys(secrets)
    if kind == "vendor_sdk" and keys is not None and settings.reader.sdk_library:
        from app.reader.vendor_sdk import VendorSdkSession

        return VendorSdkSession(settings.reader.sdk_library, keys)
    if kind == "apdu_sam" and keys is not None:
        from app.reader.sam_apdu import ApduSamSession

        return ApduSamSession(keys, reader_config(settings).sam_flow)
    return None

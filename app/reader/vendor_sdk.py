"""VendorSdkSession: the vendor's KTP-el library (``EktpSdk``) driven through ctypes.

The binding follows the API seen in integrations (``ktpel-card.md``); the C prototypes below
are reconstructed, so check them against the vendor's header at a pilot site::

    int EktpEstablishContext(void **ctx);
    int EktpConnect(void *ctx, const uint8_t *pcid, uint32_t pcid_len,
                    const uint8_t *conf, uint32_t conf_len);
    int EktpSetAttrib(void *ctx, uint32_t id, const uint8_t *data, uint32_t len);
    int EktpExecuteCommand(void *ctx, uint32_t command);          /* 1 = READ */
    int EktpGetAttrib(void *ctx, uint32_t id, uint8_t *buf, uint32_t *len);
    int EktpDisconnect(void *ctx);                                /* optional */
    int EktpReleaseContext(void *ctx);                            /* optional */

0 is success. Size attributes (2, 4, 6) are 4-byte little-endian unsigned integers.
The SDK owns the reader and the SAM itself; PCID/CONF go only into ``EktpConnect``.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import threading
from typing import Any

from app.reader.card_data import CardData
from app.reader.config import SamKeys
from app.reader.errors import ReadFailed, SamBlockedRisk, SdkUnavailable
from app.reader.parsers import SIGNATURE_BYTES, signature_to_png
from app.reader.session import ReadRequest

log = logging.getLogger(__name__)

EKTP_OK = 0
EKTP_CMD_READ = 1
ATTR_PCID = 0
ATTR_CONFIG = 1
ATTR_PHOTO_SIZE, ATTR_PHOTO = 2, 3
ATTR_DEMOGRAPHIC_SIZE, ATTR_DEMOGRAPHIC = 4, 5
ATTR_SIGNATURE_SIZE, ATTR_SIGNATURE = 6, 7
MAX_ATTRIBUTE = 256 * 1024

_REQUIRED = (
    "EktpEstablishContext",
    "EktpConnect",
    "EktpSetAttrib",
    "EktpExecuteCommand",
    "EktpGetAttrib",
)
_OPTIONAL = ("EktpDisconnect", "EktpReleaseContext")

_u8p = ctypes.POINTER(ctypes.c_uint8)


def _load(path: str) -> Any:
    loader: Any = ctypes.WinDLL if sys.platform == "win32" else ctypes.CDLL  # type: ignore[attr-defined]
    return loader(path)


class EktpLibrary:
    """The loaded vendor library with typed prototypes."""

    def __init__(self, path: str) -> None:
        if not path or not os.path.exists(path):
            raise SdkUnavailable("vendor library path not set or missing")
        try:
            self._lib = _load(path)
        except OSError as exc:
            raise SdkUnavailable(f"cannot load vendor library: {exc.__class__.__name__}") from None
        missing = [name for name in _REQUIRED if not hasattr(self._lib, name)]
        if missing:
            raise SdkUnavailable(f"vendor library lacks {', '.join(missing)}")
        lib = self._lib
        vp, u32 = ctypes.c_void_p, ctypes.c_uint32
        self._proto(lib.EktpEstablishContext, [ctypes.POINTER(vp)])
        self._proto(lib.EktpConnect, [vp, _u8p, u32, _u8p, u32])
        self._proto(lib.EktpSetAttrib, [vp, u32, _u8p, u32])
        self._proto(lib.EktpExecuteCommand, [vp, u32])
        self._proto(lib.EktpGetAttrib, [vp, u32, _u8p, ctypes.POINTER(u32)])
        self._optional = {n: getattr(lib, n) for n in _OPTIONAL if hasattr(lib, n)}
        for fn in self._optional.values():
            self._proto(fn, [vp])

    @staticmethod
    def _proto(fn: Any, args: list[Any]) -> None:
        fn.argtypes = args
        fn.restype = ctypes.c_int

    def establish(self) -> ctypes.c_void_p:
        """A new SDK context."""
        ctx = ctypes.c_void_p()
        rc = self._lib.EktpEstablishContext(ctypes.byref(ctx))
        if rc != EKTP_OK:
            raise SdkUnavailable(f"EktpEstablishContext returned {rc}")
        return ctx

    def connect(self, ctx: ctypes.c_void_p, keys: SamKeys) -> int:
        """EktpConnect with PCID/CONF; returns the SDK's code (0 = success)."""
        pcid = (ctypes.c_uint8 * 16).from_buffer_copy(keys.pcid)
        conf = (ctypes.c_uint8 * 32).from_buffer_copy(keys.conf)
        try:
            return int(self._lib.EktpConnect(ctx, pcid, 16, conf, 32))
        finally:
            ctypes.memset(pcid, 0, 16)
            ctypes.memset(conf, 0, 32)

    def execute(self, ctx: ctypes.c_void_p, command: int) -> int:
        """EktpExecuteCommand; returns the SDK's code."""
        return int(self._lib.EktpExecuteCommand(ctx, command))

    def get(self, ctx: ctypes.c_void_p, attr: int, size: int) -> bytearray:
        """EktpGetAttrib into a buffer of ``size`` bytes; the buffer is zeroed after copying."""
        buf = (ctypes.c_uint8 * max(size, 1))()
        length = ctypes.c_uint32(size)
        rc = self._lib.EktpGetAttrib(ctx, attr, buf, ctypes.byref(length))
        if rc != EKTP_OK:
            raise ReadFailed(f"EktpGetAttrib({attr}) returned {rc}")
        out = bytearray(bytes(buf)[: min(length.value, size)])
        ctypes.memset(buf, 0, max(size, 1))
        return out

    def get_size(self, ctx: ctypes.c_void_p, attr: int) -> int:
        """A size attribute (4-byte little-endian)."""
        raw = self.get(ctx, attr, 4)
        size = int.from_bytes(bytes(raw).ljust(4, b"\x00"), "little")
        if size > MAX_ATTRIBUTE:
            raise ReadFailed(f"attribute {attr} size {size} too large")
        return size

    def close(self, ctx: ctypes.c_void_p) -> None:
        """EktpDisconnect and EktpReleaseContext when the library has them."""
        for name in _OPTIONAL:
            fn = self._optional.get(name)
            if fn is not None:
                fn(ctx)


class VendorSdkSession:
    """KtpelSession through the vendor library; the library path comes from the settings."""

    name = "vendor-sdk"
    experimental = False

    def __init__(self, library_path: str, keys: SamKeys) -> None:
        self._lib = EktpLibrary(library_path)
        self._keys = keys
        self._refused_code: int | None = None
        self._lock = threading.Lock()

    @property
    def refused(self) -> bool:
        """True once the SDK refused PCID/CONF: the session never connects again."""
        return self._refused_code is not None

    def read(self, request: ReadRequest) -> CardData:
        """One blocking read through the SDK (progress in coarse steps)."""
        if self._refused_code is not None:
            raise SamBlockedRisk(f"EktpConnect refused earlier ({self._refused_code}); not retried")
        with self._lock:
            ctx = self._lib.establish()
            try:
                return self._read(ctx, request)
            finally:
                self._lib.close(ctx)

    def _read(self, ctx: ctypes.c_void_p, request: ReadRequest) -> CardData:
        request.progress(0)
        rc = self._lib.connect(ctx, self._keys)
        if rc != EKTP_OK:
            self._refused_code = rc
            log.error("EktpConnect returned %d; SAM open not retried", rc)
            raise SamBlockedRisk(f"EktpConnect returned {rc}")
        request.progress(10)
        rc = self._lib.execute(ctx, EKTP_CMD_READ)
        if rc != EKTP_OK:
            raise ReadFailed(f"EktpExecuteCommand(READ) returned {rc}")
        request.progress(80)
        raw = self._lib.get(ctx, ATTR_DEMOGRAPHIC, self._lib.get_size(ctx, ATTR_DEMOGRAPHIC_SIZE))
        photo = bytearray()
        if request.with_photo:
            photo = self._lib.get(ctx, ATTR_PHOTO, self._lib.get_size(ctx, ATTR_PHOTO_SIZE))
        signature = b""
        if request.with_signature:
            bitmap = self._lib.get(
                ctx, ATTR_SIGNATURE, self._lib.get_size(ctx, ATTR_SIGNATURE_SIZE)
            )
            if bitmap.startswith(b"\x89PNG"):
                signature = bytes(bitmap)
            elif len(bitmap) == SIGNATURE_BYTES:
                signature = signature_to_png(bytes(bitmap))
            bitmap[:] = b"\x00" * len(bitmap)
        try:
            data = CardData.from_raw(raw, photo=photo, signature_png=signature, source=self.name)
        except Exception:
            photo[:] = b"\x00" * len(photo)
            raise
        finally:
            raw[:] = b"\x00" * len(raw)
        request.progress(100)
        return data

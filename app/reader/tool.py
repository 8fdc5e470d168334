"""``loket reader``: the technician's tool at the counter (list, sam, watch, read)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import queue
import sys
import time
from collections.abc import Callable
from typing import TextIO

from smartcard import scard

from app.domain.i18n import N_, _
from app.reader.apdu import CardChannel, establish_context, list_readers, release_context
from app.reader.config import ReaderConfig
from app.reader.controller import ReaderService
from app.reader.errors import CardRemoved, ReaderError, SamMissing
from app.reader.parsers import jpeg_size
from app.reader.pcsc_errors import hr32
from app.reader.sam_apdu import SamChannel
from app.reader.slots import Slots, discover
from app.reader.states import ReaderEvent, ReaderState

_STATE_LABELS: dict[ReaderState, str] = {
    ReaderState.NO_SERVICE: N_("smart-card service not running"),
    ReaderState.NO_READER: N_("no reader"),
    ReaderState.NO_SAM: N_("no SAM"),
    ReaderState.SAM_ERROR: N_("SAM error"),
    ReaderState.READY: N_("ready"),
    ReaderState.CARD_PRESENT: N_("card present"),
    ReaderState.READING: N_("reading"),
    ReaderState.READ: N_("read"),
    ReaderState.READ_FAILED: N_("read failed"),
    ReaderState.NOT_KTPEL: N_("not a KTP-el"),
}


def state_label(state: ReaderState) -> str:
    """The translated label of a state."""
    return _(_STATE_LABELS[state])


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loket reader", description=_("KTP-el reader tool"))
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help=_("list readers and slots"))
    sub.add_parser("sam", help=_("show the SAM status"))
    watch = sub.add_parser("watch", help=_("show reader events live"))
    watch.add_argument(
        "--seconds",
        type=float,
        default=None,
        help=_("stop after this many seconds (default: until Ctrl+C)"),
    )
    read = sub.add_parser("read", help=_("read the card's UID and photo"))
    read.add_argument(
        "--out", default=None, help=_("write the photo to this file (demo mode only)")
    )
    read.add_argument("--wait", type=float, default=30.0, help=_("seconds to wait for a card"))
    return parser


def _slots(config: ReaderConfig) -> tuple[list[str], Slots, int]:
    context = establish_context()
    names = list_readers(context)
    return names, discover(names, config), context


def _presence(context: int, names: list[str]) -> dict[str, str]:
    if not names:
        return {}
    hresult, result = scard.SCardGetStatusChange(
        context, 0, [(n, scard.SCARD_STATE_UNAWARE) for n in names]
    )
    if hr32(hresult) != 0:
        return {}
    return {
        name: bytes(atr).hex().upper() if state & scard.SCARD_STATE_PRESENT else ""
        for name, state, atr in result
    }


def cmd_list(config: ReaderConfig, out: TextIO) -> int:
    """Print every reader with its role and whether a card is present (ATR)."""
    names, slots, context = _slots(config)
    try:
        presence = _presence(context, names)
    finally:
        release_context(context)
    if not names:
        print(_("No readers found."), file=out)
        return 1
    for name in names:
        if name == slots.card:
            role = _("card slot")
        elif name == slots.sam:
            role = _("SAM slot")
        elif name in slots.cards:
            role = _("card slot (also watched)")
        elif name in {sam for _card, sam in slots.pairs}:
            role = _("SAM slot of another card slot")
        elif name in slots.refused:
            role = _("refused: virtual reader outside demo mode")
        else:
            role = _("not used")
        atr = presence.get(name, "")
        card = _("card present, ATR {atr}").format(atr=atr) if atr else _("empty")
        print(f"{name}\n    {role}; {card}", file=out)
    if slots.card is None:
        print(_("No card slot matches the configured patterns."), file=out)
        return 1
    return 0


def cmd_sam(config: ReaderConfig, out: TextIO) -> int:
    """Check that a SAM sits in the SAM slot and answers (its UID). Never uses PCID/CONF."""
    _names, slots, context = _slots(config)
    release_context(context)
    if slots.sam is None:
        print(_("No SAM slot matches the configured patterns."), file=out)
        return 1
    print(_("SAM slot: {name}").format(name=slots.sam), file=out)
    try:
        with CardChannel(slots.sam) as channel, channel.transaction():
            uid = SamChannel(channel).uid()
            print(_("SAM present, ATR {atr}").format(atr=channel.atr.hex().upper()), file=out)
            print(_("SAM UID: {uid}").format(uid=uid.hex().upper()), file=out)
    except CardRemoved:
        print(SamMissing().user_message, file=out)
        return 1
    except ReaderError as exc:
        print(exc.user_message, file=out)
        return 1
    return 0


def _print_event(out: TextIO, start: float) -> Callable[[ReaderEvent], None]:
    def show(event: ReaderEvent) -> None:
        text = state_label(event.state)
        if event.progress is not None:
            text += f" {event.progress}%"
        if event.detail:
            text += f" ({event.detail})"
        print(f"[{time.monotonic() - start:7.2f}s] {text}", file=out, flush=True)

    return show


def cmd_watch(config: ReaderConfig, out: TextIO, seconds: float | None) -> int:
    """Print events until ``seconds`` pass or Ctrl+C."""
    events: queue.Queue[ReaderEvent] = queue.Queue()
    show = _print_event(out, time.monotonic())
    deadline = None if seconds is None else time.monotonic() + seconds
    service = ReaderService(config, listener=events)
    with service:
        try:
            while deadline is None or time.monotonic() < deadline:
                left = 0.5 if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    show(events.get(timeout=min(0.5, left)))
                except queue.Empty:
                    continue
        except KeyboardInterrupt:
            pass
    while not events.empty():
        show(events.get_nowait())
    return 0


_NO_CARD_STATES: dict[ReaderState, str] = {
    ReaderState.NO_SERVICE: N_("The smart-card service is not running."),
    ReaderState.NO_READER: N_("No KTP-el reader is connected."),
}


def _report_no_card(service: ReaderService, out: TextIO) -> int:
    """Why no read happened: no reader, a card that was seen but not usable, or no card."""
    event = service.current
    if event.state in _NO_CARD_STATES:
        print(_(_NO_CARD_STATES[event.state]), file=out)
        return 1
    if service.cards_seen:
        reason = f" ({event.detail})" if event.detail else ""
        print(
            _("Read failed: a card was placed but could not be read{reason}.").format(
                reason=reason
            ),
            file=out,
        )
        return 1
    print(_("No card was placed on the reader."), file=out)
    return 1


def cmd_read(config: ReaderConfig, out: TextIO, out_file: str | None, wait: float) -> int:
    """Read UID and photo and describe them on screen (the photo goes to disk only in demo)."""
    if out_file and not config.allow_virtual:
        print(_("--out is only available in demo mode."), file=out)
        return 2
    show = _print_event(out, time.monotonic())
    with ReaderService(config, listener=show) as service:
        try:
            service.wait_for({ReaderState.CARD_PRESENT}, wait)
        except TimeoutError:
            return _report_no_card(service, out)
        try:
            with service.read_photo() as result:
                print(_("ATR: {atr}").format(atr=result.atr_hex), file=out)
                print(_("UID: {uid}").format(uid=bytes(result.uid).hex().upper() or "-"), file=out)
                size = jpeg_size(bytes(result.photo))
                dims = f"{size[0]}×{size[1]}" if size else "?"
                print(
                    _("Photo: {n} bytes, JPEG {dims}").format(n=len(result.photo), dims=dims),
                    file=out,
                )
                if out_file:
                    # a new file only: never an existing one, never through a symbolic link
                    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                    try:
                        fd = os.open(out_file, flags, 0o600)
                    except FileExistsError:
                        print(_("{path} already exists: choose a new file name.").format(
                            path=out_file), file=out)
                        return 2
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(result.photo)
                    print(_("Photo written to {path} (demo mode).").format(path=out_file), file=out)
        except ReaderError as exc:
            print(_("Read failed: {reason}").format(reason=exc.user_message), file=out)
            return 1
    return 0


def run_reader_cli(
    argv: list[str],
    *,
    allow_virtual: bool,
    config: ReaderConfig | None = None,
    out: TextIO | None = None,
) -> int:
    """Entry point of ``loket reader``; ``allow_virtual`` is true only in demo mode."""
    args = _build_parser().parse_args(argv)
    base = config or ReaderConfig()
    cfg = dataclasses.replace(base, allow_virtual=allow_virtual)
    stream = out or sys.stdout
    try:
        match args.command:
            case "list":
                return cmd_list(cfg, stream)
            case "sam":
                return cmd_sam(cfg, stream)
            case "watch":
                return cmd_watch(cfg, stream, args.seconds)
            case "read":
                photo_only = dataclasses.replace(cfg, require_sam=False)
                return cmd_read(photo_only, stream, args.out, args.wait)
    except ReaderError as exc:
        print(exc.user_message, file=stream)
        return 1
    except Exception as exc:  # a CLI never ends in a traceback
        logging.getLogger(__name__).exception("reader tool failed")
        print(_("Unexpected reader error: {error}").format(error=type(exc).__name__), file=stream)
        return 2
    return 2  # pragma: no cover - argparse rejects unknown commands

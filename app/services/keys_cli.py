"""``loket keys init | status | export --out FILE | import FILE``: the agency's keys."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from app.domain.errors import UserFacingError
from app.domain.i18n import _
from app.services.key_admin import export_keys, import_keys, init_keys, key_status
from app.services.key_bundle import PassphrasesDiffer
from app.services.persistence.db import DatabaseError, create_db_engine
from app.services.secrets import SecretStore, SecretStoreUnavailable
from app.services.settings import Settings
from app.services.translations import install_language

PASSPHRASE_ENV = "LOKET_KEYS_PASSPHRASE"  # noqa: S105 - the variable's name


def build_keys_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loket keys",
        description="The agency's encryption and HMAC keys: created once, shared by bundle.",
    )
    sub = parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    sub.add_parser("init", help="create the keys of a new agency database (first counter only)")
    sub.add_parser("status", help="key ids in this keyring and in the database")
    export = sub.add_parser("export", help="write the keys as a passphrase-encrypted bundle")
    export.add_argument("--out", required=True, help="bundle file to write")
    imp = sub.add_parser("import", help="put the agency's keys from a bundle into this keyring")
    imp.add_argument("file", help="bundle file (from `loket keys export`)")
    imp.add_argument(
        "--replace", action="store_true", help="overwrite other keys already in this keyring"
    )
    for command in (export, imp):
        command.add_argument(
            "--passphrase-file",
            help=f"read the passphrase from this file (else ${PASSPHRASE_ENV}, else asked)",
        )
    return parser


def read_passphrase(
    file: str | None, *, confirm: bool, ask: Callable[[str], str] = getpass.getpass
) -> str:
    """The bundle passphrase: from a file, the environment, or asked without echo."""
    if file:
        return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    first = ask(_("Passphrase of the key bundle (not shown): "))
    if confirm and ask(_("The same passphrase again: ")) != first:
        raise PassphrasesDiffer()
    return first


def _ids(ids: dict[str, str] | None) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(ids.items())) if ids else _("none")


def run_keys_cli(
    argv: Sequence[str],
    settings: Settings,
    store: SecretStore,
    *,
    out: TextIO | None = None,
    actor: str = "",
) -> int:
    """Run one ``loket keys`` action; return the exit status (2: refused, with a message)."""
    stream = out or sys.stdout
    args = build_keys_parser().parse_args(list(argv))
    install_language(settings.ui.language)
    if settings.is_demo:
        print(
            _("Demo mode keeps its keys in memory only. Configure the counter first."),
            file=sys.stderr,
        )
        return 2
    actor = actor or f"os:{getpass.getuser()}"
    engine = create_db_engine(settings.database_url or None)
    owner = create_db_engine(settings.database_owner_url) if settings.database_owner_url else None
    try:
        if args.keys_command == "status":
            status = key_status(engine, store)
            print(
                _("Keys in this keyring: {ids}").format(ids=_ids(status.keyring_ids)), file=stream
            )
            print(
                _("Keys of the database: {ids}").format(ids=_ids(status.database_ids)), file=stream
            )
            if status.problem is not None:
                print(status.problem.message, file=sys.stderr)
                return 2
            print(_("The keys match: this counter can work with the database."), file=stream)
            return 0
        if args.keys_command == "init":
            ring = init_keys(engine, store, actor, settings.counter_id, owner_engine=owner)
            print(_("Keys created: {ids}").format(ids=_ids(ring.ids)), file=stream)
            print(
                _("Export them now (loket keys export --out FILE) and keep the bundle safe."),
                file=stream,
            )
            return 0
        if args.keys_command == "export":
            passphrase = read_passphrase(args.passphrase_file, confirm=True)
            data = export_keys(engine, store, passphrase, agency=settings.agency.name)
            target = Path(args.out)
            fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            print(_("Key bundle written to {path}.").format(path=target), file=stream)
            return 0
        data = Path(args.file).read_bytes()
        passphrase = read_passphrase(args.passphrase_file, confirm=False)
        ring = import_keys(
            engine,
            store,
            data,
            passphrase,
            replace=args.replace,
            actor=actor,
            counter_id=settings.counter_id,
            owner_engine=owner,
        )
        print(_("Keys imported: {ids}").format(ids=_ids(ring.ids)), file=stream)
        return 0
    except (UserFacingError, DatabaseError, SecretStoreUnavailable) as error:
        print(error.message, file=sys.stderr)
    except OSError as error:
        print(
            _("The file cannot be read or written: {detail}").format(detail=error.strerror),
            file=sys.stderr,
        )
    except SQLAlchemyError as error:
        print(
            _("The database cannot be reached ({detail}).").format(detail=type(error).__name__),
            file=sys.stderr,
        )
    finally:
        engine.dispose()
        if owner is not None:
            owner.dispose()
    return 2

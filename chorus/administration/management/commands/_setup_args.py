"""Arguments shared by `chorus init` and `chorus org create`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser


def add_organization_arguments(parser: CommandParser) -> None:
    parser.add_argument("--name", help="Organization name.")
    parser.add_argument(
        "--domain",
        action="append",
        default=[],
        dest="domains",
        help="A verified e-mail domain (repeat for several).",
    )
    parser.add_argument(
        "--jurisdiction",
        action="append",
        default=[],
        dest="jurisdictions",
        help="Where employees work: US, US-CA, EU, DE, UK, ... (repeat for several).",
    )
    parser.add_argument("--timezone", default="UTC", help="IANA time zone, e.g. Europe/Berlin.")
    parser.add_argument("--language", default="en", help="Language code, e.g. en, de, fr.")
    parser.add_argument("--admin-email", help="E-mail address of the first administrator.")
    parser.add_argument("--admin-name", help="Name of the first administrator.")
    parser.add_argument(
        "--admin-password-file",
        help="File holding the administrator's password ('-' reads standard input). "
        "CHORUS_ADMIN_PASSWORD is read when this is not given. A password never goes on the "
        "command line, where `ps` shows it.",
    )
    parser.add_argument(
        "--preset",
        choices=["strict", "balanced", "loose"],
        help="Write a draft policy from this preset (needs a password for the administrator).",
    )


def read_password(options: dict[str, Any], *, required: bool) -> str | None:
    path = options.get("admin_password_file")
    if path == "-":
        password = sys.stdin.readline().rstrip("\n")
    elif path:
        try:
            password = Path(path).read_text(encoding="utf-8").rstrip("\n")
        except OSError as exc:
            raise CommandError(f"Cannot read --admin-password-file {path}: {exc.strerror}.")
    else:
        password = os.environ.get("CHORUS_ADMIN_PASSWORD", "")
    if not password:
        if required:
            raise CommandError(
                "Give the administrator's password with --admin-password-file PATH (or '-' "
                "for standard input) or the CHORUS_ADMIN_PASSWORD environment variable."
            )
        return None
    return password


def require(options: dict[str, Any], *names: str) -> None:
    missing = [f"--{n.replace('_', '-')}" for n in names if not options.get(n)]
    if missing:
        raise CommandError(f"Missing {', '.join(missing)}. See `chorus <command> --help`.")

"""The `chorus` console script.

`chorus check` runs the screening engine without loading Django, so it starts fast. Every
other subcommand is a Django management command of a Chorus app (`chorus/<app>/management/
commands/<name>.py`), run with the project's settings: `chorus seed`, `chorus policy lint FILE`,
`chorus audit verify`, `chorus worker`, `chorus stream`, ...
"""

from __future__ import annotations

import os
import sys

# Django's own commands that operators need, shown in `chorus --help` beside ours.
DJANGO_COMMANDS = {
    "migrate": "Apply database migrations.",
    "createsuperuser": "Create an administrator account.",
    "check": None,  # shadowed by the screening check; use `chorus django-check`
    "shell": "Open a Python shell with Django loaded.",
    "collectstatic": "Collect static files for production.",
}


def _setup_django() -> None:
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _chorus_commands() -> dict[str, str]:
    from django.core.management import get_commands, load_command_class

    found = {}
    for name, app in sorted(get_commands().items()):
        if app.startswith("chorus."):
            try:
                found[name] = load_command_class(app, name).help.split("\n")[0]
            except Exception:  # a broken command must not hide the others in --help
                found[name] = "(could not load)"
    return found


def _print_help() -> None:
    _setup_django()
    lines = [
        "usage: chorus <command> [options]",
        "",
        "Run an organization's employee social-media program.",
        "",
        "commands:",
        f"  {'check':<26}Screen posts against a policy (see `chorus check --help`).",
    ]
    for name, text in _chorus_commands().items():
        lines.append(f"  {name:<26}{text}")
    for name, summary in DJANGO_COMMANDS.items():
        if summary:
            lines.append(f"  {name:<26}{summary}")
    lines.append(
        f"  {'django-check':<26}Django's system checks (e.g. `chorus django-check --deploy`)."
    )
    lines += ["", "`chorus <command> --help` describes each command."]
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        _print_help()
        return 0
    command, rest = args[0], args[1:]
    if command == "check":
        from chorus.screening.cli import main as check_main

        return check_main(rest)
    _setup_django()
    from django.core.management import execute_from_command_line

    if command == "django-check":
        command = "check"
    elif command not in _chorus_commands() and command not in DJANGO_COMMANDS:
        print(
            f"chorus: unknown command {command!r}. Run `chorus --help` for the list.",
            file=sys.stderr,
        )
        return 2
    try:
        execute_from_command_line(["chorus", command, *rest])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

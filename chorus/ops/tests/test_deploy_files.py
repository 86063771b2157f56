"""Docker cannot run here, so the deployment files are checked for what can go wrong without
it: the compose file is valid YAML with the services the guide promises, and every command
that the compose file, the Dockerfile and the systemd units run exists and accepts its
arguments (`chorus` subcommands are parsed by their real argument parsers)."""

from __future__ import annotations

import configparser
import re
import shlex
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands, load_command_class
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def assert_command_exists(argv: list[str]) -> None:
    program, args = Path(argv[0]).name, argv[1:]
    if program == "chorus":
        from chorus.cli import DJANGO_COMMANDS

        name, rest = args[0], args[1:]
        commands = get_commands()
        assert name in commands, f"`chorus {name}` is not a command"
        assert name in DJANGO_COMMANDS or commands[name].startswith("chorus."), name
        parser = load_command_class(commands[name], name).create_parser("chorus", name)
        parser.parse_args(rest)  # exits (fails the test) on an unknown option
    elif program == "gunicorn":
        assert (BIN / "gunicorn").exists(), "gunicorn is not installed"
        config = args[args.index("-c") + 1]
        assert (ROOT / config).is_file(), f"{config} is missing"
        app = args[-1]
        assert find_spec(app.split(":")[0]) is not None, f"{app} is not importable"
    elif program == "python":
        assert args[0] == "-c"
        urls = re.findall(r"http://127\.0\.0\.1:8000(/[a-z]+)", args[1])
        for url in urls:
            resolve(url)
    else:
        raise AssertionError(f"unexpected program {argv[0]!r}")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_is_valid_yaml_with_every_service():
    services = _compose()["services"]

    assert {"db", "redis", "web", "worker", "stream", "migrate"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web", "worker", "stream", "migrate"):
        assert services[name]["build"] == "."
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["TASK_BACKEND"] == "rq"


@pytest.mark.parametrize("service", ["web", "worker", "stream", "migrate"])
def test_every_command_in_the_compose_file_exists(service):
    definition = _compose()["services"][service]

    assert_command_exists(definition["command"])
    if "healthcheck" in definition:
        test = definition["healthcheck"]["test"]
        assert test[0] == "CMD"
        assert_command_exists(test[1:])


def test_the_dockerfile_copies_what_exists_and_runs_what_exists():
    text = (ROOT / "Dockerfile").read_text()

    for line in re.findall(r"^COPY (.+)$", text, flags=re.MULTILINE):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    cmd = re.search(r"^CMD (\[.+\])$", text, flags=re.MULTILINE)
    assert cmd is not None
    assert_command_exists(yaml.safe_load(cmd.group(1)))
    healthcheck = re.search(r"^  CMD (python .+)$", text, flags=re.MULTILINE)
    assert healthcheck is not None
    assert_command_exists(shlex.split(healthcheck.group(1)))
    assert re.search(r"chorus collectstatic", text)


def _units() -> list[Path]:
    return sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def test_there_are_units_for_web_worker_stream_and_backup():
    assert {p.name for p in _units()} >= {
        "chorus-web.service",
        "chorus-worker.service",
        "chorus-stream.service",
        "chorus-backup.service",
    }
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(ROOT / "deploy" / "systemd" / "chorus-backup.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"


@pytest.mark.parametrize("unit", _units(), ids=lambda p: p.name)
def test_every_command_in_the_systemd_units_exists(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(unit)
    service = parser["Service"]

    for key in ("ExecStartPre", "ExecStart", "ExecStartPost"):
        if key not in service:
            continue
        for line in service[key].splitlines():
            argv = shlex.split(line)
            if argv and argv[0].startswith("/opt/chorus/.venv/bin/"):
                assert_command_exists(argv)
            else:
                assert argv[0] in {"/bin/sh", "/bin/kill"}, line


def test_the_gunicorn_config_loads():
    namespace: dict = {}
    exec(
        compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"),
        namespace,
    )

    assert namespace["workers"] >= 1 and namespace["bind"]
    assert callable(namespace["child_exit"])

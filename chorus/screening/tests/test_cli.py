"""`chorus check` through a real process: exit codes, streaming JSONL, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chorus.screening.tests.conftest import NORTHWIND_POLICY

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(NORTHWIND_POLICY, encoding="utf-8")
    return path


def run_check(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "chorus.screening.cli", *args],
        input=stdin, capture_output=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip


def write_jsonl(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_prints_one_object_per_post_in_order(tmp_path, policy_file):
    posts = write_jsonl(tmp_path, [
        json.dumps({"id": "a", "text": "Lovely day", "network": "x"}),
        json.dumps({"id": "b", "text": "Globex's drones are garbage."}),
        "",
        json.dumps({"id": "c", "text": "AKIADJ2WTPXERKG54ZFT is our key"}),
    ])  # fmt: skip
    proc = run_check(str(posts), "--policy", str(policy_file), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [(r["id"], r["verdict"]) for r in rows] == [
        ("a", "allow"),
        ("b", "warn"),
        ("c", "block"),
    ]


@pytest.mark.parametrize(("fail_on", "code"), [("block", 0), ("warn", 1), ("never", 0)])
def test_fail_on_sets_the_exit_status(tmp_path, policy_file, fail_on, code):
    posts = write_jsonl(tmp_path, [json.dumps({"id": "b", "text": "Globex's drones are garbage."})])
    proc = run_check(str(posts), "--policy", str(policy_file), "--fail-on", fail_on)
    assert proc.returncode == code, proc.stderr


def test_malformed_jsonl_line_exits_2_naming_the_line(tmp_path, policy_file):
    posts = write_jsonl(tmp_path, [json.dumps({"id": "a", "text": "ok"}), "{not json"])
    proc = run_check(str(posts), "--policy", str(policy_file), "--format", "json")
    assert proc.returncode == 2
    assert f"{posts}:2: invalid JSON" in proc.stderr.decode()


def test_missing_text_field_exits_2_naming_line_and_field(tmp_path, policy_file):
    posts = write_jsonl(tmp_path, [json.dumps({"id": "a"})])
    proc = run_check(str(posts), "--policy", str(policy_file))
    assert proc.returncode == 2
    assert f"{posts}:1: field 'text'" in proc.stderr.decode()


def test_invalid_policy_exits_2_naming_the_field(tmp_path):
    policy = tmp_path / "bad.yaml"
    policy.write_text("organization: {name: X}\npreset: balanced\nrules:\n  - id: conduct.profanity\n"
                      "    severity: huge\n")  # fmt: skip
    proc = run_check("-", "--policy", str(policy), stdin=b"hello")
    assert proc.returncode == 2
    assert f"{policy}:5: rules[0].severity" in proc.stderr.decode()


def test_missing_policy_argument_is_a_usage_error():
    proc = run_check("-", stdin=b"hello")
    assert proc.returncode == 2
    assert b"--policy" in proc.stderr


def test_one_megabyte_text_exits_2_with_the_limit(tmp_path, policy_file):
    big = tmp_path / "big.txt"
    big.write_text("a" * 1_000_000)
    proc = run_check(str(big), "--policy", str(policy_file))
    assert proc.returncode == 2
    assert "limit is 100,000 characters" in proc.stderr.decode()


def test_empty_text_is_allowed(tmp_path, policy_file):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = run_check(str(empty), "--policy", str(policy_file), "--format", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["verdict"] == "allow"


def test_invalid_utf8_exits_2_naming_the_line(tmp_path, policy_file):
    posts = tmp_path / "posts.jsonl"
    posts.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "\xff\xfe"}\n')
    proc = run_check(str(posts), "--policy", str(policy_file), "--format", "json")
    assert proc.returncode == 2
    assert f"{posts}:2: invalid UTF-8" in proc.stderr.decode()


def test_stdin_is_one_post_with_id_dash(policy_file):
    proc = run_check("-", "--policy", str(policy_file), "--format", "json",
                     stdin="Well, shit. Ѕpilled coffee.".encode())  # fmt: skip
    row = json.loads(proc.stdout)
    assert (row["id"], row["verdict"]) == ("-", "warn")
    assert proc.returncode == 0


def test_text_format_marks_the_offending_span(policy_file):
    proc = run_check("check", "-", "--policy", str(policy_file),
                     stdin=b"Globex's drones are garbage.")  # fmt: skip
    out = proc.stdout.decode()
    assert "\u00bbGlobex\u00ab" in out
    assert "competitor.negative" in out


def test_unreadable_input_file_exits_2(tmp_path, policy_file):
    proc = run_check(str(tmp_path / "nope.jsonl"), "--policy", str(policy_file))
    assert proc.returncode == 2
    assert b"cannot read" in proc.stderr


def test_lone_surrogate_in_json_is_written_escaped(tmp_path, policy_file):
    posts = write_jsonl(tmp_path, ['{"id": "s", "text": "Globex is garbage \\ud800"}'])
    proc = run_check(str(posts), "--policy", str(policy_file), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["id"] == "s"


def test_engine_never_imports_django():
    code = (
        "import sys, chorus.screening, chorus.screening.cli;"
        "from chorus.screening import Post, Screener, parse_policy_yaml;"
        "p = parse_policy_yaml('organization: {name: X}\\npreset: balanced\\n');"
        "Screener(p).check(Post(id='1', text='you idiot, call 020 7946 0958'));"
        "assert not [m for m in sys.modules if m.startswith('django')]"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_a_policy_with_nested_aliases_exits_2_at_once(tmp_path):
    policy = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    policy.write_text("\n".join([*lines, "entities:", "  customers: *a8", ""]), encoding="utf-8")
    proc = run_check("-", "--policy", str(policy), stdin=b"hello")
    assert proc.returncode == 2
    assert "aliases are not allowed" in proc.stderr.decode()

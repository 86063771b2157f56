"""``chorus check``: screen posts from a file or stdin (see shared/contracts/screening.md).

    chorus check [PATH | -] --policy POLICY.yaml [--format text|json] [--fail-on block|warn|never]

- ``PATH`` ending in ``.jsonl``: one post per line (``{"id": ..., "text": ..., ...}``), checked
  and printed one at a time, in input order (memory does not grow with the input).
- Any other ``PATH``, or ``-``/no path (stdin): the whole text is one post with id ``"-"``.
- Exit status 0: no post reached ``--fail-on`` (default ``block``); 1: one did; 2: usage error or
  bad input (unreadable file, invalid UTF-8, invalid JSON line, missing field, text over the
  limit, invalid policy), with one message on stderr naming the file, line and field.

A bad line stops the run with status 2; results already printed for earlier lines stay valid.
Heavy modules are imported lazily so that starting the process stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chorus.screening.engine import Post, Result

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
_FAIL_RANK = {"warn": 1, "block": 2}
_VERDICT_RANK = {"allow": 0, "warn": 1, "block": 2}


class InputError(Exception):
    """Bad input: the message names the file and line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chorus check",
        description="Screen posts against a social-media policy.",
    )
    parser.add_argument(
        "path", nargs="?", default="-", metavar="PATH",
        help="a .jsonl file (one post per line), any other file (one post), or - for stdin",
    )  # fmt: skip
    parser.add_argument("--policy", required=True, metavar="POLICY.yaml", help="policy file")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--fail-on", choices=("block", "warn", "never"), default="block",
        help="exit 1 when a post reaches this verdict (default: block)",
    )  # fmt: skip
    return parser


def _read_lines(stream: IO[bytes], name: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, start=1):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}:{number}: invalid UTF-8 (byte {exc.start + 1} of the line); "
                "save the file as UTF-8"
            ) from exc


def _jsonl_posts(stream: IO[bytes], name: str) -> Iterator[tuple[int, Post]]:
    from chorus.screening.engine import Post

    for number, line in _read_lines(stream, name):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{name}:{number}: invalid JSON: {exc.msg} (column {exc.colno})"
            ) from exc
        except (ValueError, RecursionError) as exc:  # a 5000-digit number, 100k nested [
            raise InputError(
                f"{name}:{number}: invalid JSON: nested too deeply or a number too long"
            ) from exc
        if not isinstance(data, dict):
            raise InputError(f"{name}:{number}: expected a JSON object with id and text")
        post_id = data.get("id")
        if isinstance(post_id, bool) or not isinstance(post_id, (str, int)):
            raise InputError(f"{name}:{number}: field 'id': required, a string")
        text = data.get("text")
        if not isinstance(text, str):
            what = "missing" if text is None else f"must be a string, got {type(text).__name__}"
            raise InputError(f"{name}:{number}: field 'text': {what}")
        context = data.get("context")
        yield (
            number,
            Post(
                id=post_id,  # type: ignore[arg-type]  # echoed back as given (str or int)
                text=text,
                author=data.get("author") if isinstance(data.get("author"), str) else None,
                network=data.get("network") if isinstance(data.get("network"), str) else None,
                context=context if isinstance(context, dict) else None,
            ),
        )


def _whole_post(stream: IO[bytes], name: str) -> Iterator[tuple[int, Post]]:
    from chorus.screening.engine import MAX_TEXT_CHARS, Post

    # Read one byte past the limit's worst case so a huge file is refused without loading it all.
    raw = stream.read(MAX_TEXT_CHARS * 4 + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: invalid UTF-8; save the file as UTF-8") from exc
    yield 1, Post(id="-", text=text)


def _dump(obj: dict[str, Any]) -> str:
    line = json.dumps(obj, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (possible via JSON escapes) cannot be written raw; escape them.
        line = json.dumps(obj, ensure_ascii=True)
    return line


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(text[pos:start])
        out.append(f"\u00bb{text[start:end]}\u00ab")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _text_report(result: Result, text: str) -> str:
    head = f"{result.id}: {result.verdict.upper()}"
    if result.categories:
        head += f"  [{', '.join(result.categories)}]"
    if result.signals:
        head += f"  (signals: {', '.join(result.signals)})"
    lines = [head]
    if result.findings:
        marked = _mark(text, [(f.start, f.end) for f in result.findings])
        lines.extend("  | " + row for row in marked.splitlines() or [""])
    for f in result.findings:
        lines.append(f"  - {f.severity:<8} {f.rule_id} [{f.start}:{f.end}] \u00bb{f.excerpt}\u00ab")
        lines.append(f"      {f.message}")
        if f.suggestion:
            lines.append(f"      Suggestion: {f.suggestion}")
    return "\n".join(lines)


def run(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from chorus.screening.engine import InputTooLarge, screener_for
    from chorus.screening.policy import PolicyError, load_policy_file

    try:
        policy = load_policy_file(args.policy)
    except PolicyError as exc:
        print(f"chorus check: invalid policy: {exc}", file=stderr)
        return EXIT_USAGE
    screener = screener_for(policy)
    name = "<stdin>" if args.path == "-" else args.path
    try:
        stream: IO[bytes] = sys.stdin.buffer if args.path == "-" else open(args.path, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"chorus check: {name}: cannot read: {exc.strerror or exc}", file=stderr)
        return EXIT_USAGE
    jsonl = args.path != "-" and args.path.endswith(".jsonl")
    threshold = _FAIL_RANK.get(args.fail_on)
    failed = False
    counts = {"allow": 0, "warn": 0, "block": 0}
    try:
        posts = _jsonl_posts(stream, name) if jsonl else _whole_post(stream, name)
        for number, post in posts:
            try:
                result = screener.check(post)
            except InputTooLarge as exc:
                where = f"{name}:{number}: field 'text'" if jsonl else name
                raise InputError(f"{where}: {exc}") from exc
            counts[result.verdict] += 1
            if threshold is not None and _VERDICT_RANK[result.verdict] >= threshold:
                failed = True
            if args.format == "json":
                stdout.write(_dump(result.to_dict()) + "\n")
            else:
                stdout.write(_text_report(result, post.text) + "\n\n")
            stdout.flush()
    except InputError as exc:
        print(f"chorus check: {exc}", file=stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, like other Unix tools.
        _silence_stdout()
        return EXIT_FAIL if failed else EXIT_OK
    except OSError as exc:
        print(f"chorus check: {name}: cannot read: {exc.strerror or exc}", file=stderr)
        return EXIT_USAGE
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if args.format == "text":
        total = sum(counts.values())
        stdout.write(
            f"{total} post{'s' if total != 1 else ''}: {counts['block']} block, "
            f"{counts['warn']} warn, {counts['allow']} allow\n"
        )
    return EXIT_FAIL if failed else EXIT_OK


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``chorus check``; returns the exit status (0, 1 or 2)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["check"]:
        args_list = args_list[1:]
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    # Write with backslash escapes rather than crash on text the terminal cannot encode.
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(errors="backslashreplace")
    return run(args, stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())

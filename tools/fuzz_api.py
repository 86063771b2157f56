"""`make fuzz`: schemathesis against a live Chorus server, as an administrator and as an employee.

Starts the app on a random 127.0.0.1 port with a freshly migrated and seeded SQLite database in
a temporary directory, creates a bearer token per role (`chorus api_token`), and runs
`st run` over /api/v1/openapi.json with a fixed seed and bounded examples and time. Fails on
any server error (5xx), undocumented status code or content type, or response that does not
match the schema. Environment: FUZZ_SEED (1), FUZZ_MAX_EXAMPLES (25), FUZZ_MAX_TIME (seconds
per role, 150), FUZZ_REPORT_DIR (var/fuzz).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_schema_conformance",
])  # fmt: skip
ROLES = [("admin", "admin@northwind.example"), ("employee", "employee@northwind.example")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server exited with {server.returncode} before answering.")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The server did not answer {url} within {seconds:.0f} s.")


def main() -> int:
    seed = os.environ.get("FUZZ_SEED", "1")
    max_examples = os.environ.get("FUZZ_MAX_EXAMPLES", "25")
    max_time = os.environ.get("FUZZ_MAX_TIME", "150")
    reports = Path(os.environ.get("FUZZ_REPORT_DIR", ROOT / "var" / "fuzz"))
    workdir = Path(tempfile.mkdtemp(prefix="chorus-fuzz-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        "TASK_BACKEND": "immediate",
        "DEBUG": "true",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }
    print(f"== fuzz: migrating and seeding {workdir}", flush=True)
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "seed")
    tokens = {role: manage(env, "api_token", email, "--name", "fuzz") for role, email in ROLES}
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver_plain", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    failed = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz", server)
        for role, _ in ROLES:
            print(
                f"== fuzz as {role}: seed {seed}, {max_examples} examples per operation, "
                f"at most {max_time} s",
                flush=True,
            )
            result = subprocess.run(
                [
                    str(BIN / "st"),
                    "run",
                    f"{base}/api/v1/openapi.json",
                    "--header",
                    f"Authorization: Bearer {tokens[role]}",
                    "--checks",
                    CHECKS,
                    "--seed",
                    seed,
                    "--max-examples",
                    max_examples,
                    "--max-time",
                    max_time,
                    "--workers",
                    "1",
                    "--generation-database",
                    "none",
                    "--request-timeout",
                    "30",
                    "--no-color",
                    "--phases",
                    "examples,coverage,fuzzing",
                    "--report",
                    "junit",
                    "--report-dir",
                    str(reports / role),
                ],
                cwd=workdir,
                env=env,
            )
            # st runs in the temporary directory, so its replay cache goes away with it.
            if result.returncode != 0:
                failed.append(role)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if failed:
            reports.mkdir(parents=True, exist_ok=True)
            shutil.copy(workdir / "server.log", reports / "server.log")
        shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        print(f"fuzz: failures as {', '.join(failed)} (server log in {reports}/server.log)")
        return 1
    print("fuzz: 0 server errors, 0 schema violations")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A real RFC 3161 time-stamping authority for tests and local development: OpenSSL's
`openssl ts -reply` behind a small HTTP handler on 127.0.0.1 (port 0), with a CA and a TSA
certificate generated on the spot. It records every request it answered."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TS_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(directory: Path) -> None:
    """CA (self-signed) and a TSA certificate with the critical timeStamping EKU."""
    _run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
         "ca.crt", "-days", "30", "-subj", "/CN=Chorus Test Root CA", "-addext",
         "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         cwd=directory)
    _run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
         "-subj", "/CN=Chorus Test TSA", cwd=directory)
    (directory / "tsa.ext").write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=critical,timeStamping\n")
    _run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "tsa.crt", "-days", "30", "-extfile", "tsa.ext",
         cwd=directory)
    (directory / "serial").write_text("01\n")
    (directory / "ts.cnf").write_text(TS_CONFIG.format(dir=directory))


@dataclass
class LocalTSA:
    directory: Path
    url: str = ""
    requests: list[bytes] = field(default_factory=list)
    down: bool = False
    server: ThreadingHTTPServer | None = None

    @property
    def roots_file(self) -> str:
        return str(self.directory / "ca.crt")

    def reply(self, query: bytes) -> bytes:
        with tempfile.TemporaryDirectory(dir=self.directory) as tmp:
            q, r = Path(tmp) / "q.tsq", Path(tmp) / "r.tsr"
            q.write_bytes(query)
            _run("ts", "-reply", "-config", str(self.directory / "ts.cnf"), "-queryfile",
                 str(q), "-out", str(r), cwd=self.directory)
            return r.read_bytes()

    def start(self) -> LocalTSA:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if tsa.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                tsa.requests.append(body)
                try:
                    answer = tsa.reply(body)
                except subprocess.CalledProcessError:
                    self.send_response(400)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def start_local_tsa(directory: Path) -> LocalTSA:
    make_pki(directory)
    return LocalTSA(directory=directory).start()

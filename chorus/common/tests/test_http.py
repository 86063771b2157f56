"""The guarded outbound client against real HTTP servers on 127.0.0.1 (no mocks of HTTP):
internal addresses refused before connecting, on every redirect, without a second DNS lookup;
byte cap, overall deadline and redirect bound enforced."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chorus.common.http import OutboundError, OutboundSession, address_is_public, fetch


class Server:
    """A loopback server whose handler is a function of the request path; counts requests."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.hosts: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                outer.paths.append(self.path)
                outer.hosts.append(self.headers.get("Host", ""))
                outer.handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # the client hanging up on a capped or late answer is the point

        self._server = Quiet(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path
        if path == "/ok":
            self._send(request, 200, b"hello")
        elif path == "/big":
            self._send(request, 200, b"x" * (2 * 1024 * 1024))
        elif path == "/big-unannounced":
            request.send_response(200)
            request.end_headers()  # no Content-Length: read until close
            for _ in range(32):
                request.wfile.write(b"y" * 65536)
        elif path == "/drip":
            request.send_response(200)
            request.end_headers()
            try:
                for _ in range(200):
                    request.wfile.write(b"z")
                    request.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif path.startswith("/to?"):
            request.send_response(302)
            request.send_header("Location", path.split("?", 1)[1])
            request.end_headers()
        elif path == "/loop":
            request.send_response(302)
            request.send_header("Location", "/loop")
            request.end_headers()
        else:
            self._send(request, 404, b"nope")

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        request.send_response(status)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.close()


def test_loopback_is_refused_by_default_and_never_contacted(server):
    with pytest.raises(OutboundError) as exc:
        fetch(f"{server.url}/ok")
    assert exc.value.kind == "refused"
    assert server.paths == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://100.64.0.1/",
        "http://0.0.0.0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1]/",
        "http://224.0.0.1/", "http://240.0.0.1/", "http://localhost/",
    ],
)  # fmt: skip
def test_internal_and_reserved_addresses_are_refused(url):
    with pytest.raises(OutboundError) as exc:
        fetch(url)
    assert exc.value.kind == "refused"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://127.0.0.1/", "http://user:pw@example.com/", "http://"]
)
def test_only_plain_http_urls_are_fetched(url):
    with pytest.raises(OutboundError) as exc:
        fetch(url)
    assert exc.value.kind == "invalid_url"


def test_address_classification():
    assert address_is_public("93.184.216.34") and address_is_public("2606:4700::1111")
    assert not any(
        address_is_public(a)
        for a in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:10.0.0.1", "fc00::1")
    )


def test_an_opted_in_local_server_is_read(server, outbound_to_loopback):
    response = fetch(f"{server.url}/ok")
    assert (response.status_code, response.content) == (200, b"hello")


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://127.0.0.2:9/"],
)
def test_a_redirect_to_an_internal_address_is_refused(server, outbound_to_loopback, target):
    with pytest.raises(OutboundError) as exc:
        fetch(f"{server.url}/to?{target}")
    assert exc.value.kind == "refused"
    assert server.paths == [f"/to?{target}"]


def test_a_redirect_to_another_scheme_is_refused(server, outbound_to_loopback):
    with pytest.raises(OutboundError) as exc:
        fetch(f"{server.url}/to?file:///etc/passwd")
    assert exc.value.kind == "invalid_url"


def test_redirects_are_bounded(server, outbound_to_loopback):
    with pytest.raises(OutboundError) as exc:
        fetch(f"{server.url}/loop", max_redirects=3)
    assert exc.value.kind == "redirects"
    assert len(server.paths) == 4


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_the_body_is_capped(server, outbound_to_loopback, path):
    with pytest.raises(OutboundError) as exc:
        fetch(f"{server.url}{path}", max_bytes=1024 * 1024)
    assert exc.value.kind == "too_large"


def test_a_dripping_server_is_cut_off_at_the_overall_deadline(server, outbound_to_loopback):
    # One byte every 0.1 s never trips the per-read timeout; only the deadline stops it.
    with pytest.raises(OutboundError) as exc:
        fetch(f"{server.url}/drip", deadline=1.0, timeout=5.0)
    assert exc.value.kind == "timeout"


def _resolver(answers: dict[str, list[str]], calls: list[str]):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            calls.append(host)
            address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    return getaddrinfo


def test_a_public_looking_name_that_resolves_inside_is_refused(server, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(socket, "getaddrinfo", _resolver({"feeds.example": ["127.0.0.1"]}, calls))
    with pytest.raises(OutboundError) as exc:
        fetch(f"http://feeds.example:{server.port}/ok")
    assert exc.value.kind == "refused" and calls == ["feeds.example"]
    assert server.paths == []


def test_the_connection_goes_to_the_address_that_was_checked(
    server, outbound_to_loopback, monkeypatch
):
    # DNS rebinding: the first answer passes the check, a second lookup would point elsewhere.
    # The client resolves once per connection and connects to the checked address.
    calls: list[str] = []
    answers = {"rebind.example": ["127.0.0.1", "10.9.9.9"]}
    monkeypatch.setattr(socket, "getaddrinfo", _resolver(answers, calls))
    response = fetch(f"http://rebind.example:{server.port}/ok")
    assert response.content == b"hello"
    assert calls == ["rebind.example"]
    assert server.hosts == [f"rebind.example:{server.port}"]


def test_the_session_guards_sdk_calls_too(server):
    with OutboundSession() as session, pytest.raises(OutboundError):
        session.get(f"{server.url}/ok")
    assert server.paths == []

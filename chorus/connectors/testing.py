"""Loopback HTTP servers for connector tests: replay VCR-style cassettes or serve canned
routes. Nothing here touches the network; servers bind 127.0.0.1 on a free port."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

import yaml

Route = Callable[[str, dict[str, str]], tuple[int, dict[str, str], bytes]]


class LocalHttpServer:
    """Serve `route(path, query) -> (status, headers, body)` on 127.0.0.1."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                outer.requests.append(self.path)
                status, headers, body = outer.route(parsed.path, dict(parse_qsl(parsed.query)))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> LocalHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def cassette_route(path: Path, *, ignore: tuple[str, ...] = ("limit",)) -> Route:
    """Replay a VCR cassette, matching GET requests on path and query (minus `ignore`).
    An unrecorded `.../statuses` page answers `[]` (the end of the recording: nothing newer);
    anything else unrecorded is a Mastodon-shaped 404."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    recorded: dict[tuple[str, str], Any] = {}
    for item in data["interactions"]:
        url = urlparse(item["request"]["uri"])
        query = urlencode(sorted((k, v) for k, v in parse_qsl(url.query) if k not in ignore))
        recorded[(url.path, query)] = item["response"]

    def route(req_path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        key = (req_path, urlencode(sorted((k, v) for k, v in query.items() if k not in ignore)))
        response = recorded.get(key)
        if response is None:
            if req_path.endswith("/statuses"):
                return 200, {"Content-Type": "application/json"}, b"[]"
            return 404, {"Content-Type": "application/json"}, b'{"error":"Record not found"}'
        headers = {k: v[0] if isinstance(v, list) else v
                   for k, v in response["headers"].items() if k.lower() != "link"}
        return response["status"]["code"], headers, response["body"]["string"].encode()

    return route

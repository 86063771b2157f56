"""Local protocol peers for the integration tests: HTTP servers on 127.0.0.1, port 0, that
speak what Slack's Web API, the Bot Framework and a webhook receiver speak, and record every
request they got."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: dict[str, str] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        """Query, form and JSON parameters together (Slack accepts all three)."""
        out: dict[str, Any] = dict(self.query)
        kind = self.headers.get("content-type", "")
        if "json" in kind and self.body:
            out.update(json.loads(self.body))
        elif self.body and "form" in kind:
            out.update({k: v[0] for k, v in parse_qs(self.body.decode()).items()})
        return out

    def json(self) -> Any:
        return json.loads(self.body)


Responder = Callable[[Call], tuple[int, dict[str, str], bytes]]


class RecordingServer:
    """Answers each request with `respond(call)` and keeps the calls in order."""

    def __init__(self, respond: Responder) -> None:
        self.calls: list[Call] = []
        self.respond = respond
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                call = Call(method=self.command, path=parts.path,
                            headers={k.lower(): v for k, v in self.headers.items()}, body=body,
                            query={k: v[0] for k, v in parse_qs(parts.query).items()})
                with outer._lock:
                    outer.calls.append(call)
                status, headers, payload = outer.respond(call)
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()


class FakeSlack(RecordingServer):
    """The Slack Web API methods Chorus uses, with a directory of members by e-mail.

    `members` maps e-mail → member dict (id, confirmed). `fail` maps a method name to the
    Slack error code it should answer with."""

    BOT_TOKEN = "xoxb-1111-2222-test-token"

    def __init__(self) -> None:
        self.members: dict[str, dict[str, Any]] = {}
        self.fail: dict[str, str] = {}
        self.team = {"id": "T0NORTHWIND", "name": "Northwind"}
        self._ts = 1700000000
        super().__init__(self._answer)

    def add_member(self, email: str, slack_id: str, *, confirmed: bool = True) -> None:
        self.members[email] = {"id": slack_id, "confirmed": confirmed, "email": email}

    def method_calls(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.path == f"/api/{name}"]

    def _answer(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        if call.path == "/oauth/v2/authorize":
            # Slack's consent screen, already accepted: back to the app with a code.
            from urllib.parse import unquote

            target = unquote(call.query.get("redirect_uri", ""))
            state = call.query.get("state", "")
            return 302, {"Location": f"{target}?code=good-code&state={state}"}, b""
        method = call.path.removeprefix("/api/")
        if method in self.fail:
            return _json(200, {"ok": False, "error": self.fail[method]})
        params = call.params
        if method == "oauth.v2.access":
            basic = call.headers.get("authorization", "")
            expected = base64.b64encode(b"123.456:client-secret").decode()
            if basic != f"Basic {expected}" or params.get("code") != "good-code":
                return _json(200, {"ok": False, "error": "invalid_code"})
            return _json(200, {
                "ok": True, "access_token": self.BOT_TOKEN, "token_type": "bot",
                "scope": "commands,chat:write,im:write,users:read,users:read.email",
                "bot_user_id": "U0BOT", "app_id": "A0CHORUS", "team": self.team,
                "enterprise": None, "authed_user": {"id": "U0ADMIN"},
                "incoming_webhook": {"channel": "#advocacy", "channel_id": "C0DROPS",
                                     "url": "https://hooks.slack.com/services/T/B/X"},
            })
        if call.headers.get("authorization") != f"Bearer {self.BOT_TOKEN}":
            return _json(200, {"ok": False, "error": "invalid_auth"})
        if method == "users.lookupByEmail":
            member = self.members.get(params.get("email", ""))
            if member is None:
                return _json(200, {"ok": False, "error": "users_not_found"})
            return _json(200, {"ok": True, "user": {"id": member["id"], "profile": {
                "email": member["email"]}, "is_email_confirmed": member["confirmed"]}})
        if method == "users.info":
            member = next((m for m in self.members.values() if m["id"] == params.get("user")),
                          None)
            if member is None:
                return _json(200, {"ok": False, "error": "user_not_found"})
            return _json(200, {"ok": True, "user": {
                "id": member["id"], "team_id": self.team["id"], "deleted": False,
                "is_bot": False, "is_email_confirmed": member["confirmed"],
                "profile": {"email": member["email"]}}})
        if method == "conversations.open":
            return _json(200, {"ok": True, "channel": {"id": "D" + params.get("users", "")}})
        if method in ("chat.postMessage", "chat.update"):
            self._ts += 1
            return _json(200, {"ok": True, "channel": params.get("channel"),
                               "ts": params.get("ts") or f"{self._ts}.000100",
                               "message": {"text": params.get("text")}})
        if method == "views.open":
            return _json(200, {"ok": True, "view": {"id": "V0001", **params.get("view", {})}})
        if method == "response_url":
            return _json(200, {"ok": True})
        return _json(200, {"ok": False, "error": "unknown_method"})


def response_url_server() -> RecordingServer:
    """Slack's response_url endpoint (hooks.slack.com): takes a message, answers ok."""
    return RecordingServer(lambda call: (200, {"Content-Type": "text/plain"}, b"ok"))


class WebhookTarget(RecordingServer):
    """A webhook receiver whose answers are scripted: a list of statuses (or "timeout")
    consumed in order, then `default`."""

    def __init__(self, *, script: list[Any] | None = None, default: Any = 200,
                 hang_seconds: float = 3.0) -> None:
        self.script = list(script or [])
        self.default = default
        self.hang_seconds = hang_seconds
        super().__init__(self._answer)

    def _answer(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        step = self.script.pop(0) if self.script else self.default
        if step == "timeout":
            time.sleep(self.hang_seconds)
            return 200, {}, b"too late"
        return int(step), {"Content-Type": "text/plain"}, f"answer {step}".encode()


class FakeBotFramework(RecordingServer):
    """Microsoft's side of a Teams bot, in one server: the OpenID metadata and signing keys,
    the client-credentials token endpoint, and the Bot Connector (activities, members)."""

    APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c"
    APP_PASSWORD = "bot-client-secret"
    ACCESS_TOKEN = "eyJ.connector-token"

    def __init__(self, *, jwks: dict[str, Any]) -> None:
        self.jwks = jwks
        self.members: dict[str, dict[str, Any]] = {}
        self._id = 0
        super().__init__(self._answer)

    def connector_calls(self) -> list[Call]:
        return [c for c in self.calls if c.path.startswith("/v3/")]

    def _answer(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        if call.path == "/v1/.well-known/openidconfiguration":
            return _json(200, {"issuer": "https://api.botframework.com",
                               "authorization_endpoint": "https://invalid.botframework.com",
                               "jwks_uri": f"{self.url}/v1/.well-known/keys",
                               "id_token_signing_alg_values_supported": ["RS256"],
                               "token_endpoint_auth_methods_supported": ["private_key_jwt"]})
        if call.path == "/v1/.well-known/keys":
            return _json(200, self.jwks)
        if call.path == "/botframework.com/oauth2/v2.0/token":
            form = call.params
            if (form.get("client_id"), form.get("client_secret")) != (self.APP_ID, self.APP_PASSWORD):
                return _json(401, {"error": "invalid_client"})
            assert form["scope"] == "https://api.botframework.com/.default"
            return _json(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                               "access_token": self.ACCESS_TOKEN})
        if call.path.startswith("/v3/"):
            if call.headers.get("authorization") != f"Bearer {self.ACCESS_TOKEN}":
                return _json(401, {"message": "Authorization has been denied for this request."})
            if "/members/" in call.path:
                member_id = call.path.rsplit("/", 1)[1]
                from urllib.parse import unquote

                member = self.members.get(unquote(member_id))
                if member is None:
                    return _json(404, {"error": {"code": "MemberNotFoundInConversation"}})
                return _json(200, member)
            self._id += 1
            return _json(201 if call.method == "POST" else 200, {"id": f"1:activity-{self._id}"})
        return _json(404, {})

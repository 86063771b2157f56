"""The one outbound HTTP client: every request Chorus makes to an address it did not choose
itself (feeds, Mastodon instances, webhooks, future integrations) goes through here.

What it guarantees, for every hop of every request:

- **Only public addresses.** The host is resolved when the connection is opened, every address
  is checked (loopback, private, link-local such as ``169.254.169.254``, shared, reserved,
  multicast and unspecified ranges are refused, IPv4-mapped IPv6 included), and the socket
  connects to the address that was checked, so a DNS answer that changes between check and
  connect (rebinding) cannot reach an internal host. Redirects are followed (at most
  ``max_redirects``) and each new host is resolved and checked again.
- **Bounded cost.** The body is streamed and refused past ``max_bytes`` (after decompression);
  the whole exchange, redirects included, is cut off after ``deadline`` seconds however slowly
  the server drips bytes (a watchdog shuts the sockets down).
- **No ambient proxies or credentials**: ``trust_env`` is off, so ``HTTP_PROXY`` or ``~/.netrc``
  cannot route requests around the guard.

Failures raise ``OutboundError`` (``kind`` says which: ``refused``, ``unreachable``,
``timeout``, ``too_large``, ``redirects``, ``invalid_url``). Callers turn it into their own
domain error; for addresses a user typed, show one neutral message for ``refused`` and
``unreachable`` so the answer does not map internal hosts and ports.

Settings (read when a request is made): ``OUTBOUND_ALLOW_PRIVATE`` (default False) lifts the
address check for local development and tests against servers on 127.0.0.1;
``OUTBOUND_ALLOWED_NETWORKS`` (CIDRs) allows specific internal ranges, e.g. a mirror.
Plain Python plus ``requests``: usable without Django configured (then nothing is allowed).
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "OutboundError",
    "OutboundSession",
    "address_is_public",
    "check_url",
    "fetch",
]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_DEADLINE = 30.0  # seconds for the whole exchange, redirects included
DEFAULT_TIMEOUT = 10.0  # seconds per connect or read
DEFAULT_MAX_REDIRECTS = 5
USER_AGENT = "Chorus/1 (+https://github.com/chorus)"


class OutboundError(Exception):
    """An outbound request that was refused or failed. ``kind`` is one of ``refused`` (the
    address is not public), ``unreachable`` (DNS, connection or TLS failure), ``timeout``,
    ``too_large``, ``redirects`` or ``invalid_url``."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


# --------------------------------------------------------------------------- address check


def _setting(name: str, default: Any) -> Any:
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is always installed here
        return default
    if not settings.configured:
        return default
    return getattr(settings, name, default)


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = _setting("OUTBOUND_ALLOWED_NETWORKS", ())
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part.strip()]
    return [ipaddress.ip_network(str(cidr).strip(), strict=False) for cidr in raw]


def address_is_public(address: str) -> bool:
    """True when ``address`` (an IP literal) is a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved
        or ip.is_multicast or ip.is_unspecified or not ip.is_global
    )  # fmt: skip


def _address_allowed(address: str) -> bool:
    if address_is_public(address) or _setting("OUTBOUND_ALLOW_PRIVATE", False):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in _allowed_networks())


def _checked_addresses(host: str, port: int) -> list[tuple[Any, ...]]:
    """Resolve ``host`` and return its addresses, refusing the lot if any is not allowed
    (a name that also points inside is not a public name)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"Could not resolve {host}.", kind="unreachable") from exc
    if not infos:
        raise OutboundError(f"Could not resolve {host}.", kind="unreachable")
    for info in infos:
        if not _address_allowed(str(info[4][0])):
            raise OutboundError(
                f"{host} is not a public address; Chorus only connects to public servers.",
                kind="refused",
            )
    return infos


# --------------------------------------------------------------------------- connections

# Sockets opened during the current request, so the deadline watchdog can shut them down.
_OPEN_SOCKETS: contextvars.ContextVar[list[socket.socket] | None] = contextvars.ContextVar(
    "chorus_outbound_sockets", default=None
)


class _GuardedConnectionMixin:
    """Resolve, check, then connect to the checked address (never resolve twice)."""

    _dns_host: str
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        infos = _checked_addresses(self._dns_host, self.port)
        last: Exception | None = None
        for info in infos:
            address = info[4][0]
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options,
                )  # fmt: skip
            except TimeoutError as exc:
                last = ConnectTimeoutError(self, f"Connection to {self.host} timed out.")
                last.__cause__ = exc
                continue
            except OSError as exc:
                last = NewConnectionError(self, f"Failed to establish a new connection: {exc}")  # type: ignore[arg-type]
                continue
            opened = _OPEN_SOCKETS.get()
            if opened is not None:
                opened.append(sock)
            return sock
        assert last is not None
        raise last


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool, "https": _GuardedHTTPSPool,
        }  # fmt: skip


class _Watchdog:
    """Shut down every socket of the request when the deadline passes, which wakes a read
    blocked on a server that drips one byte per timeout period."""

    def __init__(self, seconds: float) -> None:
        self.sockets: list[socket.socket] = []
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._token: contextvars.Token[list[socket.socket] | None] | None = None

    def _fire(self) -> None:
        self.fired = True
        for sock in list(self.sockets):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._token = _OPEN_SOCKETS.set(self.sockets)
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        if self._token is not None:
            _OPEN_SOCKETS.reset(self._token)


# --------------------------------------------------------------------------- the client


def check_url(url: str) -> None:
    """Refuse (``OutboundError``, kind ``invalid_url``) anything but an http(s) URL with a
    host name and no credentials. Says nothing about the address: that is checked on connect."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise OutboundError(f"{url[:200]!r} is not a valid address.", kind="invalid_url") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundError(
            "Only http:// and https:// addresses with a host name can be fetched.",
            kind="invalid_url",
        )
    if parts.username or parts.password:
        raise OutboundError("Addresses with a user name or password are not fetched.",
                            kind="invalid_url")  # fmt: skip


class OutboundSession(requests.Session):
    """A ``requests.Session`` with the guarantees of this module on every ``request()``:
    hand it to SDKs that take a session (Mastodon.py) or call ``fetch``. ``response.content``
    is always fully read (at most ``max_bytes``) when ``request()`` returns."""

    def __init__(
        self, *, max_bytes: int = DEFAULT_MAX_BYTES, deadline: float = DEFAULT_DEADLINE,
        timeout: float = DEFAULT_TIMEOUT, max_redirects: int = DEFAULT_MAX_REDIRECTS,
    ) -> None:  # fmt: skip
        super().__init__()
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.timeout = timeout
        self.max_redirects = max_redirects
        self.trust_env = False
        self.headers["User-Agent"] = USER_AGENT
        adapter = _GuardedAdapter(max_retries=0)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        url = url.decode() if isinstance(url, bytes) else url
        check_url(url)
        timeout = kwargs.get("timeout") or self.timeout
        if isinstance(timeout, (int, float)):
            timeout = min(float(timeout), self.deadline)
        kwargs["timeout"] = timeout
        kwargs["stream"] = True
        kwargs.pop("proxies", None)
        with _Watchdog(self.deadline) as watchdog:
            try:
                response = super().request(
                    method if isinstance(method, str) else method.decode(), url, *args, **kwargs
                )
                self._read_capped(response)
            except OutboundError:
                raise
            except requests.TooManyRedirects as exc:
                raise OutboundError(
                    f"More than {self.max_redirects} redirects.", kind="redirects"
                ) from exc
            except (requests.RequestException, OSError) as exc:
                if isinstance(exc.__context__, OutboundError):
                    raise exc.__context__ from None
                if watchdog.fired or isinstance(exc, requests.Timeout):
                    raise OutboundError(
                        f"The server did not answer within {self.deadline:.0f} seconds.",
                        kind="timeout",
                    ) from exc
                if isinstance(exc, (requests.exceptions.InvalidSchema,
                                    requests.exceptions.InvalidURL,
                                    requests.exceptions.MissingSchema)):  # fmt: skip
                    raise OutboundError(
                        "The server redirected to an address that cannot be fetched.",
                        kind="invalid_url",
                    ) from exc
                raise OutboundError("The server could not be reached.", kind="unreachable") from exc
            if watchdog.fired:
                raise OutboundError(
                    f"The server did not answer within {self.deadline:.0f} seconds.",
                    kind="timeout",
                )
        return response

    def _read_capped(self, response: requests.Response) -> None:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise OutboundError(self._too_large(), kind="too_large")
        body = bytearray()
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                body += chunk
                if len(body) > self.max_bytes:
                    raise OutboundError(self._too_large(), kind="too_large")
        finally:
            response.close()
        response._content = bytes(body)
        response._content_consumed = True

    def _too_large(self) -> str:
        return f"The answer is larger than {self.max_bytes / 1_048_576:g} MB."


def fetch(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES, deadline: float = DEFAULT_DEADLINE,
    timeout: float = DEFAULT_TIMEOUT, max_redirects: int = DEFAULT_MAX_REDIRECTS,
    **kwargs: Any,
) -> requests.Response:  # fmt: skip
    """One guarded request; the response is fully read (``.content``) and closed. HTTP error
    statuses are returned, not raised: the caller decides what a 404 means."""
    with OutboundSession(
        max_bytes=max_bytes, deadline=deadline, timeout=timeout, max_redirects=max_redirects
    ) as session:
        response: requests.Response = session.request(method, url, headers=headers, **kwargs)
        return response

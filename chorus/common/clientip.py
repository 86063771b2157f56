"""The address of the client behind a request, honouring the reverse proxies we trust.

Behind `TRUSTED_PROXY_COUNT` proxies (1 with `BEHIND_PROXY=true`, see `.env.example`) the
peer address is the last proxy's, and each proxy appends the address it saw to
`X-Forwarded-For`. So the client is the entry `TRUSTED_PROXY_COUNT` places from the right:
entries further left were written by the client itself and are never believed. With no
trusted proxy the header is ignored. Login throttling (django-axes, via
`AXES_CLIENT_IP_CALLABLE`) and the report-key limit both key on this address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address: from X-Forwarded-For behind trusted proxies, else the peer.

    Falls back to the peer (`REMOTE_ADDR`) when the header has fewer entries than there are
    trusted proxies (the request did not come through all of them) or holds no valid address.
    """
    peer = request.META.get("REMOTE_ADDR") or ""
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            address = _valid(forwarded[-count])
            if address:
                return address
    return peer

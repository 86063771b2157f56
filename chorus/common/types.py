"""Types shared by the interfaces of every app.

`request.user` is `User | AnonymousUser` in Django's stubs; behind `login_required` (views) or
the API's authentication (ninja, where `request.auth` is the same user) it is always a real
account. Annotating such a view's `request` as `AuthedRequest` says so once, instead of a
check or a cast in every view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from chorus.people.models import User


class AuthedRequest(HttpRequest):
    """A request whose user has logged in (views) or authenticated (API)."""

    user: User
    auth: User
    htmx: HtmxDetails

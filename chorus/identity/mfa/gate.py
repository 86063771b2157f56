"""The session side of second factors: what a signed-in session still has to do.

A session is complete once `MFA_SESSION_KEY` is set (by a verified factor here, or to "idp"
by single sign-on when the identity provider reported multi-factor authentication). Until
then the decision (`Gate`) is kept in the session and re-evaluated at most every
`REEVALUATE_SECONDS`, so a session that passed costs no query at all and one that has not
costs a few queries a minute, while a factor added or reset elsewhere takes effect quickly.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

from chorus.identity.mfa.services import Gate, mfa_gate_for
from chorus.identity.session import MFA_SESSION_KEY

GATE_SESSION_KEY = "identity_mfa_gate"
REEVALUATE_SECONDS = 60
SATISFIED_VALUES = frozenset({"totp", "webauthn", "recovery", "idp"})


def session_satisfied(request: HttpRequest) -> bool:
    return request.session.get(MFA_SESSION_KEY) in SATISFIED_VALUES


def mark_satisfied(request: HttpRequest, method: str) -> None:
    """The session passed a second factor: a new session key (so a key seen before the
    factor is worthless) and the method remembered."""
    request.session.cycle_key()
    request.session[MFA_SESSION_KEY] = method
    request.session.pop(GATE_SESSION_KEY, None)


def evaluate(request: HttpRequest, user: Any) -> Gate:
    """Decide now and keep the decision in the session."""
    gate = mfa_gate_for(user=user)
    request.session[GATE_SESSION_KEY] = {
        "state": gate.state,
        "deadline": gate.deadline.isoformat() if gate.deadline else None,
        "at": time.time(),
        "user": user.pk,
    }
    return gate


def gate_for_request(request: HttpRequest) -> Gate:
    """The session's decision, re-evaluated when missing, stale or for another account."""
    from datetime import datetime

    user = request.user
    cached = request.session.get(GATE_SESSION_KEY)
    if (
        isinstance(cached, dict)
        and cached.get("user") == user.pk
        and time.time() - float(cached.get("at", 0)) < REEVALUATE_SECONDS
        and cached.get("state") in (Gate.OPEN, Gate.GRACE, Gate.ENROLL, Gate.VERIFY)
    ):
        deadline = cached.get("deadline")
        return Gate(cached["state"], datetime.fromisoformat(deadline) if deadline else None)
    return evaluate(request, user)

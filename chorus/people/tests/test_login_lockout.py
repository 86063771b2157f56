"""Login throttling (django-axes): failures lock one (e-mail, client address) pair, the right
password is refused while it is locked, and nobody else is locked with it (issue 11, item 2)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the reverse proxy's own address, the peer of every proxied request


@pytest.fixture(autouse=True)
def _axes(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXY_COUNT = 0


def _login(email: str, password: str, **headers: str):
    return Client(**headers).post("/login/", {"username": email, "password": password})


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def _fail(email: str, times: int = 5, **headers: str) -> None:
    for _ in range(times):
        response = _login(email, "not-the-password", **headers)
        assert response.status_code in (200, 429)


def test_the_correct_password_is_refused_while_the_account_is_locked(employee):
    _fail(employee.email)

    response = _login(employee.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert not _logged_in(response)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == (employee.email, "127.0.0.1")


def test_failures_below_the_limit_do_not_lock_and_a_success_resets_them(employee):
    _fail(employee.email, times=4)
    assert _logged_in(_login(employee.email, PASSWORD))
    _fail(employee.email, times=4)
    assert _logged_in(_login(employee.email, PASSWORD))


def test_another_user_on_the_same_address_is_not_locked(employee, employee2):
    _fail(employee.email)

    typo = _login(employee2.email, "a-typo")
    assert typo.status_code == 200  # the plain "wrong password" form, not the lockout page
    assert _logged_in(_login(employee2.email, PASSWORD))


def test_case_variants_of_the_address_count_as_the_same_user(employee):
    upper = employee.email.upper()
    for variant in (upper, employee.email.title(), upper, employee.email, f" {upper} "):
        _login(variant, "not-the-password")

    assert _login(employee.email, PASSWORD).status_code == 429
    assert _login(upper, PASSWORD).status_code == 429
    assert AccessAttempt.objects.count() == 1


def test_an_address_in_another_case_logs_in(employee):
    assert _logged_in(_login(employee.email.upper(), PASSWORD))


def test_the_same_user_from_another_address_is_not_locked(employee):
    _fail(employee.email, REMOTE_ADDR="203.0.113.5")
    assert _login(employee.email, PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert _logged_in(_login(employee.email, PASSWORD, REMOTE_ADDR="198.51.100.7"))


def test_behind_the_proxy_each_forwarded_client_is_locked_separately(settings, employee):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    colleague = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}

    _fail(employee.email, **attacker)

    assert _login(employee.email, PASSWORD, **attacker).status_code == 429
    assert _logged_in(_login(employee.email, PASSWORD, **colleague))
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


def test_behind_the_proxy_a_forged_forwarded_for_entry_does_not_escape_the_lock(settings, employee):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; anything to its left was written by the client.
    for n in range(5):
        _login(
            employee.email,
            "wrong",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5",
        )
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.99, 203.0.113.5"}
    assert _login(employee.email, PASSWORD, **forged).status_code == 429


def test_without_a_proxy_the_forwarded_for_header_is_ignored(employee):
    for n in range(5):
        _login(employee.email, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert _login(employee.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_a_locked_login_does_not_stop_the_users_api_token(employee, api_client):
    # Bearer tokens are 256-bit random secrets (not guessable), checked by hash, never through
    # the password backends: an attacker locking the login must not cut off integrations.
    token_client = api_client(employee)
    _fail(employee.email)
    assert _login(employee.email, PASSWORD).status_code == 429

    response = token_client.get("/api/v1/me")
    assert response.status_code == 200 and response.json()["email"] == employee.email
    assert Client(HTTP_AUTHORIZATION="Bearer chorus_wrong").get("/api/v1/me").status_code == 401

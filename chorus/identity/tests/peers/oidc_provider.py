"""A real OpenID Connect provider for the tests: django-oauth-toolkit with OIDC enabled, run
in its own process (`python oidc_provider.py <workdir>`) on a port the OS picks, which it
prints as its first line of output.

`<workdir>/peer.json` describes the clients and users:
{"clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
 "users": {"<username>": {"password", "active", "claims": {...}, "id_token_override": {...}}}}
Users are created at start. `claims` and `id_token_override` are read again at every token,
so a test can change what the provider asserts (a wrong audience, an expired token) while it
runs. Nothing here is Chorus code: it is the peer Chorus talks to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django
from django.conf import settings

WORKDIR = Path(sys.argv[1]) if __name__ == "__main__" else Path(".")


def peer() -> dict:
    return json.loads((WORKDIR / "peer.json").read_text())


def _configure() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    templates = WORKDIR / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "login.html").write_text(
        "<!doctype html><html><head><title>Test IdP sign-in</title></head><body>"
        "<h1>Test identity provider</h1><form method='post'>{% csrf_token %}"
        "<label for='id_username'>Username</label>{{ form.username }}"
        "<label for='id_password'>Password</label>{{ form.password }}"
        "<input type='hidden' name='next' value='{{ next }}'>"
        "<button type='submit'>Sign in at IdP</button></form>"
        "{% if form.errors %}<p>Wrong username or password.</p>{% endif %}</body></html>")
    settings.configure(
        DEBUG=False,
        SECRET_KEY="oidc-test-provider-" + "k" * 40,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="__main__",
        USE_TZ=True,
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions", "oauth2_provider"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                               "NAME": str(WORKDIR / "provider.sqlite3")}},
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                    "DIRS": [str(templates)], "APP_DIRS": True}],
        LOGIN_URL="/login/",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": pem,
            "PKCE_REQUIRED": True,
            "OAUTH2_VALIDATOR_CLASS": "__main__.ClaimsValidator",
            "SCOPES": {"openid": "OpenID Connect", "email": "E-mail", "profile": "Profile",
                       "groups": "Groups"},
        },
    )


if __name__ == "__main__":
    _configure()
    django.setup()

    from django.contrib.auth import views as auth_views
    from django.urls import include, path
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class ClaimsValidator(OAuth2Validator):
        """Every claim of the user in every token (no per-scope filtering), plus overrides."""

        oidc_claim_scope = None

        def get_additional_claims(self, request):  # type: ignore[no-untyped-def]
            return dict(peer()["users"][request.user.username].get("claims", {}))

        def get_id_token_dictionary(self, token, token_handler, request):  # type: ignore[no-untyped-def]
            claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
            claims.update(peer()["users"][request.user.username].get("id_token_override", {}))
            return claims, expiration

    urlpatterns = [
        path("login/", auth_views.LoginView.as_view(template_name="login.html")),
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    ]

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    data = peer()
    for username, spec in data["users"].items():
        user = User.objects.create_user(username=username, password=spec["password"])
        user.is_active = spec.get("active", True)
        user.save()
    for client in data["clients"]:
        Application.objects.create(
            name=client["client_id"], client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM, skip_authorization=True,
        )

    from django.core.wsgi import get_wsgi_application

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, format, *args):  # type: ignore[no-untyped-def]
            pass

    httpd = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=Server,
                        handler_class=Quiet)
    print(httpd.server_port, flush=True)
    httpd.serve_forever()

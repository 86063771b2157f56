"""Chorus settings: the only settings module. Every value comes from the environment.

Defaults suit a laptop (SQLite, DEBUG on, database-backed tasks). Production differs only by
environment variables, all listed with a comment in `.env.example`. With `DEBUG=false` the
process refuses to start without a real `SECRET_KEY` and explicit `ALLOWED_HOSTS`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string setting; unset or empty means `default`. `<NAME>_FILE` (a path) wins, so
    secrets can come from mounted files."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DEBUG=false needs a real SECRET_KEY (50+ random characters). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DEBUG=false needs ALLOWED_HOSTS, e.g. ALLOWED_HOSTS=chorus.example.com"
        )

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "axes",
    "chorus.common",
    "chorus.people",
    "chorus.audit",
    "chorus.administration",  # first-run setup, users and roles, organization settings
    "chorus.ops",  # readiness, metrics, request ids, backup/restore, organization export
]
# Domain apps are added as they land; each lists itself once here.
OPTIONAL_APPS = [
    "chorus.policy",
    "chorus.checks",
    "chorus.onboarding",
    "chorus.advocacy",
    "chorus.reports",
    "chorus.incidents",
    "chorus.monitoring",
    "chorus.privacy",  # data rights: per-person export and erasure (each app contributes)
    "chorus.notifications",  # one notification service: kinds, in-app center, channels, events
    "chorus.identity",  # sign-in: single sign-on (OIDC, SAML) and second factors
    "chorus.provisioning",  # SCIM 2.0, offboarding, verified affiliation
    "chorus.integrations",  # Slack, Microsoft Teams, outbound webhooks
    "chorus.posture",  # quiet periods and crisis mode
    "chorus.timestamping",  # RFC 3161 timestamps of attestations and published versions
    "chorus.speakup",  # speak-up channel to the EU Whistleblowing Directive (issue 20)
    "chorus.legalexport",  # eDiscovery bundles (load file, manifest, audit excerpt), verify
    "chorus.supervision",  # supervision queue, reviewer-labelled examples, retraining (issue 18)
]
# CHORUS_APPS (comma-separated labels, e.g. "policy,checks") narrows the domain apps for
# development of one app in isolation; empty means every app present.
_ONLY = set(env_list("CHORUS_APPS", ""))
INSTALLED_APPS += [
    app
    for app in OPTIONAL_APPS
    if (BASE_DIR / app.replace(".", "/") / "apps.py").exists()
    and (not _ONLY or app.rsplit(".", 1)[1] in _ONLY)
]

MIDDLEWARE = [
    # First, so it sees every other layer: a database or Redis outage is a clear 503 page
    # (JSON under /api/) with Retry-After, never a 500 with a traceback (chorus.common.faults).
    "chorus.common.faults.DependencyUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # The product's 404 page for mistyped URLs, also with DEBUG on (see the class).
    "chorus.common.middleware.NotFoundPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Dates in the viewer's time zone (user, else organization, else UTC).
    "chorus.common.middleware.TimezoneMiddleware",
    # Interface language (issue 16): profile, else switcher, else Accept-Language, else org.
    "chorus.common.middleware.LanguageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chorus.common.context_processors.chorus",
            ]
            # The bell with the unread count in the top bar (one query, only when shown).
            + (
                ["chorus.notifications.context_processors.notification_bell"]
                if "chorus.notifications" in INSTALLED_APPS
                else []
            ),
            # `|day`, `|when`, `|possessive`, `|days_ago` and `|has_role` in every template.
            "builtins": ["chorus.common.templatetags.chorus_tags"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'chorus.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes; the timeout rides out
    # short write locks instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    # Issue 11: transactions take the write lock when they begin (BEGIN IMMEDIATE), so a second
    # writer waits on the timeout above. With the default deferred mode two transactions that
    # read first and then write fail at once with "database is locked" (the lock upgrade
    # never waits): concurrent report submissions answered 500.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    (BASE_DIR / "var").mkdir(exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database fails fast (503 page) instead of hanging every request.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Development only: a cheaper PBKDF2 (see chorus/people/hashers.py for the measurements).
# Production (DEBUG=false) keeps Django's default hashers and iterations.
if DEBUG and env_bool("DEV_FAST_PASSWORD_HASH", True):
    PASSWORD_HASHERS = [
        "chorus.people.hashers.DevPBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]

# Login throttling: lock a username+IP pair after repeated failures.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Issue 11: the login forms post the e-mail as `username` (USERNAME_FIELD is "email", which axes
# would look for otherwise and never find); it is lower-cased so case variants are one account.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "chorus.people.auth.login_username"
# The client address behind the proxies we trust (X-Forwarded-For), not the proxy's own.
AXES_CLIENT_IP_CALLABLE = "chorus.common.clientip.client_ip"
# Reverse proxies in front of Chorus that append the client address to X-Forwarded-For:
# 1 with BEHIND_PROXY=true (one TLS-terminating proxy), 0 (header ignored) otherwise.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_PROXY", False) else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} must be 0 (no proxy) or more."
    )

# Interface languages (issue 16). English is the source; de, fr, es and pt-br ship complete
# catalogs (a test fails on a missing entry); ar ships right-to-left layout with a partial
# catalog. Each app keeps its own catalog in chorus/<app>/locale/ (found because the app is
# installed); templates/ and config/ use locale/ at the root. `make messages` extracts,
# `make compilemessages` compiles; adding a language is one line here plus those two commands.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
    ("ar", "العربية"),
]
# Languages whose catalogs must be complete (tests/test_i18n_catalogs.py).
LANGUAGES_COMPLETE = ["de", "fr", "es", "pt-br"]
# The screening engine is not a Django app; its catalog is listed here explicitly.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "chorus" / "screening" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` writes and whitenoise serves from (issue 11: the production smoke test
# collects into a temporary directory).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Legal export bundles (chorus.legalexport); empty: MEDIA_ROOT/exports. Served only through the
# audited download view.
LEGAL_EXPORT_ROOT = env_str("LEGAL_EXPORT_ROOT", "")
STORAGES = {
    # Writes to a temporary file and links it into place: a full disk leaves no partial
    # file and raises a clear StorageFull error (chorus.common.storage).
    "default": {"BACKEND": "chorus.common.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (screenshots, images, CSV) are validated by type and size in chorus.common.uploads.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES

# Background tasks: "immediate" runs inline (tests), "database" is the embedded default worker
# (`chorus worker`), "rq" uses Redis for several workers on several machines.
TASK_BACKEND = env_str("TASK_BACKEND", "database")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    # django-tasks-rq, plus a database outbox while Redis is unreachable (chorus.common).
    "rq": "chorus.common.task_backends.OutboxRQBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASK_BACKEND={TASK_BACKEND!r}: use one of {sorted(_TASK_BACKENDS)}."
    )
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[TASK_BACKEND],
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {
    "default": {
        "URL": REDIS_URL,
        "DEFAULT_TIMEOUT": 600,
        # RQ_ASYNC=false runs each job in the enqueuing process, still through Redis:
        # the test suite uses it to exercise the real queue without a separate worker.
        "ASYNC": env_bool("RQ_ASYNC", True),
        # Such in-process jobs are timed with a timer thread, not SIGALRM, which only the main
        # thread may set (a live test server enqueues from its own threads).
        "QUEUE_CLASS": "chorus.common.rq_queue.ThreadSafeSyncQueue",
    }
}

# An unreachable Redis fails an enqueue within seconds (the task then waits in the database
# outbox, chorus.common.task_backends) instead of hanging the request on the OS TCP timeout.
_RQ_URL = str(RQ_QUEUES["default"]["URL"])
if "socket_connect_timeout=" not in _RQ_URL:
    _sep = "&" if "?" in _RQ_URL else "?"
    RQ_QUEUES["default"]["URL"] = (
        f"{_RQ_URL}{_sep}socket_connect_timeout={env_int('REDIS_CONNECT_TIMEOUT', 5)}"
    )

# No task is lost when a worker dies (chorus.common.taskqueue): a running task's heartbeat is
# refreshed every TASK_HEARTBEAT_SECONDS; a task silent for TASK_LEASE_SECONDS goes back in the
# queue, and after TASK_MAX_ATTEMPTS lost runs it is failed and shown on the admin page.
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 10)
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 60)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)
# For tasks claimed by a plain `db_worker` (no heartbeat): give up on them after this long.
TASK_MAX_RUNTIME_SECONDS = env_int("TASK_MAX_RUNTIME_SECONDS", 3600)

# Issue 11: one cache shared by every web and worker process (rate limits such as the report-key
# limit must not be per process or reset by a restart). Default: a table in the main database,
# created by every `migrate`; CACHE_URL=redis://host:6379/1 uses Redis for scale-out.
CACHE_URL = env_str("CACHE_URL", "")
CACHES: dict[str, dict[str, object]]
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL in ("", "database"):
    CACHES = {
        "default": {
            "BACKEND": "chorus.common.cache.DatabaseCache",
            "LOCATION": "chorus_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_URL={CACHE_URL!r}: leave it empty (the database) or give a Redis URL, "
        "e.g. redis://127.0.0.1:6379/1."
    )

# In development e-mails are written to files under var/mail/ (read them at /dev/mailbox/ as an
# administrator) instead of flooding the console that shows `make run`'s banner. Production
# sends through a real SMTP server: EMAIL_URL=smtp://user:password@host:587?tls=true
# (smtps:// for implicit TLS on 465), or EMAIL_HOST/PORT/HOST_USER/HOST_PASSWORD/USE_TLS.
EMAIL_URL = env_str("EMAIL_URL", "")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
if EMAIL_URL:
    from urllib.parse import parse_qs, unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    if _mail.scheme not in ("smtp", "smtps", "submission") or not _mail.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL={EMAIL_URL.split('@')[-1]!r}: use smtp://user:password@host:port "
            "(add ?tls=true for STARTTLS) or smtps://user:password@host:465."
        )
    _mail_query = {k: v[-1].lower() for k, v in parse_qs(_mail.query).items()}
    EMAIL_HOST = _mail.hostname
    EMAIL_USE_SSL = _mail.scheme == "smtps" or _mail_query.get("ssl") in ("1", "true", "yes")
    EMAIL_USE_TLS = _mail.scheme == "submission" or _mail_query.get("tls") in (
        "1", "true", "yes",
    )  # fmt: skip
    EMAIL_PORT = _mail.port or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: pick one.")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    _SMTP_BACKEND
    if EMAIL_URL
    else "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chorus <chorus@localhost>")

# Issue 15: notification delivery retries a failed channel with exponential backoff (base,
# 2x, 4x ... capped at 6 hours) up to NOTIFICATIONS_MAX_ATTEMPTS tries; digests are built at
# NOTIFICATIONS_DIGEST_HOUR in each person's zone (daily, or Mondays for weekly).
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 8)
# Web Push (VAPID): the raw P-256 private key, base64url. Unset: the key file that
# `chorus vapid_keys` (run by `chorus init`) creates in var/; no key, no push channel.
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY", "")
WEBPUSH_VAPID_KEY_FILE = Path(
    env_str("WEBPUSH_VAPID_KEY_FILE", str(BASE_DIR / "var" / "vapid-private.key"))
)
# Contact the push services may write to about this server (mailto: or https:).
WEBPUSH_VAPID_SUBJECT = env_str("WEBPUSH_VAPID_SUBJECT", "")

# Security: secure cookies and HSTS whenever we are not in DEBUG (i.e. behind TLS).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []

# Content Security Policy: no inline script anywhere; HTMX and charts are vendored files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Operations (chorus.ops): request ids, log format, metrics access ---
# A request id on every request (X-Request-ID in and out) and on every log line; first in the
# chain so redirects and error pages carry it too.
MIDDLEWARE.insert(0, "chorus.ops.logging.RequestIdMiddleware")
LOG_FORMAT = env_str("LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json.")
LOGGING["filters"] = {"request_id": {"()": "chorus.ops.logging.RequestIdFilter"}}
LOGGING["formatters"] = {
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {"()": "chorus.ops.logging.JsonFormatter"},
}
LOGGING["handlers"] = {
    "console": {
        "class": "logging.StreamHandler",
        "formatter": LOG_FORMAT,
        "filters": ["request_id"],
    }
}
# /metrics: a bearer token and/or the addresses (or networks) allowed to scrape. Neither set
# means metrics are off (404). Both set means both must match.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "")

# Product settings.
CHORUS_DEMO_PASSWORD = env_str("CHORUS_DEMO_PASSWORD", "chorus-demo-2026")
API_BATCH_LIMIT = env_int("API_BATCH_LIMIT", 1000)
# Bluesky endpoints for monitoring (public AppView and Jetstream firehose).
CONNECTOR_BLUESKY_APPVIEW_URL = env_str("CONNECTOR_BLUESKY_APPVIEW_URL", "https://public.api.bsky.app")
CONNECTOR_BLUESKY_JETSTREAM_URL = env_str(
    "CONNECTOR_BLUESKY_JETSTREAM_URL", "wss://jetstream2.us-east.bsky.network/subscribe"
)

# Administration (chorus.administration): first-run setup, invitations, password reset, demo.
# The first-run middleware sends every page to /setup/ until an organization exists, and
# refuses members of a suspended organization with a clear page (the API with a 403).
MIDDLEWARE += ["chorus.administration.middleware.OrganizationAccessMiddleware"]
# Second factors (chorus.identity.mfa): a signed-in session that has not passed its factor is
# sent to the verify page, or to enrollment once the organization's grace period is over.
# After authentication and the suspension check; bearer-token API calls are not gated.
if "chorus.identity" in INSTALLED_APPS:
    MIDDLEWARE += ["chorus.identity.mfa.middleware.SecondFactorMiddleware"]
# The demo seed (`chorus seed`, `chorus run`) is refused with DEBUG=false unless this is true.
CHORUS_DEMO_ALLOWED = env_bool("CHORUS_ALLOW_DEMO", DEBUG)
# With DEBUG=false the web setup wizard asks for the code `chorus init --setup-code` prints,
# so nobody who merely reaches a fresh server first can take it over.
CHORUS_SETUP_CODE_REQUIRED = env_bool("CHORUS_SETUP_CODE_REQUIRED", not DEBUG)
CHORUS_INVITATION_DAYS = env_int("CHORUS_INVITATION_DAYS", 7)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_MINUTES", 120) * 60
# Password-reset requests per hour, per address and per client IP (beyond: a 429 page that
# says the same whether or not the address has an account). Counted in the default cache.
CHORUS_PASSWORD_RESET_PER_EMAIL = env_int("CHORUS_PASSWORD_RESET_PER_EMAIL", 3)
CHORUS_PASSWORD_RESET_PER_IP = env_int("CHORUS_PASSWORD_RESET_PER_IP", 10)
# --- Resource limits and outbound guard (issue 11: items 4, 5, 6) -------------------------
# Outbound HTTP (chorus/common/http.py) refuses loopback/private/link-local/reserved targets.
# OUTBOUND_ALLOW_PRIVATE lifts that for local development against servers on 127.0.0.1;
# OUTBOUND_ALLOWED_NETWORKS (CIDRs) allows specific internal ranges, e.g. a feed mirror.
OUTBOUND_ALLOW_PRIVATE = env_bool("OUTBOUND_ALLOW_PRIVATE", False)
OUTBOUND_ALLOWED_NETWORKS = env_list("OUTBOUND_ALLOWED_NETWORKS", "")
# POST /api/v1/check budgets (chorus/checks/limits.py): answered at once up to
# CHECK_SYNC_MAX_CHARS characters, a background job above, refused (413) above CHECK_MAX_CHARS;
# per person CHECK_RATE_REQUESTS_PER_MINUTE and CHECK_RATE_CHARS_PER_HOUR (429), counted in
# the shared cache; CHECK_MAX_ACTIVE_JOBS batch jobs at a time; results kept
# CHECK_JOB_RETENTION_HOURS.
CHECK_SYNC_MAX_CHARS = env_int("CHECK_SYNC_MAX_CHARS", 200_000)
CHECK_MAX_CHARS = env_int("CHECK_MAX_CHARS", 5_000_000)
CHECK_RATE_REQUESTS_PER_MINUTE = env_int("CHECK_RATE_REQUESTS_PER_MINUTE", 60)
CHECK_RATE_CHARS_PER_HOUR = env_int("CHECK_RATE_CHARS_PER_HOUR", 20_000_000)
CHECK_MAX_ACTIVE_JOBS = env_int("CHECK_MAX_ACTIVE_JOBS", 2)
CHECK_JOB_RETENTION_HOURS = env_int("CHECK_JOB_RETENTION_HOURS", 24)
# Text in images (chorus.common.ocr, issue 18): Tesseract language packs ("" = the five
# interface languages, the reader's first), seconds per image, and the largest image
# downloaded from a monitored post.
OCR_LANGUAGES = env_str("OCR_LANGUAGES", "")
OCR_TIMEOUT_SECONDS = env_int("OCR_TIMEOUT_SECONDS", 60)
OCR_MEDIA_MAX_BYTES = env_int("OCR_MEDIA_MAX_BYTES", 10 * 1024 * 1024)
# Retraining an organization's learned heads (chorus.supervision): training passes.
SUPERVISION_RETRAIN_EPOCHS = env_int("SUPERVISION_RETRAIN_EPOCHS", 120)

# RFC 3161 timestamps (chorus.timestamping): every attestation and published policy version
# is sent (as a SHA-256 imprint) to this time-stamping authority by the worker; empty turns
# timestamping off. TIMESTAMP_TSA_ROOTS_FILE is a PEM file with the TSA's root
# certificate(s), used to check answers and by `chorus audit verify` offline.
TIMESTAMP_TSA_URL = env_str("TIMESTAMP_TSA_URL", "")
TIMESTAMP_TSA_ROOTS_FILE = env_str("TIMESTAMP_TSA_ROOTS_FILE", "")
# Policy impact preview: how far back stored texts are replayed (chorus.policy.impact).
IMPACT_PREVIEW_DAYS = env_int("IMPACT_PREVIEW_DAYS", 365)
# --- Integrations (chorus/integrations, issue 15): Slack, Microsoft Teams, webhooks ----------
# Stored tokens and secrets are Fernet-encrypted: keys from INTEGRATIONS_ENCRYPTION_KEYS (the
# first encrypts, all decrypt), else a key derived from SECRET_KEY.
INTEGRATIONS_ENCRYPTION_KEYS = env_list("INTEGRATIONS_ENCRYPTION_KEYS", "")
# Your Slack app (api.slack.com/apps): OAuth client and the signing secret of inbound requests.
SLACK_CLIENT_ID = env_str("SLACK_CLIENT_ID", "")
SLACK_CLIENT_SECRET = env_str("SLACK_CLIENT_SECRET", "")
SLACK_SIGNING_SECRET = env_str("SLACK_SIGNING_SECRET", "")
# Slack's Web API and authorize page (tests point these at a local server).
SLACK_API_URL = env_str("SLACK_API_URL", "https://slack.com/api/")
SLACK_AUTHORIZE_URL = env_str("SLACK_AUTHORIZE_URL", "https://slack.com/oauth/v2/authorize")
# Your Azure Bot (Microsoft App ID and client secret) for Teams, and Microsoft's endpoints.
TEAMS_APP_ID = env_str("TEAMS_APP_ID", "")
TEAMS_APP_PASSWORD = env_str("TEAMS_APP_PASSWORD", "")
TEAMS_TOKEN_URL = env_str(
    "TEAMS_TOKEN_URL", "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
)
TEAMS_OPENID_METADATA_URL = env_str(
    "TEAMS_OPENID_METADATA_URL", "https://login.botframework.com/v1/.well-known/openidconfiguration"
)
# Outbound webhooks: disable an endpoint after this many failed attempts in a row.
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 15)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 15)

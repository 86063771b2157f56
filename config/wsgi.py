"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view and API schema now, in the worker's start-up, instead of on the first
# request (which is usually someone's sign-in: it took 3-6 s cold, issue 17).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

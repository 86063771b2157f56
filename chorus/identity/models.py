"""Models of the identity app: each part keeps its own module and is imported here."""

from chorus.identity.mfa.models import *  # noqa: F403  (second factors)

"""Models of the identity app. Each part keeps its models in its own module."""

from chorus.identity.mfa.models import *  # noqa: F403  (second factors)
from chorus.identity.sso.models import *  # noqa: F403  (single sign-on and directory mapping)

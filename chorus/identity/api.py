"""API of the identity app at /api/v1/identity (each part adds its own router)."""

from ninja import Router

from chorus.identity.sso.api import router as sso_router

router = Router(tags=["identity"])
router.add_router("", sso_router)

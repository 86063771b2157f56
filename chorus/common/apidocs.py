"""The API docs page (/api/v1/docs) served from our own static files.

django-ninja's default Swagger page loads Swagger UI from a CDN with an inline script when
`ninja` is not an installed app; our CSP (`script-src 'self'`) blocks both, so the page was
blank. This renders Swagger UI from `static/vendor/swagger-ui/` (swagger-ui-dist from npm)
with a static init script, so the page works offline under the normal CSP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger, _csrf_needed

if TYPE_CHECKING:
    from ninja import NinjaAPI


class VendoredSwagger(Swagger):
    """Swagger UI from vendored static files; no CDN, no inline script."""

    template = "common/api_docs.html"
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # No call to validator.swagger.io (it would be a third-party request, and CSP blocks it).
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": settings,
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)

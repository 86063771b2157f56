"""The `/scim/v2/` endpoints. Each request is authenticated by one of the organization's SCIM
bearer tokens and sees only that organization; every answer is `application/scim+json`,
errors included (RFC 7644 §3.12)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from chorus.provisioning.models import ScimToken
from chorus.provisioning.scim import protocol, resources
from chorus.provisioning.scim.protocol import ScimError, error_response, json_response
from chorus.provisioning.services.tokens import scim_token_authenticate

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponse]


def scim_view(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Authenticate the bearer token, allow `methods`, and turn every failure into a SCIM
    error body (never an HTML page, never a 500 for bad input)."""
    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            token = (scim_token_authenticate(secret.strip())
                     if scheme.lower() == "bearer" else None)
            if token is None:
                return error_response(401, "Send the organization's SCIM token as "
                                      "“Authorization: Bearer <token>”; this one is missing, "
                                      "unknown or revoked.")
            if request.method not in methods:
                response = error_response(405, f"{request.method} is not supported here; use "
                                          f"{', '.join(methods)}.")
                response["Allow"] = ", ".join(methods)
                return response
            request.scim_token = token  # type: ignore[attr-defined]
            try:
                return view(request, token, *args, **kwargs)
            except ScimError as exc:
                return error_response(exc.status, exc.detail, exc.scim_type)
        return wrapper
    return decorate


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2").rstrip("/")


def _list(request: HttpRequest, items: list[dict[str, Any]]) -> HttpResponse:
    start, count = protocol.pagination(request.GET)
    page = items[start - 1:start - 1 + count]
    return json_response(protocol.list_response(page, total=len(items), start=start))


@scim_view(("GET",))
def service_provider_config(request: HttpRequest, token: ScimToken) -> HttpResponse:
    return json_response(protocol.service_provider_config(_base(request)))


@scim_view(("GET",))
def schemas(request: HttpRequest, token: ScimToken, schema_id: str = "") -> HttpResponse:
    found = [protocol.schema_location(_base(request), s) for s in protocol.schemas()]
    if schema_id:
        match = [s for s in found if s["id"] == schema_id]
        if not match:
            raise ScimError(404, f"No schema {schema_id[:200]}.")
        return json_response(match[0])
    return _list(request, found)


@scim_view(("GET",))
def resource_types(request: HttpRequest, token: ScimToken, name: str = "") -> HttpResponse:
    found = protocol.resource_types(_base(request))
    if name:
        match = [r for r in found if r["id"] == name]
        if not match:
            raise ScimError(404, f"No resource type {name[:80]}; use User or Group.")
        return json_response(match[0])
    return _list(request, found)


def _query(request: HttpRequest, queryset: Any, filters: dict[Any, str], filterable: str,
           render: Callable[[Any], dict[str, Any]]) -> HttpResponse:
    params = request.scim_search if hasattr(request, "scim_search") else request.GET
    expression = str(params.get("filter", "") or "").strip()
    if expression:
        queryset = queryset.filter(protocol.filter_q(expression, filters,
                                                     supported=filterable)).distinct()
    start, count = protocol.pagination(params)
    total = queryset.count()
    page = list(queryset[start - 1:start - 1 + count]) if count else []
    attributes = str(params.get("attributes", "") or "")
    excluded = str(params.get("excludedAttributes", "") or "")
    body = [resources.project(render(item), attributes=attributes, excluded=excluded)
            for item in page]
    return json_response(protocol.list_response(body, total=total, start=start))


def _search_params(request: HttpRequest) -> None:
    """POST …/.search (RFC 7644 §3.4.3): the SearchRequest body becomes the query."""
    request.scim_search = protocol.search_params(  # type: ignore[attr-defined]
        protocol.read_json(request))


@scim_view(("POST",))
def users_search(request: HttpRequest, token: ScimToken) -> HttpResponse:
    _search_params(request)
    base = _base(request)
    queryset = resources.users_of(token.organization).prefetch_related("groups")
    return _query(request, queryset, resources.USER_FILTERS, resources.USER_FILTERABLE,
                  lambda u: resources.user_document(u, base))


@scim_view(("POST",))
def groups_search(request: HttpRequest, token: ScimToken) -> HttpResponse:
    _search_params(request)
    base = _base(request)
    return _query(request, resources.groups_of(token.organization), resources.GROUP_FILTERS,
                  resources.GROUP_FILTERABLE, lambda g: resources.group_document(g, base))


@scim_view(("POST",))
def root_search(request: HttpRequest, token: ScimToken) -> HttpResponse:
    """POST /.search: Users and Groups together. A filter on an attribute only one of them
    has selects from that one; a filter neither can answer is an invalidFilter error."""
    params = protocol.search_params(protocol.read_json(request))
    base = _base(request)
    expression = str(params.get("filter", "") or "").strip()
    found: list[dict[str, Any]] = []
    answered = not expression
    problem: ScimError | None = None
    kinds = ((resources.users_of(token.organization).prefetch_related("groups"),
              resources.USER_FILTERS, resources.USER_FILTERABLE,
              lambda u: resources.user_document(u, base)),
             (resources.groups_of(token.organization), resources.GROUP_FILTERS,
              resources.GROUP_FILTERABLE, lambda g: resources.group_document(g, base)))
    for queryset, filters, filterable, render in kinds:
        if expression:
            try:
                queryset = queryset.filter(protocol.filter_q(
                    expression, filters, supported=filterable)).distinct()
            except ScimError as exc:
                problem = exc
                continue
            answered = True
        found.extend(render(item) for item in queryset)
    if not answered and problem is not None:
        raise problem
    start, count = protocol.pagination(params)
    page = [resources.project(doc, attributes=str(params.get("attributes", "") or ""),
                              excluded=str(params.get("excludedAttributes", "") or ""))
            for doc in found[start - 1:start - 1 + count]]
    return json_response(protocol.list_response(page, total=len(found), start=start))


@scim_view(("GET", "POST"))
def users(request: HttpRequest, token: ScimToken) -> HttpResponse:
    base = _base(request)
    if request.method == "POST":
        user = resources.user_create(token=token, body=protocol.read_json(request))
        doc = resources.user_document(user, base)
        return json_response(doc, status=201, etag=doc["meta"]["version"],
                             location=doc["meta"]["location"])
    queryset = resources.users_of(token.organization).prefetch_related("groups")
    return _query(request, queryset, resources.USER_FILTERS, resources.USER_FILTERABLE,
                  lambda u: resources.user_document(u, base))


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
def user(request: HttpRequest, token: ScimToken, resource_id: str) -> HttpResponse:
    base = _base(request)
    if request.method == "DELETE":
        resources.user_delete(token=token, resource_id=resource_id, request=request)
        return HttpResponse(status=204)
    if request.method == "PUT":
        found = resources.user_replace(token=token, resource_id=resource_id,
                                       body=protocol.read_json(request), request=request)
    elif request.method == "PATCH":
        found = resources.user_patch(token=token, resource_id=resource_id,
                                     body=protocol.read_json(request), request=request)
    else:
        found = resources.user_get(token.organization, resource_id)
    doc = resources.project(resources.user_document(found, base),
                            attributes=request.GET.get("attributes", ""),
                            excluded=request.GET.get("excludedAttributes", ""))
    return json_response(doc, etag=doc["meta"]["version"])


@scim_view(("GET", "POST"))
def groups(request: HttpRequest, token: ScimToken) -> HttpResponse:
    base = _base(request)
    if request.method == "POST":
        group = resources.group_create(token=token, body=protocol.read_json(request))
        doc = resources.group_document(group, base)
        return json_response(doc, status=201, etag=doc["meta"]["version"],
                             location=doc["meta"]["location"])
    return _query(request, resources.groups_of(token.organization), resources.GROUP_FILTERS,
                  resources.GROUP_FILTERABLE, lambda g: resources.group_document(g, base))


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
def group(request: HttpRequest, token: ScimToken, resource_id: str) -> HttpResponse:
    base = _base(request)
    if request.method == "DELETE":
        resources.group_delete(token=token, resource_id=resource_id, request=request)
        return HttpResponse(status=204)
    if request.method == "PUT":
        found = resources.group_replace(token=token, resource_id=resource_id,
                                        body=protocol.read_json(request), request=request)
    elif request.method == "PATCH":
        found = resources.group_patch(token=token, resource_id=resource_id,
                                      body=protocol.read_json(request), request=request)
    else:
        found = resources.group_get(token.organization, resource_id)
    doc = resources.project(resources.group_document(found, base),
                            attributes=request.GET.get("attributes", ""),
                            excluded=request.GET.get("excludedAttributes", ""))
    return json_response(doc, etag=doc["meta"]["version"])


@scim_view(("GET", "POST", "PUT", "PATCH", "DELETE"))
def not_found(request: HttpRequest, token: ScimToken, rest: str = "") -> HttpResponse:
    raise ScimError(404, f"There is no SCIM endpoint /{rest[:100]}; use /scim/v2/Users, "
                    "/scim/v2/Groups, /scim/v2/ServiceProviderConfig, /scim/v2/Schemas or "
                    "/scim/v2/ResourceTypes.")

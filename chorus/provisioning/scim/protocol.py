"""The SCIM 2.0 protocol surface (RFC 7643/7644) on top of scim2-models: parsing request
bodies, the quirks Okta and Entra ID are documented to send, filters (scim2-filter-parser),
pagination, error bodies (RFC 7644 §3.12), ETags and the discovery documents.

Nothing here touches the database except through the QuerySets the caller passes in.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from pydantic import ValidationError
from scim2_filter_parser import ast as filter_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError
from scim2_filter_parser.transpilers.django_q_object import Transpiler
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    Error,
    ETag,
    Filter,
    Group,
    Patch,
    ResourceType,
    SCIMException,
    ServiceProviderConfig,
    Sort,
    User,
)

CONTENT_TYPE = "application/scim+json"
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
# Entra ID adds this schema to the Group it creates (documented request); it carries no
# attribute we store, so it is accepted and dropped.
ENTRA_GROUP_SCHEMA = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"

UserModel = User[EnterpriseUser]
MAX_BODY = 1_000_000
MAX_PAGE = 200
DEFAULT_PAGE = 100
MAX_OPERATIONS = 1000


class ScimError(Exception):
    """A SCIM error response: HTTP status, optional scimType, and a detail that says what is
    wrong and what to do."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body = Error(status=status, scim_type=scim_type, detail=detail).model_dump()
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
    return response


def json_response(body: dict[str, Any], *, status: int = 200, etag: str = "",
                  location: str = "") -> HttpResponse:
    response = HttpResponse(json.dumps(body, default=str), status=status,
                            content_type=CONTENT_TYPE)
    if etag:
        response["ETag"] = etag
    if location:
        response["Location"] = location
    return response


def from_library_error(exc: SCIMException) -> ScimError:
    return ScimError(exc.status, exc.detail, exc.scim_type or None)


def from_validation_error(exc: ValidationError, *, what: str) -> ScimError:
    """The first problem pydantic found, as a SCIM error naming the attribute."""
    problems = []
    scim_type = "invalidValue"
    for error in exc.errors()[:5]:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
        kind = str(error.get("type", ""))
        message = str(error.get("msg", "is not valid"))
        if kind == "extra_forbidden":
            problems.append(f"unknown attribute “{location}” (remove it or map it to a "
                            "standard SCIM attribute)")
            scim_type = "invalidSyntax"
            continue
        if kind.startswith("scim_") and scim_type == "invalidValue":
            scim_type = kind.removeprefix("scim_") or "invalidValue"
        problems.append(f"“{location}”: {message}" if location else message)
    detail = f"The {what} is not valid: " + "; ".join(problems) + "."
    if scim_type == "error":
        scim_type = "invalidValue"
    return ScimError(400, detail, scim_type)


def read_json(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object, or a SCIM error saying what is wrong with it."""
    raw = request.body
    if len(raw) > MAX_BODY:
        raise ScimError(413, f"The request body is larger than {MAX_BODY} bytes; send fewer "
                        "operations per request.")
    try:
        body = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScimError(400, f"The request body is not valid JSON ({exc}).",
                        "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError(400, "The request body must be a JSON object (a SCIM resource or "
                        "PatchOp message).", "invalidSyntax")
    return body


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def check_if_match(request: HttpRequest, version: int) -> None:
    """RFC 7644 §3.14: a write with If-Match must name the current version (412 otherwise)."""
    wanted = request.headers.get("If-Match", "").strip()
    if wanted and wanted != "*" and etag_for(version) not in [w.strip() for w in
                                                               wanted.split(",")]:
        raise ScimError(412, "The resource changed since you read it (If-Match does not "
                        f"match {etag_for(version)}); read it again and retry.")


def clean_user_body(body: dict[str, Any]) -> dict[str, Any]:
    """Drop what a service provider computes or never stores: `id`, `meta`, the read-only
    `groups` Okta sends as [] and the `password` Okta sends on create (Chorus users sign in
    through the identity provider; a password from it is never kept)."""
    return {k: v for k, v in body.items() if k not in ("id", "meta", "groups", "password")}


def clean_group_body(body: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in body.items() if k not in ("id", "meta")}
    schemas = body.get("schemas")
    if isinstance(schemas, list):
        body["schemas"] = [s for s in schemas if s != ENTRA_GROUP_SCHEMA]
    return body


def normalize_patch(body: dict[str, Any], *, resource_id: str) -> dict[str, Any]:
    """Rewrite the documented Okta and Entra ID PATCH shapes into RFC 7644 operations.

    - Entra ID names its operations (`"name": "addMember"`): the name is dropped.
    - Entra ID removes members with `{"op": "Remove", "path": "members", "value":
      [{"value": id}]}`: each becomes `members[value eq "id"]` (a bare `members` remove
      would empty the group).
    - Entra ID's non-compliant mode sends the enterprise `manager` as a bare id string.
    - Okta sends `{"op": "replace", "value": {"id": ..., "displayName": ...}}`: the unchanged
      `id` is dropped (it is read-only).
    String booleans ("True"/"False") and capitalized ops are handled by scim2-models.
    """
    operations = body.get("Operations")
    if not isinstance(operations, list):
        raise ScimError(400, "A PatchOp message needs “Operations”: a list of operations.",
                        "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(400, f"Send at most {MAX_OPERATIONS} operations per request.",
                        "tooMany")
    rewritten: list[Any] = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation must be an object with “op”, “path” and "
                            "“value”.", "invalidSyntax")
        operation = {k: v for k, v in operation.items() if k != "name"}
        op = str(operation.get("op", "")).lower()
        path = operation.get("path")
        value = operation.get("value")
        if (op == "remove" and isinstance(path, str) and path.strip().lower() == "members"
                and isinstance(value, list) and value):
            for member in value:
                member_id = member.get("value") if isinstance(member, dict) else None
                if not isinstance(member_id, str) or '"' in member_id:
                    raise ScimError(400, "Each member to remove needs its “value” (the "
                                    "member's id).", "invalidValue")
                rewritten.append({"op": "remove", "path": f'members[value eq "{member_id}"]'})
            continue
        if (isinstance(path, str) and path.lower().endswith("manager")
                and isinstance(value, str)):
            operation["value"] = {"value": value}
        if (op == "replace" and path in (None, "") and isinstance(value, dict)
                and str(value.get("id", resource_id)) == resource_id):
            operation["value"] = {k: v for k, v in value.items() if k != "id"}
        rewritten.append(operation)
    return {**body, "Operations": rewritten}


def search_params(body: dict[str, Any]) -> dict[str, str]:
    """A SearchRequest body (RFC 7644 §3.4.3) as the query parameters a GET would carry."""
    from scim2_models import SearchRequest

    try:
        search: Any = SearchRequest.model_validate(body)
    except ValidationError as exc:
        raise from_validation_error(exc, what="SearchRequest") from None
    except SCIMException as exc:
        raise from_library_error(exc) from None
    params: dict[str, str] = {}
    if search.filter is not None:
        params["filter"] = str(search.filter)
    if search.attributes:
        params["attributes"] = ",".join(str(a) for a in search.attributes)
    if search.excluded_attributes:
        params["excludedAttributes"] = ",".join(str(a) for a in search.excluded_attributes)
    if search.start_index is not None:
        params["startIndex"] = str(search.start_index)
    if search.count is not None:
        params["count"] = str(search.count)
    return params


def pagination(params: Any) -> tuple[int, int]:
    """(startIndex, count) from the query parameters (RFC 7644 §3.4.2.4: 1-based; below 1
    means 1; count below 0 means 0; count is capped at MAX_PAGE)."""
    def number(name: str, default: int) -> int:
        raw = str(params.get(name, "") or "")
        if raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ScimError(400, f"“{name}” must be a whole number, not “{raw[:40]}”.",
                            "invalidValue") from None
    start = max(1, min(number("startIndex", 1), 2**31 - 1))
    count = max(0, min(number("count", DEFAULT_PAGE), MAX_PAGE))
    return start, count


class _StrictTranspiler(Transpiler):
    """scim2-filter-parser's Django transpiler, refusing attributes it cannot map (the stock
    one ignores them, which would turn `nosuch eq "x"` into "everyone")."""

    def visit_AttrPath(self, node: Any) -> Any:
        mapped = super().visit_AttrPath(node)
        if mapped is None:
            name = node.attr_name if isinstance(node.attr_name, str) else "value path"
            sub = f".{node.sub_attr.value}" if node.sub_attr else ""
            raise ScimError(400, f"Filtering on “{name}{sub}” is not supported; filter on "
                            f"{self.supported}.", "invalidFilter")
        return mapped

    supported = ""


def filter_q(expression: str, attr_map: dict[tuple[str | None, ...], str], *, supported: str
             ) -> Any:
    """The Django Q for a SCIM filter, or a SCIM invalidFilter error naming the problem.
    `attr_map` maps (attribute, sub-attribute, schema URN) to a field; `supported` says
    which attributes may be filtered on (shown in the error)."""
    if len(expression) > 2000:
        raise ScimError(400, "The filter is too long.", "invalidFilter")
    transpiler = _StrictTranspiler(attr_map)
    transpiler.supported = supported
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(expression))
        if not isinstance(tree, filter_ast.Filter):
            raise SCIMParserError("not a filter")
        return transpiler.transpile(tree)
    except ScimError:
        raise
    except Exception as exc:  # the lexer and parser raise several types for bad input
        raise ScimError(400, f"The filter “{expression[:200]}” is not valid SCIM filter "
                        f"syntax ({exc.__class__.__name__}); write it like "
                        'userName eq "ann@example.com".', "invalidFilter") from None


def list_response(resources: list[dict[str, Any]], *, total: int, start: int) -> dict[str, Any]:
    return {"schemas": [LIST_RESPONSE], "totalResults": total, "startIndex": start,
            "itemsPerPage": len(resources), "Resources": resources}


def service_provider_config(base_url: str) -> dict[str, Any]:
    config = ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken, name="Bearer token",
            description="The organization's SCIM token, created under Provisioning → SCIM "
                        "tokens and sent as “Authorization: Bearer <token>”.",
            primary=True)],
    )
    body = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    body["meta"] = {"resourceType": "ServiceProviderConfig",
                    "location": f"{base_url}/ServiceProviderConfig"}
    return body


def schemas() -> list[dict[str, Any]]:
    out = []
    for model in (User, EnterpriseUser, Group):
        schema = model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        out.append(schema)
    return out


def resource_types(base_url: str) -> list[dict[str, Any]]:
    out = []
    for model, name in ((UserModel, "User"), (Group, "Group")):
        rt = ResourceType.from_resource(model)
        body = rt.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        body["meta"] = {"resourceType": "ResourceType",
                        "location": f"{base_url}/ResourceTypes/{name}"}
        out.append(body)
    return out


def schema_location(base_url: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "meta": {"resourceType": "Schema",
                               "location": f"{base_url}/Schemas/{schema['id']}"}}


__all__ = ["URN"]

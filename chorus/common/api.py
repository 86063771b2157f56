"""What every API route shares: the base class of request bodies, bounds for integers, and the
error shapes the OpenAPI schema declares.

- `InputSchema` is the base of every request body. django-ninja's `Schema` reads the
  attributes of whatever it is given, so a body of `"hello"` used to validate as a
  `PersonPatch` whose `title` was `"hello".title()`; an input schema accepts only a JSON object.
- `Id`, `Int`, `offset_query()`, `limit_query()`, `id_query()` bound integers to what the
  database can hold (offsets and ids above 2**63 crashed SQLite and PostgreSQL with a 500).
- `declare_error_responses(schema)` adds the real error bodies to every operation: domain
  errors and authentication failures are `{"detail": str, "field": str | null}`, request
  validation errors (422) are django-ninja's `{"detail": [{"type", "loc", "msg", ...}]}`.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Query, Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator

# Integers in requests fit a signed 32-bit column: every id, offset and count we store does.
MAX_INT = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Int = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]


class InputSchema(Schema):
    """Base of every request body: the body must be a JSON object (422 otherwise)."""

    @model_validator(mode="before")
    @classmethod
    def _require_object(cls, data: Any) -> Any:
        # django-ninja's own (outer) validator wraps the input in a DjangoGetter first.
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            kind = "a list" if isinstance(raw, list) else f"a {type(raw).__name__}"
            raise ValueError(
                f"Send a JSON object with the fields of {cls.__name__} here, not {kind}."
            )
        return data


def offset_query(default: int = 0) -> Any:
    return Query(default, ge=0, le=MAX_INT, description="Rows to skip (0 or more).")


def limit_query(default: int, most: int) -> Any:
    return Query(default, ge=1, le=MAX_INT, description=f"Rows to return (at most {most}).")


def id_query() -> Any:
    return Query(None, ge=1, le=MAX_INT)


class ErrorOut(Schema):
    """A domain error (403, 404, 409, 422 from a service), an authentication failure (401) or a
    request the server refused to read (400, 413)."""

    detail: str = Field(..., description="What is wrong and what to do, for people.")
    field: str | None = Field(None, description="The input at fault, if any.")


class UnavailableOut(Schema):
    """503: the database or the task queue is down for a moment (chorus.common.faults)."""

    detail: str
    dependency: str


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class UnprocessableOut(Schema):
    """422: either a domain error (`detail` is a string, `field` names the input) or a request
    that does not match the schema (`detail` lists django-ninja's validation errors)."""

    detail: str | list[ValidationErrorItem]
    field: str | None = None


ERROR_DESCRIPTIONS = {
    400: "The request could not be read (malformed JSON or form data).",
    401: "No valid bearer token or session.",
    403: "Your role does not allow this.",
    404: "No such object in your organization (or no such endpoint).",
    409: "The object changed meanwhile, or its state forbids this.",
    413: "The request body is larger than the server accepts.",
    422: "The input is invalid: a list of schema errors, or a message naming the field.",
    503: "The database or the task queue is unavailable; retry after Retry-After seconds.",
}
ERROR_MODELS = {422: "UnprocessableOut", 503: "UnavailableOut"}


def declare_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses to every operation of an OpenAPI document (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, UnprocessableOut, UnavailableOut):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(definition.pop("$defs", {}))
        components[model.__name__] = definition
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, description in ERROR_DESCRIPTIONS.items():
                name = ERROR_MODELS.get(code, "ErrorOut")
                responses.pop(str(code), None)
                responses[code] = {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                    },
                }
    return schema

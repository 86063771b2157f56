"""What the advocacy pages share: the editor check and showing a service's error on a form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http.response import HttpResponseBase

from chorus.advocacy.services import is_editor
from chorus.common.errors import DomainError
from chorus.common.types import AuthedRequest


def editor_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_editor(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _form_error(form: Any, exc: DomainError) -> None:
    """Show a service's error on the field it names, or above the form when that field is
    not a visible input."""
    field = exc.field if exc.field in form.fields else None
    if field and form.fields[field].widget.is_hidden:
        field = None
    form.add_error(field, exc.message)

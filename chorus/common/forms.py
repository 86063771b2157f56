"""Form helpers shared by every app's views."""

from __future__ import annotations

from django import forms

from chorus.common.errors import DomainError


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's error on the field it names, or above the form when the form has no
    such field (the message is written for people, so it is shown as is)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)

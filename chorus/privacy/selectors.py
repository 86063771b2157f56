"""Reads for data-rights pages, scoped to the user's organization."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from chorus.common.errors import NotFound, PermissionDenied
from chorus.people.models import Person, User
from chorus.people.roles import Role
from chorus.privacy.models import ErasureRecord


def can_handle_requests(user: User) -> bool:
    return user.has_role(Role.HR) or user.has_role(Role.ADMIN)


def data_subject_get(*, user: User, person_id: int) -> Person:
    """A person of the user's organization, for HR or an administrator; 404 for anyone else's
    id (another organization's person does not exist from here)."""
    if not can_handle_requests(user):
        raise PermissionDenied(gettext("Only HR or an administrator handles data requests."))
    person = (
        Person.objects.filter(organization_id=user.org_id, pk=person_id)
        .select_related("user", "department", "manager")
        .first()
    )
    if person is None:
        raise NotFound(gettext("No such person in your organization."))
    return person


def data_subject_search(*, user: User, query: str = "") -> QuerySet[Person]:
    if not can_handle_requests(user):
        raise PermissionDenied(gettext("Only HR or an administrator handles data requests."))
    people = Person.objects.filter(organization_id=user.org_id).select_related("department")
    query = query.strip()
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    return people.order_by("full_name")


def erasure_list_for(*, user: User) -> QuerySet[ErasureRecord]:
    if not can_handle_requests(user):
        raise PermissionDenied(gettext("Only HR or an administrator handles data requests."))
    return ErasureRecord.objects.filter(organization_id=user.org_id).select_related(
        "person", "requested_by"
    )


def erasure_get(*, user: User, erasure_id: int) -> ErasureRecord:
    record = erasure_list_for(user=user).filter(pk=erasure_id).first()
    if record is None:
        raise NotFound(gettext("No such erasure in your organization."))
    return record

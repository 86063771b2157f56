"""Reads for people and accounts. Every query is scoped to the user's organization here."""

from __future__ import annotations

from django.db.models import QuerySet

from chorus.common.errors import NotFound
from chorus.people.models import ApiToken, Department, Person, User
from chorus.people.roles import Role


def person_list_for(*, user: User, status: str | None = None) -> QuerySet[Person]:
    """People this user may see: HR and admins see everyone in the organization, managers
    their direct and indirect reports, others only themselves."""
    people = Person.objects.filter(organization=user.organization).select_related(
        "department", "manager", "user"
    )
    if not (user.has_role(Role.HR) or user.has_role(Role.ADMIN)):
        me = user.person
        if me is None:
            return people.none()
        if user.has_role(Role.MANAGER):
            people = people.filter(pk__in=[me.pk, *person_team_ids(person=me)])
        else:
            people = people.filter(pk=me.pk)
    if status:
        people = people.filter(status=status)
    return people


def person_team_ids(*, person: Person) -> list[int]:
    """Ids of everyone reporting to `person`, directly or indirectly (cycle-safe)."""
    team: list[int] = []
    frontier = [person.pk]
    seen = {person.pk}
    while frontier:
        children = list(
            Person.objects.filter(manager_id__in=frontier)
            .exclude(pk__in=seen)
            .values_list("pk", flat=True)
        )
        team.extend(children)
        seen.update(children)
        frontier = children
    return team


def person_get(*, user: User, person_id: int) -> Person:
    person = person_list_for(user=user).filter(pk=person_id).first()
    if person is None:
        raise NotFound("No such person in your organization.")
    return person


def department_list_for(*, user: User) -> QuerySet[Department]:
    return Department.objects.filter(organization=user.organization).order_by("name")


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")

"""Reads for people and accounts. Every query is scoped to the user's organization here."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

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
            people = people.filter(Q(pk=me.pk) | Q(pk__in=person_team_subquery(person=me)))
        else:
            people = people.filter(pk=me.pk)
    if status:
        people = people.filter(status=status)
    return people


# Everyone below one person in the reporting tree, walked by the database in one recursive
# query (UNION, not UNION ALL, so a cycle in bad HR data ends the walk instead of looping).
# Used as a subquery (`pk__in=person_team_subquery(...)`), it never brings the ids to Python:
# a vice president with 49,000 people below costs one index walk, not 49,000 bound parameters.
_TEAM_SQL = (
    "WITH RECURSIVE chorus_team(id) AS ("
    "SELECT id FROM people_person WHERE manager_id = %s "
    "UNION SELECT p.id FROM people_person p JOIN chorus_team t ON p.manager_id = t.id) "
    "SELECT id FROM chorus_team WHERE id <> %s"
)


def person_team_subquery(*, person: Person) -> RawSQL:
    """SQL for the ids of everyone reporting to `person`, directly or indirectly.

    On PostgreSQL the tree is walked once per request (the ids are kept on this `Person`
    object, which `request.user.person` returns every time) and later queries read them as
    one array parameter, so a page with five aggregates over a 49,000-person team walks the
    tree once, not five times. Elsewhere the recursive query is embedded in each query."""
    if connection.vendor == "postgresql":
        ids = getattr(person, "_chorus_team_ids", None)
        if ids is None:
            ids = person_team_ids(person=person)
            person._chorus_team_ids = ids  # type: ignore[attr-defined]
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))  # one bound array
    return RawSQL(_TEAM_SQL, (person.pk, person.pk))  # noqa: S611 (constant SQL, bound ids)


def person_team_ids(*, person: Person) -> list[int]:
    """Ids of everyone reporting to `person`, directly or indirectly (cycle-safe), in one
    query. Prefer `person_team_subquery` inside other queries."""
    with connection.cursor() as cursor:
        cursor.execute(_TEAM_SQL, [person.pk, person.pk])
        return [row[0] for row in cursor.fetchall()]


def person_in_team(*, person: Person, member_id: int) -> bool:
    """Whether `member_id` reports to `person`, directly or indirectly (one query)."""
    return Person.objects.filter(pk=member_id, pk__in=person_team_subquery(person=person)
                                 ).exists()


def person_get(*, user: User, person_id: int) -> Person:
    person = person_list_for(user=user).filter(pk=person_id).first()
    if person is None:
        raise NotFound("No such person in your organization.")
    return person


def department_list_for(*, user: User) -> QuerySet[Department]:
    return Department.objects.filter(organization=user.organization).order_by("name")


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")

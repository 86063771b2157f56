"""`chorus seed --scale N`: grow the demo organization to a large employer's volume.

Scale 1 is the volume of issue 13 (a 50,000-employee organization): 50,000 people in 46
departments under 2,500 managers (a vice president with ~49,000 people below, three levels),
50,000 attestation assignments and 40,000 attestations, 5,000 content items, 300,000 shares,
2,000,000 tracked-link clicks, 50,000 reports, 10,000 incidents, 300,000 monitored posts and
100,000 audit entries. `--scale 0.1` builds a tenth of that (5,000 people), and so on.

Rows are written with one `INSERT ... SELECT FROM generate_series` per table on PostgreSQL
(bulk, in the database, no Python loop per row). Each table clones a row the demo seed made
("template row") and overrides the columns that must differ, so columns added later by other
apps get a sensible value without this file knowing them. The audit trail is appended in
Python because every entry carries the hash of the one before it; it stays verifiable.

The bulk people log in with the demo password: `bulk<N>@northwind.example`; `bulk0` is the
vice president (manager role), `bulk<M>` (the first non-manager) the heavy sharer.
"""

# The bulk SQL below is assembled from literals and integers this module computes (row counts,
# ids read back from the database); nothing a user typed reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

BULK_PREFIX = "bulk"


class ScaleRefused(Exception):
    """The scale seed cannot run here (not PostgreSQL, or already seeded)."""


@dataclass(frozen=True)
class Volume:
    """Row counts for one scale factor."""

    people: int
    departments: int
    managers: int
    assignments: int
    attestations: int
    content: int
    shares: int
    clicks: int
    reports: int
    incidents: int
    linked_accounts: int
    posts: int
    alerts: int
    audit: int

    @classmethod
    def at(cls, scale: float) -> Volume:
        def n(base: int, floor: int = 1) -> int:
            return max(floor, round(base * scale))

        return cls(
            people=n(50_000, 20),
            departments=n(40, 2),
            managers=n(2_500, 3),
            assignments=n(50_000, 20),
            attestations=n(40_000, 16),
            content=n(5_000, 5),
            shares=n(300_000, 10),
            clicks=n(2_000_000, 10),
            reports=n(50_000, 5),
            incidents=n(10_000, 5),
            linked_accounts=n(5_000, 2),
            posts=n(300_000, 10),
            alerts=n(6_000, 2),
            audit=n(100_000, 10),
        )


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def clone_rows(
    label: str,
    *,
    template_pk: int,
    source: str,
    overrides: dict[str, str],
    params: tuple[Any, ...] = (),
) -> int:
    """INSERT one row per row of `source` (SQL after FROM, alias `g` for the series), copying
    every column of the template row `t` except the primary key and `overrides`."""
    model = _model(label)
    table = _qn(model._meta.db_table)
    cols, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column is None:
            continue
        cols.append(_qn(field.column))
        exprs.append(overrides.get(field.column, f"t.{_qn(field.column)}"))
    unknown = set(overrides) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise ScaleRefused(f"{label} has no column(s) {sorted(unknown)}")
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
        f"FROM {source} CROSS JOIN (SELECT * FROM {table} WHERE id = {int(template_pk)}) t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _scalar(sql: str, params: tuple[Any, ...] = ()) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _int(sql: str, params: tuple[Any, ...] = ()) -> int:
    value = _scalar(sql, params)
    if not isinstance(value, int):
        raise ScaleRefused(f"Expected a number from: {sql}")
    return value


def _exec(sql: str, params: tuple[Any, ...] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _template(label: str, org_id: int, **filters: object) -> int:
    model = _model(label)
    qs = model._default_manager.order_by("pk")
    if any(f.name == "organization" for f in model._meta.fields):
        qs = qs.filter(organization_id=org_id)
    pk = qs.filter(**filters).values_list("pk", flat=True).first()
    if pk is None:
        raise ScaleRefused(f"The demo has no {label} row to copy; run `chorus seed` first.")
    return int(pk)


# Spread over the last year: `AGO` is an expression for "a random moment in the last year".
AGO = "(now() - random() * interval '365 days')"


@transaction.atomic
def seed_scale(*, scale: float, log: Callable[[str], None] = print) -> Volume:
    """Add `scale` times the issue-13 volume to the demo organization (PostgreSQL only).

    One transaction: a failure leaves the database as it was."""
    if connection.vendor != "postgresql":
        raise ScaleRefused(
            "`chorus seed --scale` writes in bulk with PostgreSQL's generate_series; set "
            "DATABASE_URL to a PostgreSQL database (the SQLite default is for development)."
        )
    if not 0 < scale <= 20:
        raise ScaleRefused("--scale must be a number above 0 and at most 20 (1 = 50,000 people).")
    from chorus.people.seed import DEMO_DOMAIN, DEMO_SLUG, demo_email

    organization = _model("people.Organization")
    org = organization._default_manager.filter(slug=DEMO_SLUG).first()
    if org is None:
        raise ScaleRefused("Run `chorus seed` first: the scale seed grows the demo organization.")
    org_id = int(org.pk)
    user_model = _model("people.User")
    if user_model._default_manager.filter(email__startswith=f"{BULK_PREFIX}0@").exists():
        raise ScaleRefused(
            "This database already holds a scaled organization (bulk0@ exists); use a fresh "
            "database to seed another size."
        )
    vol = Volume.at(scale)
    started = time.monotonic()

    def step(name: str, fn: Callable[[], object]) -> None:
        t0 = time.monotonic()
        with transaction.atomic():
            result = fn()
        log(f"  {name:<34} {result!s:>12}  {time.monotonic() - t0:6.1f} s")

    log(f"Scaling {org} by {scale}: {vol.people:,} people, {vol.clicks:,} clicks ...")
    _exec("SELECT setseed(0.42)")
    people = _people(org_id, vol, DEMO_DOMAIN, demo_email, step)
    _onboarding(org_id, vol, step)
    _advocacy(org_id, vol, people, step)
    _reports(org_id, vol, step)
    _incidents(org_id, vol, step)
    _monitoring(org_id, vol, step)
    step("audit entries (hash chain)", lambda: _audit(org_id, vol.audit))
    step("rollups", lambda: _rollups(org_id))
    _exec("ANALYZE")
    log(f"Done in {time.monotonic() - started:.0f} s.")
    return vol


@dataclass
class _People:
    vp_user: int
    heavy_user: int


def _people(
    org_id: int,
    vol: Volume,
    domain: str,
    demo_email: Callable[[str], str],
    step: Callable[[str, Callable[[], object]], None],
) -> _People:
    password = make_password(settings.CHORUS_DEMO_PASSWORD)
    user_t = _template("people.User", org_id, email=demo_email("employee"))
    person_t = _template("people.Person", org_id, email=demo_email("employee"))
    dept_t = _template("people.Department", org_id)
    morgan = _int(
        "SELECT id FROM people_person WHERE organization_id=%s AND email=%s",
        (org_id, demo_email("manager")),
    )
    m = vol.managers

    def users() -> int:
        return clone_rows(
            "people.User", template_pk=user_t,
            source=f"generate_series(0, {vol.people - 1}) g",
            overrides={
                "email": f"'{BULK_PREFIX}' || g || '@{domain}'",
                "full_name": "'Bulk Person ' || g",
                "password": "%s",
                "last_login": "NULL",
                "date_joined": AGO,
            },
            params=(password,),
        )

    step("users", users)

    def groups() -> int:
        n = _exec(
            "INSERT INTO people_user_groups (user_id, group_id) SELECT u.id, gr.id "
            "FROM people_user u, auth_group gr WHERE u.organization_id=%s AND "
            "u.email LIKE %s AND gr.name='employee'",
            (org_id, f"{BULK_PREFIX}%@{domain}"),
        )
        n += _exec(
            "INSERT INTO people_user_groups (user_id, group_id) SELECT u.id, gr.id "
            "FROM people_user u, auth_group gr WHERE u.organization_id=%s AND gr.name='manager' "
            "AND u.email LIKE %s AND split_part(split_part(u.email, '@', 1), %s, 2)::int < %s",
            (org_id, f"{BULK_PREFIX}%@{domain}", BULK_PREFIX, m),
        )
        return n

    step("role links", groups)

    def departments() -> int:
        return clone_rows(
            "people.Department", template_pk=dept_t,
            source=f"generate_series(0, {vol.departments - 1}) g",
            overrides={"name": "'Division ' || g"},
        )

    step("departments", departments)
    _exec(
        "CREATE TEMP TABLE scale_dept AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id "
        "FROM people_department WHERE organization_id=%s", (org_id,),
    )
    ndept = _int("SELECT count(*) FROM scale_dept")
    _exec(
        "CREATE TEMP TABLE scale_user AS SELECT split_part(split_part(email, '@', 1), %s, 2)::int "
        "AS g, id FROM people_user WHERE organization_id=%s AND email LIKE %s",
        (BULK_PREFIX, org_id, f"{BULK_PREFIX}%@{domain}"),
    )
    _exec("CREATE UNIQUE INDEX ON scale_user (g)")

    def persons() -> int:
        return clone_rows(
            "people.Person", template_pk=person_t,
            source="scale_user g JOIN scale_dept d ON d.k = mod(g.g, %s)",
            overrides={
                "user_id": "g.id",
                "email": f"'{BULK_PREFIX}' || g.g || '@{domain}'",
                "full_name": "'Bulk Person ' || g.g",
                "department_id": "d.id",
                "manager_id": "NULL",
                "external_id": "'bulk-' || g.g",
                "title": f"CASE WHEN g.g < {m} THEN 'Manager' ELSE 'Engineer' END",
                "created_at": AGO,
            },
            params=(ndept,),
        )

    step("people", persons)
    _exec(
        "CREATE TEMP TABLE scale_person AS SELECT g.g, p.id, p.user_id, p.department_id "
        "FROM scale_user g JOIN people_person p ON p.user_id = g.id"
    )
    _exec("CREATE UNIQUE INDEX ON scale_person (g)")

    # bulk0 is the vice president; bulk1..L1 report to them, except the first 2% of managers
    # who report to the demo manager Morgan (a mid-sized team); the rest of the managers report
    # to a first-level manager; every other person reports to one manager.
    l1 = max(1, min(m - 1, 49))
    to_morgan = max(1, l1 // 25)  # one first-level manager in 25 (and their teams)

    def tree() -> int:
        n = _exec(
            "UPDATE people_person p SET manager_id = CASE WHEN s.g <= %s THEN %s ELSE vp.id END "
            "FROM scale_person s, scale_person vp WHERE p.id = s.id AND vp.g = 0 "
            "AND s.g BETWEEN 1 AND %s", (to_morgan, morgan, l1),
        )
        n += _exec(
            "UPDATE people_person p SET manager_id = boss.id "
            "FROM scale_person s, scale_person boss "
            "WHERE p.id = s.id AND s.g > %s AND s.g < %s AND boss.g = 1 + mod(s.g, %s)",
            (l1, m, l1),
        )
        n += _exec(
            "UPDATE people_person p SET manager_id = boss.id "
            "FROM scale_person s, scale_person boss "
            "WHERE p.id = s.id AND s.g >= %s AND boss.g = mod(s.g, %s)", (m, m),
        )
        return n

    step("manager tree", tree)
    vp_user = _int("SELECT user_id FROM scale_person WHERE g = 0")
    heavy_user = _int("SELECT user_id FROM scale_person WHERE g = %s", (m,))
    return _People(vp_user=vp_user, heavy_user=heavy_user)


Step = Callable[[str, Callable[[], object]], None]


def _onboarding(org_id: int, vol: Volume, step: Step) -> None:
    assign_t = _template("onboarding.Assignment", org_id, status="done")
    attest_t = _template("onboarding.Attestation", org_id)
    done = vol.attestations

    def assignments() -> int:
        return clone_rows(
            "onboarding.Assignment", template_pk=assign_t,
            source=f"(SELECT * FROM scale_person WHERE g < {vol.assignments}) g",
            overrides={
                "person_id": "g.id",
                "status": f"CASE WHEN g.g < {done} THEN 'done' ELSE 'pending' END",
                "assigned_at": "now() - interval '60 days'",
                "due_at": "now() - interval '60 days' + (mod(g.g, 90) || ' days')::interval",
                "completed_at": f"CASE WHEN g.g < {done} THEN now() - "
                "(mod(g.g, 59) || ' days')::interval END",
                "read_to_end_at": f"CASE WHEN g.g < {done} THEN now() - "
                "(mod(g.g, 59) || ' days')::interval END",
                "created_at": "now() - interval '60 days'",
            },
        )

    step("attestation assignments", assignments)

    def attestations() -> int:
        return clone_rows(
            "onboarding.Attestation", template_pk=attest_t,
            source=(
                "(SELECT s.*, a.id AS assignment_id, a.completed_at, p.full_name, p.email "
                "FROM scale_person s JOIN onboarding_assignment a ON a.person_id = s.id "
                f"JOIN people_person p ON p.id = s.id WHERE a.status = 'done' AND s.g < {done}) g"
            ),
            overrides={
                "person_id": "g.id",
                "assignment_id": "g.assignment_id",
                "person_name": "g.full_name",
                "person_email": "g.email",
                "user_id_at_time": "g.user_id",
                "attested_at": "g.completed_at",
                "read_to_end_at": "g.completed_at",
                "created_at": "g.completed_at",
            },
        )

    step("attestations", attestations)


def _advocacy(
    org_id: int, vol: Volume, people: _People, step: Callable[[str, Callable[[], object]], None]
) -> None:
    item_t = _template("advocacy.ContentItem", org_id, status="approved")
    share_t = _template("advocacy.Share", org_id)
    click_t = _int("SELECT min(id) FROM advocacy_click")
    caption_t = _int("SELECT min(id) FROM advocacy_caption")

    def items() -> int:
        # 80% approved and live (never expiring), the rest drafts and archived ones.
        return clone_rows(
            "advocacy.ContentItem", template_pk=item_t,
            source=f"generate_series(0, {vol.content - 1}) g",
            overrides={
                "title": "'Bulk story ' || g",
                "slug": "'bulk-story-' || g",
                "status": "CASE WHEN mod(g, 10) < 8 THEN 'approved' WHEN mod(g, 10) = 8 "
                "THEN 'draft' ELSE 'archived' END",
                "publish_at": "now() - (mod(g, 360) || ' days')::interval",
                "expires_at": "NULL",
                "created_at": "now() - (mod(g, 360) || ' days')::interval - interval '1 hour'",
            },
        )

    step("content items", items)
    _exec(
        "CREATE TEMP TABLE scale_item AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id "
        "FROM advocacy_contentitem WHERE organization_id=%s AND slug LIKE 'bulk-story-%%' "
        "AND status='approved'", (org_id,),
    )
    _exec("CREATE UNIQUE INDEX ON scale_item (k)")
    nitems = _int("SELECT count(*) FROM scale_item")

    def captions() -> int:
        return clone_rows(
            "advocacy.Caption", template_pk=caption_t,
            source="(SELECT i.id, n.network FROM scale_item i, (VALUES ('linkedin'), ('x')) "
            "AS n(network)) g",
            overrides={"item_id": "g.id", "network": "g.network", "text": "'Worth a read'"},
        )

    step("captions", captions)
    sharers = min(20_000, _int("SELECT count(*) FROM scale_person"))

    def shares() -> int:
        # Skewed: popular items and a heavy sharer (every 7th share); the rest spread over
        # up to 20,000 people.
        return clone_rows(
            "advocacy.Share", template_pk=share_t,
            source=(
                f"(SELECT g, floor(power(random(), 2) * {nitems})::int AS k, "
                "CASE WHEN mod(g, 7) = 0 THEN -1 "
                f"ELSE mod(g::bigint * 7919, {sharers})::int END AS pg, "
                f"{AGO} AS at FROM generate_series(0, {vol.shares - 1}) g) s "
                "JOIN scale_item i ON i.k = s.k "
                f"LEFT JOIN scale_person p ON p.g = s.pg "
                "CROSS JOIN LATERAL (SELECT "
                f"CASE WHEN s.pg = -1 THEN {people.heavy_user} ELSE p.user_id END AS user_id) u"
            ),
            overrides={
                "item_id": "i.id",
                "user_id": "u.user_id",
                "department_id": "coalesce(p.department_id, t.department_id)",
                "caption_id": "NULL",
                "network": "(ARRAY['linkedin','x','bluesky','mastodon','facebook'])"
                "[1 + mod(s.g, 5)]",
                "code": "'b' || to_hex(s.g) || substr(md5(random()::text), 1, 5)",
                "text_hash": "md5(i.id::text)",
                "confirmed_at": "CASE WHEN mod(s.g, 3) > 0 THEN s.at END",
                "confirmed_via": "CASE WHEN mod(s.g, 3) > 0 THEN 'said' ELSE '' END",
                "created_at": "s.at",
                "updated_at": "s.at",
            },
        )

    step("shares", shares)
    _exec(
        "CREATE TEMP TABLE scale_share AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, "
        "created_at FROM advocacy_share WHERE organization_id=%s AND code LIKE 'b%%'", (org_id,),
    )
    _exec("CREATE UNIQUE INDEX ON scale_share (k)")
    nshares = _int("SELECT count(*) FROM scale_share")

    def clicks() -> int:
        total = 0
        batch = 500_000
        for start in range(0, vol.clicks, batch):
            stop = min(vol.clicks, start + batch) - 1
            total += clone_rows(
                "advocacy.Click", template_pk=click_t,
                source=(
                    f"(SELECT g, floor(power(random(), 3) * {nshares})::int AS k "
                    f"FROM generate_series({start}, {stop}) g) c JOIN scale_share s ON s.k = c.k "
                    "CROSS JOIN LATERAL (SELECT s.created_at + random() * "
                    "least(interval '20 days', now() - s.created_at) AS at) a"
                ),
                overrides={
                    "share_id": "s.id",
                    "created_at": "a.at",
                    "day": "(a.at AT TIME ZONE 'UTC')::date",
                    "visitor": "substr(md5(c.g::text), 1, 32)",
                },
            )
        return total

    step("link clicks", clicks)


def _reports(org_id: int, vol: Volume, step: Callable[[str, Callable[[], object]], None]) -> None:
    report_t = _template("reports.Report", org_id)
    sub_t = _template("reports.Submission", org_id)
    event_t = _template("reports.ReportEvent", org_id, kind="created")

    def reports() -> int:
        return clone_rows(
            "reports.Report", template_pk=report_t,
            source=f"generate_series(0, {vol.reports - 1}) g",
            overrides={
                "url": "'https://social.example/bulk/' || g",
                "url_normalized": "'https://social.example/bulk/' || g",
                "status": "CASE WHEN mod(g, 10) < 7 THEN 'closed' WHEN mod(g, 10) = 7 THEN 'new' "
                "ELSE 'triaging' END",
                "category": "(ARRAY['harassment','leak','impersonation','crisis','security',"
                "'other'])[1 + mod(g, 6)]",
                "created_at": AGO,
                "due_at": "now() + interval '2 days'",
                "closed_at": "CASE WHEN mod(g, 10) < 7 THEN now() END",
                "submission_count": "1",
            },
        )

    step("reports", reports)
    _exec(
        "CREATE TEMP TABLE scale_report AS SELECT id, created_at, url, category FROM "
        "reports_report WHERE organization_id=%s AND url LIKE 'https://social.example/bulk/%%'",
        (org_id,),
    )

    npeople = _int("SELECT count(*) FROM scale_person")

    def submissions() -> int:
        n = clone_rows(
            "reports.Submission", template_pk=sub_t,
            source="(SELECT r.*, p.user_id FROM (SELECT *, row_number() OVER (ORDER BY id) AS k "
            "FROM scale_report) r JOIN scale_person p ON p.g = mod(r.k * 13, %s)) g",
            overrides={
                "report_id": "g.id", "url": "g.url", "category": "g.category",
                "reporter_id": "g.user_id",
                "anonymous": "false", "key_hash": "NULL", "created_at": "g.created_at",
            },
            params=(npeople,),
        )
        n += clone_rows(
            "reports.ReportEvent", template_pk=event_t,
            source="scale_report g",
            overrides={"report_id": "g.id", "submission_id": "NULL", "created_at": "g.created_at"},
        )
        return n

    step("report submissions + events", submissions)


def _incidents(org_id: int, vol: Volume, step: Callable[[str, Callable[[], object]], None]) -> None:
    decided_t = _template("incidents.Incident", org_id, status="closed", deviated=False)
    event_t = _int(
        "SELECT min(e.id) FROM incidents_incidentevent e JOIN incidents_incident i "
        "ON i.id = e.incident_id WHERE i.organization_id=%s", (org_id,),
    )
    npeople = _int("SELECT count(*) FROM scale_person")

    def incidents() -> int:
        # 50% closed, 20% decided (both carry matrix, severity, history, outcome), the rest
        # open or in review; about one decided case in nine deviates from the suggestion.
        return clone_rows(
            "incidents.Incident", template_pk=decided_t,
            source=f"(SELECT gs AS g, p.id AS pid FROM generate_series(0, {vol.incidents - 1}) gs "
            f"JOIN scale_person p ON p.g = mod(gs * 31, {npeople})) x",
            overrides={
                "subject_id": "x.pid",
                "source": "'manual'",
                "source_ref": "''",
                "title": "'Bulk case ' || g",
                "status": "CASE WHEN mod(g, 10) < 5 THEN 'closed' WHEN mod(g, 10) < 7 THEN "
                "'decided' WHEN mod(g, 10) < 9 THEN 'open' ELSE 'in_review' END",
                "category": "(ARRAY['customer_negative','confidential','harassment',"
                "'political','competitor'])[1 + mod(g, 5)]",
                "severity": "(ARRAY['low','medium','high','medium'])[1 + mod(g / 5, 4)]",
                "history": "(ARRAY['first','first','second','repeated'])[1 + mod(g / 3, 4)]",
                "outcome": "CASE WHEN mod(g, 10) < 7 THEN (ARRAY['coaching','reminder',"
                "'written_warning','coaching'])[1 + mod(g / 7, 4)] ELSE '' END",
                "suggested_response": "(ARRAY['coaching','reminder','written_warning',"
                "'coaching'])[1 + mod(g / 7, 4)]",
                "deviated": "mod(g, 10) < 7 AND mod(g, 9) = 0",
                "justification": "CASE WHEN mod(g, 10) < 7 AND mod(g, 9) = 0 THEN "
                "'Mitigating circumstances documented in the file.' ELSE '' END",
                "opened_at": AGO,
                "created_at": "now() - interval '400 days'",
                "decided_at": "CASE WHEN mod(g, 10) < 7 THEN now() - (mod(g, 300) || ' days')"
                "::interval END",
                "closed_at": "CASE WHEN mod(g, 10) < 5 THEN now() - (mod(g, 300) || ' days')"
                "::interval END",
                "legal_hold": "false",
            },
        )

    step("incidents", incidents)

    def events() -> int:
        return clone_rows(
            "incidents.IncidentEvent", template_pk=event_t,
            source="(SELECT id, opened_at FROM incidents_incident WHERE organization_id=%s "
            "AND title LIKE 'Bulk case %%') g",
            overrides={"incident_id": "g.id", "created_at": "g.opened_at"},
            params=(org_id,),
        )

    step("incident events", events)


def _monitoring(org_id: int, vol: Volume, step: Step) -> None:
    account_t = _template("monitoring.LinkedAccount", org_id)
    consent_t = _template("monitoring.ConsentRecord", org_id)
    post_t = _template("monitoring.IngestedPost", org_id)
    alert_t = _template("monitoring.MonitoringAlert", org_id)

    def accounts() -> int:
        n = clone_rows(
            "monitoring.LinkedAccount", template_pk=account_t,
            source=f"(SELECT * FROM scale_person WHERE g < {vol.linked_accounts}) g",
            overrides={
                "person_id": "g.id",
                "network": "'bluesky'",
                "handle": "'bulk' || g.g || '.bsky.social'",
                "external_id": "'did:plc:bulk' || g.g",
                "profile_url": "'https://bsky.app/profile/bulk' || g.g || '.bsky.social'",
                "status": "'active'",
                "last_error": "''",
                "consecutive_failures": "0",
            },
        )
        _exec(
            "CREATE TEMP TABLE scale_account AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, "
            "id, person_id FROM monitoring_linkedaccount WHERE organization_id=%s AND "
            "external_id LIKE 'did:plc:bulk%%'", (org_id,),
        )
        _exec("CREATE UNIQUE INDEX ON scale_account (k)")
        n += clone_rows(
            "monitoring.ConsentRecord", template_pk=consent_t,
            source="scale_account g",
            overrides={"account_id": "g.id", "person_id": "g.person_id", "action": "'granted'"},
        )
        return n

    step("linked accounts + consent", accounts)
    naccounts = _int("SELECT count(*) FROM scale_account")

    def posts() -> int:
        return clone_rows(
            "monitoring.IngestedPost", template_pk=post_t,
            source=f"(SELECT g, {AGO} AS at FROM generate_series(0, {vol.posts - 1}) g) g "
            f"JOIN scale_account a ON a.k = mod(g.g, {naccounts})",
            overrides={
                "account_id": "a.id",
                "network": "'bluesky'",
                "external_id": "'at://bulk/' || g.g",
                "url": "'https://bsky.app/bulk/' || g.g",
                "text": "'Bulk post number ' || g.g || ' about our products and the weather.'",
                "published_at": "g.at",
                "created_at": "g.at",
                "verdict": "CASE WHEN mod(g.g, 50) = 0 THEN 'block' WHEN mod(g.g, 50) = 1 "
                "THEN 'warn' ELSE 'allow' END",
                "protected_activity": "false",
            },
        )

    step("monitored posts", posts)

    def alerts() -> int:
        return clone_rows(
            "monitoring.MonitoringAlert", template_pk=alert_t,
            source="(SELECT p.id, p.account_id, a.person_id, p.url, p.published_at FROM "
            "monitoring_ingestedpost p JOIN scale_account a ON a.id = p.account_id WHERE "
            f"p.verdict <> 'allow' ORDER BY p.id LIMIT {vol.alerts}) g",
            overrides={
                "post_id": "g.id", "account_id": "g.account_id", "person_id": "g.person_id",
                "post_url": "g.url", "status": "'open'",
                "created_at": "g.published_at", "escalated_at": "NULL",
            },
        )

    step("monitoring alerts", alerts)


def _audit(org_id: int, count: int) -> int:
    """Append `count` entries to the organization's hash chain (Python: each hashes the last)."""
    from chorus.audit.models import AuditChain, AuditEntry
    from chorus.audit.services import entry_hash

    chain = AuditChain.objects.select_for_update().get(organization_id=org_id)
    seq, prev = chain.last_seq, chain.last_hash
    start = timezone.now() - datetime.timedelta(seconds=count)
    actions = ["person.updated", "share.created", "report.triaged", "policy.viewed"]
    batch: list[AuditEntry] = []
    for i in range(count):
        seq += 1
        entry = AuditEntry(
            organization_id=org_id, seq=seq, created_at=start + datetime.timedelta(seconds=i),
            actor_id=None, actor_label="system", action=actions[i % len(actions)],
            target_type="people.person", target_id=str(i), target_label=f"Bulk Person {i}",
            data={"bulk": i}, prev_hash=prev,
        )
        entry.entry_hash = prev = entry_hash(entry)
        batch.append(entry)
        if len(batch) == 10_000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)
    chain.last_seq, chain.last_hash = seq, prev
    chain.save(update_fields=["last_seq", "last_hash"])
    return count


def _rollups(org_id: int) -> str:
    """Rebuild the daily click/share rollups the analytics pages read (if the app has them)."""
    from django.utils.module_loading import import_string

    build = import_string("chorus.advocacy.rollups.click_rollups_build")
    return str(build(organization_id=org_id, rebuild=True))

"""50 employees report at the same moment (issue 11, item 17): on SQLite (a file database, as
deployed) and on PostgreSQL (`make test-postgres`) every submission succeeds, reports of one
post merge into one case, and the audit chain stays intact."""

from __future__ import annotations

import pytest
from django.test import Client

from chorus.audit.services import audit_verify
from chorus.common.testing import in_own_connection, own_connections_per_thread, run_concurrently
from chorus.people.services import api_token_create
from chorus.reports.models import Report, ReportEvent, Submission

pytestmark = pytest.mark.django_db(transaction=True)

SAME_POST = "https://x.com/someone/status/1860000000000000001"


def test_fifty_simultaneous_reports_all_succeed_and_one_post_makes_one_case(
    tmp_path, org, admin, hr, legal, comms, manager, employee, employee2
):
    users = [admin, hr, legal, comms, manager, employee, employee2]
    tokens = [api_token_create(user=user, name="concurrency")[1] for user in users]

    def report(index: int):
        # Half of them report the same post (some of its URLs with tracking parameters), the
        # other half one post each.
        url = (
            (f"{SAME_POST}?s={index}" if index % 4 else SAME_POST)
            if index % 2 == 0
            else (f"https://x.com/someone/status/{1870000000000000000 + index}")
        )
        client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[index % len(tokens)]}")
        return client.post(
            "/api/v1/reports",
            {
                "url": url,
                "category": "harassment",
                "description": f"Reporter {index}: this account keeps threatening our staff.",
            },
            content_type="application/json",
        )

    with own_connections_per_thread(tmp_path):
        responses = run_concurrently([lambda i=i: report(i) for i in range(50)])

        failures = [
            r if isinstance(r, Exception) else (r.status_code, r.content[:300])
            for r in responses
            if isinstance(r, Exception) or r.status_code != 201
        ]
        assert failures == []
        assert sum(r.json()["merged"] for r in responses) == 24

        def stored():
            same = list(
                Report.objects.filter(
                    organization=org, url_normalized__contains=("1860000000000000001")
                )
            )
            return {
                "same_post_cases": [(r.submission_count, r.submissions.count()) for r in same],
                "reports": Report.objects.filter(organization=org).count(),
                "submissions": Submission.objects.filter(organization=org).count(),
                "events": ReportEvent.objects.filter(organization=org).count(),
                "audit": audit_verify(organization_id=org.pk),
            }

        result = in_own_connection(stored)

    assert result["same_post_cases"] == [(25, 25)]
    assert (result["reports"], result["submissions"]) == (26, 50)
    assert result["events"] >= 50  # a created or merged event for each
    assert result["audit"].ok, result["audit"].describe()

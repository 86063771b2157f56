"""/audit/: filter by who, object and dates; CSV export with the chain proof."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.audit.services import audit_record
from chorus.people.models import Organization

pytestmark = pytest.mark.django_db


class _Obj:
    """A stand-in target with a label, like an incident ("INC-3 ...")."""

    class _meta:
        label_lower = "incidents.incident"

    def __init__(self, pk: int, label: str):
        self.pk, self.label = pk, label

    def __str__(self) -> str:
        return self.label


def _seed(org: Organization, admin, hr) -> None:
    audit_record(organization=org, actor=hr, action="incidents.opened", target=_Obj(3, "INC-3 Sam"))
    audit_record(
        organization=org, actor=admin, action="incidents.noted", target=_Obj(30, "INC-30 Kim")
    )
    audit_record(
        organization=org,
        actor="anonymous reporter",
        action="reports.submitted",
        target=_Obj(7, "R-00007"),
    )
    audit_record(
        organization=org,
        actor=admin,
        action="policy.published",
        target=_Obj(9, '=HYPERLINK("http://evil")'),
    )


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_object_filter_finds_everything_about_inc_3_and_not_inc_30(client_for, org, admin, hr):
    _seed(org, admin, hr)
    page = client_for(admin).get("/audit/", {"obj": "INC-3"}).content.decode()
    assert "incidents.opened" in page and "incidents.noted" not in page


def test_actor_and_date_filters(client_for, org, admin, hr):
    _seed(org, admin, hr)
    client = client_for(admin)
    page = client.get("/audit/", {"actor": hr.email}).content.decode()
    assert "incidents.opened" in page and "policy.published" not in page
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert (
        "incidents.opened"
        in client.get("/audit/", {"since": today, "until": today}).content.decode()
    )
    assert "Nothing matches" in client.get("/audit/", {"since": tomorrow}).content.decode()
    bad = client.get("/audit/", {"since": tomorrow, "until": today}).content.decode()
    assert "swap the two dates" in bad


def test_csv_export_has_the_chain_proof_and_escapes_formulas(client_for, org, admin, hr):
    _seed(org, admin, hr)
    response = client_for(admin).get("/audit/", {"actor": admin.email, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response.content)
    assert rows[1][0] == "# chain verification" and rows[1][1].startswith("OK:")
    header = rows.index(next(r for r in rows if r and r[0] == "seq"))
    body = rows[header + 1 :]
    assert {r[3] for r in body} == {"incidents.noted", "policy.published"}
    by_seq = {int(r[0]): r for r in body}
    for r in body:
        entry = AuditEntry.objects.get(organization=org, seq=int(r[0]))
        assert (r[8], r[9]) == (entry.prev_hash, entry.entry_hash)
    assert any(r[6] == '\'=HYPERLINK("http://evil")' for r in by_seq.values())
    assert AuditEntry.objects.filter(organization=org, action="audit.exported").exists()


def test_anonymous_entries_show_the_day_only(client_for, org, admin, hr):
    _seed(org, admin, hr)
    entry = AuditEntry.objects.get(organization=org, action="reports.submitted")
    page = client_for(admin).get("/audit/", {"actor": "anonymous reporter"}).content.decode()
    assert timezone.localtime(entry.created_at).strftime("%H:%M") not in page.split("<tbody>")[1]
    rows = _rows(
        client_for(admin).get("/audit/", {"actor": "anonymous reporter", "export": "csv"}).content
    )
    assert rows[-1][1] == entry.created_at.date().isoformat()


def test_another_organizations_entries_never_show(client_for, org, other_org, admin, outsider, hr):
    _seed(org, admin, hr)
    page = client_for(outsider).get("/audit/", {"obj": "INC-3"}).content.decode()
    assert "incidents.opened" not in page
    rows = _rows(client_for(outsider).get("/audit/", {"export": "csv"}).content)
    assert not any(r and r[0].isdigit() and "INC-3" in r[6] for r in rows)


def test_employees_cannot_read_or_export_the_trail(client_for, employee):
    assert client_for(employee).get("/audit/", {"export": "csv"}).status_code == 403

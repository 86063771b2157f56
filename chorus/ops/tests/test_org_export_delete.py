import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chorus.audit.models import AuditEntry
from chorus.audit.services import audit_verify
from chorus.ops.orgdata import OrgDataError, org_delete, org_export, org_row_counts
from chorus.ops.tests.helpers import populate
from chorus.people.models import Organization, Person, User
from chorus.people.roles import Role
from conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs(settings, tmp_path, org, other_org, hr, admin, comms, employee, outsider):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    other_hr = make_member(org=other_org, key="otherhr", roles=[Role.HR, Role.EMPLOYEE])
    other_member = make_member(org=other_org, key="othermember", roles=[Role.EMPLOYEE])
    other_comms = make_member(org=other_org, key="othercomms", roles=[Role.COMMUNICATIONS])
    mine = populate(hr=hr, author=comms, approver=admin, member=employee, tag="north")
    theirs = populate(
        hr=other_hr, author=other_comms, approver=outsider, member=other_member, tag="globex"
    )
    return mine, theirs


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_export_holds_every_row_and_file_of_the_organization_and_nothing_else(
    two_orgs, org, other_org, tmp_path, settings
):
    output = tmp_path / "north.tar"

    manifest = org_export(organization_id=org.pk, output=output)

    with tarfile.open(output) as tar:
        data = json.loads(tar.extractfile("data.json").read())
        names = set(tar.getnames())
    people = {o["fields"]["email"] for o in data if o["model"] == "people.person"}
    assert "employee@northwind-robotics.example" in people
    assert not any("globex" in email for email in people)
    orgs = {o["pk"] for o in data if o["model"] == "people.organization"}
    assert orgs == {org.pk}
    assert all(o["fields"].get("organization") in (None, org.pk) for o in data)
    assert (
        manifest["counts"]["audit.AuditEntry"]
        == AuditEntry.objects.filter(organization=org).count()
    )
    screenshot = manifest["files"][1]["path"]
    assert screenshot in names and screenshot.startswith("media/reports/")
    assert all(o["fields"]["password"] == "" for o in data if o["model"] == "people.user")


def test_delete_removes_the_organization_and_leaves_the_other_untouched(
    two_orgs, org, other_org, settings
):
    other_before = org_row_counts(organization_id=other_org.pk)
    assert org_row_counts(organization_id=org.pk)["people.Person"] > 0

    with pytest.raises(OrgDataError, match="does not match"):
        org_delete(organization_id=org.pk, confirm_name="northwind robotics")

    deleted = org_delete(organization_id=org.pk, confirm_name="Northwind Robotics")
    connection.check_constraints()

    assert deleted["people.Organization"] == 1
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert org_row_counts(organization_id=org.pk) == {}
    assert not Person.objects.filter(organization_id=org.pk).exists()
    assert not User.objects.filter(organization_id=org.pk).exists()
    assert org_row_counts(organization_id=other_org.pk) == other_before
    assert audit_verify(organization_id=other_org.pk).ok


def test_delete_removes_the_files_after_commit(
    two_orgs, org, other_org, settings, django_capture_on_commit_callbacks
):
    media = Path(settings.MEDIA_ROOT)
    mine = {f for f in _files(media) if f.startswith(f"reports/{org.pk}/")}
    theirs = {f for f in _files(media) if f.startswith(f"reports/{other_org.pk}/")}
    assert mine and theirs

    with django_capture_on_commit_callbacks(execute=True):
        org_delete(organization_id=org.pk, confirm_name="Northwind Robotics")

    remaining = _files(media)
    assert not (mine & remaining)
    assert theirs <= remaining


def test_org_command_exports_and_deletes(two_orgs, org, other_org, tmp_path, capsys):
    output = tmp_path / "export.tar.gz"

    call_command("org", "export", str(org.pk), "--output", str(output))
    assert output.exists() and "Exported organization" in capsys.readouterr().out

    with pytest.raises(CommandError, match="does not match"):
        call_command("org", "delete", str(org.pk), "--confirm", "Globex")
    assert Organization.objects.filter(pk=org.pk).exists()

    call_command("org", "delete", str(org.pk), "--confirm", "Northwind Robotics")
    assert "Deleted organization" in capsys.readouterr().out
    assert Organization.objects.filter(pk=other_org.pk).exists()


def test_unknown_organization_id_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No organization with id 999999"):
        call_command("org", "export", "999999", "--output", str(tmp_path / "x.tar"))
    assert not (tmp_path / "x.tar").exists()

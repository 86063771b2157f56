import codecs
import datetime

import pytest
from django.urls import reverse

from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.onboarding.importing import CsvFileError, decode_csv, parse_date, parse_people_csv
from chorus.onboarding.models import PeopleImport, PersonOnboarding
from chorus.onboarding.services import (
    people_import_apply,
    people_import_preview,
    people_import_upload,
)
from chorus.people.models import Person

pytestmark = pytest.mark.django_db

GOOD = (
    "name,email,department,manager,start date,status,location\n"
    "Jordan Lee,Jordan.Lee@Example.com,Engineering,manager@northwind-robotics.example,"
    "2026-04-01,candidate,Berlin\n"
    "Zoë Müller,zoe@example.com,Sales,jordan.lee@example.com,2026-05-01,employee,München\n"
)


def upload(org, hr, text: str | bytes, name: str = "export.csv"):
    raw = text.encode() if isinstance(text, str) else text
    return people_import_upload(organization=org, actor=hr, filename=name, raw=raw)


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (GOOD.encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + GOOD.encode("utf-8"), "UTF-8 (with byte-order mark)"),
        (GOOD.encode("utf-16"), "UTF-16"),
        (GOOD.encode("utf-16-le"), "UTF-16 (little-endian)"),
        (GOOD.encode("cp1252"), "Windows-1252 (Latin-1)"),
    ],
)
def test_every_common_encoding_is_detected_and_named(raw, encoding):
    text, detected = decode_csv(raw)

    assert detected == encoding
    assert "Zoë Müller" in text and "München" in text


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed_from_the_header(delimiter):
    parsed = parse_people_csv(GOOD.replace(",", delimiter).encode(),
                              known_emails={"manager@northwind-robotics.example"})

    assert parsed.ok, parsed.errors
    assert [r.values["name"] for r in parsed.rows] == ["Jordan Lee", "Zoë Müller"]


def test_missing_columns_are_named_in_one_clear_error():
    with pytest.raises(CsvFileError) as exc:
        parse_people_csv(b"full name;dept\nJordan;Eng\n", known_emails=set())

    assert "Missing columns: email, status" in str(exc.value)
    assert "found: full name, dept" in str(exc.value)


def test_an_excel_file_is_refused_with_what_to_do():
    with pytest.raises(CsvFileError, match="Save as → CSV"):
        decode_csv(b"PK\x03\x04rest-of-a-zip")


def test_row_errors_name_the_row_the_column_and_why():
    text = (
        "name,email,status,start date,manager\n"
        "Ana,ana@example.com,employee,2026-02-30,\n"          # row 2: impossible date
        ",bad-email,boss,03/04/2026,\n"                         # row 3: three problems + date
        "Ana Again,ANA@example.com,candidate,,\n"               # row 4: duplicate e-mail
        "Ben,ben@example.com,employee,,ghost@example.com\n"     # row 5: unknown manager
    )
    parsed = parse_people_csv(text.encode(), known_emails=set())

    problems = {(e.row, e.column) for e in parsed.errors}
    assert problems == {
        (2, "start date"), (3, "name"), (3, "email"), (3, "status"), (3, "start date"),
        (4, "email"), (5, "manager"),
    }
    messages = {(e.row, e.column): e.message for e in parsed.errors}
    assert "not a real date" in messages[(2, "start date")]
    assert "ambiguous" in messages[(3, "start date")]
    assert "also on row 2" in messages[(4, "email")]
    assert "candidate, employee or leaver" in messages[(3, "status")]


def test_preview_changes_nothing_and_apply_imports_every_row(org, hr, manager):
    people_import = upload(org, hr, GOOD)
    before = Person.objects.count()

    preview = people_import_preview(people_import=people_import)

    assert preview.ok and preview.counts == {"create": 2, "update": 0, "unchanged": 0}
    assert Person.objects.count() == before
    counts = people_import_apply(people_import=people_import, actor=hr).counts
    assert counts["create"] == 2
    zoe = Person.objects.get(email="zoe@example.com")
    jordan = Person.objects.get(email="jordan.lee@example.com")  # stored lower-case
    assert (zoe.manager, zoe.department.name, zoe.location) == (jordan, "Sales", "München")
    assert jordan.manager == manager.person and jordan.start_date == datetime.date(2026, 4, 1)
    assert PersonOnboarding.objects.get(person=jordan).stage == "job_posting"
    people_import.refresh_from_db()
    assert people_import.content == b"" and people_import.summary["create"] == 2
    assert AuditEntry.objects.filter(action="people.imported").count() == 1


def test_reimport_updates_by_email_case_insensitively_instead_of_duplicating(org, hr, manager):
    people_import_apply(people_import=upload(org, hr, GOOD), actor=hr)
    changed = GOOD.replace("Jordan.Lee@Example.com", "JORDAN.LEE@example.COM").replace(
        "Berlin", "Lisbon")

    preview = people_import_preview(people_import=upload(org, hr, changed))
    counts = people_import_apply(people_import=preview.people_import, actor=hr).counts

    assert counts == {"create": 0, "update": 1, "unchanged": 1}
    assert Person.objects.filter(email__iexact="jordan.lee@example.com").count() == 1
    assert Person.objects.get(email="jordan.lee@example.com").location == "Lisbon"


def test_a_file_with_one_bad_row_imports_nothing(org, hr, manager):
    bad = GOOD + "Broken Row,not-an-email,Sales,,2026-01-01,employee,Paris\n"
    people_import = upload(org, hr, bad)
    before = Person.objects.count()

    with pytest.raises(InvalidInput, match="Nothing was imported"):
        people_import_apply(people_import=people_import, actor=hr)

    assert Person.objects.count() == before
    people_import.refresh_from_db()
    assert people_import.applied_at is None


def test_only_hr_can_import(org, employee):
    with pytest.raises(PermissionDenied):
        upload(org, employee, GOOD)


def test_import_page_shows_row_errors_then_the_fixed_file_imports(client_for, hr, manager):
    client = client_for(hr)
    bad = GOOD.replace("2026-05-01", "05/01/2026")
    response = client.post("/onboarding/people/import/",
                           {"file": _file("hr.csv", bad.encode("cp1252"))}, follow=True)

    body = response.content.decode()
    assert "Row 3, column “start date”" in body and "ambiguous" in body
    assert "Windows-1252" in body
    assert not Person.objects.filter(email="zoe@example.com").exists()

    response = client.post("/onboarding/people/import/", {"file": _file("hr.csv", GOOD.encode())},
                           follow=True)
    assert "Ready to import" in response.content.decode()
    people_import = PeopleImport.objects.latest("pk")
    response = client.post(f"/onboarding/people/import/{people_import.pk}/", follow=True)
    assert "2 added" in response.content.decode()
    assert Person.objects.filter(email="zoe@example.com").exists()


def test_import_api_dry_run_reports_errors_and_apply_imports(api_client, hr, manager):
    client = api_client(hr)
    bad = GOOD + "Ann,ann@example.com,Sales,,,retired,Paris\n"

    dry = client.post("/api/v1/people/import", {"file": _file("x.csv", bad.encode())}).json()
    assert dry["applied"] is False
    assert dry["errors"] == [{"row": 4, "column": "status", "message": dry["errors"][0]["message"]}]

    done = client.post("/api/v1/people/import",
                       {"file": _file("x.csv", GOOD.encode()), "apply": "true"}).json()
    assert done["applied"] is True and done["counts"]["create"] == 2


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.mark.parametrize(("value", "order", "expected"), [
    ("14/12/2026", "", datetime.date(2026, 12, 14)),   # no 14th month: day first
    ("12/14/2026", "", datetime.date(2026, 12, 14)),   # no 14th month: month first
    ("Dec 1 2026", "", datetime.date(2026, 12, 1)),
    ("December 1, 2026", "", datetime.date(2026, 12, 1)),
    ("1 Dec 2026", "", datetime.date(2026, 12, 1)),
    ("01/02/2026", "dmy", datetime.date(2026, 2, 1)),
    ("01/02/2026", "mdy", datetime.date(2026, 1, 2)),
])
def test_unambiguous_dates_and_the_organizations_order_are_accepted(value, order, expected):
    assert parse_date(value, slash_order=order) == expected


def test_an_ambiguous_date_without_a_setting_says_where_to_set_it():
    with pytest.raises(ValueError, match="Onboarding settings"):
        parse_date("01/02/2026")
    with pytest.raises(ValueError, match="not a real date"):
        parse_date("31/02/2026", slash_order="dmy")


def test_the_organizations_date_order_applies_to_the_import(org, hr):
    from chorus.onboarding.services import onboarding_settings_update

    onboarding_settings_update(organization=org, actor=hr, values={"import_date_order": "dmy"})
    people_import = upload(org, hr, "name,email,status,start date\nAna,ana@example.com,candidate,03/04/2026\n")
    preview = people_import_preview(people_import=people_import)
    assert preview.parsed is not None and not preview.parsed.errors
    assert preview.parsed.rows[0].values["start_date"] == datetime.date(2026, 4, 3)


def test_the_csv_template_downloads_with_every_column_and_parses(client_for, hr, employee):
    response = client_for(hr).get(reverse("onboarding:import-template"))
    assert response["Content-Disposition"].startswith("attachment")
    parsed = parse_people_csv(response.content, known_emails=set())
    assert not parsed.errors and parsed.rows[1].values["email"] == "jordan.lee@example.com"
    assert client_for(employee).get(reverse("onboarding:import-template")).status_code in (403, 404)
# ---------------------------------------------------------------- rows of bare separators (issue 11)

DELIMITERS_ONLY = [b",,,,\n,,,\n", b";;;\r\n;;;\r\n", b'"","",""\n', b"\t\t\n", b"\xef\xbb\xbf,,\n"]


@pytest.mark.parametrize("raw", DELIMITERS_ONLY)
def test_rows_of_only_separators_are_an_empty_file_error_not_a_crash(raw):
    with pytest.raises(CsvFileError, match="The file is empty"):
        parse_people_csv(raw, known_emails=set())


@pytest.mark.parametrize("raw", DELIMITERS_ONLY)
def test_an_empty_sheet_is_refused_at_upload_and_not_stored(org, hr, raw):
    with pytest.raises(InvalidInput, match="The file is empty") as exc:
        upload(org, hr, raw)
    assert exc.value.field == "file"
    assert PeopleImport.objects.count() == 0


def test_a_stored_import_of_separators_previews_with_the_error(org, hr):
    # Imports stored before the fix stay listed: their preview must show the error, not 500.
    stored = PeopleImport.objects.create(organization=org, uploaded_by=hr, filename="old.csv",
                                         content=b",,,,\n,,,\n")
    preview = people_import_preview(people_import=stored)
    assert preview.file_error.startswith("The file is empty")
    with pytest.raises(InvalidInput, match="The file is empty"):
        people_import_apply(people_import=stored, actor=hr)


def test_the_import_page_shows_the_empty_file_error(client_for, hr):
    client = client_for(hr)
    response = client.post("/onboarding/people/import/", {"file": _file("e.csv", b",,,,\n,,,\n")})
    assert response.status_code == 200
    assert "The file is empty" in response.content.decode()
    assert PeopleImport.objects.count() == 0

    stored = PeopleImport.objects.create(organization=hr.organization, uploaded_by=hr,
                                         filename="old.csv", content=b",,,,\n")
    page = client.get(f"/onboarding/people/import/{stored.pk}/")
    assert page.status_code == 200 and "The file is empty" in page.content.decode()
    applied = client.post(f"/onboarding/people/import/{stored.pk}/")
    assert applied.status_code == 200 and "The file is empty" in applied.content.decode()


@pytest.mark.parametrize("apply", ["false", "true"])
def test_the_import_api_answers_422_for_an_empty_sheet(api_client, hr, apply):
    response = api_client(hr).post(
        "/api/v1/people/import", {"file": _file("e.csv", b",,,,\n,,,\n"), "apply": apply})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The file is empty")
    assert response.json()["field"] == "file"
    assert PeopleImport.objects.count() == 0

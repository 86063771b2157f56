import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chorus.administration.models import Installation
from chorus.administration.services import organization_setup, setup_code
from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput
from chorus.people.models import Organization, Person, User
from chorus.policy.models import PolicyVersion

from .conftest import STRONG

pytestmark = pytest.mark.django_db

ORG = {
    "name": "Acme GmbH",
    "verified_domains": "acme.example\nacme-group.example",
    "jurisdictions": "de, eu",
    "timezone": "Europe/Berlin",
    "language": "de",
}
ADMIN = {
    "admin_name": "Ina Admin",
    "admin_email": "ina@acme.example",
    "password1": STRONG,
    "password2": STRONG,
}


def run_wizard(client, preset="strict"):
    assert client.post("/setup/", ORG).status_code == 302
    assert client.post("/setup/policy/", {"preset": preset}).status_code == 302
    return client.post("/setup/admin/", ADMIN)


def test_first_visit_to_an_empty_installation_goes_to_the_setup_wizard(client):
    for path in ("/", "/login/", "/policies/", "/admin/users/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1] == ("/setup/", 302)
    assert client.get("/healthz").status_code == 200
    assert client.get("/l/nothing").status_code == 404  # public links answer as usual
    assert "Set up Chorus" in client.get("/setup/").content.decode()


def test_the_wizard_creates_the_organization_admin_and_a_draft_policy(client):
    response = run_wizard(client)

    assert response["Location"] == "/admin/"
    org = Organization.objects.get()
    assert (org.name, org.timezone, org.language) == ("Acme GmbH", "Europe/Berlin", "de")
    assert org.verified_domains == ["acme.example", "acme-group.example"]
    assert org.jurisdictions == ["DE", "EU"]
    admin = User.objects.get()
    assert admin.has_role("admin") and admin.check_password(STRONG) and admin.organization == org
    assert Person.objects.get(organization=org).user == admin
    draft = PolicyVersion.objects.get(organization=org)
    assert (draft.status, draft.origin) == ("draft", "preset:strict")
    assert Installation.objects.get().organization == org
    assert AuditEntry.objects.filter(organization=org, action="organization.created").exists()
    page = client.get("/admin/").content.decode()  # logged in as the new administrator
    assert "Setup checklist" in page and "Publish your policy" in page


def test_the_wizard_cannot_be_run_again_once_an_organization_exists(client, org):
    assert client.get("/setup/")["Location"] == "/login/"
    # Even a client that kept the wizard's state from before cannot finish it.
    session = client.session
    session["chorus.setup"] = {"organization": ORG | {"name": "Takeover"}, "code_ok": True}
    session.save()
    response = client.post("/setup/admin/", ADMIN | {"admin_email": "evil@evil.example"})
    assert response["Location"] == "/login/"
    assert not User.objects.filter(email="evil@evil.example").exists()
    assert list(Organization.objects.values_list("name", flat=True)) == ["Northwind Robotics"]


def test_the_setup_service_refuses_a_second_first_run():
    organization_setup(**_service_args(), first_run=True, method="cli")
    with pytest.raises(Conflict, match="already set up"):
        organization_setup(
            **_service_args(admin_email="b@acme.example"), first_run=True, method="cli"
        )
    assert Organization.objects.count() == 1


def test_the_installation_row_stops_a_concurrent_second_setup():
    # Two submissions that both saw an empty installation: the fixed key lets one win.
    Installation.objects.create(pk=1, method="wizard")
    Organization.objects.all().delete()
    with pytest.raises(Conflict):
        organization_setup(**_service_args(), first_run=True, method="wizard")
    assert not Organization.objects.exists() and not User.objects.exists()


def _service_args(**overrides):
    args = {
        "name": "Acme",
        "verified_domains": ["acme.example"],
        "jurisdictions": ["US"],
        "timezone": "UTC",
        "language": "en",
        "admin_email": "a@acme.example",
        "admin_name": "A Admin",
        "admin_password": STRONG,
        "preset": "balanced",
    }
    return args | overrides


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("verified_domains", "https://acme.example/", "is not a domain"),
        ("jurisdictions", "United States", "is not a jurisdiction code"),
        ("jurisdictions", "", "This field is required"),
        ("name", "   ", "This field is required"),
    ],
)
def test_the_wizard_names_the_field_at_fault(client, field, value, message):
    response = client.post("/setup/", ORG | {field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.exists()


def test_the_wizard_refuses_a_weak_password_and_keeps_nothing(client):
    client.post("/setup/", ORG)
    client.post("/setup/policy/", {"preset": "balanced"})
    response = client.post(
        "/setup/admin/", ADMIN | {"password1": "password", "password2": "password"}
    )
    assert "too common" in response.content.decode()
    response = client.post("/setup/admin/", ADMIN | {"password2": "different-one-99"})
    assert "The two passwords differ" in response.content.decode()
    assert not Organization.objects.exists() and not Installation.objects.exists()


def test_the_wizard_asks_for_the_setup_code_in_production(client, settings):
    settings.CHORUS_SETUP_CODE_REQUIRED = True
    response = client.post("/setup/", ORG | {"setup_code": "AAAA-BBBB-CCCC"})
    assert "That is not this server" in response.content.decode()
    assert client.get("/setup/admin/")["Location"] == "/setup/"  # no skipping ahead
    out = io.StringIO()
    call_command("init", "--setup-code", stdout=out)
    assert out.getvalue().strip() == setup_code()
    assert client.post("/setup/", ORG | {"setup_code": setup_code().lower()}).status_code == 302


def test_chorus_init_sets_up_an_empty_installation_from_flags(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text(STRONG + "\n")
    out = io.StringIO()
    call_command(
        "init",
        "--name=Acme",
        "--domain=acme.example",
        "--jurisdiction=US",
        "--jurisdiction=US-CA",
        "--timezone=America/Los_Angeles",
        "--admin-email=Ops@Acme.example",
        "--admin-name=Ops Person",
        f"--admin-password-file={secret}",
        "--preset=loose",
        stdout=out,
    )
    assert "Created Acme" in out.getvalue()
    admin = User.objects.get(email="ops@acme.example")
    assert admin.check_password(STRONG) and admin.has_role("admin")
    assert Organization.objects.get().jurisdictions == ["US", "US-CA"]
    assert PolicyVersion.objects.get().origin == "preset:loose"
    with pytest.raises(CommandError, match="already has an organization"):
        call_command("init", "--name=Again", "--jurisdiction=US", stdout=io.StringIO())


def test_chorus_init_explains_bad_input(monkeypatch):
    monkeypatch.setenv("CHORUS_ADMIN_PASSWORD", STRONG)
    base = ["init", "--name=Acme", "--admin-email=a@acme.example", "--admin-name=A"]
    with pytest.raises(CommandError, match="at least one --jurisdiction"):
        call_command(*base)
    with pytest.raises(CommandError, match="Europe/Berlin"):
        call_command(*base, "--jurisdiction=EU", "--timezone=Mars/Olympus")
    monkeypatch.setenv("CHORUS_ADMIN_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="entirely numeric"):
        call_command(*base, "--jurisdiction=EU")
    monkeypatch.delenv("CHORUS_ADMIN_PASSWORD")
    with pytest.raises(CommandError, match="--admin-password-file"):
        call_command(*base, "--jurisdiction=EU")
    assert not Organization.objects.exists()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_first_runs_create_one_organization():
    results = []

    def attempt(n):
        try:
            organization_setup(
                **_service_args(admin_email=f"a{n}@acme.example"), first_run=True, method="cli"
            )
            results.append("ok")
        except (Conflict, InvalidInput) as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and Organization.objects.count() == 1

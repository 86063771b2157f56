"""Official presence: the directory comms keeps, follow links and QR codes, the profile kit."""

from __future__ import annotations

import base64
import re
import urllib.parse

import pytest
from django.urls import reverse

from chorus.advocacy.models import OfficialAccount
from chorus.advocacy.presence import PRESENCE_NETWORKS, profile_kit, qr_data_uri
from chorus.advocacy.services import official_account_save
from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

ACCOUNT = {"network": "mastodon", "handle": "@northwind@social.example",
           "url": "https://social.example/@northwind", "label": "", "position": "0",
           "is_active": "on"}


def test_comms_adds_accounts_and_employees_see_follow_links_and_qr(client_for, comms, employee):
    page = client_for(comms).post(reverse("advocacy:presence-manage"), ACCOUNT)
    assert page.status_code == 302
    client_for(comms).post(reverse("advocacy:presence-manage"), {
        **ACCOUNT, "network": "linkedin", "handle": "Northwind",
        "url": "https://www.linkedin.com/company/northwind", "position": "1"})
    hidden = {**ACCOUNT, "network": "tiktok", "handle": "@nw",
              "url": "https://www.tiktok.com/@nw"}
    del hidden["is_active"]
    client_for(comms).post(reverse("advocacy:presence-manage"), hidden)
    assert OfficialAccount.objects.count() == 3
    assert AuditEntry.objects.filter(action="advocacy.official_account_saved").count() == 3

    html = client_for(employee).get(reverse("advocacy:presence")).content.decode()
    assert 'href="https://social.example/@northwind"' in html
    assert 'href="https://www.linkedin.com/company/northwind"' in html
    assert "tiktok.com" not in html  # hidden accounts are not shown
    qrs = re.findall(r'src="(data:image/svg\+xml[^"]+)"', html)
    assert len(qrs) == 2
    svg = urllib.parse.unquote(qrs[0].split(",", 1)[1])
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    # The feed shows the same accounts in its "Follow us" box.
    feed = client_for(employee).get(reverse("advocacy:feed")).content.decode()
    assert 'data-testid="follow-us"' in feed and "@northwind@social.example" in feed


def test_qr_code_encodes_the_profile_url():
    uri = qr_data_uri("https://bsky.app/profile/northwind.example")
    assert uri.startswith("data:image/svg+xml")
    payload = uri.split(",", 1)[1]
    svg = (base64.b64decode(payload).decode() if ";base64" in uri.split(",")[0]
           else urllib.parse.unquote(payload))
    assert "<path" in svg


@pytest.mark.parametrize(("network", "url", "message"), [
    ("x", "http://x.com/northwind", "starting with https://"),
    ("x", "https://evil.example/northwind", "on x.com or twitter.com, not on evil.example"),
    ("linkedin", "https://www.linkedin.com/", "home page"),
    ("mastodon", "https://social.example/about", "https://your.server/@account"),
    ("myspace", "https://myspace.com/nw", "listed networks"),
])
def test_bad_profile_urls_are_refused_with_a_clear_message(comms, network, url, message):
    with pytest.raises(InvalidInput) as exc:
        official_account_save(actor=comms, network=network, handle="@nw", url=url)
    assert message in exc.value.message
    assert OfficialAccount.objects.count() == 0


def test_bad_input_on_the_page_names_the_field(client_for, comms):
    page = client_for(comms).post(reverse("advocacy:presence-manage"),
                                  {**ACCOUNT, "url": "https://social.example/about"})
    assert page.status_code == 422
    assert "https://your.server/@account" in page.content.decode()
    dup = client_for(comms).post(reverse("advocacy:presence-manage"), ACCOUNT)
    assert dup.status_code == 302
    again = client_for(comms).post(reverse("advocacy:presence-manage"), ACCOUNT)
    assert again.status_code == 422 and "already in the directory" in again.content.decode()
    assert OfficialAccount.objects.count() == 1


def test_only_comms_manage_and_other_orgs_get_404(client_for, comms, employee, outsider):
    with pytest.raises(PermissionDenied):
        official_account_save(actor=employee, **{k: ACCOUNT[k] for k in
                                                 ("network", "handle", "url")})
    assert client_for(employee).get(reverse("advocacy:presence-manage")).status_code == 403
    account = official_account_save(actor=comms, network="mastodon", handle="@nw",
                                    url="https://social.example/@nw")
    edit = reverse("advocacy:presence-edit", args=[account.pk])
    delete = reverse("advocacy:presence-delete", args=[account.pk])
    assert client_for(outsider).get(edit).status_code == 404
    assert client_for(outsider).post(delete).status_code == 404
    assert "social.example" not in client_for(outsider).get(
        reverse("advocacy:presence")).content.decode()
    assert client_for(comms).post(delete).status_code == 302
    assert not OfficialAccount.objects.exists()
    assert AuditEntry.objects.filter(action="advocacy.official_account_deleted").exists()


def test_profile_kit_fits_every_network_and_keeps_the_policy_disclaimer():
    disclaimer = "All opinions here are my own and not those of Northwind Robotics GmbH."
    kit = profile_kit(organization="Northwind Robotics", title="Senior Field Robotics Engineer",
                      disclaimer=disclaimer, hashtags=("#NorthwindEmployee",), language="en")
    assert [line.network.key for line in kit] == list(PRESENCE_NETWORKS)
    for line in kit:
        assert disclaimer in line.text
        assert line.used <= line.network.bio_limit, line
    by = {line.network.key: line.text for line in kit}
    assert by["mastodon"].startswith("Senior Field Robotics Engineer at Northwind Robotics "
                                     "#NorthwindEmployee.")
    # TikTok's 80 characters leave room for the disclaimer only.
    assert by["tiktok"] == disclaimer


def test_profile_kit_in_the_persons_language_without_a_policy_disclaimer():
    kit = profile_kit(organization="Northwind", title="Ingenieurin", disclaimer="",
                      hashtags=(), language="de-AT")
    assert kit[0].text == "Ingenieurin bei Northwind. Meine eigene Meinung."
    fr = profile_kit(organization="Northwind", title="", disclaimer="", hashtags=(),
                     language="xx")
    assert fr[0].text == "Working at Northwind. Views are my own."


def test_presence_page_language_choice_and_title(client_for, employee):
    employee.person.title = "Data Analyst"
    employee.person.save()
    html = client_for(employee).get(reverse("advocacy:presence") + "?lang=es").content.decode()
    assert "Data Analyst en Northwind" in html or "Data Analyst en " in html
    assert 'value="es" selected' in html


def test_onboarding_page_shows_the_official_accounts(client_for, comms, employee):
    official_account_save(actor=comms, network="bluesky", handle="@northwind.example",
                          url="https://bsky.app/profile/northwind.example")
    page = client_for(employee).get(reverse("onboarding:me")).content.decode()
    assert 'data-testid="follow-us"' in page
    assert 'href="https://bsky.app/profile/northwind.example"' in page

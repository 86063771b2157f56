from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.connectors.base import override_connector
from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.models import ConsentRecord, IngestedPost, LinkedAccount, Network
from chorus.monitoring.services import account_link, account_poll
from chorus.monitoring.tests.conftest import link_fake, when

pytestmark = pytest.mark.django_db
CONNECTORS = Path(__file__).resolve().parents[2] / "connectors"


def test_linking_through_the_page_shows_the_consent_text_first(employee, monitoring_on,
                                                               fake_net, client_for):
    client = client_for(employee)
    fake_net.add_account("@emery@fake.example")
    page = client.get("/monitoring/link/mastodon/").content.decode()
    assert "What you agree to" in page and f"version {CONSENT_VERSION}" in page
    assert "is kept 30 days" in page

    refused = client.post("/monitoring/link/mastodon/", {
        "handle": "@emery@fake.example", "consent_version": CONSENT_VERSION})
    assert "Tick the box" in refused.content.decode() and not LinkedAccount.objects.exists()

    response = client.post("/monitoring/link/mastodon/", {
        "handle": "@emery@fake.example", "consent_version": CONSENT_VERSION, "agreed": "on"})
    account = LinkedAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/accounts/{account.pk}/"
    assert ConsentRecord.objects.filter(account=account, actor=employee).count() == 1


def test_an_unknown_handle_is_reported_on_the_field(employee, monitoring_on, fake_net, client_for):
    response = client_for(employee).post("/monitoring/link/mastodon/", {
        "handle": "@nobody@fake.example", "consent_version": CONSENT_VERSION, "agreed": "on"})
    assert "No account" in response.content.decode() and "Nothing was saved" in response.content.decode()


def test_accounts_page_shows_status_last_read_and_is_query_bounded(
    employee, monitoring_on, fake_net, client_for, django_assert_max_num_queries
):
    for n in range(4):
        account, profile = link_fake(employee, fake_net, handle=f"@e{n}@fake.example")
        fake_net.publish(profile.external_id, "hello")
        account_poll(account_id=account.pk)
    client = client_for(employee)
    with django_assert_max_num_queries(12):
        page = client.get("/monitoring/").content.decode()
    assert page.count("Active</span>") == 4 and "ago" in page


def test_the_owner_sees_their_posts_and_consent_record(employee, monitoring_on, fake_net,
                                                       client_for):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "Initech is garbage")
    account_poll(account_id=account.pk)
    page = client_for(employee).get(f"/monitoring/accounts/{account.pk}/").content.decode()
    assert "Initech is garbage" in page and "Consent given" in page


def test_another_employee_cannot_open_or_revoke_my_account(employee, employee2, monitoring_on,
                                                           fake_net, client_for):
    account, _ = link_fake(employee, fake_net)
    client = client_for(employee2)
    assert client.get(f"/monitoring/accounts/{account.pk}/").status_code == 404
    assert client.post(f"/monitoring/accounts/{account.pk}/revoke/").status_code == 404
    account.refresh_from_db()
    assert account.status == "active"


def test_revoking_through_the_page(employee, monitoring_on, fake_net, client_for):
    account, _ = link_fake(employee, fake_net)
    client = client_for(employee)
    assert "deleted after 30 days" in client.get(
        f"/monitoring/accounts/{account.pk}/revoke/").content.decode()
    response = client.post(f"/monitoring/accounts/{account.pk}/revoke/", follow=True)
    assert "Consent withdrawn" in response.content.decode()
    account.refresh_from_db()
    assert account.status == "revoked"


def test_health_overview_never_shows_post_content(hr, employee, monitoring_on, fake_net,
                                                  client_for, django_assert_max_num_queries):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "A very private thought about garbage")
    account_poll(account_id=account.pk)
    client = client_for(hr)
    with django_assert_max_num_queries(12):
        page = client.get("/monitoring/overview/").content.decode()
    assert employee.full_name in page and "@emery@fake.example" in page
    assert "private thought" not in page and "garbage" not in page


def test_managers_see_only_their_team_and_employees_not_at_all(
    manager, employee, employee2, monitoring_on, fake_net, client_for
):
    link_fake(employee, fake_net, handle="@team@fake.example")
    link_fake(employee2, fake_net, handle="@other@fake.example")
    page = client_for(manager).get("/monitoring/overview/").content.decode()
    assert "@team@fake.example" in page and "@other@fake.example" not in page
    assert client_for(employee2).get("/monitoring/overview/").status_code == 403


def test_alerts_page_coaches_the_employee(employee, monitoring_on, fake_net, client_for):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "Initech is garbage")
    account_poll(account_id=account.pk)
    client = client_for(employee)
    page = client.get("/monitoring/alerts/").content.decode()
    assert "Contains garbage." in page and "Suggestion: Remove garbage." in page
    alert = account.alerts.get()
    client.post(f"/monitoring/alerts/{alert.pk}/acknowledge/")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"


def test_settings_are_for_admins_and_explain_missing_dpia(admin, employee, org, client_for):
    assert client_for(employee).get("/monitoring/settings/").status_code == 403
    org.jurisdictions = ["EU", "FR"]
    org.save()
    response = client_for(admin).post("/monitoring/settings/", {
        "enabled_networks": ["mastodon"], "alert_threshold": "medium", "retention_days": 30,
        "escalate_after": 3})
    assert "Record the data protection impact assessment" in response.content.decode()


def _archive_account(user, network, handle):
    return account_link(user=user, network=network, handle=handle, agreed=True,
                        consent_version=CONSENT_VERSION, read_from=when(2026, 5, 25))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(client, account, upload, capture):
    # The worker reads the file (TASK_BACKEND=immediate runs the task at commit).
    with capture(execute=True):
        response = client.post(f"/monitoring/accounts/{account.pk}/import/", {"file": upload})
    assert response.status_code == 302
    return client.get(f"/monitoring/accounts/{account.pk}/")


def test_uploading_an_x_archive_imports_posts_since_the_chosen_date(
    employee, monitoring_on, client_for, media, django_capture_on_commit_callbacks
):
    account = _archive_account(employee, Network.X_ARCHIVE, "@emery")
    upload = SimpleUploadedFile("tweets.js", (CONNECTORS / "x_archive/fixtures/tweets.js").read_bytes())
    response = _upload(client_for(employee), account, upload, django_capture_on_commit_callbacks)
    assert "2 new posts imported" in response.content.decode()
    assert IngestedPost.objects.filter(account=account).count() == 2
    assert list(media.rglob("*.upload")) == []  # the stored upload is deleted once read


def test_uploading_a_broken_export_explains_the_problem_and_stores_nothing(
    employee, monitoring_on, client_for, media, django_capture_on_commit_callbacks
):
    account = _archive_account(employee, Network.LINKEDIN_EXPORT, "emery")
    upload = SimpleUploadedFile("Shares.csv", b"Date,Foo\n2026-01-01,x\n")
    response = _upload(client_for(employee), account, upload, django_capture_on_commit_callbacks)
    assert "missing the column(s) ShareLink, ShareCommentary" in response.content.decode()
    assert not IngestedPost.objects.exists()


def test_linkedin_export_skips_posts_before_the_start_date(
    employee, monitoring_on, client_for, media, django_capture_on_commit_callbacks
):
    account = _archive_account(employee, Network.LINKEDIN_EXPORT, "emery")
    data = (CONNECTORS / "linkedin_export/fixtures/Shares.csv").read_bytes()
    response = _upload(client_for(employee), account, SimpleUploadedFile("Shares.csv", data),
                       django_capture_on_commit_callbacks)
    assert "1 new posts imported; 1 older than your start date ignored" in response.content.decode()


def test_dashboard_card_and_nav(employee, monitoring_on, fake_net, client_for):
    link_fake(employee, fake_net)
    page = client_for(employee).get("/").content.decode()
    assert "Linked accounts" in page and "1 account linked" in page
    assert "Account health" not in page


def test_rss_link_with_a_real_feed_over_loopback(employee, monitoring_on, client_for,
                                                outbound_to_loopback):
    from chorus.connectors.rss.adapter import RssConnector
    from chorus.connectors.testing import LocalHttpServer

    feed = (CONNECTORS / "rss/fixtures/mastodon_profile.rss").read_bytes()
    route = lambda p, q: (200, {"Content-Type": "application/rss+xml"}, feed)  # noqa: E731
    with LocalHttpServer(route) as srv, override_connector(Network.RSS, RssConnector()):
        account = account_link(user=employee, network=Network.RSS, handle=f"{srv.url}/feed",
                               agreed=True, consent_version=CONSENT_VERSION)
        # (Proof by code in a feed has its own test in test_verification.)
        LinkedAccount.objects.filter(pk=account.pk).update(
            verified_at=account.consented_at, status=LinkedAccount.Status.ACTIVE)
        outcome = account_poll(account_id=account.pk)
    # The sample feed's posts predate consent: read, but none stored.
    assert outcome.ok and outcome.created == 0 and account.external_id == f"{srv.url}/feed"

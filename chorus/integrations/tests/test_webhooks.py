"""Outbound webhooks against a real HTTP receiver on 127.0.0.1 that records what it got."""

from __future__ import annotations

import datetime
import itertools
import json

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from chorus.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from chorus.integrations.tasks import webhook_retry_due_task
from chorus.integrations.tests.servers import WebhookTarget
from chorus.integrations.webhooks.services import MAX_ATTEMPTS, RETRY_SCHEDULE
from chorus.notifications.events import emit_event
from chorus.notifications.models import Notification

pytestmark = pytest.mark.django_db


def subscribe(api_client, admin, url, types=("report.submitted",)):
    response = api_client(admin).post(
        "/api/v1/integrations/webhooks",
        {"url": url, "event_types": list(types), "description": "SIEM"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def emit(org, django_capture_on_commit_callbacks, type="report.submitted", data=None):
    with django_capture_on_commit_callbacks(execute=True):
        emit_event(organization=org, type=type, data=data or {"report_id": 7})


def make_due():
    """Time passes: every scheduled retry is due now."""
    WebhookDelivery.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_an_event_reaches_the_subscribed_endpoint_signed_per_standard_webhooks(
    org, admin, api_client, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with WebhookTarget() as target:
        created = subscribe(api_client, admin, f"{target.url}/hooks/chorus")
        assert created["secret"].startswith("whsec_")
        emit(org, django_capture_on_commit_callbacks, data={"report_id": 7})

        [call] = target.calls
    assert call.method == "POST" and call.path == "/hooks/chorus"
    # The receiver's own Standard Webhooks library accepts the signature...
    payload = Webhook(created["secret"]).verify(call.body, call.headers)
    assert payload["type"] == "report.submitted" and payload["data"] == {"report_id": 7}
    assert call.headers["webhook-id"].startswith("msg_")
    # ...and refuses it with another secret or a changed body.
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(call.body, call.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(created["secret"]).verify(call.body.replace(b"7", b"8"), call.headers)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    log = api_client(admin).get(f"/api/v1/integrations/webhooks/{created['id']}/deliveries").json()
    assert log[0]["log"][0]["response_status"] == 200
    assert log[0]["log"][0]["response_body"] == "answer 200"
    assert "report_id" in log[0]["log"][0]["request_body"]


def test_an_event_type_the_endpoint_did_not_choose_is_not_sent(
    org, admin, api_client, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with WebhookTarget() as target:
        subscribe(api_client, admin, target.url, types=["policy.published"])
        emit(org, django_capture_on_commit_callbacks, type="report.submitted")
        assert target.calls == []
    assert not WebhookDelivery.objects.exists()


def test_a_500_is_retried_with_backoff_and_the_same_webhook_id(
    org, admin, api_client, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with WebhookTarget(script=[500, 500, 200]) as target:
        subscribe(api_client, admin, target.url)
        before = timezone.now()
        emit(org, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "retrying" and delivery.last_status_code == 500
        assert delivery.next_attempt_at >= before + RETRY_SCHEDULE[0]

        assert webhook_retry_due_task.call() == 0  # not due yet: nothing is sent early
        assert len(target.calls) == 1
        make_due()
        webhook_retry_due_task.call()
        delivery.refresh_from_db()
        assert delivery.status == "retrying"
        assert delivery.next_attempt_at >= timezone.now() + RETRY_SCHEDULE[1] - datetime.timedelta(seconds=5)
        make_due()
        webhook_retry_due_task.call()

        assert len({c.headers["webhook-id"] for c in target.calls}) == 1
        assert len(target.calls) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert [a.response_status for a in delivery.attempt_log.order_by("number")] == [500, 500, 200]
    assert WebhookEndpoint.objects.get().consecutive_failures == 0


def test_the_retry_schedule_lasts_about_a_day():
    total = sum(RETRY_SCHEDULE, datetime.timedelta())
    assert datetime.timedelta(hours=20) <= total <= datetime.timedelta(hours=30)
    assert all(a < b for a, b in itertools.pairwise(RETRY_SCHEDULE[:6]))


def test_a_receiver_that_does_not_answer_in_time_is_logged_and_retried(
    org, admin, api_client, outbound_to_loopback, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with WebhookTarget(script=["timeout"], hang_seconds=3) as target:
        subscribe(api_client, admin, target.url)
        emit(org, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying"
    attempt = delivery.attempt_log.get()
    assert attempt.response_status is None
    assert attempt.error == "No answer within 1 seconds."


def test_repeated_failure_disables_the_endpoint_and_tells_the_admins(
    org, admin, employee, api_client, outbound_to_loopback, django_capture_on_commit_callbacks,
    settings,
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    with WebhookTarget(default=500) as target:
        created = subscribe(api_client, admin, target.url)
        emit(org, django_capture_on_commit_callbacks)
        emit(org, django_capture_on_commit_callbacks, data={"report_id": 8})
        make_due()
        with django_capture_on_commit_callbacks(execute=True):
            webhook_retry_due_task.call()
        assert len(target.calls) == 3  # 2 first attempts + 1 retry reached the limit
        emit(org, django_capture_on_commit_callbacks, data={"report_id": 9})
        make_due()
        webhook_retry_due_task.call()
        assert len(target.calls) == 3  # nothing more once disabled

    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert endpoint.disabled_at is not None
    assert "3 failed attempts in a row" in endpoint.disabled_reason
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    notice = Notification.objects.get(kind="integrations.webhook_disabled")
    assert notice.recipient == admin and target.url in notice.title
    assert not Notification.objects.filter(recipient=employee).exists()
    shown = api_client(admin).get(f"/api/v1/integrations/webhooks/{endpoint.pk}").json()
    assert shown["enabled"] is False

    enabled = api_client(admin).patch(f"/api/v1/integrations/webhooks/{endpoint.pk}",
                                      {"enabled": True}, content_type="application/json")
    assert enabled.json()["enabled"] is True and enabled.json()["consecutive_failures"] == 0


def test_410_gone_disables_the_endpoint_at_once(
    org, admin, api_client, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with WebhookTarget(default=410) as target:
        subscribe(api_client, admin, target.url)
        emit(org, django_capture_on_commit_callbacks)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.disabled_at is not None and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == "failed"


def test_loopback_and_private_targets_are_refused_without_the_allowance(
    org, admin, api_client, django_capture_on_commit_callbacks
):
    with WebhookTarget() as target:
        subscribe(api_client, admin, f"{target.url}/internal")
        emit(org, django_capture_on_commit_callbacks)
        assert target.calls == []  # the guard never connected
    attempt = WebhookAttempt.objects.get()
    assert attempt.error.startswith("The address is not public")
    assert WebhookDelivery.objects.get().status == "retrying"


def test_manual_redelivery_sends_again_with_the_same_id_and_a_fresh_signature(
    org, admin, client_for, api_client, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with WebhookTarget(script=[200, 200]) as target:
        created = subscribe(api_client, admin, target.url)
        emit(org, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        page = client_for(admin).post(f"/integrations/webhooks/deliveries/{delivery.pk}/redeliver/")
        assert page.status_code == 302
        first, second = target.calls
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    Webhook(created["secret"]).verify(second.body, second.headers)
    assert [a.manual for a in delivery.attempt_log.order_by("number")] == [False, True]
    detail = client_for(admin).get(f"/integrations/webhooks/{created['id']}/")
    assert detail.status_code == 200
    assert delivery.message_id in detail.content.decode()


def test_another_organizations_endpoint_and_delivery_ids_are_404(
    org, admin, outsider, api_client, client_for, outbound_to_loopback,
    django_capture_on_commit_callbacks,
):
    with WebhookTarget() as target:
        created = subscribe(api_client, admin, target.url)
        emit(org, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    theirs = api_client(outsider)
    assert theirs.get(f"/api/v1/integrations/webhooks/{created['id']}").status_code == 404
    assert theirs.patch(f"/api/v1/integrations/webhooks/{created['id']}", {"enabled": False},
                        content_type="application/json").status_code == 404
    assert theirs.delete(f"/api/v1/integrations/webhooks/{created['id']}").status_code == 404
    assert theirs.post(f"/api/v1/integrations/deliveries/{delivery.pk}/redeliver").status_code == 404
    assert theirs.get("/api/v1/integrations/webhooks").json() == []
    page = client_for(outsider)
    assert page.get(f"/integrations/webhooks/{created['id']}/").status_code == 404
    assert page.post(f"/integrations/webhooks/deliveries/{delivery.pk}/redeliver/").status_code == 404
    assert WebhookEndpoint.objects.get().is_active
    # Another organization's events never reach this endpoint either.
    with WebhookTarget() as target2:
        emit(outsider.organization, django_capture_on_commit_callbacks)
        assert target2.calls == []


def test_only_admins_manage_webhooks(employee, api_client, client_for):
    assert api_client(employee).get("/api/v1/integrations/webhooks").status_code == 403
    assert client_for(employee).get("/integrations/").status_code == 403


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"url": "ftp://example.com/x", "event_types": ["report.submitted"]}, "url", "https://"),
    ({"url": "", "event_types": ["report.submitted"]}, "url", "Enter the URL"),
    ({"url": "https://example.com/x", "event_types": []}, "event_types", "at least one"),
    ({"url": "https://example.com/x", "event_types": ["report.deleted"]}, "event_types",
     "Unknown event type 'report.deleted'"),
])
def test_bad_subscriptions_are_refused_with_the_field_and_what_to_do(
    admin, api_client, body, field, words
):
    response = api_client(admin).post("/api/v1/integrations/webhooks", body,
                                      content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == field and words in response.json()["detail"]
    assert not WebhookEndpoint.objects.exists()


def test_the_page_shows_the_secret_once_and_the_list(admin, client_for):
    client = client_for(admin)
    response = client.post("/integrations/webhooks/new/", {
        "url": "https://siem.example.com/in", "event_types": ["incident.decided", "policy.published"],
        "description": "Security team"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "whsec_" in response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["incident.decided", "policy.published"]
    assert "whsec_" not in endpoint.secret_encrypted  # stored encrypted
    index = client.get("/integrations/").content.decode()
    assert "https://siem.example.com/in" in index and "whsec_" not in index
    bad = client.post("/integrations/webhooks/new/", {"url": "https://x.example", "event_types": []})
    assert bad.status_code == 422 and "Choose at least one event type" in bad.content.decode()


def test_the_payload_holds_exactly_what_was_emitted(
    org, admin, api_client, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with WebhookTarget() as target:
        subscribe(api_client, admin, target.url, types=["incident.decided"])
        emit(org, django_capture_on_commit_callbacks, type="incident.decided",
             data={"incident_id": 3, "level": 2})
        body = json.loads(target.calls[0].body)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["data"] == {"incident_id": 3, "level": 2}
    assert len(RETRY_SCHEDULE) + 1 == MAX_ATTEMPTS


def test_ids_beyond_what_the_database_holds_are_404_not_500(admin, api_client):
    client = api_client(admin)
    assert client.get(f"/api/v1/integrations/webhooks/{2**63}").status_code == 404
    assert client.post(f"/api/v1/integrations/deliveries/{2**40}/redeliver").status_code == 404


def test_the_api_rotates_the_secret_and_the_old_one_no_longer_verifies(
    org, admin, api_client, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with WebhookTarget() as target:
        created = subscribe(api_client, admin, target.url)
        new = api_client(admin).post(f"/api/v1/integrations/webhooks/{created['id']}/secret").json()
        emit(org, django_capture_on_commit_callbacks)
        [call] = target.calls
    assert new["secret"] != created["secret"]
    Webhook(new["secret"]).verify(call.body, call.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(created["secret"]).verify(call.body, call.headers)

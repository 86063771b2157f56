import pytest

from chorus.checks.models import ReviewRequest
from chorus.common.errors import PermissionDenied

pytestmark = pytest.mark.django_db

SECRET_POST = "Our staging key is AKIAIOSFODNN7EXAMPLE, don't tell anyone"


def test_api_checks_one_post_with_the_contract_object(api_client, employee):
    response = api_client(employee).post(
        "/api/v1/check", {"id": "p-1", "text": SECRET_POST}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "verdict", "categories", "signals", "findings"}
    assert body["id"] == "p-1" and body["verdict"] == "block" and "secret" in body["categories"]
    finding = next(f for f in body["findings"] if f["category"] == "secret")
    assert SECRET_POST[finding["start"] : finding["end"]] == finding["excerpt"]


def test_api_checks_a_batch_in_order(api_client, employee):
    posts = [{"id": str(i), "text": t} for i, t in enumerate(["Lovely day", SECRET_POST, ""])]
    response = api_client(employee).post(
        "/api/v1/check", {"posts": posts}, content_type="application/json"
    )
    results = response.json()["results"]
    assert [r["id"] for r in results] == ["0", "1", "2"]
    assert [r["verdict"] for r in results] == ["allow", "block", "allow"]


def test_api_refuses_a_batch_over_the_limit_with_the_limit(api_client, employee, settings):
    settings.API_BATCH_LIMIT = 3
    posts = [{"text": "hello"}] * 4
    response = api_client(employee).post(
        "/api/v1/check", {"posts": posts}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "at most 3" in response.json()["detail"] and response.json()["field"] == "posts"


def test_api_refuses_text_over_the_size_limit(api_client, employee):
    response = api_client(employee).post(
        "/api/v1/check", {"text": "a" * 100_001}, content_type="application/json"
    )
    assert response.status_code == 422 and "limit" in response.json()["detail"]


def test_api_refuses_text_and_posts_together(api_client, employee):
    response = api_client(employee).post(
        "/api/v1/check", {"text": "x", "posts": [{"text": "y"}]}, content_type="application/json"
    )
    assert response.status_code == 422


def test_api_needs_authentication(client, db):
    assert (
        client.post("/api/v1/check", {"text": "x"}, content_type="application/json").status_code
        == 401
    )


def test_the_check_page_highlights_findings_without_storing_the_text(client_for, employee):
    client = client_for(employee)
    assert client.get("/check/").status_code == 200
    response = client.post("/check/preview/", {"text": SECRET_POST}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'class="finding finding--block"' in html and "AKIAIOSFODNN7EXAMPLE" in html
    assert ReviewRequest.objects.count() == 0


def test_protected_activity_shows_the_rights_notice(client_for, employee):
    response = client_for(employee).post(
        "/check/preview/", {"text": "We should all compare our pay and talk about unionizing."}
    )
    assert b"Your rights" in response.content


def test_a_review_request_stores_the_draft_and_a_reviewer_answers(client_for, employee, comms):
    client_for(employee).post(
        "/check/review/", {"text": "Is this ok to post?", "question": "Tone?"}
    )
    review = ReviewRequest.objects.get()
    assert review.author == employee and review.result["verdict"] in {"allow", "warn", "block"}
    response = client_for(comms).post(
        f"/check/reviews/{review.pk}/", {"status": "changes", "answer": ""}
    )
    assert b"Say what should change" in response.content
    client_for(comms).post(
        f"/check/reviews/{review.pk}/", {"status": "approved", "answer": "Go ahead"}
    )
    review.refresh_from_db()
    assert (review.status, review.reviewer) == ("approved", comms)


def test_an_author_cannot_review_their_own_request(comms):
    from chorus.checks.services import review_request_answer, review_request_create

    review = review_request_create(author=comms, text="Draft")
    with pytest.raises(PermissionDenied):
        review_request_answer(request=review, reviewer=comms, status="approved", answer="")


def test_review_requests_of_another_organization_are_not_found(client_for, employee, outsider):
    from chorus.checks.services import review_request_create

    review = review_request_create(author=employee, text="Draft")
    assert client_for(outsider).get(f"/check/reviews/{review.pk}/").status_code == 404

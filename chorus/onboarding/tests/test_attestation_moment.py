"""The attestation moment: the formatted policy on the page, reaching its end recorded before
the button unlocks (a no-script fallback stated by the reader), and a quiz that says
"Answer all N questions", keeps the tick and focuses the first problem."""

import pytest

from chorus.common.errors import InvalidInput
from chorus.onboarding.models import Attestation
from chorus.onboarding.services import (
    QuizNotPassed,
    assignment_mark_read,
    attestation_create,
    attestation_link_create,
    knowledge_check_add_question,
)
from chorus.onboarding.tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _assignment(hr, version, person):
    return make_campaign(hr=hr, version=version).assignments.get(person=person)


def _quiz(version, hr):
    return [
        knowledge_check_add_question(version=version, actor=hr, prompt="Pay talk allowed?",
                                     choices=["No", "Yes"], correct=1),
        knowledge_check_add_question(version=version, actor=hr, prompt="Disclose?",
                                     choices=["Yes", "No"], correct=0),
        knowledge_check_add_question(version=version, actor=hr, prompt="Secrets?",
                                     choices=["Keep", "Share"], correct=0),
    ]


def test_the_attestation_page_shows_the_formatted_policy(client_for, hr, employee, version):
    assignment = _assignment(hr, version, employee.person)
    page = client_for(employee).get(f"/onboarding/me/{assignment.pk}/").content.decode()

    assert '<article class="document"' in page and 'class="policy-rules"' in page
    assert "policy/policy.css" in page and "onboarding/attest.js" in page
    assert 'class="document policy-text"' not in page  # the old raw-text letterbox
    assert "data-read-end" in page and "data-read-gate" in page
    assert "<script>" not in page


def test_nothing_is_recorded_until_the_reader_reached_the_end(hr, employee, version):
    assignment = _assignment(hr, version, employee.person)
    with pytest.raises(InvalidInput) as exc:
        attestation_create(assignment=assignment, channel="session",
                           content_hash=version.content_hash, confirmed=True)
    assert exc.value.field == "read" and not Attestation.objects.exists()


def test_the_page_records_reaching_the_end_and_the_attestation_keeps_it(
    client_for, hr, employee, version
):
    assignment = _assignment(hr, version, employee.person)
    client = client_for(employee)

    assert client.post(f"/onboarding/me/{assignment.pk}/read/").status_code == 204
    assignment.refresh_from_db()
    reached = assignment.read_to_end_at
    assert reached is not None
    client.post(f"/onboarding/me/{assignment.pk}/read/")  # a second report changes nothing
    assignment.refresh_from_db()
    assert assignment.read_to_end_at == reached
    page = client.get(f"/onboarding/me/{assignment.pk}/").content.decode()
    assert "data-read-gate" not in page  # nothing left to unlock

    client.post(f"/onboarding/me/{assignment.pk}/",
                {"content_hash": version.content_hash, "confirm": "yes"})
    record = Attestation.objects.get()
    assert (record.read_evidence, record.read_to_end_at) == ("scrolled", reached)


def test_without_script_the_reader_states_they_read_to_the_end(
    client_for, hr, employee, version
):
    assignment = _assignment(hr, version, employee.person)
    client = client_for(employee)
    refused = client.post(f"/onboarding/me/{assignment.pk}/",
                          {"content_hash": version.content_hash, "confirm": "yes"})
    body = refused.content.decode()
    assert refused.status_code == 422 and "Read the policy to the end first" in body
    assert 'name="read_to_end" value="yes" autofocus' in body

    client.post(f"/onboarding/me/{assignment.pk}/", {
        "content_hash": version.content_hash, "confirm": "yes", "read_to_end": "yes"})
    assert Attestation.objects.get().read_evidence == "stated"


def test_only_the_own_request_can_be_marked_read(client_for, hr, employee, employee2,
                                                 outsider, version):
    assignment = _assignment(hr, version, employee.person)
    for other in (employee2, outsider):
        assert client_for(other).post(f"/onboarding/me/{assignment.pk}/read/").status_code == 404
    assignment.refresh_from_db()
    assert assignment.read_to_end_at is None


def test_the_personal_link_page_reports_reading_too(client, candidate, hr, version):
    from chorus.onboarding.models import Campaign

    assignment = make_campaign(hr=hr, version=version, audience=Campaign.Audience.NEW_HIRES
                               ).assignments.get(person=candidate)
    token = attestation_link_create(assignment=assignment, actor=hr)
    page = client.get(f"/a/{token}").content.decode()
    assert f'data-read-url="/a/{token}/read"' in page
    assert client.post(f"/a/{token}/read").status_code == 204
    assert client.post("/a/garbage/read").status_code == 404
    assignment.refresh_from_db()
    assert assignment.read_to_end_at is not None


def test_unanswered_questions_say_answer_all_n_keep_the_tick_and_focus_the_first(
    client_for, hr, employee, version
):
    q1, q2, _q3 = _quiz(version, hr)
    assignment = _assignment(hr, version, employee.person)
    assignment_mark_read(assignment=assignment)
    client = client_for(employee)

    response = client.post(f"/onboarding/me/{assignment.pk}/", {
        "content_hash": version.content_hash, "confirm": "yes", f"q-{q1.pk}": "1"})

    body = response.content.decode()
    assert response.status_code == 422
    assert "Answer all 3 questions: 2 are still open" in body
    assert body.count("Please answer this question.") == 2 and "Not quite." not in body
    assert 'name="confirm" value="yes" checked' in body
    # The first unanswered question (the second) gets the focus, nothing else.
    assert body.count("autofocus") == 1
    assert f'name="q-{q2.pk}" value="0" autofocus' in body
    assert not Attestation.objects.exists()


def test_a_failed_quiz_keeps_the_tick_and_focuses_the_first_wrong_answer(
    client_for, hr, employee, version
):
    q1, q2, q3 = _quiz(version, hr)
    assignment = _assignment(hr, version, employee.person)
    assignment_mark_read(assignment=assignment)

    body = client_for(employee).post(f"/onboarding/me/{assignment.pk}/", {
        "content_hash": version.content_hash, "confirm": "yes",
        f"q-{q1.pk}": "0", f"q-{q2.pk}": "1", f"q-{q3.pk}": "0"}).content.decode()

    assert "You answered 1 of 3 questions correctly" in body
    assert 'name="confirm" value="yes" checked' in body
    assert f'name="q-{q1.pk}" value="0" checked autofocus' in body


def test_the_service_names_unanswered_questions(hr, employee, version):
    q1, q2, q3 = _quiz(version, hr)
    assignment = _assignment(hr, version, employee.person)
    with pytest.raises(QuizNotPassed) as exc:
        attestation_create(assignment=assignment, channel="session", read_stated=True,
                           content_hash=version.content_hash, confirmed=True,
                           answers={q1.pk: 1})
    assert exc.value.unanswered == [q2.pk, q3.pk] and exc.value.wrong == []

"""The supervision queue: ranking, sample, decisions that become examples, privacy, scoping."""

import re

import pytest

from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.supervision.models import Decision, LabelledExample
from chorus.supervision.selectors import in_sample, precision_by_month, queue_for
from chorus.supervision.services import decision_record, held_back, settings_update

from .conftest import finding, make_post

pytestmark = pytest.mark.django_db


def test_queue_is_ranked_by_severity_times_confidence(legal, employee):
    low = make_post(employee, text="meh", findings=[finding("profanity", "low")])
    unsure = make_post(
        employee, text="maybe mnpi", findings=[finding("mnpi", "critical", confidence=0.5)]
    )
    sure = make_post(employee, text="idiots", findings=[finding("harassment", "high")])
    settings_update(actor=legal, sample_percent=0)
    items = queue_for(user=legal)
    assert [i.source_id for i in items] == [sure.pk, unsure.pk, low.pk]
    assert [i.risk for i in items] == [3.0, 2.0, 1.0]


def test_a_configurable_random_sample_of_allowed_posts_joins_the_queue(legal, employee):
    allowed = [make_post(employee, text=f"Nice day {i}") for i in range(60)]
    settings_update(actor=legal, sample_percent=0)
    assert queue_for(user=legal) == []
    settings_update(actor=legal, sample_percent=20)
    expected = {
        p.pk
        for p in allowed
        if in_sample(organization_id=legal.organization_id, source_id=p.pk, percent=20)
    }
    items = queue_for(user=legal)
    assert {i.source_id for i in items} == expected and expected
    assert all(i.sampled for i in items)
    settings_update(actor=legal, sample_percent=100)
    assert len(queue_for(user=legal)) == 60


def test_sample_percent_out_of_range_is_refused(legal):
    for bad in ("-1", "101", "ten"):
        with pytest.raises(InvalidInput) as exc:
            settings_update(actor=legal, sample_percent=bad)
        assert exc.value.field == "sample_percent"


def test_submitted_drafts_are_in_the_queue(legal, employee):
    from chorus.checks.services import review_request_create

    review = review_request_create(author=employee, text="Our key is AKIAIOSFODNN7EXAMPLE")
    items = queue_for(user=legal)
    assert any(i.source == "review" and i.source_id == review.pk and i.risk > 0 for i in items)


def test_accept_dismiss_relabel_become_labelled_examples_and_are_audited(legal, employee):
    a = make_post(employee, text="idiots all", findings=[finding("harassment")])
    d = make_post(employee, text="garbage", findings=[finding("competitor_negative")])
    r = make_post(employee, text="Q3 down 20%", findings=[finding("confidential")])
    decision_record(reviewer=legal, source="monitoring", source_id=a.pk, decision="accept")
    decision_record(
        reviewer=legal,
        source="monitoring",
        source_id=d.pk,
        decision="dismiss",
        reason="About a football club, not a competitor",
    )
    decision_record(
        reviewer=legal,
        source="monitoring",
        source_id=r.pk,
        decision="relabel",
        categories=["mnpi"],
        reason="Unreleased results",
    )
    examples = {e.text: e for e in LabelledExample.objects.all()}
    assert examples["idiots all"].categories == ["harassment"]
    assert examples["garbage"].categories == []
    assert examples["Q3 down 20%"].categories == ["mnpi"]
    assert all(e.reviewer == legal for e in examples.values())
    assert AuditEntry.objects.filter(action="supervision.decided").count() == 3
    assert queue_for(user=legal) == []  # decided items leave the queue


def test_dismiss_and_relabel_need_a_reason_and_known_categories(legal, employee):
    post = make_post(employee, text="garbage", findings=[finding("competitor_negative")])
    with pytest.raises(InvalidInput) as exc:
        decision_record(reviewer=legal, source="monitoring", source_id=post.pk, decision="dismiss")
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput) as exc:
        decision_record(
            reviewer=legal,
            source="monitoring",
            source_id=post.pk,
            decision="relabel",
            categories=["rudeness"],
            reason="x",
        )
    assert exc.value.field == "categories" and "rudeness" in exc.value.message
    with pytest.raises(InvalidInput):
        decision_record(
            reviewer=legal, source="monitoring", source_id=post.pk, decision="maybe", reason="x"
        )
    assert not Decision.objects.exists() and not LabelledExample.objects.exists()


def test_relabelling_a_protected_post_as_misconduct_needs_a_full_reason_and_is_audited(
    legal, employee
):
    post = make_post(employee, text="Our pay is a joke and management are clowns", protected=True)
    with pytest.raises(InvalidInput) as exc:
        decision_record(
            reviewer=legal,
            source="monitoring",
            source_id=post.pk,
            decision="relabel",
            categories=["harassment"],
            reason="rude",
        )
    assert "protected activity" in exc.value.message
    decision_record(
        reviewer=legal,
        source="monitoring",
        source_id=post.pk,
        decision="relabel",
        categories=["harassment"],
        reason="Calls two named colleagues clowns; beyond the pay complaint",
    )
    assert AuditEntry.objects.filter(action="supervision.protected_conduct_label").count() == 1
    assert LabelledExample.objects.get().protected is True


def test_only_supervisors_decide_and_never_on_their_own_posts(legal, employee, manager):
    post = make_post(employee, text="idiots", findings=[finding("harassment")])
    with pytest.raises(PermissionDenied):
        decision_record(reviewer=manager, source="monitoring", source_id=post.pk, decision="accept")
    own = make_post(legal, text="idiots", findings=[finding("harassment")])
    assert own.pk not in {i.source_id for i in queue_for(user=legal)}
    with pytest.raises(PermissionDenied):
        decision_record(reviewer=legal, source="monitoring", source_id=own.pk, decision="accept")


def test_held_back_split_is_deterministic(legal, employee):
    flags = [held_back(organization_id=7, source="monitoring", source_id=i) for i in range(500)]
    assert flags == [
        held_back(organization_id=7, source="monitoring", source_id=i) for i in range(500)
    ]
    assert 70 < sum(flags) < 130


def test_precision_by_month_counts_confirmed_and_dismissed_findings(legal, employee):
    for i in range(3):
        p = make_post(employee, text=f"idiots {i}", findings=[finding("harassment")])
        decision_record(reviewer=legal, source="monitoring", source_id=p.pk, decision="accept")
    p = make_post(employee, text="idiots?", findings=[finding("harassment")])
    decision_record(
        reviewer=legal,
        source="monitoring",
        source_id=p.pk,
        decision="dismiss",
        reason="quoting a film",
    )
    (row,) = precision_by_month(user=legal)
    assert (row["category"], row["confirmed"], row["dismissed"]) == ("harassment", 3, 1)
    assert row["precision"] == 0.75


# ------------------------------------------------------------------------- pages


def test_queue_page_is_keyboard_driven_without_inline_script(client_for, legal, employee):
    make_post(employee, text="idiots", findings=[finding("harassment")])
    make_post(
        employee, text="Our pay is low", protected=True, findings=[finding("harassment", "low")]
    )
    html = client_for(legal).get("/supervision/").content.decode()
    assert "supervision/queue.js" in html
    assert not re.search(r"<script(?![^>]*src=)", html) and " onclick=" not in html
    assert html.count("data-sv-item") == 2 and 'data-key="a"' in html
    assert 'data-testid="protected"' in html


def test_deciding_on_the_page(client_for, legal, employee):
    post = make_post(employee, text="garbage", findings=[finding("competitor_negative")])
    client = client_for(legal)
    response = client.post(
        "/supervision/decide/",
        {"source": "monitoring", "source_id": post.pk, "decision": "dismiss", "reason": ""},
    )
    assert response.status_code == 302 and not Decision.objects.exists()
    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert "Say why" in page
    response = client.post(
        "/supervision/decide/",
        {
            "source": "monitoring",
            "source_id": post.pk,
            "decision": "dismiss",
            "reason": "not a competitor",
        },
    )
    assert Decision.objects.get().decision == "dismiss"


def test_bad_ids_on_the_page_are_clear(client_for, legal):
    client = client_for(legal)
    response = client.post(
        "/supervision/decide/", {"source": "monitoring", "source_id": "abc", "decision": "accept"}
    )
    assert response.status_code == 302
    assert "does not exist" in client.get("/supervision/").content.decode()
    response = client.post(
        "/supervision/decide/",
        {"source": "monitoring", "source_id": 99999999, "decision": "accept"},
    )
    assert response.status_code == 404


def test_another_organizations_items_are_404_and_invisible(client_for, outsider, employee, legal):
    post = make_post(employee, text="idiots", findings=[finding("harassment")])
    client = client_for(outsider)
    assert post.pk not in {i.source_id for i in queue_for(user=outsider)}
    response = client.post(
        "/supervision/decide/", {"source": "monitoring", "source_id": post.pk, "decision": "accept"}
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_non_supervisors_get_404_on_every_page(client_for, employee):
    client = client_for(employee)
    for url in (
        "/supervision/",
        "/supervision/settings/",
        "/supervision/precision/",
        "/supervision/model/",
    ):
        assert client.get(url).status_code == 404, url


def test_precision_page_shows_the_table(client_for, legal, employee):
    p = make_post(employee, text="idiots", findings=[finding("harassment")])
    decision_record(reviewer=legal, source="monitoring", source_id=p.pk, decision="accept")
    html = client_for(legal).get("/supervision/precision/").content.decode()
    assert 'data-testid="precision"' in html and "harassment" in html and "1.00" in html


def test_settings_page_refuses_bad_input(client_for, legal):
    response = client_for(legal).post("/supervision/settings/", {"sample_percent": "250"})
    assert response.status_code == 422 and "between 0 and 100" in response.content.decode()

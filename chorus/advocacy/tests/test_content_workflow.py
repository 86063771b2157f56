from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy.models import ContentEvent, ContentItem
from chorus.advocacy.services import CaptionIn, content_transition, content_update
from chorus.advocacy.tests.conftest import make_item
from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_second_person_approves_and_every_step_is_an_event(comms, admin):
    item = make_item(author=comms)
    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    content_transition(item=item, actor=admin, to_status=ContentItem.Status.APPROVED,
                       note="Looks good")

    item.refresh_from_db()
    assert (item.status, item.approved_by) == (ContentItem.Status.APPROVED, admin)
    steps = [(e.actor, e.from_status, e.to_status) for e in ContentEvent.objects.filter(item=item)]
    assert steps == [(comms, "", "draft"), (comms, "draft", "in_review"),
                     (admin, "in_review", "approved")]
    assert AuditEntry.objects.filter(action="advocacy.content_approved").count() == 1


def test_the_author_cannot_approve_their_own_item(comms):
    item = make_item(author=comms)
    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    with pytest.raises(PermissionDenied, match="someone else"):
        content_transition(item=item, actor=comms, to_status=ContentItem.Status.APPROVED)
    item.refresh_from_db()
    assert item.status == ContentItem.Status.IN_REVIEW


def test_a_caption_the_engine_blocks_cannot_be_approved(comms, admin):
    item = make_item(author=comms, captions=[
        ("linkedin", "Our staging password is hunter2-Secret! and the key AKIAIOSFODNN7EXAMPLE"),
    ])
    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    with pytest.raises(InvalidInput) as exc:
        content_transition(item=item, actor=admin, to_status=ContentItem.Status.APPROVED)
    assert exc.value.field == "captions"
    assert "LinkedIn" in exc.value.message
    item.refresh_from_db()
    assert item.status == ContentItem.Status.IN_REVIEW


def test_employees_cannot_create_content(employee):
    with pytest.raises(PermissionDenied):
        make_item(author=employee)


@pytest.mark.parametrize(("network", "text", "problem"), [
    ("x", "a" * 260, "X allows 280"),
    ("bluesky", "👍🏽" * 280, "Bluesky allows 300"),
    ("mastodon", "b" * 480, "Mastodon allows 500"),
])
def test_captions_must_fit_the_network_with_link_and_disclosure(comms, network, text, problem):
    with pytest.raises(InvalidInput, match=problem) as exc:
        make_item(author=comms, captions=[(network, text)])
    assert exc.value.field == f"captions_{network}"
    assert exc.value.message.startswith("Variant 1:")


def test_bluesky_counts_graphemes_not_code_points(comms):
    # 240 thumbs with a skin tone are 480 code points but 240 graphemes: it fits.
    item = make_item(author=comms, captions=[("bluesky", "👍🏽" * 240)])
    assert item.captions.get().network == "bluesky"


def test_bad_link_and_dates_are_refused_with_the_field(comms):
    with pytest.raises(InvalidInput) as exc:
        make_item(author=comms, link="northwind dot example")
    assert exc.value.field == "link"
    now = timezone.now()
    with pytest.raises(InvalidInput) as exc:
        make_item(author=comms, publish_at=now, expires_at=now - datetime.timedelta(days=1))
    assert exc.value.field == "expires_at"


def test_only_drafts_can_be_edited(comms, admin):
    item = make_item(author=comms, approver=admin)
    with pytest.raises(Conflict):
        content_update(item=item, actor=comms, title="Changed", body="b",
                       link="https://northwind.example", captions=[CaptionIn("x", "hi")])


def test_returning_to_the_author_needs_a_reason(comms, admin):
    item = make_item(author=comms)
    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    with pytest.raises(InvalidInput) as exc:
        content_transition(item=item, actor=admin, to_status=ContentItem.Status.DRAFT)
    assert exc.value.field == "note"
    content_transition(item=item, actor=admin, to_status=ContentItem.Status.DRAFT,
                       note="Add a LinkedIn caption")
    with pytest.raises(Conflict):
        content_transition(item=item, actor=admin, to_status=ContentItem.Status.APPROVED)


def test_creating_content_through_the_page_with_variants_and_image(client_for, comms, org):
    client = client_for(comms)
    response = client.post(reverse("advocacy:content-new"), {
        "title": "Hiring robotics engineers", "body": "We are hiring in Lisbon.",
        "link": "https://northwind.example/jobs", "tags": "hiring, lisbon",
        "captions_x": "We're hiring!\n---\nJoin our robotics team in Lisbon.",
        "image": SimpleUploadedFile("team.png", PNG, content_type="image/png"),
    })
    item = ContentItem.objects.get(title="Hiring robotics engineers")
    assert response.status_code == 302
    assert [c.text for c in item.captions.all()] == [
        "We're hiring!", "Join our robotics team in Lisbon."]
    assert item.tags == ["hiring", "lisbon"] and item.image_mime == "image/png"
    image = client.get(reverse("advocacy:content-image", args=[item.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_a_wrong_image_type_is_refused_on_its_field(client_for, comms):
    response = client_for(comms).post(reverse("advocacy:content-new"), {
        "title": "T", "body": "B", "link": "https://northwind.example/jobs",
        "captions_x": "Hi", "image": SimpleUploadedFile("x.png", b"MZ not an image"),
    })
    assert response.status_code == 200
    assert "is not a PNG, JPEG, GIF or WebP image" in response.context["form"].errors["image"][0]
    assert not ContentItem.objects.exists()


def test_other_organizations_items_are_not_found(client_for, outsider, comms):
    item = make_item(author=comms)
    response = client_for(outsider).get(reverse("advocacy:content-detail", args=[item.pk]))
    assert response.status_code == 404


def test_employees_cannot_open_the_hub(client_for, employee):
    assert client_for(employee).get(reverse("advocacy:content-list")).status_code == 403


def test_content_list_query_count_does_not_grow(client_for, comms, admin,
                                               django_assert_max_num_queries):
    for n in range(6):
        make_item(author=comms, title=f"Item {n}")
    client = client_for(comms)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("advocacy:content-list"))
    assert response.status_code == 200
    assert response.content.decode().count("badge--draft") == 6


def test_approving_through_the_page(client_for, comms, admin):
    item = make_item(author=comms)
    client = client_for(comms)
    client.post(reverse("advocacy:content-move", args=[item.pk, "in_review"]))
    client = client_for(admin)
    detail = client.get(reverse("advocacy:content-detail", args=[item.pk]))
    assert "Approve" in detail.content.decode()
    client.post(reverse("advocacy:content-move", args=[item.pk, "approved"]))
    item.refresh_from_db()
    assert item.status == "approved"


def test_a_too_long_caption_is_shown_on_its_networks_field_and_nothing_says_saved(
        client_for, comms):
    response = client_for(comms).post(reverse("advocacy:content-new"), {
        "title": "T", "body": "B", "link": "https://northwind.example/jobs",
        "captions_x": "Fine on X", "captions_bluesky": "ok\n---\n" + "b" * 320,
    })
    assert response.status_code == 200 and not ContentItem.objects.exists()
    errors = response.context["form"].errors
    assert errors["captions_bluesky"][0].startswith("Variant 2: The Bluesky post is")
    page = response.content.decode()
    assert "Saved as a draft" not in page
    assert 'data-caption-counter="bluesky"' in page and 'data-limit="300"' in page
    assert 'id="id_captions_bluesky_count"' in page

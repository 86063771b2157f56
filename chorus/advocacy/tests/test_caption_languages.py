"""Captions in several languages (issue 16): edited in the item form, screened in every
language, shown to employees in their language first, counted by language in analytics."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy.models import Caption, Click, ContentItem
from chorus.advocacy.services import CaptionIn, content_create, content_transition, share_create
from chorus.advocacy.services.shares import share_confirm
from chorus.common.errors import InvalidInput

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Hiring robotics engineers", "body": "We are hiring in Lisbon.",
    "link": "https://northwind.example/jobs",
    "captions_linkedin": "We are hiring robotics engineers in Lisbon.",
}


def translated_item(author, approver=None) -> ContentItem:
    item = content_create(
        actor=author, title="We opened a new lab", body="A new lab for field robotics.",
        link="https://northwind.example/news/lab", captions=[
            CaptionIn(network="linkedin", text="Today we opened our robotics lab in Lisbon."),
            CaptionIn(network="linkedin", text="Heute haben wir unser Robotiklabor eröffnet.",
                      language="de"),
            CaptionIn(network="linkedin", text="Hoy abrimos nuestro laboratorio en Lisboa.",
                      language="es"),
        ])
    if approver is not None:
        content_transition(item=item, actor=author, to_status=ContentItem.Status.IN_REVIEW)
        content_transition(item=item, actor=approver, to_status=ContentItem.Status.APPROVED)
    return item


def test_comms_add_captions_in_other_languages_in_the_item_form(client_for, comms):
    client = client_for(comms)
    response = client.post(reverse("advocacy:content-new"), {
        **FORM,
        "tr_language_0": "de", "tr_network_0": "linkedin",
        "tr_text_0": "Wir stellen in Lissabon ein.\n---\nKommen Sie in unser Robotik-Team.",
        "tr_language_1": "pt-br", "tr_network_1": "linkedin",
        "tr_text_1": "Estamos contratando em Lisboa.",
    })
    assert response.status_code == 302
    item = ContentItem.objects.get(title="Hiring robotics engineers")
    assert sorted((c.language, c.position, c.text) for c in item.captions.all()) == [
        ("de", 0, "Wir stellen in Lissabon ein."), ("de", 1, "Kommen Sie in unser Robotik-Team."),
        ("en", 0, "We are hiring robotics engineers in Lisbon."),
        ("pt-br", 0, "Estamos contratando em Lisboa."),
    ]
    # The edit form shows each language's variants in its own row, and saving keeps them.
    edit = client.get(reverse("advocacy:content-edit", args=[item.pk]))
    form = edit.context["form"]
    assert form.initial["tr_language_0"] == "de"
    assert form.initial["tr_text_0"] == "Wir stellen in Lissabon ein.\n---\nKommen Sie in unser Robotik-Team."
    assert 'name="tr_text_3"' in edit.content.decode()  # two spare rows after the two filled
    detail = client.get(reverse("advocacy:content-detail", args=[item.pk])).content.decode()
    assert "Deutsch" in detail and "Português (Brasil)" in detail


def test_an_unknown_language_code_is_refused_on_its_field(client_for, comms):
    response = client_for(comms).post(reverse("advocacy:content-new"), {
        **FORM, "tr_language_0": "xx", "tr_network_0": "linkedin", "tr_text_0": "Hallo",
    })
    assert response.status_code == 200
    assert "xx" in response.context["form"].errors["tr_language_0"][0]
    assert not ContentItem.objects.exists()


def test_the_service_refuses_an_unknown_language_code(comms):
    with pytest.raises(InvalidInput) as exc:
        content_create(
            actor=comms, title="T", body="B", link="https://northwind.example/a",
            captions=[CaptionIn(network="x", text="Hello"),
                      CaptionIn(network="x", text="Hallo", language="klingon")])
    assert exc.value.field == "translations" and "klingon" in exc.value.message


def test_a_duplicate_language_and_network_is_refused(client_for, comms):
    response = client_for(comms).post(reverse("advocacy:content-new"), {
        **FORM,
        "tr_language_0": "de", "tr_network_0": "linkedin", "tr_text_0": "Wir stellen ein.",
        "tr_language_1": "de", "tr_network_1": "linkedin", "tr_text_1": "Noch einmal.",
    })
    assert response.status_code == 200
    error = response.context["form"].errors["tr_language_1"][0]
    assert "Deutsch on LinkedIn is already in row 1" in error
    assert not ContentItem.objects.exists()


def test_a_translation_without_language_or_network_is_refused(client_for, comms):
    response = client_for(comms).post(reverse("advocacy:content-new"), {
        **FORM, "tr_language_0": "", "tr_network_0": "linkedin", "tr_text_0": "Wir stellen ein.",
    })
    assert response.status_code == 200
    assert "Choose the language" in response.context["form"].errors["tr_language_0"][0]


def test_a_translated_caption_is_screened_like_the_source(comms, admin):
    item = content_create(
        actor=comms, title="Lab", body="A new lab.", link="https://northwind.example/lab",
        captions=[
            CaptionIn(network="linkedin", text="Today we opened our robotics lab in Lisbon."),
            CaptionIn(network="linkedin", language="de",
                      text="Unser Staging-Passwort ist hunter2-Secret! und AKIAIOSFODNN7EXAMPLE"),
        ])
    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    with pytest.raises(InvalidInput) as exc:
        content_transition(item=item, actor=admin, to_status=ContentItem.Status.APPROVED)
    assert "LinkedIn #1 (Deutsch)" in exc.value.message
    item.refresh_from_db()
    assert item.status == ContentItem.Status.IN_REVIEW


def test_a_translation_must_fit_the_network_too(comms):
    with pytest.raises(InvalidInput) as exc:
        content_create(actor=comms, title="T", body="B", link="https://northwind.example/a",
                       captions=[CaptionIn(network="x", text="Hello"),
                                 CaptionIn(network="x", text="Hallo " * 80, language="de")])
    assert exc.value.field == "translations" and "Deutsch" in exc.value.message


@pytest.mark.parametrize(("accept", "first"), [
    ("de", "Heute haben wir unser Robotiklabor eröffnet."),
    ("es", "Hoy abrimos nuestro laboratorio en Lisboa."),
    ("fr", "Today we opened our robotics lab in Lisbon."),  # no French: the source first
])
def test_employees_see_the_caption_in_their_language_first(
        client_for, comms, admin, employee, accept, first):
    item = translated_item(comms, admin)
    response = client_for(employee).get(
        reverse("advocacy:share", args=[item.pk]) + "?network=linkedin",
        HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response.context["chosen"].text == first
    assert response.context["form"]["text"].value() == first
    # The other languages stay available, each labelled.
    languages = [c.language for c in response.context["captions"]]
    assert sorted(languages) == ["de", "en", "es"]
    assert 'data-testid="caption-language"' in response.content.decode()


def test_analytics_count_shares_and_clicks_by_caption_language(client_for, comms, admin,
                                                                employee):
    item = translated_item(comms, admin)
    german = Caption.objects.get(item=item, language="de")
    share = share_create(user=employee, item=item, network="linkedin", text=german.text,
                         caption=german)
    share_confirm(user=employee, share=share)
    now = timezone.now()
    Click.objects.create(share=share, day=now.date(), visitor="a" * 32, created_at=now)
    Click.objects.create(share=share, day=now.date(), visitor="b" * 32, created_at=now)
    client = client_for(comms)
    page = client.get(reverse("advocacy:analytics"))
    rows = {r.label: (r.shares, r.clicks, r.visitors) for r in page.context["data"].by_language}
    assert rows == {"Deutsch": (1, 2, 2)}
    assert 'data-testid="by-language"' in page.content.decode()
    export = client.get(reverse("advocacy:analytics-csv") + "?days=7")
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert lines[0][-1] == "caption_language"
    assert [r[5:] for r in lines[1:]] == [["1", "2", "2", "de"]]


def test_a_share_in_own_words_is_its_own_language_row(client_for, comms, admin, employee):
    item = translated_item(comms, admin)
    share = share_create(user=employee, item=item, network="linkedin", text="My own words")
    share_confirm(user=employee, share=share)
    data = client_for(comms).get(reverse("advocacy:analytics")).context["data"]
    assert [(r.label, r.shares) for r in data.by_language] == [
        ("Own words (no suggested caption)", 1)]


def test_another_organizations_item_is_not_found_for_editing_or_sharing(
        client_for, comms, admin, outsider):
    item = translated_item(comms, admin)
    client = client_for(outsider)
    assert client.get(reverse("advocacy:content-edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("advocacy:content-edit", args=[item.pk]), {
        **FORM, "tr_language_0": "de", "tr_network_0": "linkedin", "tr_text_0": "X",
    }).status_code == 404
    assert client.get(reverse("advocacy:share", args=[item.pk])).status_code == 404
    assert Caption.objects.filter(item=item).count() == 3

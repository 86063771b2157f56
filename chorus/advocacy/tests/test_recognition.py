"""Challenges and badges: confirmed shares only, inside the dates, of the tagged items; rules
visible; own progress only; opt-out respected in the counts; bad input; org isolation."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy.models import Challenge
from chorus.advocacy.recognition import completions, progress_for
from chorus.advocacy.services import profile_update, share_confirm, share_create
from chorus.advocacy.services.recognition import challenge_create
from chorus.advocacy.tests.conftest import make_item
from chorus.common.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db


def _challenge(comms, **over):
    today = timezone.localdate()
    kwargs = {"title": "Two product stories", "rules": "Post two product stories this week.",
              "target": 2, "badge": "Storyteller", "tag": "product",
              "starts_on": today - datetime.timedelta(days=1),
              "ends_on": today + datetime.timedelta(days=6)}
    kwargs.update(over)
    return challenge_create(actor=comms, **kwargs)


def test_only_confirmed_shares_of_tagged_items_count(comms, admin, employee, employee2):
    challenge = _challenge(comms)
    product = make_item(author=comms, approver=admin, title="Product A", tags=["product"])
    other = make_item(author=comms, approver=admin, title="Culture",
                      link="https://northwind.example/culture", tags=["culture"])
    pressed = share_create(user=employee, item=product, network="x", text="Product A!")
    assert progress_for(user=employee)[0].done == 0  # a button press is not a post
    share_confirm(user=employee, share=pressed)
    share_confirm(user=employee, share=share_create(user=employee, item=other, network="x",
                                                    text="Culture"))
    assert progress_for(user=employee)[0].done == 1  # the untagged item does not count
    share_confirm(user=employee, share=share_create(user=employee, item=product,
                                                    network="linkedin", text="Product A"))
    mine = progress_for(user=employee)[0]
    assert mine.done == 2 and mine.earned
    assert completions(challenge) == 1
    profile_update(user=employee, mastodon_instance="", leaderboard_opt_out=True,
                   digest_opt_out=False)
    assert completions(challenge) == 0  # opted out: not counted for comms
    assert progress_for(user=employee2)[0].done == 0


def test_pages_show_rules_and_own_progress(client_for, comms, employee, outsider):
    _challenge(comms)
    page = client_for(employee).get(reverse("advocacy:challenges")).content.decode()
    assert "Post two product stories this week." in page and "0 of 2 posted shares" in page
    assert "never used for pay or evaluation" in page
    assert "Two product stories" not in client_for(outsider).get(
        reverse("advocacy:challenges")).content.decode()
    assert client_for(employee).get(reverse("advocacy:challenges-manage")).status_code == 403
    manage = client_for(comms).get(reverse("advocacy:challenges-manage")).content.decode()
    assert "Two product stories" in manage


def test_bad_challenges_are_refused(client_for, comms, employee):
    with pytest.raises(PermissionDenied):
        _challenge(employee)
    with pytest.raises(InvalidInput) as exc:
        _challenge(comms, ends_on=timezone.localdate() - datetime.timedelta(days=5))
    assert exc.value.field == "ends_on"
    page = client_for(comms).post(reverse("advocacy:challenges-manage"), {
        "title": "X", "rules": "", "target": "0", "badge": "B",
        "starts_on": "2026-12-01", "ends_on": "2026-12-31"})
    assert page.status_code == 422
    assert not Challenge.objects.exists()

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chorus.checks.models import ReviewRequest
from chorus.common.errors import NotFound


def review_request_list_for(*, user: Any, mine: bool = False) -> QuerySet[ReviewRequest]:
    """Reviewers see the organization's requests; everyone else (or `mine`) only their own."""
    requests = ReviewRequest.objects.filter(organization_id=user.organization_id).select_related(
        "author", "reviewer"
    )
    if mine or not (user.has_role("communications") or user.has_role("legal")):
        requests = requests.filter(author=user)
    return requests


def review_request_get(*, user: Any, pk: int) -> ReviewRequest:
    request = review_request_list_for(user=user).filter(pk=pk).first()
    if request is None:
        raise NotFound("No such review request.")
    return request

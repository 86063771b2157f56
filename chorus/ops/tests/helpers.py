"""Data in every app for one organization, built through the apps' own services, so export,
deletion and erasure tests see what real use leaves behind (including an uploaded file)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def populate(*, hr: Any, author: Any, approver: Any, member: Any, tag: str) -> dict[str, Any]:
    """Give `member` (an employee of hr's organization) a trace in every app. `author` and
    `approver` are two content editors (communications or admin)."""
    from chorus.advocacy.services import share_create
    from chorus.advocacy.tests.conftest import make_item
    from chorus.checks.services import review_request_create
    from chorus.incidents.services import incident_open_manual
    from chorus.incidents.tests.conftest import acknowledge_policy
    from chorus.monitoring.models import LinkedAccount
    from chorus.reports.services import report_submit

    org = member.organization
    now = timezone.now()
    acknowledge_policy(person=member.person, hr=hr)  # policy, campaign, attestation
    named = report_submit(
        organization=org,
        reporter=member,
        url=f"https://x.com/{tag}/status/1",
        category="harassment",
        description=f"Threats at our support engineer ({tag}).",
        screenshots=[SimpleUploadedFile("shot.png", PNG, content_type="image/png")],
    )
    anonymous = report_submit(
        organization=org,
        reporter=member,
        url=f"https://x.com/{tag}/status/2",
        category="leak",
        description=f"Someone leaked the roadmap ({tag}).",
        anonymous=True,
    )
    item = make_item(
        author=author,
        approver=approver,
        title=f"We opened a lab {tag}",
        link=f"https://{tag}.example/news/lab",
    )
    caption = item.captions.filter(network="mastodon").first()
    share = share_create(
        user=member,
        item=item,
        network="mastodon",
        text=caption.text,
        caption=caption,
        mastodon_instance="mastodon.social",
    )
    incident = incident_open_manual(
        organization=org,
        actor=hr,
        subject=member.person,
        title=f"Mocked a customer {tag}",
        text="This customer is a joke",
        url="https://social.example/p/1",
        network="mastodon",
    )
    account = LinkedAccount.objects.create(
        organization=org,
        person=member.person,
        network="mastodon",
        handle=f"@{tag}@m.example",
        external_id=f"{tag}-1",
        consent_version="1",
        consented_at=now - timedelta(days=1),
        read_from=now - timedelta(days=1),
    )
    review = review_request_create(
        author=member, text=f"Is this fine to post? {tag}", network="mastodon", question="Tone?"
    )
    return {
        "report": named.report,
        "anonymous": anonymous,
        "share": share,
        "incident": incident,
        "account": account,
        "review": review,
        "item": item,
    }

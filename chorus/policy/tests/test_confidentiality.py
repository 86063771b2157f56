"""The screening configuration (entity lists, thresholds, allow-list) never reaches anyone but the
policy's authors and reviewers: after comms adds "Skylift 3" to the unreleased products and
publishes a material change, no page, API response or e-mail that an employee, a manager, HR or a
candidate can get names any of the protected entries."""

from __future__ import annotations

import json
import re
from collections import deque
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from chorus.common.errors import InvalidInput
from chorus.onboarding.models import Assignment, Attestation
from chorus.onboarding.services import attestation_create, attestation_link_create, person_add
from chorus.onboarding.tests.conftest import make_campaign
from chorus.policy.diff import version_diff
from chorus.policy.models import PolicyVersion
from chorus.policy.services import (
    policy_create_from_preset,
    policy_version_create_draft,
    policy_version_publish,
    policy_version_update,
)
from chorus.policy.visibility import employee_diff, employee_document, protected_names_in

pytestmark = pytest.mark.django_db

ENTITIES = {
    "customers": ["Contoso Quarry", "Fabrikam Vale"],
    "competitors": ["Initech"],
    "codenames": ["Bluebird Omega"],
    "unreleased": ["Skylift 2"],
    "executives": ["Marguerite Okonkwo"],
}
ALLOWLIST = ["Zephyrine Beacon"]
# Every name the employee-facing side must never show, and the labels of the settings diff.
SECRETS = [
    "Skylift 2", "Skylift 3", "Contoso Quarry", "Fabrikam Vale", "Bluebird Omega",
    "Marguerite Okonkwo", "Zephyrine Beacon", ">Unreleased products<", "Block threshold",
    "Allowlist",
]  # fmt: skip
MAX_PAGES = 400


def _publish(author, draft, **document_changes):
    document = {**draft.document, **document_changes}
    draft = policy_version_update(
        version=draft, actor=author, document=document, lock_version=draft.lock_version
    )
    return policy_version_publish(
        version=draft,
        actor=author,
        material=True,
        change_summary="We updated the confidential names we screen.",
    )


@pytest.fixture
def published_change(org, comms, hr, employee, manager, django_capture_on_commit_callbacks):
    """v1 with entity lists, attested by the employee and a candidate; then v2 adds Skylift 3 to
    the unreleased products, an executive and a threshold, published as a material change."""
    candidate = person_add(
        organization=org,
        actor=hr,
        full_name="Riley Chen",
        email="riley@candidates.example",
        status="candidate",
        stage="pre_boarding",
        department="Engineering",
    )
    draft = policy_create_from_preset(
        organization=org, actor=comms, preset="balanced", title="Social media policy"
    )
    with django_capture_on_commit_callbacks(execute=True):
        v1 = _publish(comms, draft, entities=ENTITIES, allowlist=ALLOWLIST)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = make_campaign(hr=hr, version=v1)
    for person, user in ((employee.person, employee), (candidate, None)):
        assignment = campaign.assignments.get(person=person)
        attestation_create(
            assignment=assignment,
            channel=Attestation.Channel.SESSION,
            content_hash=v1.content_hash,
            confirmed=True,
            user=user,
            read_stated=True,  # issue 17: the reader reached the end of the text
        )
    mail.outbox.clear()
    draft = policy_version_create_draft(version=v1, actor=comms)
    entities = {**ENTITIES, "unreleased": ["Skylift 2", "Skylift 3"]}
    with django_capture_on_commit_callbacks(execute=True):
        v2 = _publish(
            comms,
            draft,
            entities=entities,
            thresholds={"block": "critical"},
            sections={
                **draft.document["sections"],
                "purpose": "A clearer purpose for this policy.",
            },
        )
    reattest = Assignment.objects.filter(version=v2, previous_version=v1)
    assert {a.person_id for a in reattest} == {employee.person.pk, candidate.pk}
    # The candidate reads the change through a personal link.
    link_token = attestation_link_create(assignment=reattest.get(person=candidate), actor=hr)
    return {"v1": v1, "v2": v2, "candidate_token": link_token}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "hx-get", "src", "action") and value and value.startswith("/"):
                self.links.append(value.split("#", 1)[0])


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            out += _patterns(entry, prefix + str(entry.pattern))
        else:
            out.append((prefix + str(entry.pattern), entry))
    return out


def _web_urls(ids: list[int]) -> list[str]:
    """Every GET route of the site (outside the API and django-admin), integer parameters
    filled with each of `ids`."""
    urls = []
    for route, _ in _patterns(get_resolver()):
        if route.startswith(("api/", "django-admin/", "logout/")) or route.startswith("^"):
            continue
        params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        if any(conv not in ("int",) for conv, _ in params):
            continue  # tokens and codes are reached through the links in pages and e-mails
        if not params:
            urls.append("/" + route)
            continue
        for value in ids:
            urls.append("/" + re.sub(r"<(?:\w+:)?\w+>", str(value), route))
    return urls


def _api_urls(client: Client, ids: list[int]) -> list[str]:
    schema = client.get("/api/v1/openapi.json").json()
    urls = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        if "{" not in path:
            urls.append(path)
            continue
        urls += [re.sub(r"\{\w+\}", str(value), path) for value in ids]
    return urls


def _leaks(body: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in body.lower()]


def _walk(client: Client, start: list[str]) -> tuple[dict[str, list[str]], int]:
    """GET every URL in `start` and every same-site link found in the pages (breadth first);
    returns {url: leaked names} and how many pages were read."""
    seen: set[str] = set()
    queue = deque(start)
    found: dict[str, list[str]] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(("/logout", "/static/", "/django-admin")):
            continue
        seen.add(url)
        response = client.get(url)
        if response.streaming:
            body = b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
        else:
            body = response.content.decode(errors="replace")
        if leaked := _leaks(body):
            found[url] = leaked
        if "html" in response.get("Content-Type", ""):
            parser = _Links()
            parser.feed(body)
            queue.extend(link for link in parser.links if link not in seen)
    return found, len(seen)


def _ids() -> list[int]:
    top = max(PolicyVersion.objects.order_by("-pk").values_list("pk", flat=True)[:1] or [1])
    top = max(top, *Assignment.objects.values_list("pk", flat=True), 8)
    return list(range(1, top + 1))


@pytest.mark.parametrize("who", ["employee", "manager", "hr"])
def test_no_page_or_api_response_shows_employees_the_screening_configuration(
    request, who, published_change, client, api_client
):
    user = request.getfixturevalue(who)
    ids = _ids()
    client.force_login(user)
    web, pages = _walk(client, ["/", *_web_urls(ids)])
    api, calls = _walk(api_client(user), _api_urls(client, ids))

    assert pages > 20 and calls > 10
    assert web == {} and api == {}
    if who == "employee":  # the re-attestation page itself was read, and it shows the change
        mine = Assignment.objects.get(person=user.person, version=published_change["v2"])
        text = client.get(f"/onboarding/me/{mine.pk}/").content.decode()
        assert "What changed" in text and "A clearer purpose for this policy." in text


def test_no_page_an_anonymous_candidate_can_reach_shows_the_screening_configuration(
    published_change, client
):
    token = published_change["candidate_token"]
    page = client.get(f"/a/{token}").content.decode()
    assert "What changed" in page and "A clearer purpose" in page

    found, pages = _walk(client, [f"/a/{token}", "/", "/login/", "/policies/current/"])

    assert pages >= 3 and found == {}


def test_no_e_mail_or_link_in_it_shows_the_screening_configuration(published_change, client):
    assert mail.outbox, "the material change asks people to re-read the policy by e-mail"
    links: list[str] = []
    for message in mail.outbox:
        text = "\n".join(
            [
                message.subject,
                str(message.body),
                *(str(body) for body, _ in getattr(message, "alternatives", [])),
            ]
        )
        assert _leaks(text) == [], message.subject
        links += [m.group(1) for m in re.finditer(r"https?://[^/\s]+(/\S*)", text)]

    found, _ = _walk(client, links)  # candidates' personal links work without logging in
    assert links and found == {}


def test_policy_staff_still_see_the_whole_change(published_change, client_for, comms):
    v1, v2 = published_change["v1"], published_change["v2"]
    page = client_for(comms).get(f"/policies/versions/{v2.pk}/diff/?against={v1.pk}")

    assert "Skylift 3" in page.content.decode()
    assert any("Skylift 3" in str(c.new) for c in version_diff(v1, v2).settings)


def test_the_api_gives_employees_only_the_text_they_read(
    published_change, api_client, employee, comms
):
    mine = api_client(employee).get("/api/v1/policies/current").json()
    staff = api_client(comms).get("/api/v1/policies/current").json()

    assert mine["screening_config"] is False and "entities" not in mine["document"]
    assert _leaks(json.dumps(mine)) == []
    assert staff["screening_config"] is True
    assert "Skylift 3" in staff["document"]["entities"]["unreleased"]
    assert mine["document"] == employee_document(published_change["v2"].document)


def test_the_employee_diff_ignores_every_screening_setting(published_change):
    v1 = published_change["v1"]
    changed: dict[str, Any] = {
        **v1.document,
        "entities": {k: [*v, "Newname Nine"] for k, v in ENTITIES.items()},
        "allowlist": ["Newname Nine"],
        "thresholds": {"block": "critical", "warn": "high"},
        "languages": ["en", "de"],
        "rules": [
            {
                **r,
                "severity": "critical",
                "params": {"x": "Newname Nine"},
                "rationale": "Newname Nine",
            }
            for r in v1.document["rules"]
        ],
    }
    other = PolicyVersion(policy=v1.policy, number=99, status="draft", document=changed)

    diff = employee_diff(v1, other)

    assert diff.is_empty, (diff.settings, diff.rules)
    assert not version_diff(v1, other).is_empty  # the authors' diff shows all of it


def test_publishing_refuses_a_change_summary_that_names_a_protected_entry(org, comms):
    draft = policy_create_from_preset(
        organization=org, actor=comms, preset="balanced", title="Social media policy"
    )
    draft = policy_version_update(
        version=draft,
        actor=comms,
        document={**draft.document, "entities": ENTITIES},
        lock_version=draft.lock_version,
    )

    with pytest.raises(InvalidInput) as err:
        policy_version_publish(
            version=draft,
            actor=comms,
            material=True,
            change_summary="Added skylift 2 to the unreleased products.",
        )

    assert err.value.field == "change_summary" and "'Skylift 2'" in err.value.message
    draft.refresh_from_db()
    assert draft.status == PolicyVersion.Status.DRAFT


def test_publishing_refuses_a_policy_text_that_names_a_protected_entry(org, comms):
    draft = policy_create_from_preset(
        organization=org, actor=comms, preset="balanced", title="Social media policy"
    )
    sections = {**draft.document["sections"], "scope": "Never mention Bluebird Omega."}
    draft = policy_version_update(
        version=draft,
        actor=comms,
        document={**draft.document, "entities": ENTITIES, "sections": sections},
        lock_version=draft.lock_version,
    )

    with pytest.raises(InvalidInput) as err:
        policy_version_publish(version=draft, actor=comms, material=True)

    assert "'Bluebird Omega' (codenames)" in err.value.message
    assert protected_names_in(draft.document, "bluebird omega!") == [
        ("Bluebird Omega", "codenames")
    ]
    assert protected_names_in(draft.document, "Bluebird Omegas") == []

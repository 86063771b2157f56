"""Everyday drafts that went wrong on the check page (issue 18), through the engine and the CLI.

Cue-driven detection must not depend on the policy's entity lists alone: the unreleased
product, the unnamed client and the guaranteed result are not listed anywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chorus.screening import Post, Screener
from chorus.screening.tests.conftest import NORTHWIND_POLICY, make_policy

ROOT = Path(__file__).resolve().parents[3]

SKYLIFT_3 = (
    "Can't say much but Skylift 3 is launching next quarter with 2x payload - unannounced yet, "
    "you heard it here first!"
)


def check(screener: Screener, text: str):
    return screener.check(Post(id="t", text=text))


def categories(screener: Screener, text: str) -> set[str]:
    return set(check(screener, text).categories)


# ---------------------------------------------------------------- unreleased / confidential


def test_unannounced_product_with_secrecy_cues_is_flagged(screener):
    result = check(screener, SKYLIFT_3)
    assert "confidential" in result.categories
    assert result.verdict in ("warn", "block")
    finding = next(f for f in result.findings if f.category == "confidential")
    assert finding.excerpt == SKYLIFT_3[finding.start : finding.end]


@pytest.mark.parametrize(
    "text",
    [
        # no product, no codename on any list: the cues and the business talk carry it
        "Our new picker arm is launching in Q3 - still unannounced, you heard it here first.",
        "Neue Produktlinie startet im Herbst, noch unangekündigt - ihr habt es zuerst von mir gehört.",
        "Nuevo producto en el Q2, aún sin anunciar. Lo oíste aquí primero.",
        "Le nouveau produit sort au Q1, non annoncé pour l'instant.",
        "Novo produto chega no Q4, ainda não anunciado.",
    ],
)
def test_secrecy_cues_fire_without_any_listed_entity(screener, text):
    assert "confidential" in categories(screener, text)


@pytest.mark.parametrize(
    "text",
    [
        "Skylift 3 launched today - announced on our blog, link below.",
        "You heard it here first: the team picnic is on Friday!",
        "Can't say much about the movie without spoilers, but go see it.",
    ],
)
def test_public_or_non_business_news_stays_clean(screener, text):
    assert "confidential" not in categories(screener, text)


def test_unannounced_cue_only_matters_where_the_rule_is_on():
    policy = make_policy(rules=[{"id": "confidential.information", "enabled": False}])
    assert "confidential" not in categories(Screener(policy), SKYLIFT_3)


# ---------------------------------------------------------------- unnamed customers


@pytest.mark.parametrize(
    "text",
    [
        "Worst client ever. Six months into the Skylift rollout and they still can't read a manual.",
        "Worst client ever, honestly.",
        "Honestly, this client is a nightmare.",
        "Der schlimmste Kunde aller Zeiten, ich gebe auf.",
        "Peor cliente de la historia, no aguanto más.",
        "Pire client de l'année.",
        "O pior cliente do mundo.",
    ],
)
def test_complaint_about_an_unlisted_client_is_customer_negative(screener, text):
    result = check(screener, text)
    assert "customer_negative" in result.categories, result.to_dict()
    finding = next(f for f in result.findings if f.category == "customer_negative")
    assert "client" in finding.excerpt.lower() or "kunde" in finding.excerpt.lower()


def test_worst_client_naming_our_product_is_not_only_an_endorsement(screener):
    result = check(screener, "Worst client ever. We built Skylift for people who read manuals.")
    assert "customer_negative" in result.categories


@pytest.mark.parametrize(
    "text",
    [
        "Ugh, the customer service at this airline is the worst.",
        "As a customer, the worst support ever.",
        "Our client is amazing, best partner we have.",
        "Worst weather ever, the client visit got cancelled.",
        "Initech a encore promis la lune à ses clients.",  # someone else's clients
    ],
)
def test_client_talk_that_is_not_a_complaint_about_our_client_stays_clean(screener, text):
    assert "customer_negative" not in categories(screener, text)


def test_protected_post_about_how_clients_treat_staff_gets_no_client_finding(screener):
    text = (
        "The worst client yelled at our warehouse crew again and management did nothing. "
        "Let's talk about organizing a union so we can push for better protections together."
    )
    result = check(screener, text)
    assert "protected_activity" in result.signals
    assert "customer_negative" not in result.categories
    assert result.verdict != "block"


# ---------------------------------------------------------------- phone numbers


@pytest.mark.parametrize("number", ["+1 (415) 555-0142", "415-555-0199", "(415) 555-0142"])
def test_someone_elses_phone_number_is_personal_data(screener, number):
    result = check(screener, f"Call Dana at {number} about the meetup.")
    pii = [f for f in result.findings if f.category == "pii"]
    assert pii and pii[0].excerpt == number


@pytest.mark.parametrize(
    "text",
    [
        "my cell is +1 (415) 555-0142 if you want to talk robots",
        "DM me or text my cell: 415-555-0199",
        "Call me at +1 (415) 555-0142 about the meetup",
    ],
)
def test_authors_own_number_is_not_a_high_finding_about_someone_else(screener, text):
    result = check(screener, text)
    assert not [f for f in result.findings if f.category == "pii" and f.severity == "high"]
    assert result.verdict != "block"


# ---------------------------------------------------------------- guaranteed results


@pytest.mark.parametrize(
    "text",
    [
        "Guaranteed to double your warehouse throughput!",
        "Guaranteed to double your warehouse throughput! #Skylift",
        "We guarantee a 30% cut in picking time.",
        "Garantiert verdoppelt sich euer Durchsatz!",
        "Garantizado: duplica tu productividad.",
    ],
)
def test_guaranteed_result_is_a_regulated_claim(screener, text):
    result = check(screener, text)
    assert "regulated_claim" in result.categories, result.to_dict()
    assert result.verdict != "allow"


@pytest.mark.parametrize(
    "text",
    [
        "Guaranteed fun at the meetup tonight!",
        "Your order is guaranteed to be shipped on time.",
        "There is no guarantee it will double anything, test it yourself.",
    ],
)
def test_guarantees_without_a_promised_result_stay_clean(screener, text):
    assert "regulated_claim" not in categories(screener, text)


# ---------------------------------------------------------------- through `chorus check`


def test_the_four_drafts_through_the_cli(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(NORTHWIND_POLICY, encoding="utf-8")
    drafts = {
        "skylift": SKYLIFT_3,
        "client": "Worst client ever. Six months on the Skylift rollout and still no manual read.",
        "phone": "Call Dana at +1 (415) 555-0142 about the meetup.",
        "own": "my cell is +1 (415) 555-0142 if you want to talk robots",
        "claim": "Guaranteed to double your warehouse throughput!",
    }
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        "".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in drafts.items()),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "chorus.screening.cli", str(posts), "--policy", str(policy),
         "--format", "json"],
        capture_output=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    # exit status 1: at least one post (the phone number) is blocked; no error output
    assert (proc.returncode, proc.stderr) == (1, b"")
    rows = {row["id"]: row for row in map(json.loads, proc.stdout.decode().splitlines())}
    assert "confidential" in rows["skylift"]["categories"]
    assert "customer_negative" in rows["client"]["categories"]
    assert [f["excerpt"] for f in rows["phone"]["findings"] if f["category"] == "pii"] == [
        "+1 (415) 555-0142"
    ]
    assert not [
        f for f in rows["own"]["findings"] if f["category"] == "pii" and f["severity"] == "high"
    ]
    assert "regulated_claim" in rows["claim"]["categories"]

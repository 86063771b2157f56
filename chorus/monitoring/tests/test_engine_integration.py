"""The real screening engine with the organization's policy (no stand-in screener)."""

import pytest

from chorus.monitoring.models import IngestedPost, MonitoringAlert
from chorus.monitoring.screening import ScreenerCache, screener_for_organization
from chorus.monitoring.services import account_poll
from chorus.monitoring.tests.conftest import link_fake

pytestmark = pytest.mark.django_db


@pytest.fixture
def screen():
    """Overrides the stand-in from conftest: use the engine itself."""
    return None


def test_a_leaked_credential_is_caught_by_the_real_engine(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id,
                     "deploy key for prod: AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG")
    fake_net.publish(profile.external_id, "Lovely weather for the team picnic today")

    account_poll(account_id=account.pk)

    flagged = IngestedPost.objects.get(text__startswith="deploy key")
    assert flagged.verdict in ("warn", "block") and flagged.findings
    assert IngestedPost.objects.get(text__startswith="Lovely").verdict == "allow"
    assert MonitoringAlert.objects.filter(post=flagged).exists()


def test_talk_about_pay_is_protected_and_never_alerts(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id,
                     "Coworkers, let's compare our salaries and organize for better pay. "
                     "Management's raise offer is a damn joke.")
    account_poll(account_id=account.pk)
    post = IngestedPost.objects.get()
    assert post.protected_activity
    assert not MonitoringAlert.objects.exists()


def test_the_stream_builds_one_screener_per_organization(org):
    cache = ScreenerCache()
    assert cache.get(org) is cache.get(org)
    assert callable(screener_for_organization(org))

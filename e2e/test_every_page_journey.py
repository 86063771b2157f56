"""Every page a demo role reaches from its navigation (plus the staff pages the browser trial
listed), at phone width (390 px): no page may be wider than the screen, and axe-core (vendored
from npm under e2e/vendor/axe-core) must find no WCAG 2 A/AA violation. One browser context
per role keeps it quick."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
ROLES = ["employee", "manager", "comms", "hr", "legal", "admin"]
PHONE = {"width": 390, "height": 844}
# Pages the trial found too wide on a phone, visited whether or not the nav links them.
EXTRA = [
    "/incidents/matrix/", "/incidents/matrix/edit/", "/onboarding/people/import/",
    "/policies/lints/", "/audit/", "/advocacy/hub/settings/", "/reports/queue/",
    "/advocacy/leaderboard/", "/advocacy/me/", "/advocacy/hub/analytics/", "/incidents/mine/",
    "/reports/routing/", "/incidents/consistency/", "/account/",
]
SKIP = ("/logout", "/l/", ".csv", "/django-admin", "/api/", "export", "/dev/mailbox")

CHECK = """() => {
  const doc = document.documentElement, vw = window.innerWidth;
  const width = Math.max(doc.scrollWidth, document.body.scrollWidth);
  const wide = [];
  if (width > vw) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && ![...el.children].some(c => c.getBoundingClientRect().right > vw + 1)) {
        wide.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""));
        if (wide.length >= 3) break;
      }
    }
  }
  return {width, viewport: vw, wide};
}"""


def _paths(page, demo) -> list[str]:
    links = page.eval_on_selector_all(
        "#mainnav a[href^='/'], main a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )
    extra = list(EXTRA)
    from chorus.incidents.models import Incident
    from chorus.monitoring.models import LinkedAccount
    from chorus.policy.models import Policy

    for model, url in ((Policy, "/policies/{}/"), (Incident, "/incidents/{}/"),
                       (LinkedAccount, "/monitoring/accounts/{}/")):
        first = model.objects.filter(organization=demo).order_by("pk").first()
        if first:
            extra.append(url.format(first.pk))
    seen: list[str] = []
    for href in ["/", *links, *extra]:
        path = href.split("#")[0].split("?")[0]
        if path and path not in seen and not any(s in path for s in SKIP):
            seen.append(path)
    return seen


def test_every_page_fits_a_phone_and_passes_axe_for_every_role(demo, browser, live_server):
    problems: list[str] = []
    visited = 0
    for role in ROLES:
        # bypass_csp only so the test can inject axe; the pages keep their own CSP.
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        failed: list[str] = []
        page.on("response", lambda r, failed=failed: failed.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)
        login(page, f"{role}@northwind.example")
        for path in _paths(page, demo):
            response = page.goto(path)
            if response is None or response.status >= 400:
                continue
            visited += 1
            size = page.evaluate(CHECK)
            if size["width"] > size["viewport"]:
                problems.append(f"{role} {path}: {size['width']} px wide at {size['viewport']} px "
                                f"({', '.join(size['wide'])})")
                shot(page, f"overflow-{role}-{path.strip('/').replace('/', '_') or 'home'}")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', "
                "'wcag21a', 'wcag21aa']})).violations.map(v => ({id: v.id, n: v.nodes.length, "
                "where: v.nodes.slice(0, 2).map(n => n.target.join(' '))}))"
            )
            if failed:
                problems.append(f"{role} {path}: sub-requests failed {failed}")
                failed.clear()
            for v in result:
                problems.append(f"{role} {path}: axe {v['id']} x{v['n']} {json.dumps(v['where'])}")
        context.close()
    assert visited > 60
    assert problems == [], "\n".join(problems)

"""Locust users for `bench/load_at_volume.py` (see there): employees and HR at volume.

Run by the runner with `CHORUS_BENCH_CODES` (tracked-link codes) and `CHORUS_BENCH_ITEM` (an
item in the employees' feed) in the environment. The server is reached as if behind a TLS
proxy (`X-Forwarded-Proto: https`, BEHIND_PROXY=true), the production setup.
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("CHORUS_BENCH_PASSWORD", "chorus-demo-2026")
CODES = os.environ.get("CHORUS_BENCH_CODES", "").split(",")
ITEM = os.environ.get("CHORUS_BENCH_ITEM", "1")
PEOPLE = int(os.environ.get("CHORUS_BENCH_PEOPLE", "5000"))
PROXY = {"X-Forwarded-Proto": "https"}
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _Member(HttpUser):
    abstract = True
    email = ""

    def on_start(self) -> None:
        self.client.headers.update({**PROXY, "User-Agent": BROWSER})
        page = self.client.get("/login/", name="/login/")
        token = TOKEN.search(page.text)
        self._copy_cookies()
        self.client.post("/login/", name="/login/ (POST)", data={
            "username": self.email, "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": f"{self.origin}/login/"})
        self._copy_cookies()

    def _copy_cookies(self) -> None:
        # The cookies are Secure (production); the load runs on loopback HTTP behind the
        # pretend proxy, so they are sent back as plain cookies.
        for cookie in list(self.client.cookies):
            cookie.secure = False

    @property
    def origin(self) -> str:
        # What the browser sends behind the TLS proxy: Django's CSRF check wants https.
        return (self.host or "").replace("http://", "https://", 1)

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class Employee(_Member):
    """Reads the hub, checks a post, shares an item, looks at their shares."""

    weight = 6
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.email = f"bulk{random.randrange(60, PEOPLE)}@northwind.example"
        super().on_start()

    @task(4)
    def hub(self) -> None:
        self.client.get("/advocacy/", name="/advocacy/ (hub)")

    @task(2)
    def check(self) -> None:
        self.client.post("/check/preview/", name="/check/preview/", data={
            "text": "Proud of what our robotics team shipped this week!"},
            headers={"X-CSRFToken": self.csrf(), "HX-Request": "true",
                     "Referer": f"{self.origin}/check/"})

    @task(1)
    def share(self) -> None:
        page = self.client.get(f"/advocacy/content/{ITEM}/share/?network=linkedin",
                               name="/advocacy/content/<id>/share/")
        token = TOKEN.search(page.text)
        self.client.post(f"/advocacy/content/{ITEM}/share/", name="/advocacy/content/<id>/share/"
                         " (POST)", data={"network": "linkedin", "text": "Worth a read",
                                          "csrfmiddlewaretoken": token.group(1) if token else ""},
                         headers={"Referer": f"{self.origin}/advocacy/"})

    @task(1)
    def my_shares(self) -> None:
        self.client.get("/advocacy/me/", name="/advocacy/me/")


class LinkFollower(HttpUser):
    """Someone on a social network following a tracked link (no account)."""

    weight = 3
    wait_time = between(0.2, 1)

    @task
    def follow(self) -> None:
        code = random.choice(CODES)
        self.client.get(f"/l/{code}", name="/l/<code>", allow_redirects=False,
                        headers={**PROXY, "User-Agent": BROWSER})


class HealthProbe(HttpUser):
    """The cheapest dynamic page, at the link followers' pace: the baseline of the ratio."""

    weight = 3
    wait_time = between(0.2, 1)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz", headers=PROXY)


class HR(_Member):
    """HR opening the dashboards."""

    weight = 1
    wait_time = between(2, 5)
    email = "hr@northwind.example"

    @task(2)
    def onboarding(self) -> None:
        self.client.get("/onboarding/", name="/onboarding/ (HR)")

    @task(1)
    def queue(self) -> None:
        self.client.get("/reports/queue/", name="/reports/queue/")

    @task(1)
    def consistency(self) -> None:
        self.client.get("/incidents/consistency/", name="/incidents/consistency/")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="/ (HR dashboard)")

"""Fault suite: a real server and worker lose PostgreSQL or Redis and get it back
(make test-faults).

The shared PostgreSQL and Redis servers stay up: each test puts a TCP proxy of its own between
the processes and the server, and cuts it (every open connection closed, new ones refused),
which is what a database restart or a network partition looks like from Chorus.
"""

from __future__ import annotations

import re
import time

import pytest
import redis
import requests

from chorus.common.tests.faultkit import (
    REDIS_DB,
    REDIS_PORT,
    REDIS_URL,
    CutOffProxy,
    Process,
    base_env,
    free_port,
    manage,
    postgres_database,
    sqlite_database,
    wait_for,
)

pytestmark = pytest.mark.faults
PASSWORD = "correct-horse-battery-staple"
SETUP = (
    "from chorus.people.services import organization_create, user_create, api_token_create; "
    "org = organization_create(name='Faultline'); "
    f"u = user_create(organization=org, email='ada@faultline.example', full_name='Ada', "
    f"password={PASSWORD!r}, roles=['admin']); "
    "print(api_token_create(user=u, name='faults')[1])"
)


def _login(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=10)
    response = session.post(
        f"{base}/login/",
        data={
            "username": "ada@faultline.example",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/login/"},
        timeout=10,
    )
    assert response.status_code == 200 and "/login/" not in response.url, response.text[:500]
    return session


def _assert_503(response: requests.Response, *, json: bool, dependency: str) -> None:
    assert response.status_code == 503, response.text[:2000]
    assert response.headers["Retry-After"] == "30"
    assert "Traceback" not in response.text
    if json:
        assert response.json()["dependency"] == dependency
    else:
        assert "Chorus is temporarily unavailable" in response.text


def test_pages_answer_503_while_postgresql_is_cut_off_and_recover_without_a_restart(tmp_path):
    with postgres_database() as db:
        token = manage("shell", "-c", SETUP, env=base_env(DATABASE_URL=db.url)).split()[-1]
        proxy = CutOffProxy(5432)
        via_proxy = re.sub(r"@[^/]+/", f"@127.0.0.1:{proxy.port}/", db.url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # Persistent connections: the harder case, the server holds a connection that dies.
        env = base_env(
            DATABASE_URL=via_proxy,
            DATABASE_CONN_MAX_AGE="60",
            DATABASE_CONNECT_TIMEOUT="3",
            TASK_BACKEND="database",
        )
        server = Process(["runserver_plain", f"127.0.0.1:{port}"], env, tmp_path / "web.log")
        worker = Process(
            ["worker", "--no-reload", "--interval", "0.2", "--scheduler-interval", "0.5"],
            env,
            tmp_path / "worker.log",
        )
        api = {"Authorization": f"Bearer {token}"}
        try:
            wait_for(
                lambda: _get(f"{base}/api/v1/me", headers=api) == 200,
                timeout=60,
                what=f"the server to start:\n{server.output()}",
            )
            browser = _login(base)
            assert browser.get(f"{base}/account/", timeout=10).status_code == 200

            proxy.cut()
            _assert_503(
                browser.get(f"{base}/account/", timeout=20), json=False, dependency="database"
            )
            _assert_503(
                requests.get(f"{base}/api/v1/me", headers=api, timeout=20),
                json=True,
                dependency="database",
            )
            time.sleep(2)  # the worker's loop meets the outage too, and must survive it

            proxy.restore()
            wait_for(
                lambda: _get(f"{base}/api/v1/me", headers=api) == 200,
                timeout=30,
                what="the API to answer again",
            )
            assert browser.get(f"{base}/account/", timeout=10).status_code == 200

            journal = tmp_path / "journal.txt"
            journal.touch()
            manage(
                "shell",
                "-c",
                "from chorus.common.tests.fault_tasks import slow_effect_task as t; "
                f"t.enqueue(key='after-outage', journal={str(journal)!r}, first_run_seconds=0)",
                env=base_env(DATABASE_URL=db.url),
            )
            wait_for(
                lambda: "done" in journal.read_text(),
                timeout=60,
                what=f"the same worker to run a task after the outage:\n{worker.output()}",
            )
            assert worker.popen.poll() is None and server.popen.poll() is None
        finally:
            server.kill()
            worker.kill()
            proxy.cut()


def _get(url: str, **kwargs: object) -> int | None:
    try:
        return requests.get(url, timeout=10, **kwargs).status_code  # type: ignore[arg-type]
    except requests.RequestException:
        return None


def test_enqueueing_while_redis_is_cut_off_loses_nothing(tmp_path):
    with sqlite_database(tmp_path) as db:
        redis.Redis.from_url(REDIS_URL).flushdb()
        proxy = CutOffProxy(REDIS_PORT)
        env = base_env(
            DATABASE_URL=db.url,
            TASK_BACKEND="rq",
            REDIS_URL=f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}",
        )
        journal = tmp_path / "journal.txt"
        journal.touch()
        worker = Process(["worker", "--scheduler-interval", "0.5"], env, tmp_path / "worker.log")
        try:
            wait_for(
                lambda: "Listening on" in worker.output(),
                timeout=60,
                what=f"the RQ worker to start:\n{worker.output()}",
            )
            proxy.cut()
            out = manage(
                "shell",
                "-c",
                "from chorus.common.tests.fault_tasks import slow_effect_task as t; "
                f"r = t.enqueue(key='while-redis-down', journal={str(journal)!r}, "
                "first_run_seconds=0); print(r.id)",
                env=env,
            )
            assert out.split()[-1].startswith("outbox-")
            waiting = "SELECT COUNT(*) FROM common_taskoutbox WHERE task_path LIKE %s"
            assert db.query(waiting, ("%slow_effect_task",)) == [(1,)]
            time.sleep(2)
            assert journal.read_text() == ""

            proxy.restore()
            wait_for(
                lambda: "done" in journal.read_text(),
                timeout=90,
                what=f"the task to run once Redis is back:\n{worker.output()}",
            )
            wait_for(
                lambda: db.query("SELECT COUNT(*) FROM common_taskoutbox") == [(0,)],
                timeout=30,
                what="the outbox to empty (periodic jobs queued meanwhile too)",
            )
            assert db.query(
                "SELECT COUNT(*) FROM common_scheduledrun WHERE job = %s",
                ("effect:while-redis-down",),
            ) == [(1,)]
            assert worker.popen.poll() is None
        finally:
            worker.kill()
            proxy.cut()


def test_an_rq_worker_started_while_redis_is_down_waits_for_it(tmp_path):
    with sqlite_database(tmp_path) as db:
        redis.Redis.from_url(REDIS_URL).flushdb()
        proxy = CutOffProxy(REDIS_PORT)
        proxy.cut()
        env = base_env(
            DATABASE_URL=db.url,
            TASK_BACKEND="rq",
            REDIS_URL=f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}",
        )
        worker = Process(["worker", "--scheduler-interval", "0.5"], env, tmp_path / "worker.log")
        try:
            wait_for(
                lambda: "Redis unavailable" in worker.output(),
                timeout=60,
                what=f"the worker to notice:\n{worker.output()}",
            )
            assert worker.popen.poll() is None
            proxy.restore()
            wait_for(
                lambda: "Listening on" in worker.output(),
                timeout=60,
                what=f"the RQ worker to start once Redis is back:\n{worker.output()}",
            )
        finally:
            worker.kill()
            proxy.cut()

"""Two `chorus stream` processes: one leads, the other waits; killing the leader mid-stream
hands over without losing or repeating an event (issue 13)."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from chorus.connectors.bluesky.replay import JetstreamReplayServer
from chorus.monitoring.models import IngestedPost, StreamCursor
from chorus.monitoring.stream import CURSOR_NAME, StreamLeadership
from chorus.monitoring.tests.test_stream import LAST_US, ONE_POST, commit, link_dids

ROOT = Path(__file__).resolve().parents[3]
EVENTS = 150
COMMITTED = re.compile(r"^committed (\d+) events (\d+)\.\.(\d+)$", re.M)


@pytest.mark.django_db
def test_only_one_process_holds_the_stream_lead():
    first, second = StreamLeadership("leader-test"), StreamLeadership("leader-test")
    try:
        assert first.try_acquire()
        assert not second.try_acquire()  # another connection (or file handle) is refused
        assert first.held()
        first.release()
        assert second.try_acquire()  # released: the follower takes over
    finally:
        first.release()
        second.release()


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
            f"/{s['NAME']}")


class Output:
    """A process's output, read line by line on a thread (so the test can wait for a line)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)


def _stream(url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONPATH": str(ROOT),
           "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING", "TASK_BACKEND": "immediate"}
    return subprocess.Popen(
        [sys.executable, "-m", "chorus.cli", "stream", "--url", url, "--batch-size", "5",
         "--leader-poll", "0.2", "--verbosity", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_killing_the_leader_mid_stream_hands_over_and_ingests_every_event_once(
        employee, monitoring_on):
    if connection.vendor != "postgresql":
        pytest.skip("two processes share the database only on PostgreSQL (DATABASE_URL)")
    link_dids(employee, ONE_POST)
    events = [commit(ONE_POST, f"lead{i:04d}", "create", f"Post number {i} from the team",
                     offset=1 + i) for i in range(EVENTS)]
    positions = [e["time_us"] for e in events]
    assert positions[0] > LAST_US

    started: list[subprocess.Popen[str]] = []
    try:
        _hand_over(events, positions, started)
    finally:
        for process in started:  # never leave a stream process behind a failed assertion
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def _hand_over(events, positions, started) -> None:
    with JetstreamReplayServer(events, rate=15) as server:
        # The test holds the lead while both processes start (however slow the machine),
        # then lets go: one of them takes it, the other keeps waiting.
        gate = StreamLeadership(CURSOR_NAME)
        assert gate.try_acquire()
        a, b = _stream(server.url), _stream(server.url)
        started.extend([a, b])
        logs = {a: Output(a), b: Output(b)}
        waiting = "Another chorus stream leads; waiting"
        _wait(lambda: all(waiting in log.text for log in logs.values()))
        gate.release()
        _wait(lambda: any("Leading:" in log.text for log in logs.values()))
        leader = a if "Leading:" in logs[a].text else b
        follower = b if leader is a else a
        leader_log, follower_log = logs[leader], logs[follower]
        _wait(lambda: IngestedPost.objects.count() >= 20)
        assert len(server.connections) == 1  # only the leader subscribed
        stored_before_kill = IngestedPost.objects.count()
        assert stored_before_kill < EVENTS  # the kill below is mid-stream
        leader.send_signal(signal.SIGKILL)  # no clean shutdown
        leader.wait(timeout=10)
        leader_log.thread.join(timeout=10)

        _wait(lambda: IngestedPost.objects.count() >= EVENTS)
        time.sleep(0.5)
        follower.send_signal(signal.SIGTERM)
        follower.wait(timeout=30)
        follower_log.thread.join(timeout=10)
    leader_out, follower_out = leader_log.text, follower_log.text

    assert "Stopped after" not in leader_out  # it was killed, not stopped
    assert len(server.connections) == 2  # the follower subscribed once it led
    resumed = StreamCursor.objects.get(name=CURSOR_NAME).position
    assert resumed == positions[-1]
    # Every event was committed by exactly one process: the committed ranges are disjoint
    # and cover the stream, and the follower started right after the leader's last commit.
    spans = {name: [(int(n), int(a), int(b)) for n, a, b in COMMITTED.findall(out)]
             for name, out in (("leader", leader_out), ("follower", follower_out))}
    covered = [p for _name, rows in spans.items() for _n, a, b in rows
               for p in positions if a <= p <= b]
    assert sorted(covered) == positions  # each position once, none missing
    assert sum(n for rows in spans.values() for n, _a, _b in rows) == EVENTS
    assert spans["leader"] and spans["follower"]
    assert spans["follower"][0][1] == positions[positions.index(spans["leader"][-1][2]) + 1]
    assert f"cursor={spans['leader'][-1][2]}" in server.connections[1]
    assert IngestedPost.objects.count() == EVENTS
    assert IngestedPost.objects.values("external_id").distinct().count() == EVENTS

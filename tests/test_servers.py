"""The servers tests start (tests/servers.py) end with the test process, however it ends."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .servers import DIES_WITH_THE_TESTS, ROOT

pytestmark = pytest.mark.skipif(not DIES_WITH_THE_TESTS, reason="needs util-linux's setpriv")

STARTS_A_REDIS = """
import time
from tests.servers import Redis
redis = Redis().start()
print(redis.proc.pid, flush=True)
time.sleep(60)
"""


def running(pid):
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_a_redis_a_test_started_is_gone_when_the_test_process_is_killed():
    """A run cut off by a kill (a CI timeout, a lost machine) leaves no server behind."""
    tests = subprocess.Popen([sys.executable, "-c", STARTS_A_REDIS], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    redis_pid = int(tests.stdout.readline())
    try:
        assert running(redis_pid)
        os.kill(tests.pid, signal.SIGKILL)  # no teardown runs
        tests.wait(timeout=10)
        deadline = time.monotonic() + 10
        while running(redis_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(redis_pid)
    finally:
        if running(redis_pid):  # this test failing leaves nothing behind either
            os.kill(redis_pid, signal.SIGKILL)

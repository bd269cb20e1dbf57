"""The production front (newsroom/deploy/nginx.conf, Debian's nginx) before gunicorn: slow
clients hold nginx connections and never a worker, oversized uploads are refused before
they are read, static files and uploads are served, and X-Forwarded-Proto is nginx's own.

The configuration tested is the shipped file, with only its EDIT lines pointed at the test's
ports and folders."""

import contextlib
import re
import secrets
import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from .servers import NGINX, ROOT, SITE_CONF, Gunicorn, nginx_before

pytestmark = pytest.mark.slow

@pytest.fixture
def site_env(tmp_path):
    """A migrated SQLite site of its own (the servers are other processes)."""
    import subprocess
    import sys

    var = tmp_path / "var"
    env = {"DATABASE_URL": f"sqlite:///{var / 'newsroom.sqlite3'}", "REDIS_URL": "",
           "NEWSROOM_VAR_DIR": str(var), "MEDIA_ROOT": str(tmp_path / "media")}
    result = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                            env={**Gunicorn().env, **env}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return env


@pytest.fixture
def front(tmp_path, site_env):
    """gunicorn with two sync workers (the kind slow clients starve) behind nginx."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: .ci/run installs Debian's nginx")
    static_root, media_root = tmp_path / "static", tmp_path / "media"
    static_root.mkdir()
    media_root.mkdir(exist_ok=True)
    with Gunicorn(site_env, workers=2, var_dir=site_env["NEWSROOM_VAR_DIR"]) as app, \
            nginx_before(app, static_root=static_root, media_root=media_root) as port:
        warm_up(port)
        yield {"port": port, "app": app, "static": static_root, "media": media_root}


class SlowClients:
    """Connections that send a request's headers a line every two seconds, never ending
    them (a 'slowloris')."""

    def __init__(self, port, count):
        self.sockets = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            self.sockets.append(s)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()

    def trickle(self):
        while not self.stopped.wait(2):
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.sendall(b"X-Still-Typing: 1\r\n")

    def close(self):
        self.stopped.set()
        self.thread.join()
        for s in self.sockets:
            s.close()


def probe(port, path="/robots.txt", timeout=1.0):
    """(status, seconds) of one request on a new connection; status None if no answer."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                      .encode())
            head = s.recv(64)
    except OSError:
        return None, time.monotonic() - started
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return (int(match[1]) if match else None), time.monotonic() - started


def warm_up(port):
    """The first requests load Django's URLs and templates: not what the probes measure."""
    for path in ("/robots.txt", "/"):
        assert probe(port, path, timeout=30)[0] == 200


def test_without_the_front_two_slow_clients_take_sync_workers_offline(site_env):
    """The case the front exists for (and proof that the probes below can fail)."""
    with Gunicorn(site_env, workers=2, var_dir=site_env["NEWSROOM_VAR_DIR"]) as app:
        warm_up(app.port)
        slow = SlowClients(app.port, 2)
        try:
            time.sleep(0.5)
            assert probe(app.port, timeout=2)[0] is None
        finally:
            slow.close()


def test_with_the_front_200_slow_clients_for_30_seconds_leave_readers_answered(front):
    warm_up(front["port"])
    slow = SlowClients(front["port"], 200)
    answers = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            answers.append(probe(front["port"], "/"))
            time.sleep(0.5)
    finally:
        slow.close()
    assert len(answers) > 40
    assert all(status == 200 for status, _seconds in answers), answers
    assert max(seconds for _status, seconds in answers) < 1.0


def test_the_front_refuses_an_oversized_upload_before_reading_it(front):
    status, seconds = oversized_post(front["port"])
    assert status == 413 and seconds < 1.0
    assert probe(front["port"])[0] == 200


def test_gunicorn_alone_refuses_an_oversized_upload_as_soon_as_content_length_says_so(site_env):
    with Gunicorn(site_env, config="newsroom/gunicorn.conf.py",
                  var_dir=site_env["NEWSROOM_VAR_DIR"]) as app:
        warm_up(app.port)
        status, seconds = oversized_post(app.port)
        assert status == 413 and seconds < 1.0
        assert probe(app.port)[0] == 200


def oversized_post(port):
    """A multipart upload that announces 200 MB and sends a few bytes of it."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"POST /admin/articles/image/add/ HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: multipart/form-data; boundary=xyz\r\n"
                  b"Content-Length: 209715200\r\n\r\n--xyz\r\n")
        head = s.recv(64)
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return (int(match[1]) if match else None), time.monotonic() - started


def test_the_front_body_limit_is_in_step_with_the_settings():
    size = re.search(r"client_max_body_size (\d+)m;", SITE_CONF.read_text())[1]
    assert int(size) * 1024 * 1024 == settings.NEWSROOM_REQUEST_MAX_BYTES


def test_the_front_serves_static_files_and_uploads_itself(front):
    (front["static"] / "site.css").write_text("body { color: #222; }")
    (front["media"] / "images").mkdir()
    (front["media"] / "images" / "dot.txt").write_text("a picture, say")
    import urllib.request

    base = f"http://127.0.0.1:{front['port']}"
    with urllib.request.urlopen(base + "/static/site.css") as response:
        assert response.read() == b"body { color: #222; }"
        assert response.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    with urllib.request.urlopen(base + "/media/images/dot.txt") as response:
        assert response.read() == b"a picture, say"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_client_cannot_claim_https_through_the_front(tmp_path, site_env):
    """Django trusts X-Forwarded-Proto in production; nginx sets it from its own scheme."""
    production = {**site_env, "NEWSROOM_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                  "ALLOWED_HOSTS": "localhost", "STATIC_ROOT": str(tmp_path / "collected")}
    with Gunicorn(production, workers=1, var_dir=site_env["NEWSROOM_VAR_DIR"]) as app, \
            nginx_before(app, static_root=tmp_path, media_root=tmp_path) as port, \
            socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: localhost\r\n"
                  b"X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n")
        head = s.recv(256)
    # Plain http through the front: production redirects to https, whatever the client said.
    assert head.startswith(b"HTTP/1.1 301"), head
    assert b"Location: https://localhost/robots.txt" in head

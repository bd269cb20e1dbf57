"""Real servers for tests: gunicorn, a Redis of the test's own and nginx, on 127.0.0.1.

What a reader or a proxy meets is bytes on a socket, decoded by a WSGI server, not Django's
test client; a fault is a process really stopped or frozen. These helpers start each server
on a free port, wait until it answers, and stop it (and everything it started) afterwards.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# A server a test starts is killed when the test process ends, however it ends: a run cut
# off by a timeout or a kill leaves no Redis or gunicorn behind on its port. util-linux's
# setpriv sets Linux's parent-death signal, then runs the server in its own place (the
# signal comes when the thread that started it ends: tests start servers from the main
# thread). Gunicorn's workers leave when their master goes; nginx's do not, so nginx is
# stopped only as before.
DIES_WITH_THE_TESTS = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, *, timeout=30, proc=None):
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def database_url_of(connection):
    """The address of the test database, for a server in another process (PostgreSQL only:
    SQLite's test database lives in the test process's memory)."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _stop(proc, timeout=30):
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGCONT)  # a frozen server cannot stop otherwise
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)


class Gunicorn:
    """``newsroom.wsgi`` served by gunicorn, as ``make run`` and production serve it."""

    def __init__(self, env=None, *, workers=1, worker_class="sync", threads=1, args=(),
                 var_dir=None, config=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "NEWSROOM_VAR_DIR": str(var_dir or ROOT / "var"),
            **(env or {}),
        }
        # With ``config`` (e.g. newsroom/gunicorn.conf.py, what `make serve` uses), the
        # workers are the file's; otherwise the arguments say.
        workers = [] if config else ["--workers", str(workers), "--worker-class", worker_class,
                                     "--threads", str(threads)]
        self.args = [*DIES_WITH_THE_TESTS, sys.executable, "-m", "gunicorn",
                     *(["-c", config] if config else []),
                     "newsroom.wsgi", "--bind", f"127.0.0.1:{self.port}", *workers,
                     "--log-level", "warning", "--access-logfile", "/dev/null", *args]
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, start_new_session=True)
        wait_for_port(self.port, proc=self.proc)
        return self

    def __exit__(self, *exc):
        _stop(self.proc)

    def get(self, path, *, headers=None, data=None, timeout=10):
        """(status, headers, body bytes); an HTTP error status is returned, not raised.
        With ``data`` it is a POST."""
        request = urllib.request.Request(self.url + path, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


class Redis:
    """A Redis of the test's own on a free port, which the test may stop or freeze.

    With ``data_dir`` it keeps a snapshot there when stopped with ``stop(keep_data=True)``,
    and starts again with it: a Redis that comes back *with its old data*."""

    def __init__(self, data_dir=None):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.data_dir = data_dir
        self.proc = None

    def start(self):
        place = ["--dir", str(self.data_dir)] if self.data_dir else []
        self.proc = subprocess.Popen(
            [*DIES_WITH_THE_TESTS, "redis-server", "--port", str(self.port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning", *place],
            stdout=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(self.port, proc=self.proc)
        return self

    def stop(self, *, keep_data=False):
        if keep_data:
            subprocess.run(["redis-cli", "-p", str(self.port), "SAVE"], check=True,
                           stdout=subprocess.DEVNULL)
        _stop(self.proc)

    def freeze(self):
        """SIGSTOP: the port still accepts connections, but nothing is ever answered."""
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def thaw(self):
        os.killpg(self.proc.pid, signal.SIGCONT)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class Nginx:
    """Debian's nginx in the foreground, with a configuration the test writes."""

    def __init__(self, config):
        self.prefix = Path(tempfile.mkdtemp(prefix="newsroom-nginx-"))
        (self.prefix / "logs").mkdir()
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(config)
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-c", str(self.conf), "-g", "daemon off;"],
            start_new_session=True)
        return self

    def wait_for(self, port):
        wait_for_port(port, proc=self.proc)
        return self

    def __exit__(self, *exc):
        _stop(self.proc)
        shutil.rmtree(self.prefix, ignore_errors=True)


class TcpProxy:
    """A TCP relay to ``port`` that the test can cut: every open connection is dropped and
    new ones are refused, as when a database server restarts or the network between goes."""

    def __init__(self, port):
        import threading

        self.target = port
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets = set()
        self._listener = None
        self._threading = threading
        self.accepted = 0  # connections made through it, cut or not

    def __enter__(self):
        self.restore()
        return self

    def __exit__(self, *exc):
        self.cut()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        self._threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self):
        with self._lock:
            if self._listener is not None:
                # shutdown() wakes the thread blocked in accept(); close() alone may not.
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self.accepted += 1
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                self._threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


SITE_CONF = ROOT / "newsroom" / "deploy" / "nginx.conf"


def site_config(*, listen, upstream, static_root, media_root, page_files=None):
    """The shipped front (newsroom/deploy/nginx.conf) with only its EDIT lines changed:
    the test's ports and folders (``page_files``: NEWSROOM_PAGE_FILES_DIR's)."""
    text = SITE_CONF.read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
        "listen 80;": f"listen 127.0.0.1:{listen};",
        "alias /srv/newsroom/var/static/;": f"alias {static_root}/;",
        "alias /srv/newsroom/media/;": f"alias {media_root}/;",
        "root /srv/newsroom/var/page-files;": f"root {page_files or '/nonexistent'};",
    }
    for old, new in replacements.items():
        assert old in text, f"the shipped configuration no longer has {old!r}"
        text = text.replace(old, new)
    return text


def main_config(prefix, site):
    """Debian's /etc/nginx/nginx.conf as far as the site needs it, in the test's folder."""
    temp = "\n".join(f"  {kind}_temp_path {prefix}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""
user root;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
{temp}
{site}
}}
"""


@contextlib.contextmanager
def nginx_before(app, *, static_root, media_root, page_files=None):
    """The shipped front before ``app`` (a running Gunicorn); yields nginx's port."""
    port = free_port()
    site = site_config(listen=port, upstream=app.port, static_root=static_root,
                       media_root=media_root, page_files=page_files)
    nginx = Nginx("")
    nginx.conf.write_text(main_config(nginx.prefix, site))
    with nginx:
        nginx.wait_for(port)
        yield port

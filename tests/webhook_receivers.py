"""Real HTTP receivers for the webhook tests, on 127.0.0.1, checking signatures with the
function docs/api.md gives partners (read from the page, so the page is what is tested)."""

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def documented_verifier():
    """``verify_newsroom_webhook`` as docs/api.md prints it."""
    page = (ROOT / "docs" / "api.md").read_text()
    webhooks = page[page.index("## Webhooks"):]
    code = re.search(r"```python\n(.*?)```", webhooks, re.DOTALL).group(1)
    namespace = {}
    exec(compile(code, "docs/api.md", "exec"), namespace)  # noqa: S102 (our own page)
    return namespace["verify_newsroom_webhook"]


class Receiver:
    """Records every POST and answers with the next of ``statuses`` (the last one repeats).

    ``secrets`` maps a path to the secret its endpoint shares, for checking signatures.
    """

    def __init__(self, statuses=(200,), *, headers=None, drip_seconds=0):
        self.statuses = list(statuses)
        self.extra_headers = headers or {}
        self.drip_seconds = drip_seconds
        self.secrets = {}
        self.received = []
        self.lock = threading.Lock()
        self.verify = documented_verifier()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                secret = receiver.secrets.get(self.path)
                signature = self.headers.get("X-Newsroom-Signature", "")
                with receiver.lock:
                    receiver.received.append({
                        "path": self.path, "headers": dict(self.headers), "body": body,
                        "verified": bool(secret) and receiver.verify(secret, body, signature),
                    })
                    status = (receiver.statuses.pop(0) if len(receiver.statuses) > 1
                              else receiver.statuses[0])
                if receiver.drip_seconds:
                    # A receiver that answers one byte at a time, slower than any deadline.
                    for byte in b"HTTP/1.1 200 OK\r\n":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(receiver.drip_seconds)
                    return
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

"""Playwright fixtures for browser tests in Debian's Chromium.

Browser tests are marked ``@pytest.mark.browser`` and use Django's ``live_server``, which
binds to 127.0.0.1 only. Screenshots go to ``test-artifacts/`` (kept by CI as artifacts).
"""

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # This machine has no network: stop Chromium from trying to reach out at start-up.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; tests still use the ORM.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections

    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None)
                  for alias in connections}
    try:
        with sync_playwright() as playwright:
            # Playwright's event loop gives this thread a new context, and with it new
            # Django connection objects: hand them what serialized_rollback restores from,
            # or every browser test after the first starts on an empty database.
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def new_context(browser, **kwargs):
    """A browser context whose admin pages do not report "still editing" to the server.

    The editing-presence heartbeat and its goodbye beacon (sent as a page closes) would
    reach the live server while the test's database is being torn down; on SQLite that
    write collides with the flush. Presence itself is tested without a browser
    (tests/test_admin_revisions.py), and the "also editing" notice is rendered by the
    server on page load, which browser tests do exercise.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **kwargs)
    context.route("**/presence/", lambda route: route.fulfill(status=204, body=""))
    return context


# The live server's threads (one per connection) in the middle of a request: from Django's
# request_started to its request_finished, whose receivers close the thread's database
# connection before ours runs (it was connected after Django's).
_answering = set()


def _request_started(**kwargs):
    if "process_request_thread" in threading.current_thread().name:
        _answering.add(threading.get_ident())


def _request_finished(**kwargs):
    _answering.discard(threading.get_ident())


request_started.connect(_request_started)
request_finished.connect(_request_finished)


def finish(context):
    """Leave every page (letting its last requests end), close the context, and wait
    until the live server has finished every request it took.

    The live server answers each connection in a thread of its own, which touches the
    database once more as its request ends; the test's teardown must not flush the
    database under it (on SQLite the flush then fails with "table is locked"). A thread
    that has answered and waits on a kept-alive connection for another request touches
    nothing: waiting for those threads to end (Chromium keeps idle connections open) cost
    10 seconds a test.
    """
    for page in context.pages:
        page.goto("about:blank")
    context.close()
    deadline = time.monotonic() + 10
    while _answering and time.monotonic() < deadline:
        time.sleep(0.02)


# The password tests.factories.UserFactory gives every user.
PASSWORD = "correct horse battery"


def log_in_to_admin(page, live_server, username, next_path="/admin/"):
    """Log ``username`` in through the admin's login form, as a person would, and wait for
    the page the login goes on to (``next_path``: the dashboard unless said otherwise)."""
    page.set_default_timeout(15_000)
    query = "" if next_path == "/admin/" else f"?next={next_path}"
    page.goto(f"{live_server.url}/admin/login/{query}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_path}")
    return page


@pytest.fixture
def open_page(browser):
    """``open_page(live_server, username, width=1280)``: a page of its own (a new browser
    context, as another person's browser would be) logged in to the admin as ``username``."""
    opened = []

    def log_in(live_server, username, width=1280):
        context = new_context(browser)
        opened.append(context)
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        return log_in_to_admin(page, live_server, username)

    yield log_in
    for context in opened:
        finish(context)


@pytest.fixture
def page(browser):
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    finish(context)


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves test-artifacts/name.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name, **kwargs):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), **kwargs)
        return path

    return take

"""Lighthouse, as a publisher's SEO or accessibility review would run it, on the demo
newsroom's reader pages: every audit it scores for accessibility, best practices and
search engines passes (performance is left to `make bench`, which measures it on this
machine instead of simulating a phone's network).

Lighthouse comes from npm (package.json, `make test-tools`) and drives Debian's Chromium.
"""

import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article

from .browser import CHROMIUM, CHROMIUM_ARGS

LIGHTHOUSE = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("accessibility", "best-practices", "seo")


def failed_audits(url, output):
    """{category: [(audit id, title), …]} of the scored audits that do not pass on ``url``."""
    subprocess.run(
        [str(LIGHTHOUSE), url, f"--only-categories={','.join(CATEGORIES)}",
         f"--chrome-flags=--headless=new {' '.join(CHROMIUM_ARGS)}",
         "--output=json", f"--output-path={output}", "--quiet"],
        env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, timeout=120)
    report = json.loads(Path(output).read_text())
    failed = {}
    for name, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            # None: not applicable to this page, or informative only.
            if audit["score"] is not None and audit["score"] < 1:
                failed.setdefault(name, []).append((ref["id"], audit["title"]))
    return failed


@pytest.mark.slow
@pytest.mark.browser
# The demo's desks need the role groups a migration made, which an earlier test's flush
# (a live server's transactional database) removes: they are put back first.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reader_pages_pass_every_lighthouse_audit_but_performance(live_server, tmp_path):
    assert LIGHTHOUSE.exists(), "Lighthouse is missing: run `make test-tools` (npm ci)."
    call_command("load_demo", "--no-progress", stdout=io.StringIO())
    call_command("make_renditions", "--no-progress", stdout=io.StringIO())  # as `make run` does
    story = (Article.objects.published().filter(lead_image__isnull=False)
             .exclude(corrections=None).first() or Article.objects.published().first())
    author = story.bylines.first().person
    pages = {
        "home": "/",
        "story": story.get_absolute_url(),
        "author": author.get_absolute_url(),
        "section": story.section.get_absolute_url(),
        "search": "/search/?q=council",
    }
    problems = {}
    for name, path in pages.items():
        failed = failed_audits(live_server.url + path, tmp_path / f"{name}.json")
        if failed:
            problems[name] = failed
    assert problems == {}

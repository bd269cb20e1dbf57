"""A small newsroom on a SQLite file of its own, for tests that run it under gunicorn with
a Redis of their own (tests/servers.py) and break that Redis.

The database is made once per test module (migrations take seconds) and copied for each
test, so each starts from the same site: a live story with a section, tag and author, a
draft ready to publish, and an editor who can publish it.
"""

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

from .servers import ROOT

PASSWORD = "correct horse battery"
LIVE = "Night ferry returns to Gull Point"
DRAFT = "Harbor pilots ratify their contract"

SEED = f"""
from articles.models import Article, Publication
from tests.factories import ArticleFactory, BylineFactory, SectionFactory, UserFactory
publication = Publication.objects.get(is_default=True)
section = SectionFactory(publication=publication, name="Harbor", slug="harbor")
live = ArticleFactory(publication=publication, section=section, published=True,
                      headline="{LIVE}")
live.tags.set(["ferries"])
BylineFactory(article=live, person__full_name="Dana Reyes")
draft = ArticleFactory(publication=publication, section=section, headline="{DRAFT}",
                       summary="The pilots voted 41 to 3 for a four-year contract.")
BylineFactory(article=draft, person=live.bylines.get().person)
UserFactory(username="ruth", is_superuser=True)
import json
print(json.dumps({{"live": live.pk, "draft": draft.pk}}))
"""


def manage(*args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def base_env(directory):
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": f"sqlite:///{directory / 'newsroom.sqlite3'}",
        "NEWSROOM_VAR_DIR": str(directory / "var"), "MEDIA_ROOT": str(directory / "media"),
        "REDIS_URL": "", "NEWSROOM_PAGE_CACHE": "", "NEWSROOM_FRAGMENT_CACHE": "",
    }


class Site:
    """What ``make_site`` made: its folder, the addresses of its pages (``manage.py
    bench_urls``: home, article, section, tag, author, feed, sitemap, search) and the ids of
    its live story and its draft."""

    def __init__(self, directory, paths, pks):
        self.directory, self.paths = directory, paths
        self.live, self.draft = pks["live"], pks["draft"]


def make_site(directory):
    env = base_env(directory)
    manage("migrate", "--noinput", env=env)
    pks = json.loads(manage("shell", "-c", SEED, env=env).strip().splitlines()[-1])
    return Site(directory, json.loads(manage("bench_urls", env=env)), pks)


def copy_site(site, directory, *, redis_url, **settings):
    """``site`` copied to ``directory``, as gunicorn's environment with Redis at
    ``redis_url``."""
    directory.mkdir(exist_ok=True)
    shutil.copy(site.directory / "newsroom.sqlite3", directory / "newsroom.sqlite3")
    return {**base_env(directory), "REDIS_URL": redis_url, "NEWSROOM_PAGE_CACHE": "true",
            "NEWSROOM_FRAGMENT_CACHE": "true", **settings}


def run_in_site(env, code):
    """Python run with the site's settings (``manage.py shell -c``): an editor's script."""
    return manage("shell", "-c", code, env=env)


EDITOR = """
import json, sys
for line in sys.stdin:
    exec(json.loads(line))
    print("done", flush=True)
"""


class Editor:
    """A process with the site's settings, started once, that runs code when told: a change
    made at a moment of the test's choosing, without Django's start-up in between."""

    def __init__(self, env):
        self.proc = subprocess.Popen([sys.executable, "manage.py", "shell", "-c", EDITOR],
                                     cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def run(self, code):
        self.proc.stdin.write(json.dumps(code) + "\n")
        self.proc.stdin.flush()
        # Django's shell may say something first ("24 objects imported automatically").
        for line in self.proc.stdout:
            if line.strip() == "done":
                return
        raise AssertionError("the editor's code failed (its error is above)")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class AdminSession:
    """A logged-in editor's browser, reduced to cookies and forms."""

    def __init__(self, base, username="ruth"):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.post("/admin/login/", {"username": username, "password": PASSWORD,
                                           "next": "/admin/"})
        # Say why a login failed (the form's error, or the page it ended on), not later as
        # a missing word in some other page.
        if 'name="password"' in page:
            shown = re.search(r'<p class="errornote">(.*?)</p>', page, re.S)
            raise AssertionError(f"{username} could not log in: "
                                 f"{shown.group(1).strip() if shown else page[:2000]}")

    def post(self, path, data):
        """The page the form answers with, after its redirect (HTTP errors raise)."""
        page = self.opener.open(self.base + path, timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(self.base + path, data=body.encode(),
                                         headers={"Referer": self.base + path})
        return self.opener.open(request, timeout=30).read().decode()

    def act(self, action, pk):
        """An action of the stories' list (``publish_selected``, ``unpublish_selected``)."""
        return self.post("/admin/articles/article/", {
            "action": action, "_selected_action": [pk], "index": 0})

"""A restore as an operator runs it: the documented steps on a new, empty database, in
processes of their own, then the restored site served by gunicorn; and restores that fail,
which must say so in one line and leave the database and the media folder as they were."""

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from articles.backup.format import TABLES

from .backup_data import build_newsroom, picture_urls, public_pages
from .servers import ROOT, Gunicorn

DOCS = ROOT / "docs" / "import-export.md"
BACKUP = "backup-2026-11-25.zip"  # the name the documentation uses

pytestmark = pytest.mark.django_db


def documented_restore_steps():
    """The commands under "### Restoring on a new server" in docs/import-export.md."""
    section = DOCS.read_text().split("\n### Restoring on a new server\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def manage(*args, env, cwd=ROOT):
    """A manage.py command in a process of its own, as an operator runs it."""
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=cwd, capture_output=True,
        timeout=600, env={**inherited, "NEWSROOM_VAR_DIR": str(ROOT / "var"), **env},
    )
    # Decoded by hand: text mode would turn a progress bar's carriage returns into newlines.
    result.stdout, result.stderr = result.stdout.decode(), result.stderr.decode()
    return result


def screen(text):
    """What a terminal shows of ``text``: a carriage return goes back to the start of the
    line, and what follows overwrites it (as a progress bar redraws and wipes itself)."""
    lines = []
    for line in text.split("\n"):
        shown = []
        for part in line.split("\r"):
            shown[:len(part)] = list(part)
        if "".join(shown).strip():
            lines.append("".join(shown).rstrip())
    return lines


# --- Databases for a site in other processes -------------------------------------------


def _postgres(dbname="postgres"):
    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"], port=s["PORT"], user=s["USER"],
                           password=s["PASSWORD"] or None, dbname=dbname, autocommit=True)


def _postgres_url(dbname):
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{dbname}"


@contextlib.contextmanager
def new_database(folder, name, template=None):
    """An empty database (a copy of ``template``, if given) of the kind this test run uses:
    a file for SQLite, a database of its own on the PostgreSQL server."""
    if connection.vendor != "postgresql":
        path = folder / f"{name}.sqlite3"
        if template:
            shutil.copy(template.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    dbname = f"{connection.settings_dict['NAME']}_{name}"
    with _postgres() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
        admin.execute(f'CREATE DATABASE "{dbname}"{copy}')
    try:
        yield _postgres_url(dbname)
    finally:
        with _postgres() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def row_counts(url):
    """{table: rows} of every table an export holds, read straight from the database."""
    if url.startswith("sqlite:///"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        db = _postgres(url.rsplit("/", 1)[1])
    try:
        return {name: db.execute(f"SELECT count(*) FROM {model._meta.db_table}").fetchone()[0]
                for name, model in TABLES}
    finally:
        db.close()


def site_env(url, media):
    return {"DATABASE_URL": url, "MEDIA_ROOT": str(media), "REDIS_URL": "",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,.example"}


@pytest.fixture(scope="module")
def migrated(django_db_setup, tmp_path_factory):
    """A freshly migrated, empty database to copy: as a new server has after `migrate`."""
    with new_database(tmp_path_factory.mktemp("template"), "restore_template") as url:
        result = manage("migrate", "--noinput", env=site_env(url, "unused"))
        assert result.returncode == 0, result.stderr
        yield url


# --- The restore that works -------------------------------------------------------------


def test_the_documented_restore_steps_give_a_site_that_serves_every_picture(client,
                                                                           tmp_path):
    lead, writer = build_newsroom()
    pages = public_pages(client, lead, writer)
    shown = set().union(*(picture_urls(page) for page in pages.values()))
    assert any("/renditions/" in url for url in shown)
    assert {r.url for r in writer.portrait_renditions()["webp"]} & shown
    call_command("export_newsroom", str(tmp_path / BACKUP), stdout=io.StringIO())

    steps = documented_restore_steps()
    assert [shlex.split(step)[2] for step in steps] == ["migrate", "import_newsroom"]
    media = tmp_path / "restored-media"
    with new_database(tmp_path, "restored") as url:
        env = site_env(url, media)
        for step in steps:
            python, script, *args = shlex.split(step)
            assert (python, script) == (".venv/bin/python", "manage.py"), step
            result = manage(*args, env=env, cwd=tmp_path)  # where the backup file is
            assert result.returncode == 0, f"{step}\n{result.stdout}\n{result.stderr}"

        with Gunicorn(env) as site:
            served = set()
            for path, host in [*((p, "127.0.0.1") for p in pages if p.startswith("/")),
                               ("/", "ledger.example"),
                               (lead.get_absolute_url(), "ledger.example")]:
                status, _headers, body = site.get(path, headers={"Host": host})
                assert status == 200, path
                served |= picture_urls(body)
            assert served == shown
            for path in sorted(served):
                status, headers, body = site.get(path)
                assert status == 200, path
                assert headers["Content-Type"].startswith("image/"), path
                # The very picture the old site served: the original, or a rendition made
                # again from it.
                assert body == (Path(settings.MEDIA_ROOT)
                                / path.removeprefix(settings.MEDIA_URL)).read_bytes(), path
    # The renditions were made during the restore, with a progress bar.
    assert int(re.search(r"Renditions: (\d+) files written", result.stdout)[1]) > 20
    assert "Renditions: 100%" in result.stderr


# --- Restores that fail -----------------------------------------------------------------


def rewrite_zip(path, change):
    """Write the archive at ``path`` again, each member's bytes passed through ``change``."""
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            new.writestr(info, change(info.filename, data))


def damage_member(path, name):
    """Flip bytes in the middle of one member's compressed data, as a bad disk or a broken
    copy would."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(Path(path).read_bytes())
    name_length = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    middle = start + info.compress_size // 2
    data[middle:middle + 8] = bytes(b ^ 0x5A for b in data[middle:middle + 8])
    Path(path).write_bytes(bytes(data))


def truncate(path):
    Path(path).write_bytes(Path(path).read_bytes()[: Path(path).stat().st_size // 2])


def wrong_version(path):
    rewrite_zip(path, lambda name, data: json.dumps(
        {**json.loads(data), "version": 2}).encode() if name == "manifest.json" else data)


def damaged_table(path):
    damage_member(path, "articles.jsonl")


def damaged_last_image(path):
    """The last file of the archive: every row and the other files load first."""
    with zipfile.ZipFile(path) as archive:
        last = [n for n in archive.namelist() if n.startswith("media/")][-1]
    damage_member(path, last)


def rows_cut_off(path):
    """A table that lost its last row, cut where a line ends: still valid JSON lines."""
    rewrite_zip(path, lambda name, data: b"".join(data.splitlines(keepends=True)[:-1])
                if name == "articles.jsonl" else data)


@pytest.mark.parametrize("spoil, message", [
    (truncate, r"backup-2026-11-25.zip is not a readable \.zip file .*: is it complete\?"),
    (wrong_version, r"This export is format version 2; this Newsroom reads version 1\."),
    (damaged_table, r"articles\.jsonl cannot be read: the export is damaged \("),
    (damaged_last_image, r"media/images/\S+ (cannot be read: the export is damaged|does not "
                         r"match its checksum)"),
    (rows_cut_off, r"articles\.jsonl holds 4 rows and the manifest says 5: the export is "
                   r"incomplete"),
], ids=["truncated archive", "wrong version", "damaged table", "damaged image",
        "rows cut off"])
def test_a_failed_restore_says_in_one_line_that_nothing_was_restored(
        client, tmp_path, migrated, spoil, message):
    lead, writer = build_newsroom()
    backup = tmp_path / BACKUP
    call_command("export_newsroom", str(backup), stdout=io.StringIO())
    spoil(backup)
    media = tmp_path / "new-site-media"
    with new_database(tmp_path, "failed", template=migrated) as url:
        before = row_counts(url)
        result = manage("import_newsroom", str(backup), env=site_env(url, media))
        assert result.returncode == 1
        assert result.stdout == ""
        lines = screen(result.stderr)  # progress bars are wiped: only the error stays
        assert len(lines) == 1, repr(result.stderr)
        line = lines[0]
        assert line.startswith("CommandError: Nothing was restored: "), line
        assert re.search(message, line), line
        assert row_counts(url) == before
        assert before["publications"] == 1 and sum(before.values()) == 1  # a fresh install
    assert not media.exists() or list(media.rglob("*")) == []

"""export_newsroom and import_newsroom: a backup restores the newsroom exactly."""

import errno
import io
import json
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from taggit.models import Tag

from articles.backup import export
from articles.backup.format import TABLES
from articles.models import Article, Image, Publication, Revision, Run, Section
from newsroom import renditions
from people.models import Person

from .backup_data import build_newsroom, picture_urls, public_pages
from .factories import ArticleFactory, ImageFactory, PersonFactory, UserFactory


@pytest.fixture
def fresh_content_types():
    """A flush recreates content types with new ids, and the test's rollback brings the old
    ones back: ids cached in between must not leak into other tests."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


def flush_database():
    """manage.py flush, inside the test's transaction (rolled back afterwards)."""
    if connection.vendor == "postgresql":
        # TRUNCATE refuses to run while deferred foreign-key checks are pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False)
    ContentType.objects.clear_cache()


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_content_types")
@pytest.mark.parametrize("target", ["backup", "backup.zip"])
def test_export_flush_import_gives_identical_public_pages(client, settings, tmp_path, target):
    lead, writer = build_newsroom()
    before = public_pages(client, lead, writer)
    assert b"Noor Haddad" in before[lead.get_absolute_url()]
    counts = {name: model._default_manager.count() for name, model in TABLES}
    times = list(Article.objects.order_by("pk").values_list("created_at", "modified_at"))

    out = tmp_path / target
    call_command("export_newsroom", str(out), stdout=io.StringIO())
    flush_database()
    assert not Publication.objects.exists()
    settings.MEDIA_ROOT = tmp_path / "restored-media"  # the files must come from the export
    UserFactory(username="ruth")
    call_command("import_newsroom", str(out), stdout=io.StringIO())

    assert {name: model._default_manager.count() for name, model in TABLES} == counts
    assert list(Article.objects.order_by("pk").values_list("created_at", "modified_at")) == times
    assert public_pages(client, lead, writer) == before
    # Every picture those pages show is a file in the restored media folder: originals
    # (logo, photos) from the export, renditions and portrait squares made by the restore.
    shown = set().union(*(picture_urls(page) for page in before.values()))
    assert Publication.objects.get(is_default=True).logo.url in shown
    assert {r.url for r in writer.portrait_renditions()["webp"]} & shown
    assert len([url for url in shown if "/renditions/" in url]) > 20
    media = Path(settings.MEDIA_ROOT)
    assert [url for url in shown
            if not (media / url.removeprefix(settings.MEDIA_URL)).is_file()] == []
    assert Revision.objects.filter(user__username="ruth").count() == 5
    assert Article.objects.get(pk=lead.pk).created_by.username == "ruth"
    # New rows after a restore get fresh ids (PostgreSQL sequences moved on).
    assert PersonFactory().pk > writer.pk


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_content_types")
def test_an_export_from_before_the_network_gets_every_story_its_home_run(client, tmp_path):
    lead, writer = build_newsroom()
    out = tmp_path / "backup"
    call_command("export_newsroom", str(out), stdout=io.StringIO())
    # An export written before runs existed: no runs.jsonl, no entry in the manifest.
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["tables"] = [t for t in manifest["tables"] if t["name"] != "runs"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "runs.jsonl").unlink()
    homes = set(Run.objects.filter(is_home=True).values_list("article_id", "publication_id",
                                                              "slug", "section_id"))
    flush_database()
    UserFactory(username="ruth")
    call_command("import_newsroom", str(out), stdout=io.StringIO())
    assert set(Run.objects.values_list("article_id", "publication_id", "slug",
                                       "section_id")) == homes
    assert client.get(lead.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_import_refuses_a_database_with_content(tmp_path):
    ArticleFactory(publication=Publication.objects.get(is_default=True))
    out = tmp_path / "backup"
    call_command("export_newsroom", str(out), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already has content .*1 articles"):
        call_command("import_newsroom", str(out), stdout=io.StringIO())


@pytest.mark.django_db
def test_import_replaces_a_fresh_installs_placeholder_publication(tmp_path):
    herald = Publication.objects.get(is_default=True)
    ArticleFactory(publication=herald, headline="Harbor story", published=True)
    out = tmp_path / "backup"
    call_command("export_newsroom", str(out), stdout=io.StringIO())
    Article.objects.all().delete()
    Person.objects.all().delete()
    Publication.objects.update(name="Placeholder")
    Section.objects.all().delete()
    Tag.objects.all().delete()
    call_command("import_newsroom", str(out), stdout=io.StringIO())
    assert list(Publication.objects.values_list("name", flat=True)) == [herald.name]
    assert Article.objects.get().headline == "Harbor story"


@pytest.mark.django_db
def test_export_writes_a_versioned_manifest_and_json_lines(tmp_path):
    article = ArticleFactory(publication=Publication.objects.get(is_default=True),
                             lead_image=ImageFactory(), published=True)
    out = tmp_path / "backup"
    call_command("export_newsroom", str(out), stdout=io.StringIO())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "newsroom-export"
    assert manifest["version"] == 1
    assert [t["name"] for t in manifest["tables"]][:3] == ["publications", "sections", "people"]
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert rows[0]["slug"] == article.slug
    assert rows[0]["publish_at"] == article.publish_at.isoformat()
    with article.lead_image.file.open("rb") as stored:
        assert (out / "media" / article.lead_image.file.name).read_bytes() == stored.read()
    assert manifest["media"][0]["path"] == article.lead_image.file.name


@pytest.mark.django_db
def test_export_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("keep me")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("export_newsroom", str(tmp_path), stdout=io.StringIO())


def make_export(tmp_path, manifest, files=None):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.django_db
@pytest.mark.parametrize("manifest, message", [
    ({"format": "something-else", "version": 1}, "does not describe a Newsroom export"),
    ({"format": "newsroom-export", "version": 99}, "format version 99"),
    ({"format": "newsroom-export", "version": 1,
      "tables": [{"name": "polls", "model": "articles.poll", "rows": 0}]},
     "a table this Newsroom does not know: 'polls'"),
])
def test_import_refuses_unknown_formats(tmp_path, manifest, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_newsroom", str(make_export(tmp_path, manifest)))


@pytest.mark.django_db
def test_import_refuses_a_folder_without_a_manifest(tmp_path):
    with pytest.raises(CommandError, match="no manifest.json"):
        call_command("import_newsroom", str(tmp_path))


@pytest.mark.django_db
def test_import_refuses_unsafe_media_paths_and_rolls_back(tmp_path):
    manifest = {"format": "newsroom-export", "version": 1,
                "tables": [{"name": "sections", "model": "articles.section", "rows": 1}],
                "media": [{"path": "../../etc/passwd", "bytes": 1, "sha256": "x"}]}
    pub = Publication.objects.get(is_default=True)
    section = {"id": 50, "publication": pub.pk, "name": "Metro", "slug": "metro",
               "description": "", "order": 0}
    folder = make_export(tmp_path, manifest, {"sections.jsonl": json.dumps(section) + "\n"})
    with pytest.raises(CommandError, match="unsafe file path"):
        call_command("import_newsroom", str(folder), stdout=io.StringIO())
    assert Publication.objects.filter(pk=pub.pk).exists()  # nothing was changed


@pytest.mark.django_db
def test_import_refuses_a_tampered_image(tmp_path):
    ArticleFactory(publication=Publication.objects.get(is_default=True), lead_image=ImageFactory())
    out = tmp_path / "backup"
    call_command("export_newsroom", str(out), stdout=io.StringIO())
    name = json.loads((out / "manifest.json").read_text())["media"][0]["path"]
    (out / "media" / name).write_bytes(b"not really a picture")
    Article.objects.all().delete()
    Image.objects.all().delete()
    Section.objects.all().delete()
    with pytest.raises(CommandError, match="larger than the manifest says|checksum"):
        call_command("import_newsroom", str(out), stdout=io.StringIO())


def media_files(root):
    return [path for path in Path(root).rglob("*") if path.is_file()]


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_content_types")
def test_rows_the_database_refuses_are_named_and_nothing_is_kept(tmp_path, settings):
    build_newsroom()
    out = tmp_path / "backup"
    call_command("export_newsroom", str(out), "--no-progress", stdout=io.StringIO())
    # A section twice (as a careless merge of two files would have it): the same id.
    lines = (out / "sections.jsonl").read_text().splitlines()
    (out / "sections.jsonl").write_text("\n".join([*lines, lines[0]]) + "\n")
    manifest = json.loads((out / "manifest.json").read_text())
    for table in manifest["tables"]:
        table["rows"] += table["name"] == "sections"
    (out / "manifest.json").write_text(json.dumps(manifest))
    flush_database()
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError, match=r"^Nothing was restored: sections\.jsonl lines 1-4: "
                                           r"the database refused these rows \(.+\)\.$"):
        call_command("import_newsroom", str(out), "--no-progress", stdout=io.StringIO())
    assert {name: model._default_manager.count() for name, model in TABLES} == dict.fromkeys(
        (name for name, _model in TABLES), 0)
    assert media_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["backup", "backup.zip"])
def test_an_export_that_fails_leaves_nothing_behind(tmp_path, monkeypatch, target):
    build_newsroom()
    for writer in (export._DirectoryWriter, export._ZipWriter):
        def disk_full(self, name, real=writer.open):
            if name.startswith("media/people/"):  # after every table and the logos
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(self, name)
        monkeypatch.setattr(writer, "open", disk_full)
    out = tmp_path / target
    with pytest.raises(CommandError, match=r"^Nothing was exported: \[Errno 28\] No space "
                                           r"left on device$"):
        call_command("export_newsroom", str(out), "--no-progress", stdout=io.StringIO())
    assert not out.exists() if target.endswith(".zip") else list(out.iterdir()) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_content_types")
def test_a_picture_that_cannot_be_made_ready_is_reported_and_the_rest_restored(tmp_path,
                                                                             settings):
    herald = Publication.objects.get(is_default=True)
    lost = ImageFactory()
    kept = ImageFactory()
    ArticleFactory(publication=herald, published=True, lead_image=lost)
    ArticleFactory(publication=herald, published=True, lead_image=kept)
    default_storage.delete(lost.file.name)  # gone before the export was made
    out, err = tmp_path / "backup", io.StringIO()
    call_command("export_newsroom", str(out), "--no-progress", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == f"Missing image file, not exported: {lost.file.name}\n"
    flush_database()
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    done, err = io.StringIO(), io.StringIO()
    call_command("import_newsroom", str(out), "--no-progress", stdout=done, stderr=err)
    assert f"Skipped image {lost.pk} ({lost.file.name})" in err.getvalue()
    assert "Run manage.py make_renditions once their files are fixed." in err.getvalue()
    assert "Restored 2 articles and 1 image files" in done.getvalue()
    assert all(default_storage.exists(r.url.removeprefix(settings.MEDIA_URL))
               for r in renditions.renditions(Image.objects.get(pk=kept.pk), "crop"))


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_content_types", "page_cache_on")
def test_a_restore_is_not_hidden_by_pages_cached_before_it(client, tmp_path, commit):
    """A restore loads rows without the signals that refresh cached pages: restoring an
    older backup on a server that served newer pages must show the backup's stories."""
    lead, _writer = build_newsroom()
    out = tmp_path / "backup"
    call_command("export_newsroom", str(out), stdout=io.StringIO())
    with commit():
        lead.headline = "Harbor dredging postponed again"
        lead.save()
    assert b"Harbor dredging postponed again" in client.get(lead.get_absolute_url()).content
    assert client.get(lead.get_absolute_url())["X-Newsroom-Cache"] == "hit"

    flush_database()
    UserFactory(username="ruth")
    call_command("import_newsroom", str(out), stdout=io.StringIO())

    page = client.get(Article.objects.get(pk=lead.pk).get_absolute_url())
    assert b"Harbor dredging postponed again" not in page.content
    assert Article.objects.get(pk=lead.pk).headline.encode() in page.content

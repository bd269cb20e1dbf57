"""export_newsroom and import_newsroom: a backup restores the newsroom exactly."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from taggit.models import Tag

from articles.backup.format import TABLES
from articles.editorial.revisions import record_revision
from articles.models import Article, Byline, Image, Publication, Revision, Section
from people.models import Person, SocialLink

from .factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ImageFactory,
    PersonFactory,
    PublicationFactory,
    RelatedItemFactory,
    SectionFactory,
    UserFactory,
    image_bytes,
)


def build_newsroom():
    """Two publications with a bit of everything a page can show."""
    herald = Publication.objects.get(is_default=True)
    herald.name, herald.tagline = "The Harbor Herald", "News from Port Alder"
    herald.save()
    ledger = PublicationFactory(name="The Valley Ledger", slug="ledger", domain="ledger.example")
    metro = SectionFactory(publication=herald, name="Metro", slug="metro")
    SectionFactory(publication=ledger, name="Farms", slug="farms")
    editor = UserFactory(username="ruth")
    writer = PersonFactory(full_name="Noor Haddad", job_title="City Hall Reporter",
                           bio="Noor covers the council.\n\nShe grew up on Gull Island.",
                           photo=ContentFile(image_bytes(size=(64, 64)), name="noor.jpg"))
    SocialLink.objects.create(person=writer, network="bluesky", url="https://bsky.example/noor")
    shooter = PersonFactory(full_name="Lars Petit", job_title="Photographer", short_bio="")
    now = timezone.now().replace(microsecond=123456)
    lead = ArticleFactory(
        publication=herald, section=metro, headline="Ferry fares to rise in spring",
        status=Article.Status.PUBLISHED, publish_at=now - timedelta(hours=3),
        updated_at=now - timedelta(hours=1), featured=True, priority=2,
        lead_image=ImageFactory(alt_text="The ferry dock at noon."), created_by=editor,
        body="<p>Fares rise by a dollar.</p><figure class=\"inline-image\"><figcaption>Dock</figcaption></figure>",
    )
    lead.tags.set(["ferries", "Gull Island"])
    BylineFactory(article=lead, person=writer)
    BylineFactory(article=lead, person=shooter, role=Byline.Role.PHOTOGRAPHER, order=1)
    second = ArticleFactory(publication=herald, section=metro, headline="Pier repairs finish early",
                            status=Article.Status.PUBLISHED, publish_at=now - timedelta(days=1))
    second.tags.set(["ferries"])
    BylineFactory(article=second, person=writer)
    RelatedItemFactory(article=lead, target=second, order=0)
    RelatedItemFactory(article=lead, url="https://ledger.example/farm", title="Farm news", order=1)
    CorrectionFactory(article=lead, text="An earlier version gave the wrong fare.",
                      created_at=now - timedelta(minutes=30))
    ArticleFactory(publication=herald, section=metro, headline="Scheduled story", scheduled=True)
    ArticleFactory(publication=herald, section=metro, headline="Draft story")
    ArticleFactory(publication=ledger, headline="Harvest is late", published=True)
    for article in Article.objects.all():
        record_revision(article, user=editor, comment="Created")
    return lead, writer


def public_pages(client, lead, writer):
    cache.clear()
    urls = ["/", lead.get_absolute_url(), lead.section.get_absolute_url(),
            writer.get_absolute_url(), "/tag/ferries/"]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    pages["ledger"] = client.get("/", HTTP_HOST="ledger.example").content
    return pages


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
    assert Revision.objects.filter(user__username="ruth").count() == 5
    assert Article.objects.get(pk=lead.pk).created_by.username == "ruth"
    # New rows after a restore get fresh ids (PostgreSQL sequences moved on).
    assert PersonFactory().pk > writer.pk


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
                "tables": [{"name": "sections", "model": "articles.section"}],
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

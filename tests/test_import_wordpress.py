"""manage.py import_wordpress, on small WordPress exports of a fictional newsroom."""

import io
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image as PILImage
from PIL import ImageChops

from articles.importers import fetch
from articles.importers.report import ImportProblem
from articles.importers.wordpress import convert_body
from articles.models import Article, Byline, Image, ImportedItem, Revision, Section
from people.models import Person

from .factories import PersonFactory, PublicationFactory, image_bytes
from .wordpress_corpus import DATA, make_uploads, run, story

pytestmark = pytest.mark.django_db

@pytest.fixture
def uploads(tmp_path):
    """A copy of wp-content/uploads holding one of the export's two pictures."""
    folder = tmp_path / "uploads"
    (folder / "2024" / "03").mkdir(parents=True)
    (folder / "2024" / "03" / "ferry-dawn.jpg").write_bytes(image_bytes(size=(90, 60)))
    (tmp_path / "secret.jpg").write_bytes(image_bytes())
    return folder


def test_posts_keep_their_slugs_and_get_mapped_statuses(publication, uploads):
    run("herald.xml", "--media-dir", str(uploads))
    assert story("council-adds-early-sailings").status == Article.Status.PUBLISHED
    assert story("notes-on-the-breakwater-survey").status == Article.Status.DRAFT
    assert story("school-board-start-times").status == Article.Status.IN_REVIEW
    assert story("holiday-rota").status == Article.Status.DRAFT  # private stays private
    lighthouse = story("lighthouse-reopens")
    assert lighthouse.status_string == "Scheduled"
    assert not lighthouse.is_public
    assert set(Article.objects.published().values_list("slug", flat=True)) == {
        "council-adds-early-sailings", "old-bridge-closes",
    }
    assert Article.objects.filter(publication=publication).count() == 6


def test_publish_times_come_from_the_gmt_date_or_the_rss_date(publication, uploads):
    run("herald.xml", "--media-dir", str(uploads))
    assert story("council-adds-early-sailings").publish_at == datetime(2024, 3, 12, 14, 30, tzinfo=UTC)
    assert story("old-bridge-closes").publish_at == datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
    assert story("notes-on-the-breakwater-survey").publish_at is None


def test_body_becomes_paragraphs_and_figures_and_is_sanitized(publication, uploads):
    run("herald.xml", "--media-dir", str(uploads))
    body = story("council-adds-early-sailings").body
    assert body.startswith("<p>The Port Alder harbor council voted 5-2")
    assert "<p>Commuters had asked for the change for three years.<br>" in body
    assert '<figure class="inline-image align-right">' in body
    assert "<figcaption>The first sailing will leave at 5:40 a.m.</figcaption></figure>" in body
    assert "[caption" not in body
    assert "<script" not in body and "alert" not in body
    assert "<h2>What it costs</h2>" in body
    blocks = story("school-board-start-times").body
    assert blocks.startswith("<p>The school board heard from sleepy students on Wednesday.</p>\n"
                             "<p>A vote is expected in May.</p>\n")
    assert "<!--" not in blocks


def test_excerpt_section_tags_and_co_authors(publication, uploads):
    run("herald.xml", "--media-dir", str(uploads))
    article = story("council-adds-early-sailings")
    assert article.summary == "Commuters to Gull Island win two early sailings."
    assert article.section == Section.objects.get(publication=publication, slug="city-hall")
    assert article.section.description == "Council, mayor and the city budget."
    # The second category is kept as a tag, with the post's own tags.
    assert sorted(article.tags.names()) == ["Gull Island", "Harbor & Marine", "ferries"]
    assert [p.full_name for p in article.authors()] == ["Marisol Okafor", "Inès Varga"]
    varga = Person.objects.get(full_name="Inès Varga")
    assert varga.email == "ines@freelance.example"
    assert varga.user is None
    assert "mend them" in varga.bio
    assert [p.full_name for p in story("old-bridge-closes").authors()] == ["Theo Brandt"]


def test_authors_become_people_never_logins(publication, uploads, django_user_model):
    users_before = django_user_model.objects.count()
    run("herald.xml", "--media-dir", str(uploads))
    assert django_user_model.objects.count() == users_before
    assert sorted(Person.objects.values_list("full_name", flat=True)) == [
        "Inès Varga", "Marisol Okafor", "Theo Brandt",
    ]


def test_featured_image_becomes_the_lead_image(publication, uploads):
    out = run("herald.xml", "--media-dir", str(uploads))
    image = story("council-adds-early-sailings").lead_image
    assert image.alt_text.startswith("The Gull Island ferry pulls away")
    assert (image.width, image.height) == (90, 60)
    # Stored re-encoded from its pixels, like every upload (newsroom/reencode.py).
    with PILImage.open(image.file) as stored, \
            PILImage.open(uploads / "2024/03/ferry-dawn.jpg") as original:
        assert stored.format == "JPEG"
        difference = ImageChops.difference(stored.convert("RGB"), original.convert("RGB"))
        assert max(high for _low, high in difference.getextrema()) < 16
    assert story("notes-on-the-breakwater-survey").lead_image is None
    assert "2024/03/breakwater.jpg was not found in --media-dir" in out


def test_pages_menus_and_auto_drafts_are_reported_and_skipped(publication, uploads):
    out = run("herald.xml", "--media-dir", str(uploads))
    assert "Left out: 1 page, 1 menu item, 1 comment\n" in out
    assert "post 107 “Auto Draft”: an empty automatic draft" in out
    assert "post 108 “Ferry schedule (old draft)”: in the trash" in out
    assert not Article.objects.filter(headline__in=["About the Herald", "Home", "Auto Draft"]).exists()
    assert "articles: 6 created" in out


def test_each_imported_story_has_a_revision(publication, uploads):
    run("herald.xml", "--media-dir", str(uploads))
    article = story("council-adds-early-sailings")
    revision = article.revisions.get()
    assert revision.comment == "Imported from WordPress"
    assert revision.data["headline"] == article.headline


def test_running_twice_creates_nothing_twice(publication, uploads):
    run("herald.xml", "--media-dir", str(uploads))
    counts = [model.objects.count() for model in (Article, Person, Section, Image, ImportedItem)]
    out = run("herald.xml", "--media-dir", str(uploads))
    assert [model.objects.count() for model in (Article, Person, Section, Image, ImportedItem)] == counts
    assert "articles: 6 unchanged" in out
    assert story("council-adds-early-sailings").revisions.count() == 1


def test_a_changed_post_is_updated_on_the_next_run(publication, uploads, tmp_path):
    run("herald.xml", "--media-dir", str(uploads))
    changed = tmp_path / "changed.xml"
    changed.write_text((DATA / "herald.xml").read_text().replace(
        "Old bridge closes for repairs", "Old bridge closes for two weeks of repairs"))
    out = io.StringIO()
    call_command("import_wordpress", str(changed), "--no-progress", "--media-dir", str(uploads),
                 stdout=out)
    assert "1 updated" in out.getvalue()
    article = story("old-bridge-closes")
    assert article.headline == "Old bridge closes for two weeks of repairs"
    assert article.revisions.first().comment == "Updated from WordPress"
    assert Article.objects.count() == 6


def test_an_existing_person_with_the_same_email_is_reused(publication, uploads):
    theo = PersonFactory(full_name="Theo Brandt", email="Theo.Brandt@harborherald.example")
    run("herald.xml", "--media-dir", str(uploads))
    assert story("old-bridge-closes").authors() == [theo]
    assert Person.objects.filter(full_name="Theo Brandt").count() == 1


def test_a_slug_taken_by_another_story_gets_a_suffix(publication, uploads):
    Article.objects.create(publication=publication, headline="Earlier bridge story",
                           slug="old-bridge-closes")
    run("herald.xml", "--media-dir", str(uploads))
    assert Article.objects.filter(headline="Old bridge closes for repairs").get().slug == "old-bridge-closes-2"


def test_publication_option_chooses_where_stories_go(publication, uploads):
    ledger = PublicationFactory(slug="ledger")
    run("herald.xml", "--media-dir", str(uploads), "--publication", "ledger")
    assert Article.objects.filter(publication=ledger).count() == 6
    assert not Article.objects.filter(publication=publication).exists()
    assert Section.objects.filter(publication=ledger, slug="harbor").exists()


def test_unknown_publication_is_a_clear_error(publication):
    with pytest.raises(CommandError, match="No publication has the slug “nowhere”"):
        run("herald.xml", "--publication", "nowhere")


def test_bad_records_are_reported_and_the_rest_imports(publication, uploads):
    out = run("broken.xml", "--media-dir", str(uploads))
    assert set(Article.objects.values_list("slug", flat=True)) == {
        "late-harvest", "county-fair-opens", "creek-cleanup-draws-a-crowd",
    }
    assert "articles: 3 created, 5 failed" in out
    assert "post 2 “A date that never was”: its date “2024-02-31 25:00:00” is not a valid" in out
    assert "post 3 “untitled”: it has no title" in out
    assert "its status “half-baked” is not one WordPress uses" in out
    assert "it has no post id (wp:post_id)" in out
    assert "it is marked “publish” but has no date" in out
    assert "its featured image (attachment 99) is not in the export" in out


def test_an_attachment_path_outside_the_media_dir_is_refused(publication, uploads):
    out = run("broken.xml", "--media-dir", str(uploads))
    assert "../../secret.jpg points outside --media-dir" in out
    assert not Image.objects.exists()


@pytest.mark.parametrize("name", ["external-entity.xml", "billion-laughs.xml"])
def test_xml_with_a_doctype_is_refused_before_anything_is_imported(publication, name):
    with pytest.raises(CommandError, match="Refused: the file declares a DOCTYPE"):
        run(name)
    assert not Article.objects.exists()


def test_malformed_xml_is_a_clear_error(publication):
    with pytest.raises(CommandError, match="not well-formed XML"):
        run("truncated.xml")


def test_help_explains_the_command(capsys):
    with pytest.raises(SystemExit):
        call_command("import_wordpress", "--help")
    assert "--media-dir" in capsys.readouterr().out


def test_caption_attribute_and_left_alignment():
    html = convert_body('[caption align="alignleft" caption="Gulls on the pier"]<img src="https://x.example/a.jpg" alt="">[/caption]')
    assert html == ('<figure class="inline-image align-left"><img src="https://x.example/a.jpg" alt="">'
                    "<figcaption>Gulls on the pier</figcaption></figure>")


# --- Fetching pictures over HTTP (no network in tests) ---------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.20", "169.254.169.254", "0.0.0.0",
    "::1", "fe80::1", "fc00::5", "::ffff:127.0.0.1", "224.0.0.1", "100.64.0.1",
])
def test_loopback_private_and_link_local_addresses_are_not_public(address):
    assert not fetch.is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5"])
def test_internet_addresses_are_public(address):
    assert fetch.is_public_address(address)


def fake_dns(monkeypatch, *addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_host_that_resolves_to_a_private_address_is_refused_before_connecting(monkeypatch):
    fake_dns(monkeypatch, "93.184.215.14", "10.0.0.7")
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("connected"))
    with pytest.raises(ImportProblem, match="resolves to 10.0.0.7"):
        fetch.fetch_url("http://pictures.example/a.jpg", max_bytes=1000)


def test_the_metadata_address_is_refused(monkeypatch):
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("connected"))
    with pytest.raises(ImportProblem, match="not a public internet address"):
        fetch.fetch_url("http://169.254.169.254/latest/meta-data/", max_bytes=1000)


def test_only_http_addresses_are_fetched():
    with pytest.raises(ImportProblem, match="only http and https"):
        fetch.fetch_url("file:///etc/passwd", max_bytes=1000)


def test_downloads_stop_at_the_size_cap():
    assert fetch.read_capped(io.BytesIO(b"x" * 100), 100) == b"x" * 100
    with pytest.raises(ImportProblem, match="larger than the 99-byte limit"):
        fetch.read_capped(io.BytesIO(b"x" * 100), 99)


def test_media_is_fetched_only_when_asked(publication, monkeypatch):
    calls = []
    monkeypatch.setattr("articles.importers.wordpress.media.fetch_url",
                        lambda url, max_bytes: calls.append(url) or image_bytes())
    run("herald.xml")
    assert calls == []
    assert story("council-adds-early-sailings").lead_image is None
    Article.objects.all().delete()
    ImportedItem.objects.all().delete()
    run("herald.xml", "--fetch-media")
    assert "https://old.harborherald.example/wp-content/uploads/2024/03/ferry-dawn.jpg" in calls
    assert story("council-adds-early-sailings").lead_image is not None


def write_wxr(tmp_path, items, namespace="http://wordpress.org/export/1.0/"):
    path = tmp_path / "small.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{namespace}"><channel>'
        "<wp:base_site_url>https://small.example</wp:base_site_url>"
        f"{items}</channel></rss>", encoding="utf-8")
    return path


def post(post_id, title, status="publish", slug="", date="2024-05-01 12:00:00", body="Text."):
    return (f"<item><title>{title}</title><guid>https://small.example/?p={post_id}</guid>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_date_gmt>{date}</wp:post_date_gmt>"
            f"<wp:post_name>{slug}</wp:post_name><wp:status>{status}</wp:status>"
            "<wp:post_type>post</wp:post_type></item>")


def test_older_wxr_versions_entities_in_titles_and_unicode_slugs(publication, tmp_path):
    path = write_wxr(tmp_path, post(1, "Mayor&#8217;s &amp; council&#8217;s plan", slug="mayors-plan")
                     + post(2, "Κρήτη ferry link", slug="%ce%ba%cf%81%ce%ae%cf%84%ce%b7"))
    call_command("import_wordpress", str(path), "--no-progress", stdout=io.StringIO())
    assert story("mayors-plan").headline == "Mayor’s & council’s plan"
    assert story("κρήτη").headline == "Κρήτη ferry link"


def test_a_scheduled_post_whose_time_passed_waits_for_review(publication, tmp_path):
    path = write_wxr(tmp_path, post(3, "Missed its slot", status="future", slug="missed"))
    out = io.StringIO()
    call_command("import_wordpress", str(path), "--no-progress", stdout=out)
    assert story("missed").status == Article.Status.IN_REVIEW
    assert not Article.objects.published().exists()
    assert ("post 3 “Missed its slot”: scheduled in WordPress for 2024-05-01 12:00 UTC, which "
            "has passed without it going live; imported for review") in out.getvalue()


def test_a_file_that_is_not_a_wordpress_export_is_refused(publication, tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<?xml version='1.0'?><notes><note>Hi</note></notes>")
    with pytest.raises(CommandError, match="not a WordPress export: its root element is <notes>"):
        call_command("import_wordpress", str(path), "--no-progress")


def test_yoast_seo_title_and_description_are_kept_unless_they_are_templates(publication, uploads):
    run("herald.xml", "--media-dir", str(uploads))
    council = story("council-adds-early-sailings")
    assert council.seo_title == "Two early ferry sailings for Gull Island"
    assert council.seo_description == "The harbor council voted to add sailings before 7 a.m."
    assert story("old-bridge-closes").seo_title == ""


def test_a_dry_run_reports_and_saves_nothing(publication, uploads, settings):
    out = run("herald.xml", "--media-dir", str(uploads), "--dry-run")
    assert "Dry run into" in out
    assert "articles: 6 created" in out and "images: 1 created" in out
    assert not Article.objects.exists()
    assert not Person.objects.exists()
    assert not ImportedItem.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "images").exists()


# --- Issue #15: namespaces and files with nothing to import ----------------------------

HARBOR = "harbor-wxr-1.2-https.xml"


@pytest.mark.parametrize("namespace", [
    f"{scheme}://wordpress.org/export/{version}/"
    for scheme in ("http", "https") for version in ("1.0", "1.1", "1.2")
])
def test_every_wxr_version_imports_under_http_and_https(publication, tmp_path, namespace):
    path = write_wxr(tmp_path, post(5, "Ferry fares hold steady", slug="fares"), namespace)
    out = run(path)
    assert "articles: 1 created" in out
    assert story("fares").headline == "Ferry fares hold steady"


@pytest.mark.parametrize(("export", "created"), [
    ("harbor-wxr-1.2-https.xml", 10), ("ledger-classic-wxr-1.1.xml", 2),
    ("gazette-blocks-wxr-1.2.xml", 1), ("hosted-wordpress-com.xml", 1),
    ("courier-wxr-1.0.xml", 1), ("herald.xml", 6),
])
def test_each_export_of_the_corpus_imports_its_posts(publication, export, created):
    assert f"articles: {created} created\n" in run(export)
    assert Article.objects.count() == created


def test_an_export_under_the_https_namespace_imports_everything(publication):
    """It used to import nothing and exit 0 ("untyped items are not imported")."""
    out = run(HARBOR)
    assert "untyped" not in out
    assert story("council-adds-early-sailings").section.name == "City Hall"
    assert [p.full_name for p in story("council-adds-early-sailings").authors()] == [
        "Marisol Okafor"]


def test_wxr_1_0_tags_and_categories_are_read(publication):
    run("courier-wxr-1.0.xml")
    article = story("snow-closes-schools")
    assert article.section.name == "Schools"
    assert list(article.tags.names()) == ["snow days"]
    assert article.publish_at == datetime(2010, 2, 10, 11, 15, tzinfo=UTC)
    assert "<p>Buses stayed in the depot again" in article.body


@pytest.mark.parametrize(("export", "message"), [
    ("plain-rss-feed.xml", "not a WordPress export: it has no WordPress (wp:) namespace"),
    ("pages-only.xml", "Nothing to import: the export holds no posts (only 2 pages)."),
])
def test_a_file_with_nothing_to_import_is_an_error_that_writes_nothing(publication, export,
                                                                       message):
    with pytest.raises(CommandError) as caught:
        run(export)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not Article.objects.exists() and not Person.objects.exists()


def test_an_export_holding_only_trash_and_automatic_drafts_is_an_error(publication, tmp_path):
    path = write_wxr(tmp_path, post(1, "Old", status="trash") + post(2, "Auto Draft",
                                                                     status="auto-draft"))
    with pytest.raises(CommandError, match="holds no posts .only 2 trashed or automatic"):
        run(path)


# --- Nothing private becomes public ---------------------------------------------------


def test_posts_wordpress_kept_from_readers_are_never_public(publication):
    out = run(HARBOR)
    pilots = story("pilots-contract-terms")  # "publish", with a password
    assert pilots.status == Article.Status.DRAFT and pilots.publish_at is None
    assert story("holiday-rota").status == Article.Status.DRAFT  # private
    assert story("school-board-start-times").status == Article.Status.IN_REVIEW  # pending
    assert story("notes-on-the-breakwater-survey").status == Article.Status.DRAFT  # draft
    lighthouse = story("lighthouse-reopens")  # future
    assert lighthouse.status_string == "Scheduled"
    assert lighthouse.publish_at == datetime(2031, 6, 1, 10, 0, tzinfo=UTC)
    assert set(Article.objects.published().values_list("slug", flat=True)) == {
        "council-adds-early-sailings", "storm-closes-the-harbor", "tide-tables-april",
        "tide-tables-may", "letters-benches",
    }
    assert "Not public (5):\n" in out
    for line in [
        "post 102 “Harbor pilots’ contract: the draft terms”: password-protected in WordPress "
        "(publish); imported as a draft",
        "post 103 “Newsroom holiday rota”: private in WordPress; imported as a draft",
        "post 104 “School board weighs later start times”: pending review in WordPress; "
        "imported for review",
        "post 105 “Notes on the breakwater survey”: a draft in WordPress; imported as a draft",
        "post 106 “Lighthouse reopens for summer tours”: scheduled in WordPress for "
        "2031-06-01 10:00 UTC; imported as scheduled",
    ]:
        assert f"  - {line}\n" in out


def test_the_public_page_of_a_password_protected_post_is_not_found(client, publication):
    run(HARBOR)
    pilots = story("pilots-contract-terms")
    assert client.get(pilots.get_absolute_url()).status_code == 404
    assert "pilots" not in client.get("/").content.decode()


@pytest.mark.parametrize("status", ["publish", "future", "private", "pending", "draft"])
def test_a_password_makes_any_post_a_draft(publication, tmp_path, status):
    item = post(9, "Members only", status=status, slug="members", date="2031-01-01 09:00:00")
    path = write_wxr(tmp_path, item.replace(
        "<wp:post_type>", "<wp:post_password>secret</wp:post_password><wp:post_type>"))
    out = run(path)
    assert story("members").status == Article.Status.DRAFT
    assert not Article.objects.published(at=datetime(2040, 1, 1, tzinfo=UTC)).exists()
    assert f"password-protected in WordPress ({status}); imported as a draft" in out


# --- Identity ---------------------------------------------------------------------------


def test_two_posts_sharing_a_guid_are_two_stories(publication):
    run(HARBOR)
    april, may = story("tide-tables-april"), story("tide-tables-may")
    assert april.pk != may.pk
    assert "every day of April" in april.body and "every day of May" in may.body


def test_a_second_run_of_the_same_file_changes_nothing(publication, tmp_path):
    uploads = make_uploads(tmp_path / "uploads")
    for export in ("harbor-wxr-1.2-https.xml", "ledger-classic-wxr-1.1.xml"):
        run(export, "--media-dir", str(uploads))
    models = (Article, Person, Section, Image, ImportedItem, Revision, Byline)
    before = {model: model.objects.count() for model in models}
    versions = dict(Article.objects.values_list("pk", "version"))
    for export, count in (("harbor-wxr-1.2-https.xml", 10), ("ledger-classic-wxr-1.1.xml", 2)):
        out = run(export, "--media-dir", str(uploads))
        assert f"articles: {count} unchanged\n" in out
        assert "created" not in out and "updated" not in out
    assert {model: model.objects.count() for model in models} == before
    assert dict(Article.objects.values_list("pk", "version")) == versions


def test_a_post_is_known_by_its_site_and_post_id_not_its_guid(publication, tmp_path):
    run(HARBOR)
    moved = tmp_path / "moved.xml"  # the GUIDs changed (a migrated site), the ids did not
    moved.write_text((DATA / HARBOR).read_text().replace("/?p=", "/?post=")
                     .replace("Tide tables for May", "Tide tables for May, corrected"))
    out = run(moved)
    assert "articles: 1 updated, 9 unchanged" in out
    assert story("tide-tables-may").headline == "Tide tables for May, corrected"
    assert Article.objects.count() == 10


def test_the_same_post_id_on_another_site_is_another_story(publication, tmp_path):
    run(HARBOR)
    other = tmp_path / "other.xml"
    other.write_text((DATA / HARBOR).read_text().replace(
        "<wp:base_blog_url>https://harborherald.example<",
        "<wp:base_blog_url>https://harborherald.example/islands<"))
    assert "articles: 10 created" in run(other)
    assert Article.objects.count() == 20


def test_a_story_imported_under_the_old_guid_key_is_updated_not_duplicated(publication):
    """Earlier versions keyed a post by its GUID; a GUID found once in the file still finds
    that story, and the record moves to the new key."""
    earlier = Article.objects.create(publication=publication, headline="Storm (old import)",
                                     slug="storm-old")
    ImportedItem.objects.create(source="wordpress", kind="post", fingerprint="old",
                                key="https://harborherald.example|post|"
                                    "https://harborherald.example/?p=107", article=earlier)
    out = run(HARBOR)
    assert "articles: 9 created, 1 updated" in out
    earlier.refresh_from_db()
    assert earlier.headline == "Storm closes the harbor for a day"
    assert ImportedItem.objects.get(article=earlier).key == "https://harborherald.example|post|107"


def test_a_guid_two_posts_share_finds_no_old_story(publication):
    shared = Article.objects.create(publication=publication, headline="Tides (old import)",
                                    slug="tides-old")
    ImportedItem.objects.create(source="wordpress", kind="post", fingerprint="old",
                                key="https://harborherald.example|post|"
                                    "https://staging.harborherald.example/?p=12", article=shared)
    run(HARBOR)
    shared.refresh_from_db()
    assert shared.headline == "Tides (old import)"
    assert story("tide-tables-april").pk != shared.pk != story("tide-tables-may").pk


def test_a_post_id_twice_in_one_file_is_reported(publication, tmp_path):
    path = write_wxr(tmp_path, post(4, "First", slug="first") + post(4, "Second", slug="second"))
    out = run(path)
    assert "post 4 “Second”: post id 4 appears twice in the file; the first was imported" in out
    assert list(Article.objects.values_list("slug", flat=True)) == ["first"]


# --- Sticky posts -----------------------------------------------------------------------


def test_sticky_posts_become_featured(publication):
    run(HARBOR)
    assert set(Article.objects.filter(featured=True).values_list("slug", flat=True)) == {
        "council-adds-early-sailings"}
    run("gazette-blocks-wxr-1.2.xml")
    assert story("kelp-count").featured


# --- The report -------------------------------------------------------------------------


def test_the_report_counts_what_was_left_out(publication):
    out = run(HARBOR)
    assert ("Left out: 2 pages, 2 menu items, 1 reusable block, 4 comments, "
            "1 attachment not used by any imported post\n") in out
    assert "Skipped (1):\n  - post 120 “Auto Draft”: an empty automatic draft\n" in out


def test_names_show_text_not_entities(publication):
    out = run(HARBOR)
    assert "&amp;" not in out and "&#8217;" not in out
    assert Section.objects.get(slug="media-text").name == "Media & Text"
    assert Section.objects.get(slug="media-text").description == (
        "Notes on how the Herald works & what it prints.")
    assert sorted(story("council-adds-early-sailings").tags.names()) == [
        "Budget & Taxes", "Media & Text", "ferries"]
    assert story("storm-closes-the-harbor").authors()[0].full_name == "Desk & Wire"
    assert story("pilots-contract-terms").headline == "Harbor pilots’ contract: the draft terms"


def test_a_malformed_author_login_is_reported_not_made_a_person(publication):
    out = run(HARBOR)
    assert ("post 112 “Letters: more benches on the boardwalk”: left the author login “>rlee” "
            "off the byline: it is not a login WordPress makes") in out
    assert not Person.objects.filter(full_name__contains="rlee").exists()
    assert story("letters-benches").authors() == []
    assert sorted(Person.objects.values_list("full_name", flat=True)) == [
        "Desk & Wire", "Marisol Okafor", "Theo Brandt"]


# --- Bad input --------------------------------------------------------------------------


def junk(tmp_path):
    path = tmp_path / "junk.xml"
    path.write_bytes(os.urandom(1024) * (50 * 1024))  # 50 MB of noise
    return path


def junk_inside_an_export(tmp_path):
    path = tmp_path / "padded.xml"
    with path.open("w") as fh:
        fh.write('<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/">'
                 "<channel><wp:wxr_version>1.2</wp:wxr_version><description>")
        for _ in range(50 * 1024):
            fh.write("harbor " * 146 + "\n")  # 50 MB of text, and no post
        fh.write("</description></channel></rss>")
    return path


def binary(tmp_path):
    path = tmp_path / "picture.xml"
    path.write_bytes(image_bytes())
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: DATA / "truncated.xml", "it ends in the middle of the export (line 2, "
                                         "column 34); the file may have been cut off."),
    (lambda tmp: DATA / "empty.xml", "This file is empty."),
    (binary, "This is not well-formed XML: not well-formed (invalid token)"),
    (lambda tmp: DATA / "billion-laughs.xml", "Refused: the file declares a DOCTYPE"),
    (lambda tmp: DATA / "external-entity.xml", "Refused: the file declares a DOCTYPE"),
    (junk, "This is not well-formed XML"),
    (junk_inside_an_export, "Nothing to import: the export holds no posts."),
])
def test_bad_files_get_one_clear_line_and_nothing_is_written(publication, tmp_path, make,
                                                             message):
    path = make(tmp_path)
    with pytest.raises(CommandError) as caught:
        run(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    for model in (Article, Person, Section, Image, ImportedItem):
        assert not model.objects.exists()


def test_a_bad_file_exits_with_status_1_and_one_line_before_touching_the_database(tmp_path):
    database = tmp_path / "untouched.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "import_wordpress", str(DATA / "truncated.xml"),
         "--no-progress"],
        cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"}, timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {DATA / 'truncated.xml'}: This is not well-formed XML: it ends in the "
        "middle of the export (line 2, column 34); the file may have been cut off."]
    assert not database.exists()


class TricklingServer:
    """A web server on 127.0.0.1 that answers one byte at a time, each well within the
    per-read timeout: in the headers (``stage="headers"``) or in the body."""

    def __init__(self, stage, interval=0.1, length=400):
        import threading

        self.stage, self.interval, self.length = stage, interval, length
        self.sent = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        import time

        conn, _ = self.listener.accept()
        with conn:
            conn.recv(4096)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
            body = b"x" * self.length
            if self.stage == "headers":
                head += b"X-Slow: " + b"y" * self.length + b"\r\n"
            head += f"Content-Length: {self.length}\r\n\r\n".encode()
            data = head + body
            start = 0 if self.stage == "headers" else len(head)
            try:
                conn.sendall(data[:start])
                for byte in range(start, len(data)):  # at most 40 s at 0.1 s a byte
                    conn.sendall(data[byte:byte + 1])
                    self.sent += 1
                    time.sleep(self.interval)
            except OSError:
                return  # the client hung up: what the test wants

    def close(self):
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.mark.parametrize("stage", ["headers", "body"])
def test_a_download_that_trickles_stops_at_the_deadline(monkeypatch, settings, stage):
    settings.NEWSROOM_FETCH_SECONDS = 1
    server = TricklingServer(stage)
    # The address checks are tested above; here the "public" server is on this machine.
    monkeypatch.setattr(fetch, "resolve_public", lambda host, port: "127.0.0.1")
    try:
        with pytest.raises(ImportProblem, match="took longer than its 1-second limit"):
            fetch.fetch_url(f"http://pictures.example:{server.port}/slow.jpg",
                            max_bytes=10_000)
    finally:
        server.close()
    assert server.sent < server.length  # cut off, not waited out

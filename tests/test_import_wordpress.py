"""manage.py import_wordpress, on small WordPress exports of a fictional newsroom."""

import io
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.importers import fetch
from articles.importers.report import ImportProblem
from articles.importers.wordpress import convert_body
from articles.models import Article, Image, ImportedItem, Section
from people.models import Person

from .factories import PersonFactory, PublicationFactory, image_bytes

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "wordpress"


@pytest.fixture
def uploads(tmp_path):
    """A copy of wp-content/uploads holding one of the export's two pictures."""
    folder = tmp_path / "uploads"
    (folder / "2024" / "03").mkdir(parents=True)
    (folder / "2024" / "03" / "ferry-dawn.jpg").write_bytes(image_bytes(size=(90, 60)))
    (tmp_path / "secret.jpg").write_bytes(image_bytes())
    return folder


def run(name, *args):
    out = io.StringIO()
    call_command("import_wordpress", str(DATA / name), "--no-progress", *args, stdout=out)
    return out.getvalue()


def story(slug):
    return Article.objects.get(slug=slug)


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
    assert blocks == ("<p>The school board heard from sleepy students on Wednesday.</p>\n"
                      "<p>A vote is expected in May.</p>")


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
    assert image.file.read() == (uploads / "2024/03/ferry-dawn.jpg").read_bytes()
    assert story("notes-on-the-breakwater-survey").lead_image is None
    assert "2024/03/breakwater.jpg was not found in --media-dir" in out


def test_pages_menus_and_auto_drafts_are_reported_and_skipped(publication, uploads):
    out = run("herald.xml", "--media-dir", str(uploads))
    assert "page 200 “About the Herald”: page items are not imported" in out
    assert "nav_menu_item 300" in out
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
    assert "it has neither a post id nor a GUID" in out
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
    monkeypatch.setattr("articles.importers.wordpress.importer.fetch_url",
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
    assert "scheduled time has passed" in out.getvalue()


def test_a_file_that_is_not_a_wordpress_export_is_refused(publication, tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<?xml version='1.0'?><notes><note>Hi</note></notes>")
    with pytest.raises(CommandError, match="holds no WordPress posts"):
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

"""Pictures in imported WordPress bodies: found in --media-dir by their address's path
under any host, or fetched from a real server, stored once as library Images and shown
with their renditions."""

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from articles.models import Article, Image, ImportedItem
from newsroom import outbound

from .wordpress_corpus import DATA, UPLOADS, make_uploads, run, story

pytestmark = pytest.mark.django_db

HARBOR = "harbor-wxr-1.2-https.xml"
HOSTED = "hosted-wordpress-com.xml"


@pytest.fixture
def uploads(tmp_path):
    return make_uploads(tmp_path / "uploads")


def body_image_ids(body):
    return [int(pk) for pk in re.findall(r'data-image-id="(\d+)"', body)]


def test_a_body_picture_becomes_a_library_image_with_its_alt_text_and_caption(publication,
                                                                              uploads):
    run(HARBOR, "--media-dir", str(uploads))
    body = story("storm-closes-the-harbor").body
    [pk] = body_image_ids(body)
    image = Image.objects.get(pk=pk)
    assert image.file.read() == (uploads / "2024/04/pier-storm.png").read_bytes()
    assert image.alt_text == "Grey waves break over the north pier."
    assert image.caption == "Waves over the north pier on Tuesday."
    assert (f'<figure class="inline-image"><img data-image-id="{pk}" src="{image.file.url}" '
            'alt="Grey waves break over the north pier." width="120" height="80">'
            "<figcaption>Waves over the north pier. Photo: Theo Brandt</figcaption></figure>"
            ) in body
    assert "harborherald.example" not in body


def test_a_picture_used_as_lead_and_in_the_text_is_stored_once(publication, uploads):
    run(HARBOR, "--media-dir", str(uploads))
    council = story("council-adds-early-sailings")
    assert body_image_ids(council.body) == [council.lead_image.pk]
    assert 'alt="The ferry at dawn"' in council.body  # the text's own alt stays
    assert council.lead_image.alt_text.startswith("The Gull Island ferry pulls away")
    assert Image.objects.count() == 2


def test_a_resized_copy_in_the_text_brings_in_the_full_size_original(publication, uploads):
    run("ledger-classic-wxr-1.1.xml", "--media-dir", str(uploads))
    body = story("timetable").body  # shows festival-stage-300x225.png, no wp-image class
    stage = Image.objects.get(pk=body_image_ids(body)[-1])
    assert (stage.width, stage.height) == UPLOADS["2019/07/festival-stage.png"]
    assert ImportedItem.objects.get(image=stage).key == "http://valleyledger.example|attachment|52"


def test_the_story_page_shows_body_pictures_with_renditions_and_srcset(client, publication,
                                                                       uploads):
    run(HARBOR, "--media-dir", str(uploads))
    article = story("storm-closes-the-harbor")
    page = client.get(article.get_absolute_url()).content.decode()
    [pk] = body_image_ids(article.body)
    picture = re.search(r'<figure class="inline-image"><picture>.*?</picture>', page, re.S).group(0)
    assert f"/renditions/{pk}/" in picture
    assert 'type="image/webp" srcset="' in picture
    assert re.search(r'srcset="[^"]+ 120w"', picture)
    assert 'alt="Grey waves break over the north pier."' in picture
    assert 'loading="lazy"' in picture


def test_every_picture_found_means_no_media_line_in_the_report(publication, uploads):
    assert "Media not found" not in run(HARBOR, "--media-dir", str(uploads))


def test_pictures_not_found_are_reported_and_keep_their_address(publication, uploads):
    out = run("herald.xml", "--media-dir", str(uploads))
    assert ("post 103 “School board weighs later start times”: a picture in the body "
            "(attachment 41): 2024/03/breakwater.jpg was not found in --media-dir") in out
    assert ('<img src="https://old.harborherald.example/wp-content/uploads/2024/03/'
            'breakwater.jpg" alt="">') in story("school-board-start-times").body


def test_without_media_options_pictures_stay_on_the_old_site_and_the_report_says_so(
        publication):
    out = run(HARBOR)
    assert not Image.objects.exists()
    assert ("post 107 “Storm closes the harbor for a day”: 1 picture(s) still load from the old "
            "site (import with --media-dir or --fetch-media to bring them in)") in out
    assert ('src="https://harborherald.example/wp-content/uploads/2024/04/pier-storm-640x427.png"'
            in story("storm-closes-the-harbor").body)


# --- Hosted WordPress (WordPress.com) ---------------------------------------------------


def test_hosted_media_is_found_by_its_path_under_any_host(publication, uploads):
    """files.wordpress.com with ?w=, the i0.wp.com image CDN, and wp-content/uploads on
    the wordpress.com address all find 2023/11/… in the folder; the attachments carry no
    _wp_attached_file."""
    out = run(HOSTED, "--media-dir", str(uploads))
    article = story("pier-lights-at-night")
    ids = body_image_ids(article.body)
    names = [Path(Image.objects.get(pk=pk).file.name).name for pk in ids]
    assert [re.sub(r"_\w{7}(?=\.)", "", name) for name in names] == [
        "pier-lights.jpg", "boardwalk.jpg", "ferry-lights.jpg"]
    assert article.lead_image.pk == ids[0]
    assert article.lead_image.alt_text == "Lamps along the pier reflected in still water"
    assert Image.objects.get(pk=ids[1]).alt_text == "The boardwalk under new lamps"
    assert ("post 801 “Pier lights at night”: a picture in the body: 2023/11/gone-missing.jpg "
            "was not found in --media-dir") in out
    assert "attachment not used" not in out  # the CDN address still names attachment 72
    assert article.body.count("wordpress.com") == 1  # the missing one keeps its address


def test_hosted_posts_are_known_by_the_blog_not_wordpress_com(publication, uploads):
    run(HOSTED, "--media-dir", str(uploads))
    assert ImportedItem.objects.get(kind="post").key == (
        "https://harborheraldnotebook.wordpress.com|post|801")


# --- --fetch-media, from a real server on 127.0.0.1 --------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def old_site(tmp_path):
    """The old site's uploads, served over HTTP on 127.0.0.1 by a real server; the export
    is rewritten to point at it. ``requests`` lists the paths it was asked for."""
    root = tmp_path / "site"
    make_uploads(root / "wp-content" / "uploads")
    requests = []

    class Handler(QuietHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{server.server_address[1]}"
    export = tmp_path / "export.xml"
    export.write_text((DATA / HARBOR).read_text().replace("https://harborherald.example",
                                                          address))
    yield export, requests
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_allowed(monkeypatch):
    """The fetcher refuses loopback addresses; this test's server is on one."""
    public = outbound.is_public_address
    monkeypatch.setattr(outbound, "is_public_address",
                        lambda address: address == "127.0.0.1" or public(address))


def test_fetch_media_downloads_each_picture_once_and_rewrites_the_body(publication, old_site,
                                                                       loopback_allowed):
    export, requests = old_site
    out = run(export, "--fetch-media")
    assert "images: 2 created" in out
    assert sorted(requests) == ["/wp-content/uploads/2024/03/ferry-dawn.jpg",
                                "/wp-content/uploads/2024/04/pier-storm.png"]
    storm = story("storm-closes-the-harbor")
    [pk] = body_image_ids(storm.body)
    assert Image.objects.get(pk=pk).file.read() == image_at(export, "2024/04/pier-storm.png")
    assert "127.0.0.1" not in storm.body
    requests.clear()
    assert "articles: 10 unchanged" in run(export, "--fetch-media")
    assert requests == []  # known pictures are not fetched again


def image_at(export, path):
    return (export.parent / "site" / "wp-content" / "uploads" / path).read_bytes()


def test_fetch_media_reports_pictures_the_server_does_not_have(publication, tmp_path, old_site,
                                                               loopback_allowed):
    export, requests = old_site
    (export.parent / "site/wp-content/uploads/2024/04/pier-storm.png").unlink()
    out = run(export, "--fetch-media")
    assert re.search(r"post 107 “Storm closes the harbor for a day”: a picture in the body "
                     r"\(attachment 41\): http://127\.0\.0\.1:\d+/wp-content/uploads/2024/04/"
                     r"pier-storm\.png answered HTTP 404", out)
    assert 'pier-storm-640x427.png"' in story("storm-closes-the-harbor").body


def test_fetch_media_never_contacts_a_loopback_address_outside_tests(publication, old_site):
    export, requests = old_site
    out = run(export, "--fetch-media")
    assert requests == []
    assert not Image.objects.exists()
    assert "refused to fetch from 127.0.0.1: it resolves to 127.0.0.1, which is not a public " \
           "internet address" in out


def test_a_dry_run_fetches_and_counts_pictures_but_stores_none(publication, uploads, settings):
    out = run(HARBOR, "--media-dir", str(uploads), "--dry-run")
    assert "images: 2 created" in out
    assert not Image.objects.exists() and not Article.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "images").exists()

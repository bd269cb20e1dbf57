"""WordPress markup → story bodies: paragraphs and blocks, headings, figures, galleries,
sound and video, tables; on the corpus's classic- and block-editor posts."""

import re

import pytest

from articles.importers.wordpress.convert import autop, convert_body, headings_in_range
from articles.importers.wordpress.parse import items
from articles.sanitize import sanitize_html

from .wordpress_corpus import DATA, EXPORTS, make_uploads, run, story

CLASSIC = "ledger-classic-wxr-1.1.xml"
BLOCKS = "gazette-blocks-wxr-1.2.xml"


def convert(content):
    warnings = []
    body = convert_body(content, warn=lambda message, section=None: warnings.append(message))
    return sanitize_html(body), warnings


# --- Paragraphs and blocks (no database) -------------------------------------------------


def test_a_block_element_after_inline_text_stands_on_its_own():
    body, _ = convert("The parade started at noon.\n<h2>The route</h2>\nIt followed Front "
                      "Street.\n<ul>\n<li>Stalls</li>\n</ul>\nThen home.")
    assert body == ("<p>The parade started at noon.</p>\n<h2>The route</h2>\n"
                    "<p>It followed Front Street.</p>\n<ul>\n<li>Stalls</li>\n</ul>\n"
                    "<p>Then home.</p>")


def test_blank_lines_make_paragraphs_and_single_newlines_line_breaks():
    assert autop("One.\nStill one.\n\nTwo.") == "<p>One.<br />\nStill one.</p>\n<p>Two.</p>\n"


def test_preformatted_text_keeps_its_newlines():
    body, _ = convert("Code:\n\n<pre>line one\n\nline three</pre>\n\nDone.")
    assert "<pre>line one\n\nline three</pre>" in body


def test_block_editor_content_is_taken_as_html_without_its_comments():
    body, _ = convert('<!-- wp:paragraph -->\n<p>One.</p>\n<!-- /wp:paragraph -->\n\n'
                      '<!-- wp:paragraph -->\n<p>Two,\nstill two.</p>\n<!-- /wp:paragraph -->')
    assert body == "<p>One.</p>\n<p>Two,\nstill two.</p>"


@pytest.mark.parametrize(("html", "expected"), [
    ("<h1>A</h1><h2>B</h2><h5>C</h5><h6>D</h6>", "<h2>A</h2><h3>B</h3><h4>C</h4><h4>D</h4>"),
    ("<h5>Only</h5>", "<h2>Only</h2>"),
    ("<h2>A</h2><h3>B</h3>", "<h2>A</h2><h3>B</h3>"),
    ('<h1 class="wp-block-heading">A</h1>', '<h2 class="wp-block-heading">A</h2>'),
])
def test_headings_are_mapped_in_order_into_the_storys_range(html, expected):
    assert headings_in_range(html) == expected


def test_h1_h5_and_h6_become_headings_not_loose_text():
    body, _ = convert("<h1>Day one</h1>\nText.\n<h5>Closures</h5>\nMore.\n<h6>Parking</h6>")
    assert body == ("<h2>Day one</h2>\n<p>Text.</p>\n<h3>Closures</h3>\n<p>More.</p>\n"
                    "<h4>Parking</h4>")


def test_a_table_keeps_its_footer():
    body, _ = convert("<table><tbody><tr><td>Rowing</td><td>38</td></tr></tbody><tfoot><tr>"
                      "<td>Total</td><td>38</td></tr></tfoot></table>")
    assert re.sub(r"\s", "", body).endswith("<tfoot><tr><td>Total</td><td>38</td></tr></tfoot></table>")
    assert sanitize_html(body) == body


# --- Sound and video ---------------------------------------------------------------------


def test_video_and_audio_are_kept_playable():
    body, warnings = convert(
        '<video src="https://cdn.example/parade.mp4" autoplay onplay="x()"></video>\n\n'
        '<audio><source src="https://cdn.example/band.mp3" type="audio/mpeg"></audio>')
    assert '<video controls="" src="https://cdn.example/parade.mp4"></video>' in body
    assert ('<audio controls=""><source src="https://cdn.example/band.mp3" type="audio/mpeg">'
            "</audio>") in body
    assert warnings == []


def test_video_with_no_usable_address_is_left_out_and_reported():
    body, warnings = convert('Before.\n\n<video src="javascript:alert(1)"></video>\n\nAfter.')
    assert "video" not in body and "javascript" not in body
    assert warnings == ["left out a <video> element with no http(s) address"]


def test_the_sanitizer_keeps_media_addresses_to_http_and_this_sites_files():
    assert sanitize_html('<video controls src="javascript:alert(1)"></video>') == (
        '<video controls=""></video>')
    assert sanitize_html('<audio src="data:audio/mp3;base64,AAAA"></audio>') == "<audio></audio>"
    assert sanitize_html('<img src="/media/images/a.jpg" alt="">') == (
        '<img src="/media/images/a.jpg" alt="">')
    assert sanitize_html('<img data-image-id="12 onerror=x" src="/a.jpg">') == '<img src="/a.jpg">'
    assert sanitize_html('<source src="vbscript:x" type="video/mp4">') == (
        '<source type="video/mp4">')


# --- The corpus's classic-editor posts ---------------------------------------------------


@pytest.fixture
def classic(db, publication, tmp_path):
    out = run(CLASSIC, "--media-dir", str(make_uploads(tmp_path / "uploads")))
    return out, story("river-festival").body


def test_caption_shortcode_becomes_a_floated_figure(classic):
    _out, body = classic
    assert re.search(r'<figure class="inline-image align-left"><img data-image-id="\d+" [^>]*'
                     r'alt="Boats decked in flags"[^>]*><figcaption>The rowing clubs led the '
                     r"parade.</figcaption></figure>", body)
    assert "[caption" not in body and "festival-boats-300x200" not in body


def test_gallery_shortcode_becomes_a_gallery_and_reports_pictures_not_in_the_export(classic):
    out, body = classic
    gallery = re.search(r'<figure class="gallery">.*?</figure>\s*</figure>', body, re.S).group(0)
    assert gallery.count('<figure class="inline-image">') == 2
    assert "<figcaption>The brass band on the main stage.</figcaption>" in gallery
    assert ("post 201 “River festival draws record crowd”: a gallery picture (attachment 59) "
            "is not in the export") in out


def test_gallery_without_ids_shows_the_posts_pictures_in_menu_order(db, publication, tmp_path):
    run(CLASSIC, "--media-dir", str(make_uploads(tmp_path / "uploads")))
    gallery = re.search(r'<figure class="gallery">.*?</figure>\s*</figure>',
                        story("timetable").body, re.S).group(0)
    alts = re.findall(r'alt="([^"]*)"', gallery)
    # festival-crowd (menu order 1, no alt of its own) before festival-stage (2).
    assert alts == ["", "A brass band plays under a striped awning"]


def test_audio_and_video_shortcodes_play_and_are_reported_as_on_the_old_site(classic):
    out, body = classic
    assert ('<figure class="media">\n<audio controls="" src="http://valleyledger.example/'
            'wp-content/uploads/2019/07/brass-band.mp3"></audio>\n</figure>') in body
    assert ('<video controls="" src="http://valleyledger.example/wp-content/uploads/2019/07/'
            'parade.mp4" width="640" height="360"></video>') in body
    assert ("a sound file still plays from the old site: http://valleyledger.example/wp-content/"
            "uploads/2019/07/brass-band.mp3") in out
    assert "Still on the old site (4):" in out


def test_audio_shortcode_without_a_file_plays_the_posts_own_recording(db, publication):
    run(CLASSIC)
    assert ('<audio controls="" src="http://valleyledger.example/wp-content/uploads/2019/08/'
            'council-minutes.mp3"></audio>') in story("timetable").body


def test_a_video_with_a_relative_address_is_read_against_the_old_site(classic):
    _out, body = classic
    assert ('<video controls="" width="640" height="360" poster="http://valleyledger.example/'
            'wp-content/uploads/2019/07/fireworks-poster.jpg"><source src="http://'
            'valleyledger.example/wp-content/uploads/2019/07/fireworks.mp4" type="video/mp4">'
            "</video>") in body


def test_what_has_no_equivalent_is_left_out_and_listed(classic):
    out, body = classic
    assert "[playlist" not in body
    assert "Left out of story text (2):" in out
    assert "left out a [playlist], which has no equivalent here" in out
    assert "left out a <video> element with no http(s) address" in out
    assert ('<p><a href="https://video.example/watch/river-festival-2019" '
            'rel="noopener noreferrer">https://video.example/watch/river-festival-2019</a></p>'
            ) in body


def test_classic_headings_and_structure_survive(classic):
    _out, body = classic
    assert body.startswith("<h2>A record day on the river</h2>\n<p>More than 12,000 people")
    assert "<p>The parade started at noon.</p>\n<h3>The route</h3>\n<p>It followed" in body
    assert "<h4>Road closures</h4>" in body and "<h4>Parking</h4>" in body
    assert "<tfoot>\n<tr>\n<td>Total</td>" in body


# --- The corpus's block-editor post -------------------------------------------------------


@pytest.fixture
def blocks(db, publication, tmp_path):
    out = run(BLOCKS, "--media-dir", str(make_uploads(tmp_path / "uploads")))
    return out, story("kelp-count").body


def test_block_editor_figures_galleries_and_media_keep_their_meaning(blocks):
    _out, body = blocks
    assert re.search(r'<figure class="inline-image wide"><img data-image-id="\d+" [^>]*alt="Kelp '
                     r'fronds sway above a sandy bottom"[^>]*><figcaption>The forest at six '
                     r"metres. Photo: Amaru Quispe</figcaption></figure>", body)
    assert body.count('<figure class="inline-image">') == 2  # in the gallery
    assert '<figure class="gallery">' in body
    assert ('<figure class="media"><video controls="" src="https://covegazette.example/'
            'wp-content/uploads/2024/02/dive.mp4"></video><figcaption>Along the north line'
            "</figcaption></figure>") in body
    assert "<tfoot><tr><td>Total</td><td>800</td></tr></tfoot>" in body
    assert "<blockquote>\n<p>We will count again in August" in body
    assert "<!--" not in body and "wp-block" not in body and "\n\n" not in body


def test_block_editor_headings_are_mapped(blocks):
    _out, body = blocks
    assert re.findall(r"<h(\d)>([^<]*)</h\d>", body) == [
        ("2", "The count"), ("3", "How they counted"), ("4", "Corrections")]


# --- The sanitizer is idempotent on every body of the corpus -----------------------------


@pytest.mark.parametrize("export", EXPORTS)
def test_sanitizing_a_converted_body_again_changes_nothing(export):
    for item in items(DATA / export):
        if item.content.strip():
            once = sanitize_html(convert_body(item.content))
            assert sanitize_html(once) == once, (export, item.post_id)


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS)
def test_every_imported_body_is_a_fixed_point_of_the_sanitizer(publication, tmp_path, export):
    from articles.models import Article

    run(export, "--media-dir", str(make_uploads(tmp_path / "uploads")))
    for body in Article.objects.values_list("body", flat=True):
        assert sanitize_html(body) == body

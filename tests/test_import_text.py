"""Wire copy: parse_wire, manage.py import_text, and the drafts they make."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.editorial.workflow import publication_problems
from articles.importers.wire import WireError, parse_wire, propose_summary, split_byline
from articles.models import Article
from people.models import Person

from .factories import PersonFactory, SectionFactory

WIRE = Path(__file__).parent / "data" / "wire"


CORPUS = sorted(WIRE.glob("*.txt"))
BAD = WIRE / "bad"
BAD_EXPECTED = json.loads((BAD / "EXPECTED.json").read_text())


def parse(name):
    with open(WIRE / name, encoding="utf-8", newline="") as copy:  # CRLF kept as sent
        return parse_wire(copy.read())


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_copy_parses_as_its_expectation_says(path):
    """Each file of real-shaped wire copy has a NAME.expected.json beside it."""
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    story = parse(path.name)
    found = {"headline": story.headline, "byline": story.byline_names, "agency": story.agency,
             "dateline": story.dateline, "source": story.source,
             "paragraphs": story.paragraphs, "closing_name": story.closing_name,
             "dropped": story.dropped, "slug_line": story.slug_line, "dek": story.dek}
    assert {key: found[key] for key in expected} == expected


def test_every_corpus_file_has_an_expectation():
    assert CORPUS
    assert [p.name for p in CORPUS if not p.with_suffix(".expected.json").exists()] == []


SNOW = sorted(WIRE.glob("snow-*.txt"))


@pytest.mark.parametrize("path", SNOW, ids=lambda p: p.name)
def test_one_story_in_every_layout_parses_the_same_way(path):
    """The issue's story pasted with lines, blank lines, hard wraps at 68 columns, indented
    paragraphs, CRLF and trailing spaces, a slug line, a trailing newline or web furniture."""
    reference = parse("snow-lines.txt")
    story = parse(path.name)
    assert story.headline == "Marines to trade two tank companies for long-range rocket batteries"
    assert story.byline_names == ["Shawn Snow"]
    assert story.dateline == "Washington"
    assert story.paragraphs == reference.paragraphs
    assert len(story.paragraphs) == 4
    assert story.closing_line == reference.closing_line
    assert story.summary == reference.summary
    assert story.digest() == reference.digest()


def test_the_issue_paste_finds_byline_and_dateline_and_keeps_paragraphs_apart():
    text = ("Marines plan rocket batteries\n\nBy Shawn Snow\nWASHINGTON — The Marine Corps "
            "plans new rocket batteries.\nThe plan needs money from Congress.\n")
    story = parse_wire(text)
    assert story.byline_names == ["Shawn Snow"]
    assert story.dateline == "Washington"
    assert story.paragraphs == ["The Marine Corps plans new rocket batteries.",
                                "The plan needs money from Congress."]
    assert "By Shawn Snow" not in story.body_html()


def test_plain_dateline_becomes_the_structured_dateline():
    story = parse("washington.txt")
    assert story.headline == "Senate panel backs money for small coastal ferries"
    assert story.dateline == "Washington"
    assert "WASHINGTON" not in story.body_html()


@pytest.mark.parametrize("name, dateline, source", [
    ("coastal-wire.txt", "Washington", "Coastal Wire"),
    ("port-alder.txt", "Port Alder, Ore.", ""),
    ("fort-bragg-agency-comma.txt", "Fort Bragg, N.C.", ""),
    ("mixed-case-dateline-pipe.txt", "Fort Bragg, N.C.", ""),
    ("kyiv-ap-two-authors.txt", "Kyiv, Ukraine", "AP"),
    ("dek-staff-writer-crlf.txt", "Anchorage, Alaska", ""),
])
def test_datelines_in_capitals_or_mixed_case_with_a_state_country_or_agency(name, dateline,
                                                                         source):
    story = parse(name)
    assert (story.dateline, story.source) == (dateline, source)
    city = dateline.split(",")[0].upper()
    assert all(city not in p.upper()[:len(city) + 2] for p in story.paragraphs)


@pytest.mark.parametrize("text", [
    "However, Congress — after a long debate — passed the bill.",
    "Officials — including the mayor — said nothing.",
    "The plan — a long one — failed.",
])
def test_a_dash_inside_a_sentence_is_not_a_dateline(text):
    story = parse_wire(f"Headline\n\n{text}\n\nMore.")
    assert story.dateline == ""
    assert story.paragraphs[0] == text


@pytest.mark.parametrize("line, names, agency", [
    ("By Shawn Snow", ["Shawn Snow"], ""),
    ("BY SHAWN SNOW", ["Shawn Snow"], ""),
    ("By Shawn Snow and Lena Park", ["Shawn Snow", "Lena Park"], ""),
    ("By Shawn Snow, Coastal Wire", ["Shawn Snow"], "Coastal Wire"),
    ("By Shawn Snow | Coastal Wire", ["Shawn Snow"], "Coastal Wire"),
    ("By Shawn Snow, Staff Writer", ["Shawn Snow"], "Staff Writer"),
    ("By Shawn Snow, AP", ["Shawn Snow"], "AP"),
    ("By Marta Oyelaran, Ben Whitcomb and Noor Haddad",
     ["Marta Oyelaran", "Ben Whitcomb", "Noor Haddad"], ""),
    ("By Tuesday, the council will vote on the plan", [], ""),
])
def test_byline_forms(line, names, agency):
    assert split_byline(line) == (names, agency)


def test_copy_that_opens_with_its_lead_has_no_headline_and_keeps_the_lead():
    story = parse("no-headline-dateline-lead.txt")
    assert story.headline == ""
    assert story.problems and "No headline" in story.problems[0]
    assert story.paragraphs[0].startswith("The Marine Corps plans to turn two")
    lead_only = parse_wire("The council voted on Tuesday to close the old pier for repairs "
                           "through the summer, its members said after a long meeting.\n\n"
                           "Repairs start in May.")
    assert lead_only.headline == ""
    assert lead_only.paragraphs[0].startswith("The council voted")


def test_wrapped_lines_join_into_paragraphs():
    story = parse("port-alder.txt")
    assert story.paragraphs == [
        "The Alder Bay cannery will hire 200 seasonal workers this spring, its largest hiring "
        "round in a decade, the company said on Monday.",
        "Managers said the jobs pay $21 an hour and include housing for workers from out of town.",
    ]
    assert story.body_html().count("<p>") == 2


def test_text_without_blank_lines_has_a_paragraph_per_line_and_no_dateline():
    story = parse("no-dateline.txt")
    assert story.dateline == ""
    assert len(story.paragraphs) == 3
    assert story.paragraphs[-1].startswith("Staff said the extra hours")


def test_page_furniture_is_dropped():
    washington = parse("washington.txt")
    assert washington.dropped == ["In Other News", "Harbor master retires after 31 years",
                                  "Gull Island school adds a second bus", "Load More"]
    assert "Harbor master" not in washington.body_html()
    web = parse("snow-web-page.txt")
    assert "Related: Reserve units get first look at new landing craft" in web.dropped
    assert not any(word in web.body_html() for word in
                   ["Advertisement", "Related", "In Other News", "Load More", "Feb 3"])
    assert "Library card drive" not in parse("no-dateline.txt").body_html()


def test_closing_line_names_the_author_and_leaves_the_body():
    story = parse("snow-web-page.txt")
    assert story.closing_name == "Shawn Snow"
    assert story.closing_line == ("Shawn Snow is the senior reporter for Harbor Defense Weekly "
                                  "and a Marine Corps veteran.")
    assert "senior reporter" not in story.body_html()


def test_summary_is_proposed_from_the_lead():
    story = parse("snow-lines.txt")
    assert story.summary == story.paragraphs[0]
    long_lead = ("The county approved a budget of $84 million on Tuesday after Gen. Ada Moss "
                 "of the N.C. Guard spoke for an hour about flood pumps. " + "It adds staff. " * 30)
    summary = propose_summary([long_lead])
    assert summary.startswith("The county approved a budget of $84 million on Tuesday after "
                              "Gen. Ada Moss of the N.C. Guard spoke for an hour about flood pumps.")
    assert len(summary) <= 300 and summary.endswith(".")


def test_a_heading_word_inside_the_story_is_not_furniture():
    story = parse_wire("Headline\n\nRelated news came first.\n\nSecond paragraph.")
    assert story.paragraphs == ["Related news came first.", "Second paragraph."]


def test_paragraph_text_is_escaped():
    story = parse_wire("Headline\n\nThe <b>council</b> & the mayor.")
    assert story.body_html() == "<p>The &lt;b&gt;council&lt;/b&gt; &amp; the mayor.</p>"


@pytest.mark.parametrize("text", ["", "   \n\n", "Only a headline\n\n"])
def test_empty_or_headline_only_text_is_refused(text):
    with pytest.raises(WireError):
        parse_wire(text)


def run(*args):
    out = io.StringIO()
    call_command("import_text", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_import_text_creates_drafts_with_a_matched_byline_and_a_revision(publication):
    noor = PersonFactory(full_name="Noor Haddad")
    out = run(str(WIRE / "port-alder.txt"))
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.publication == publication
    assert article.dateline == "Port Alder, Ore."
    assert article.authors() == [noor]
    assert article.revisions.get().comment == "Imported from wire copy"
    assert not Article.objects.published().exists()
    assert "byline Noor Haddad" in out


@pytest.mark.django_db
def test_unknown_authors_are_reported_or_created_on_request(publication):
    out = run(str(WIRE / "washington.txt"))
    assert "no person named “Priya Ramanathan”" in out
    assert not Article.objects.get().bylines.exists()
    assert not Person.objects.exists()
    run(str(WIRE / "dek-staff-writer-crlf.txt"), "--create-people")
    priya = Person.objects.get(full_name="Priya Ramanathan")
    assert priya.short_bio == "Priya Ramanathan is the Alaska correspondent for Coastal Wire."
    assert Article.objects.order_by("-pk").first().authors() == [priya]


@pytest.mark.django_db
def test_bylines_go_to_active_people_only(publication):
    """Someone who left the newsroom keeps their old stories, but a wire story under the
    same name is not theirs to take: it goes to an active namesake, or is reported."""
    PersonFactory(full_name="Noor Haddad", is_active=False)
    out = run(str(WIRE / "port-alder.txt"))
    assert not Article.objects.get().bylines.exists()
    assert "no person named “Noor Haddad”" in out
    active = PersonFactory(full_name="Noor Haddad")
    Article.objects.get().delete()  # else the same copy is "already imported"
    run(str(WIRE / "port-alder.txt"))
    assert Article.objects.order_by("-pk").first().authors() == [active]


@pytest.mark.django_db
def test_import_text_takes_several_files_and_a_section(publication):
    section = SectionFactory(publication=publication, slug="nation")
    names = ["washington.txt", "port-alder.txt", "kyiv-ap-two-authors.txt", "snow-lines.txt"]
    run(*[str(WIRE / name) for name in names], "--section", "nation")
    assert Article.objects.filter(section=section, status=Article.Status.DRAFT).count() == 4


@pytest.mark.django_db
def test_the_same_copy_imported_again_says_already_imported_and_links_the_first(
        publication, other_publication):
    first = run(str(WIRE / "snow-lines.txt"))
    article = Article.objects.get()
    link = reverse("admin:articles_article_change", args=[article.pk])
    assert link in first
    # The same story, hard-wrapped and with web furniture, is the same story.
    again = run(str(WIRE / "snow-lines.txt"), str(WIRE / "snow-wrapped-68.txt"),
                str(WIRE / "snow-web-page.txt"))
    assert again.count(f"already imported as draft “{article.headline}” ({link})") == 3
    assert "Created 0 drafts for review. 3 already imported." in again
    assert Article.objects.count() == 1
    # Digests are per publication: another masthead may take the same story.
    run(str(WIRE / "snow-lines.txt"), "--publication", other_publication.slug)
    assert Article.objects.filter(publication=other_publication).count() == 1


@pytest.mark.django_db
def test_a_draft_from_copy_without_a_headline_has_an_empty_flagged_headline(publication):
    out = run(str(WIRE / "no-headline-dateline-lead.txt"))
    article = Article.objects.get()
    assert article.headline == ""
    assert "NO HEADLINE: write one before publishing" in out
    assert "a headline" in publication_problems(article)
    assert article.body.startswith("<p>The Marine Corps plans to turn two")
    # Its address comes from the lead, not "story", so writing a headline later is enough.
    assert article.slug == "the-marine-corps-plans-to-turn-two-of"


@pytest.mark.django_db
def test_a_draft_gets_a_summary_from_its_lead_and_its_slug_from_the_slug_line(publication):
    run(str(WIRE / "snow-slug-line.txt"))
    article = Article.objects.get()
    assert article.summary == parse("snow-slug-line.txt").paragraphs[0]
    assert "a summary" not in publication_problems(article)
    assert article.slug == "us-marines-rockets-540"


@pytest.mark.django_db
def test_the_closing_line_becomes_a_known_authors_missing_bio_line(publication):
    shawn = PersonFactory(full_name="Shawn Snow", short_bio="")
    out = run(str(WIRE / "snow-lines.txt"))
    shawn.refresh_from_db()
    assert shawn.short_bio == ("Shawn Snow is the senior reporter for Harbor Defense Weekly "
                               "and a Marine Corps veteran.")
    assert "bio line set for Shawn Snow" in out
    assert "senior reporter" not in Article.objects.get().body


@pytest.mark.django_db
def test_an_authors_own_bio_line_is_not_replaced(publication):
    shawn = PersonFactory(full_name="Shawn Snow", short_bio="Shawn Snow covers the Corps.")
    run(str(WIRE / "snow-lines.txt"))
    shawn.refresh_from_db()
    assert shawn.short_bio == "Shawn Snow covers the Corps."


BAD_FILES = sorted(p for p in BAD.iterdir() if p.name != "EXPECTED.json")


@pytest.mark.django_db
@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_a_bad_file_gets_one_clear_line_and_nothing_is_written(publication, path):
    with pytest.raises(CommandError) as error:
        run(str(path))
    message = str(error.value)
    assert BAD_EXPECTED[path.name] in message
    assert message.startswith(f"{path}: not imported: ")
    assert "\n" not in message
    assert not Article.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
def test_fifty_megabytes_of_junk_is_refused_without_reading_it(publication, tmp_path):
    junk = tmp_path / "junk.txt"
    with junk.open("wb") as out:
        for _ in range(50):
            out.write(b"harbor " * 149_797 + b"\n")
    with pytest.raises(CommandError, match="larger than a wire story can be"):
        run(str(junk))
    assert not Article.objects.exists()


def test_every_bad_file_has_an_expected_message():
    assert sorted(p.name for p in BAD_FILES) == sorted(BAD_EXPECTED)


@pytest.mark.django_db
def test_a_bad_file_is_reported_and_the_others_import(publication, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(CommandError, match="1 of 2 files could not be imported"):
        run(str(empty), str(WIRE / "washington.txt"))
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_unknown_section_is_a_clear_error(publication):
    with pytest.raises(CommandError, match="no section with the slug “sports”"):
        run(str(WIRE / "washington.txt"), "--section", "sports")


@pytest.mark.parametrize("command, words", [
    ("import_wordpress", "--media-dir"),
    ("import_text", "--create-people"),
    ("export_newsroom", "newsroom-export format"),
    ("import_newsroom", "must be empty"),
])
def test_every_import_and_export_command_explains_itself(capsys, command, words):
    with pytest.raises(SystemExit):
        call_command(command, "--help")
    assert words in " ".join(capsys.readouterr().out.split())

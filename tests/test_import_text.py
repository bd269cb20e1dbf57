"""Wire copy: parse_wire, manage.py import_text, and the drafts they make."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.importers.wire import WireError, parse_wire
from articles.models import Article
from people.models import Person

from .factories import PersonFactory, SectionFactory

WIRE = Path(__file__).parent / "data" / "wire"


def parse(name):
    return parse_wire((WIRE / name).read_text())


def test_plain_dateline_becomes_the_structured_dateline():
    story = parse("washington.txt")
    assert story.headline == "Senate panel backs money for small coastal ferries"
    assert story.dateline == "Washington"
    assert story.paragraphs[0].startswith("A Senate committee voted 14-7 on Tuesday")
    assert "WASHINGTON" not in story.body_html()


def test_dateline_with_a_wire_service_in_parentheses():
    story = parse("coastal-wire.txt")
    assert story.dateline == "Washington"
    assert story.source == "Coastal Wire"
    assert story.paragraphs[0].startswith("Snow and ice closed")


def test_dateline_with_a_state_and_a_double_hyphen():
    story = parse("port-alder.txt")
    assert story.dateline == "Port Alder, Ore."
    assert story.paragraphs[0].startswith("The Alder Bay cannery")


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
    wire = parse("coastal-wire.txt")
    assert "Advertisement" in wire.dropped and "Related" in wire.dropped
    assert all("Advertisement" not in p and "Winter driving" not in p for p in wire.paragraphs)
    assert "Library card drive" not in parse("no-dateline.txt").body_html()


def test_closing_line_names_the_author_and_leaves_the_body():
    story = parse("washington.txt")
    assert story.closing_name == "Priya Ramanathan"
    assert story.closing_line == "Priya Ramanathan is the Washington correspondent for Coastal Wire."
    assert all("correspondent" not in p for p in story.paragraphs)


def test_by_line_names_several_authors_in_title_case():
    assert parse("coastal-wire.txt").byline_names == ["Marta Oyelaran", "Ben Whitcomb"]


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
    run(str(WIRE / "washington.txt"), "--create-people")
    priya = Person.objects.get(full_name="Priya Ramanathan")
    assert priya.short_bio == "Priya Ramanathan is the Washington correspondent for Coastal Wire."
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
    run(str(WIRE / "port-alder.txt"))
    assert Article.objects.order_by("-pk").first().authors() == [active]


@pytest.mark.django_db
def test_import_text_takes_several_files_and_a_section(publication):
    section = SectionFactory(publication=publication, slug="nation")
    run(*[str(p) for p in sorted(WIRE.glob("*.txt"))], "--section", "nation")
    assert Article.objects.filter(section=section, status=Article.Status.DRAFT).count() == 4


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

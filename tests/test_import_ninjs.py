"""Agency ninjs: the corpus against the IPTC schemas, the importer, versions, pubstatus,
bad files, and the drop folder that ``import_ninjs --watch`` polls."""

import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.editorial import workflow
from articles.editorial.revisions import record_revision
from articles.importers.dropfolder import DropFolder
from articles.importers.ninjs import NinjsImporter, generation, load_file, read_item
from articles.importers.report import ImportProblem
from articles.models import Article, Image, ImportedItem
from people.models import Person

from .factories import PersonFactory, SectionFactory, UserFactory

DATA = Path(__file__).parent / "data" / "ninjs"
ITEMS = DATA / "items"
BAD = DATA / "bad"
EXPECTED = json.loads((DATA / "expected.json").read_text())
SCHEMAS = Path(__file__).parent / "schemas"
CORPUS = sorted(ITEMS.glob("*.json"))
BAD_FILES = sorted(BAD.iterdir())


def schema_validator(gen):
    schema = json.loads((SCHEMAS / f"ninjs-{'1.8' if gen == 1 else '2.4'}.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


# --- The corpus is real ninjs ----------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_items_are_valid_against_the_iptc_schema_they_claim(path):
    data = json.loads(path.read_text())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in schema_validator(generation(data)).iter_errors(data)]
    assert errors == []


def test_the_schemas_are_not_vacuous():
    """A 2.x item with a string for "headlines", a 1.x item with a made-up property and a
    date that is not one are refused."""
    assert not schema_validator(2).is_valid(json.loads((BAD / "headlines-not-a-list.json")
                                                       .read_text()))
    assert not schema_validator(1).is_valid({"uri": "urn:x", "headlines": []})
    assert not schema_validator(1).is_valid({"uri": "urn:x", "embargoed": "next Tuesday"})
    assert not schema_validator(2).is_valid({"uri": "urn:x", "associations": [{"name": "a"}]})
    assert not schema_validator(2).is_valid({"uri": "urn:x", "headline": "A 1.x headline"})
    assert not schema_validator(2).is_valid({"uri": "urn:x", "associations": [
        {"name": "a", "uri": "urn:y", "colour": "red"}]})
    assert schema_validator(2).is_valid({"uri": "urn:x", "headlines": [{"value": "A"}]})


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS) == sorted(EXPECTED["items"])
    assert sorted(p.name for p in BAD_FILES) == sorted(EXPECTED["bad"])


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_items_read_as_expected(path):
    expected = EXPECTED["items"][path.name]
    [data] = load_file(path)
    item = read_item(data)
    found = {
        "generation": item.generation, "version": item.version, "pubstatus": item.pubstatus,
        "type": item.type, "headline": item.headline, "tags": item.tags,
        "embargoed": item.embargoed.isoformat() if item.embargoed else None,
    }
    for key in found.keys() & expected.keys():
        assert found[key] == expected[key], key
    if "picture" in expected and expected["picture"]:
        picture = item.picture
        assert (picture.alt, picture.caption, picture.credit) == (
            expected["picture"]["alt"], expected["picture"]["caption"],
            expected["picture"]["credit"])
        # The largest rendition is tried first.
        assert Path(picture.hrefs[0]).name == expected["picture"]["file"]
    elif "picture" in expected:
        assert item.picture is None


# --- Importing -------------------------------------------------------------------------


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ninjs", str(path), "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def story(uri):
    return ImportedItem.objects.get(source="ninjs", kind="item", key=uri).article


FERRY = "urn:newsml:northern.example:2026:ferry-returns"


@pytest.fixture
def drop(tmp_path):
    """A folder holding copies of some corpus items with the pictures beside them."""
    def copy(*names):
        for name in [*names, "dredger-at-work.jpg", "ferry-at-pier.jpg"]:
            shutil.copy(ITEMS / name, tmp_path / name)
        return tmp_path
    return copy


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in CORPUS if "version-2" not in p.name
                                  and "version-3" not in p.name], ids=lambda p: p.name)
def test_each_first_version_becomes_a_draft_as_expected(publication, path):
    expected = EXPECTED["items"][path.name]
    out = run(path, "--create-people")
    if expected.get("outcome") == "skipped":
        assert "skipped: a picture item" in out
        assert not Article.objects.exists()
        return
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert f"created: draft “{article.headline}”" in out
    checks = {
        "headline": article.headline, "dateline": article.dateline,
        "summary": article.summary, "tags": sorted(article.tags.names()),
        "byline": [p.full_name for p in article.authors()], "slug": article.slug,
        "paragraphs": article.body.count("<p>"),
        "embargoed": article.embargo_until.astimezone(UTC).isoformat()
        if article.embargo_until else None,
    }
    expected_checks = {**expected, "tags": sorted(expected.get("tags", []))}
    for key in checks.keys() & expected.keys():
        assert checks[key] == expected_checks[key], key
    if expected.get("picture"):
        image = article.lead_image
        assert (image.alt_text, image.caption, image.credit) == (
            expected["picture"]["alt"], expected["picture"]["caption"],
            expected["picture"]["credit"])
        assert image.width == 480
    assert article.revisions.get().comment == "ninjs version 1 imported"


@pytest.mark.django_db
def test_the_same_guid_and_version_twice_changes_nothing(publication, drop):
    folder = drop("v2-ferry-version-1.json")
    run(folder / "v2-ferry-version-1.json")
    again = run(folder / "v2-ferry-version-1.json")
    article = story(FERRY)
    assert f"unchanged: version 1 already imported as “{article.headline}”" in again
    assert reverse("admin:articles_article_change", args=[article.pk]) in again
    assert Article.objects.count() == 1 and Image.objects.count() == 1
    assert article.revisions.count() == 1


@pytest.mark.django_db
def test_a_folder_is_imported_in_version_order_whatever_the_names(publication, tmp_path):
    shutil.copy(ITEMS / "v2-ferry-version-2.json", tmp_path / "a.json")
    shutil.copy(ITEMS / "v2-ferry-version-1.json", tmp_path / "b.json")
    out = run(tmp_path)
    assert "b.json: created" in out and "a.json: updated" in out
    assert story(FERRY).headline == ("River ferry returns after a winter of repairs; second "
                                     "boat due in May")
    assert "stories: 1 created, 1 updated" in out


@pytest.mark.django_db
def test_a_newer_version_updates_the_draft_and_keeps_the_editors_edits_in_a_diff(
        publication, drop, client):
    folder = drop("v2-ferry-version-1.json", "v2-ferry-version-2.json")
    run(folder / "v2-ferry-version-1.json")
    article = story(FERRY)
    editor = UserFactory(username="desk", is_superuser=True)
    article.summary = "The ferry is back on the river, and riders are glad."
    article.save()
    record_revision(article, user=editor, comment="Edited")

    out = run(folder / "v2-ferry-version-2.json")
    article.refresh_from_db()
    # The agency's new headline and paragraph are in; the editor's summary stays.
    assert article.headline == ("River ferry returns after a winter of repairs; second boat "
                                "due in May")
    assert "a second ferry would follow in May" in article.body
    assert article.summary == "The ferry is back on the river, and riders are glad."
    comments = list(article.revisions.order_by("number").values_list("comment", flat=True))
    assert comments == ["ninjs version 1 imported", "Edited", "ninjs version 2 imported",
                        "The editor's changes kept on top of ninjs version 2: summary"]
    assert "updated “River ferry returns" in out
    assert "the editor's changes to summary are kept on top of it" in out
    compare = reverse("admin:articles_article_compare", args=[article.pk]) + "?a=3&b=4"
    assert compare in out
    client.force_login(editor)
    diff = client.get(compare).content.decode()
    assert "Compare versions of" in diff
    assert "glad" in diff  # the editor's summary, beside
    assert "oldest" in diff  # the agency's


@pytest.mark.django_db
def test_a_newer_version_of_an_unedited_draft_is_simply_the_new_version(publication, drop):
    folder = drop("v2-ferry-version-1.json", "v2-ferry-version-2.json")
    run(folder / "v2-ferry-version-1.json")
    run(folder / "v2-ferry-version-2.json")
    article = story(FERRY)
    assert article.revisions.count() == 2
    assert Image.objects.count() == 1  # the same picture uri is the same picture
    older = run(folder / "v2-ferry-version-1.json")
    assert "unchanged: version 1 older than version 2, already imported" in older


def publish(article):
    editor = UserFactory(username="chief", is_superuser=True)
    article.section = SectionFactory(publication=article.publication)
    article.save()
    if not article.bylines.exists():
        article.bylines.create(person=PersonFactory())
    workflow.article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert article.is_public


@pytest.mark.django_db
def test_a_withheld_version_takes_a_published_story_down(publication, drop):
    folder = drop("v2-ferry-version-1.json", "v2-ferry-version-3-withheld.json")
    run(folder / "v2-ferry-version-1.json")
    article = story(FERRY)
    publish(article)
    out = run(folder / "v2-ferry-version-3-withheld.json")
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED
    assert not Article.objects.published().exists()
    assert "withdrawn: “River ferry returns after a winter of repairs” unpublished: withheld " \
           "by the agency: Withheld: the ferry operator disputes" in out
    assert article.revisions.order_by("-number").first().comment.startswith(
        "Unpublished: withheld by the agency")
    # It may not be published again until the agency sends a usable version.
    assert any("withheld" in problem for problem in workflow.publication_problems(article))
    with pytest.raises(workflow.WorkflowError, match="withheld"):
        workflow.article_publish(article=article,
                                 user=UserFactory(username="eager", is_superuser=True))
    usable = json.loads((ITEMS / "v2-ferry-version-2.json").read_text())
    usable["version"] = "4"
    (folder / "v4.json").write_text(json.dumps(usable))
    run(folder / "v4.json")
    assert not any("withheld" in p for p in workflow.publication_problems(story(FERRY)))


@pytest.mark.django_db
def test_a_canceled_version_keeps_an_unpublished_draft_from_publication(publication):
    run(ITEMS / "v1-bridge-version-1.json")
    out = run(ITEMS / "v1-bridge-version-2-canceled.json")
    article = story("http://coastalwire.example/items/2026/bridge-paint")
    assert article.status == Article.Status.DRAFT
    assert "kept from publication (it was not live): canceled by the agency" in out
    assert any("withheld" in p for p in workflow.publication_problems(article))


@pytest.mark.django_db
def test_a_withheld_item_never_imported_is_skipped(publication):
    out = run(ITEMS / "v2-ferry-version-3-withheld.json")
    assert "skipped: withheld by the agency, and never imported here" in out
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_an_embargoed_item_keeps_its_embargo(publication):
    run(ITEMS / "v2-embargoed-report.json")
    article = Article.objects.get()
    assert article.embargo_until == datetime(2036, 5, 21, 4, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_body_with_scripts_is_imported_clean_and_no_script_reaches_a_page(publication, client):
    out = run(ITEMS / "v2-body-with-script.json", "--create-people")
    assert "scripts, frames or event handlers in the body were removed" in out
    article = Article.objects.get()
    for bad in ["<script", "onclick", "onerror", "javascript:", "<iframe", "attacker"]:
        assert bad not in article.body
    article.summary = "Sundays from June."
    publish(article)
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "The harbor market will open on Sundays from June." in html
    for bad in ["attacker.example", "onclick", "onerror", "javascript:alert", "steal()"]:
        assert bad not in html


@pytest.mark.django_db
def test_unknown_authors_are_reported_without_create_people(publication):
    out = run(ITEMS / "v1-bridge-version-1.json")
    assert "no person named “Marta Oyelaran”" in out
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_picture_not_delivered_is_reported_and_the_story_still_imported(publication, tmp_path):
    shutil.copy(ITEMS / "v2-ferry-version-1.json", tmp_path / "ferry.json")
    out = run(tmp_path / "ferry.json")
    assert "lead picture left out: ferry-at-pier.jpg was not delivered beside the item " \
           "(and --fetch-media is off)" in out
    assert Article.objects.get().lead_image is None


@pytest.mark.django_db
def test_a_picture_that_cannot_be_read_is_reported_and_the_story_imported(publication, drop,
                                                                         monkeypatch):
    folder = drop("v2-ferry-version-1.json")
    real_read = Path.read_bytes

    def unreadable(self):
        if self.suffix == ".jpg":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    out = run(folder / "v2-ferry-version-1.json")
    assert "lead picture left out: ferry-at-pier.jpg cannot be read: Permission denied" in out
    assert story(FERRY).lead_image is None


@pytest.mark.django_db
def test_items_land_in_the_chosen_section(publication):
    section = SectionFactory(publication=publication, slug="world")
    run(ITEMS / "v2-embargoed-report.json", "--section", "world")
    assert Article.objects.get().section == section


# --- Bad input ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_a_bad_file_gets_one_clear_line_and_nothing_is_written(publication, path):
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert message.startswith(f"{path.name}: not imported: ")
    assert EXPECTED["bad"][path.name] in message
    assert "\n" not in message
    assert not Article.objects.exists() and not ImportedItem.objects.exists()
    assert not Image.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("content, words", [
    ('{"uri": "urn:x", "subject": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"uri": "urn:x", "version": ' + "9" * 5000 + "}", "not JSON"),
])
def test_hostile_json_gets_one_clear_line(publication, tmp_path, content, words):
    path = tmp_path / "hostile.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=words):
        run(path)
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_fifty_megabytes_of_junk_is_refused_without_reading_it(publication, tmp_path):
    junk = tmp_path / "junk.json"
    with junk.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    with pytest.raises(CommandError, match="larger than 5 MB, far more than a news item"):
        run(junk)


@pytest.mark.django_db
def test_a_bad_file_among_good_ones_is_reported_and_the_others_import(publication, tmp_path):
    shutil.copy(BAD / "not-json.json", tmp_path / "a.json")
    shutil.copy(ITEMS / "v1-bridge-version-1.json", tmp_path / "b.json")
    with pytest.raises(CommandError, match="1 of 2 items could not be imported"):
        run(tmp_path)
    assert Article.objects.count() == 1


def test_read_item_refuses_a_wrong_structure_with_a_clear_message():
    with pytest.raises(ImportProblem, match="“subjects” must be a list"):
        read_item({"uri": "urn:x", "headlines": [{"value": "A"}], "subjects": "ferries",
                   "bodies": [{"value": "B"}]})
    with pytest.raises(ImportProblem, match="every entry of “associations” must be an object"):
        read_item({"uri": "urn:x", "headline": "A", "body_html": "<p>B</p>",
                   "associations": {"featureimage": "ferry.jpg"}})


# --- The drop folder ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_drop_folder_imports_a_file_once_it_stops_growing_then_moves_it(publication, drop):
    folder = drop()
    dropper = DropFolder(folder, NinjsImporter(publication=publication))
    data = (ITEMS / "v2-ferry-version-1.json").read_bytes()
    half = folder / "ferry.json"
    half.write_bytes(data[:400])  # the agency is still writing it
    (folder / "ferry-2.json.part").write_bytes(data)  # written under a temporary name
    (folder / ".ferry-3.json").write_bytes(data)
    assert dropper.tick() == []  # first sight: not known to be complete
    half.write_bytes(data)  # it grew since: still not ready
    assert dropper.tick() == []
    [(path, outcomes)] = dropper.tick()
    assert [o.outcome for o in outcomes] == ["created"]
    assert not half.exists() and (folder / "processed" / "ferry.json").exists()
    assert story(FERRY).lead_image is not None  # the picture beside it was found
    assert (folder / "ferry-2.json.part").exists() and (folder / ".ferry-3.json").exists()
    assert dropper.tick() == []


@pytest.mark.django_db
def test_the_drop_folder_moves_a_bad_file_to_failed_with_the_reason(publication, tmp_path):
    shutil.copy(BAD / "truncated.json", tmp_path / "cut.json")
    dropper = DropFolder(tmp_path, NinjsImporter(publication=publication))
    dropper.tick()
    [(_path, [outcome])] = dropper.tick()
    assert outcome.outcome == "failed"
    note = (tmp_path / "failed" / "cut.json.error.txt").read_text()
    assert "cut.json: failed: not JSON: Unterminated string" in note
    assert (tmp_path / "failed" / "cut.json").exists()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_the_same_name_delivered_again_is_kept_apart_in_processed(publication, tmp_path):
    dropper = DropFolder(tmp_path, NinjsImporter(publication=publication))
    for version in ("v2-ferry-version-1.json", "v2-ferry-version-2.json"):
        shutil.copy(ITEMS / version, tmp_path / "ferry.json")
        dropper.tick()
        dropper.tick()
    assert len(list((tmp_path / "processed").glob("ferry*.json"))) == 2
    assert story(FERRY).headline.endswith("second boat due in May")


def test_a_file_taken_away_while_the_folder_is_read_does_not_stop_the_watch(tmp_path,
                                                                           monkeypatch):
    (tmp_path / "gone.json").write_text("{}")
    real_stat = Path.stat

    def vanishing(self, *args, **kwargs):
        if self.name == "gone.json":
            raise FileNotFoundError(self)
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", vanishing)
    assert DropFolder(tmp_path, importer=None).ready_files() == []


@pytest.mark.django_db
def test_the_watch_reports_a_folder_error_and_keeps_watching(publication, drop, monkeypatch):
    folder = drop("v1-dredging-with-picture.json")
    calls = []
    real_tick = DropFolder.tick

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            raise PermissionError(13, "Permission denied", str(self.path))
        return real_tick(self)

    monkeypatch.setattr(DropFolder, "tick", flaky)
    out = run(folder, "--watch", "--interval", "0.05", "--max-seconds", "1")
    assert "Permission denied" in out
    assert "v1-dredging-with-picture.json: created" in out


@pytest.mark.django_db
def test_import_ninjs_watch_polls_the_folder_for_a_bounded_time(publication, drop):
    folder = drop("v1-dredging-with-picture.json")
    out = run(folder, "--watch", "--interval", "0.05", "--max-seconds", "1")
    assert "Watching" in out
    assert "v1-dredging-with-picture.json: created: draft “Dredgers start deepening" in out
    assert (folder / "processed" / "v1-dredging-with-picture.json").exists()


@pytest.mark.django_db
def test_watch_needs_a_folder(publication):
    with pytest.raises(CommandError, match="--watch needs a folder"):
        call_command("import_ninjs", str(ITEMS / "v2-ferry-version-1.json"), "--watch")


def test_import_ninjs_explains_itself(capsys):
    with pytest.raises(SystemExit):
        call_command("import_ninjs", "--help")
    out = " ".join(capsys.readouterr().out.split())
    assert "--watch" in out and "--max-seconds" in out and "withheld or canceled" in out

"""Desks per masthead: a sister desk runs a story (and changes how, or drops it) through
the workflow; each person's desks come first in the admin; emails go to the home desk.

The permission matrix per masthead, raw POSTs included, is in test_permission_matrix.py.
"""

from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from articles.editorial import roles, signals, workflow
from articles.editorial.roles import EDITOR, REPORTER
from articles.models import Article, Membership, Run

from .factories import ArticleFactory, RunFactory, SectionFactory
from .workflow_helpers import ready_article, user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def valley(other_publication):
    return other_publication


@pytest.fixture
def schools(valley):
    return SectionFactory(publication=valley, name="Schools", slug="schools")


@pytest.fixture
def sister_editor(valley, schools):
    return user_in(EDITOR, "omar", desks=[valley], email="omar@valley.example")


@pytest.fixture
def home_editor(publication):
    return user_in(EDITOR, "ruth", desks=[publication], email="ruth@herald.example")


@pytest.fixture
def story(publication, home_editor):
    article = ready_article(publication, headline="Ferry fares rise for the winter")
    workflow.article_publish(article=article, user=home_editor)
    return Article.objects.get(pk=article.pk)


@pytest.fixture
def received():
    log = []
    handlers = []
    for name in ["article_run_started", "article_run_changed", "article_run_dropped"]:
        def handler(sender, _name=name, **kwargs):
            log.append((_name, kwargs))
        getattr(signals, name).connect(handler, weak=False)
        handlers.append((getattr(signals, name), handler))
    yield log
    for signal, handler in handlers:
        signal.disconnect(handler)


# --- The sister desk's transitions ---------------------------------------------------------


def test_a_sister_desk_runs_the_story_with_a_revision_a_log_entry_and_a_signal(
        story, valley, schools, sister_editor, received):
    version, saved = story.version, story.modified_at
    workflow.article_run_on(article=story, user=sister_editor, publication=valley,
                            section=schools, headline="School trips will cost more")
    run = Run.objects.get(article=story, publication=valley)
    assert (run.section, run.headline, run.featured, run.is_home) == (
        schools, "School trips will cost more", False, False)
    story.refresh_from_db()
    assert story.version == version  # the home desk's open form is still current
    assert story.modified_at > saved  # feeds and sitemaps see a change
    revision = story.revisions.order_by("-number").first()
    assert revision.comment == "Runs on The Valley Ledger, in Schools"
    assert revision.data["runs"] == [{
        "publication": valley.pk, "name": "The Valley Ledger", "section": "Schools",
        "headline": "School trips will cost more", "featured": False}]
    entry = LogEntry.objects.filter(user=sister_editor).get()
    assert entry.change_message == "Runs on The Valley Ledger, in Schools"
    assert received == [("article_run_started", {"signal": signals.article_run_started,
                                                  "article": story, "user": sister_editor,
                                                  "run": run})]


def test_changing_and_dropping_a_run_are_transitions_too(story, valley, schools,
                                                         sister_editor, received):
    workflow.article_run_on(article=story, user=sister_editor, publication=valley,
                            section=schools)
    sports = SectionFactory(publication=valley, name="Sports", slug="sports")
    workflow.article_change_run(article=story, user=sister_editor, publication=valley,
                                section=sports, headline="", featured=True)
    run = Run.objects.get(article=story, publication=valley)
    assert (run.section, run.featured) == (sports, True)
    workflow.article_drop_run(article=story, user=sister_editor, publication=valley)
    assert not Run.objects.filter(article=story, publication=valley).exists()
    assert Run.objects.filter(article=story, is_home=True).exists()
    assert [name for name, _ in received] == [
        "article_run_started", "article_run_changed", "article_run_dropped"]
    comments = list(story.revisions.order_by("number").values_list("comment", flat=True))
    assert comments[-2:] == ["Changed how The Valley Ledger runs it (Sports)",
                             "Dropped from The Valley Ledger"]


def test_running_needs_a_section_of_that_masthead_and_only_once(story, valley, schools,
                                                               sister_editor, publication):
    with pytest.raises(workflow.WorkflowError, match="a section of The Valley Ledger"):
        workflow.article_run_on(article=story, user=sister_editor, publication=valley,
                                section=story.section)
    with pytest.raises(workflow.WorkflowError, match="a section of The Valley Ledger"):
        workflow.article_run_on(article=story, user=sister_editor, publication=valley,
                                section=None)
    workflow.article_run_on(article=story, user=sister_editor, publication=valley,
                            section=schools)
    with pytest.raises(workflow.WorkflowError, match="already runs"):
        workflow.article_run_on(article=story, user=sister_editor, publication=valley,
                                section=schools)
    assert Run.objects.filter(article=story).count() == 2


def test_a_home_editor_cannot_push_a_story_onto_a_sister_masthead(story, valley, schools,
                                                                  home_editor):
    with pytest.raises(PermissionDenied):
        workflow.article_run_on(article=story, user=home_editor, publication=valley,
                                section=schools)
    assert not Run.objects.filter(article=story, publication=valley).exists()


def test_a_sister_editor_features_only_with_the_feature_permission(story, valley, schools):
    from django.contrib.auth.models import Permission

    editor = user_in(EDITOR, "omar", desks=[valley])
    workflow.article_run_on(article=story, user=editor, publication=valley, section=schools)
    editor.groups.clear()  # the permission itself, from the group, is gone
    editor.user_permissions.add(*Permission.objects.filter(
        codename__in=["publish_article", "view_article"]))
    editor = type(editor).objects.get(pk=editor.pk)
    with pytest.raises(PermissionDenied):
        workflow.article_change_run(article=story, user=editor, publication=valley,
                                    section=schools, featured=True)
    assert not Run.objects.get(article=story, publication=valley).featured


def test_roles_hold_only_on_their_desks(publication, valley):
    both = user_in(REPORTER, "kai", desks=[publication])
    Membership.objects.create(user=both, publication=valley, role="editor")
    both.groups.add(*both.groups.model.objects.filter(name=EDITOR))
    assert roles.may(both, "articles.add_article", publication.pk)
    assert not roles.may(both, "articles.publish_article", publication.pk)
    assert roles.may(both, "articles.publish_article", valley.pk)
    assert roles.desks_where(both, "articles.publish_article") == [valley.pk]


def test_the_migration_gave_existing_role_holders_every_desk():
    """The data migration's rule, run against today's database."""
    from importlib import import_module

    from django.apps import apps

    from .factories import PublicationFactory, UserFactory

    migration = import_module("articles.migrations.0016_network")
    reporter, editor = UserFactory(username="old-reporter"), UserFactory(username="old-editor")
    reporter.groups.add(reporter.groups.model.objects.get(name=REPORTER))
    editor.groups.add(editor.groups.model.objects.get(name=REPORTER),
                      editor.groups.model.objects.get(name=EDITOR))
    PublicationFactory(slug="second")
    migration.give_role_holders_every_desk(apps, None)
    desks = set(Membership.objects.values_list("user__username", "publication__slug", "role"))
    slugs = {p.slug for p in Membership.objects.model._meta.get_field("publication")
             .related_model.objects.all()}
    assert desks == {("old-reporter", s, "reporter") for s in slugs} | {
        ("old-editor", s, "editor") for s in slugs}


# --- The admin: the desk's page, desks first ----------------------------------------------


def test_a_sister_editor_runs_the_story_from_its_admin_page(client, story, valley, schools,
                                                            sister_editor):
    client.force_login(sister_editor)
    change = client.get(reverse("admin:articles_article_change", args=[story.pk])).text
    run_url = reverse("admin:articles_article_run", args=[story.pk, valley.pk])
    assert f'href="{run_url}"' in change and "Run it on The Valley Ledger" in change
    page = client.get(run_url).text
    assert f'<option value="{schools.pk}"' in page
    assert f'<option value="{story.section_id}"' not in page
    response = client.post(run_url, {"section": schools.pk, "headline": "  "})
    assert response.status_code == 302
    change = client.get(reverse("admin:articles_article_change", args=[story.pk])).text
    assert "Change how The Valley Ledger runs it" in change
    assert f'href="http://valley.example{story.get_absolute_url()}"' in change


def test_a_refused_run_says_why_and_keeps_what_was_typed(client, story, valley, schools,
                                                         sister_editor):
    client.force_login(sister_editor)
    run_url = reverse("admin:articles_article_run", args=[story.pk, valley.pk])
    response = client.post(run_url, {"section": "", "headline": "Typed with care"})
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert "Typed with care" in response.text


def test_the_article_list_and_dashboard_show_my_desks_first(client, publication, valley,
                                                            schools, sister_editor):
    herald_story = ready_article(publication, headline="Herald harbor story", published=True)
    ready_article(valley, section=schools, headline="Valley schools story", published=True)
    ArticleFactory(publication=publication, published=True, headline="Newest Herald story")
    RunFactory(article=herald_story, publication=valley, section=schools)
    client.force_login(sister_editor)
    page = client.get(reverse("admin:articles_article_changelist")).text
    assert page.index("Valley schools story") < page.index("Newest Herald story")
    assert page.index("Herald harbor story") < page.index("Newest Herald story")
    assert "The Valley Ledger — your desk (editor)" in page
    mine = client.get(reverse("admin:articles_article_changelist"), {"runs_on": valley.pk}).text
    assert "Herald harbor story" in mine and "Newest Herald story" not in mine
    dashboard = client.get(reverse("admin:index")).text
    assert "Your desks: The Valley Ledger (editor)" in dashboard
    recent = dashboard[dashboard.index("Recently published"):]
    assert recent.index("Valley schools story") < recent.index("Newest Herald story")


def test_a_sister_editor_sees_no_draft_of_another_desk(client, publication, sister_editor):
    ready_article(publication, headline="A Herald draft")
    client.force_login(sister_editor)
    assert "A Herald draft" not in client.get(reverse("admin:articles_article_changelist")).text
    assert "A Herald draft" not in client.get(reverse("admin:index")).text


def test_a_submitted_story_is_emailed_to_its_home_desks_editors(
        publication, valley, sister_editor, home_editor, django_capture_on_commit_callbacks):
    reporter = user_in(REPORTER, "dana", desks=[publication])
    article = ready_article(publication, created_by=reporter)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.article_submit_for_review(article=article, user=reporter)
    [submitted] = mail.outbox
    assert submitted.to == ["ruth@herald.example"]


def test_a_person_may_have_a_bio_line_per_masthead_in_the_admin(client, valley):
    from people.models import Person

    chief = user_in(None, "chief", is_superuser=True)
    person = Person.objects.create(full_name="Dana Reyes", short_bio="Dana covers the harbor.")
    client.force_login(chief)
    response = client.post(reverse("admin:people_person_change", args=[person.pk]), {
        "full_name": "Dana Reyes", "slug": person.slug, "short_bio": "Dana covers the harbor.",
        "is_active": "on", "social_links-TOTAL_FORMS": 0, "social_links-INITIAL_FORMS": 0,
        "masthead_bios-TOTAL_FORMS": 1, "masthead_bios-INITIAL_FORMS": 0,
        "masthead_bios-0-publication": valley.pk,
        "masthead_bios-0-short_bio": "Dana writes for our sister paper."})
    assert response.status_code == 302
    assert person.masthead_bios.get().short_bio == "Dana writes for our sister paper."



def run_selected(client, stories, **data):
    return client.post(reverse("admin:articles_article_changelist"), {
        "action": "run_on_masthead", "_selected_action": [s.pk for s in stories], **data},
        follow=True)


def test_a_sister_editor_runs_several_stories_at_once_each_refusal_named(
        client, publication, story, valley, schools, sister_editor, home_editor):
    second = ready_article(publication, headline="Pier repairs finish early", published=True)
    running = ready_article(publication, headline="Harbor dredging begins", published=True)
    workflow.article_run_on(article=running, user=sister_editor, publication=valley,
                            section=schools)
    own = ready_article(valley, section=schools, headline="Valley board votes",
                        published=True)
    client.force_login(sister_editor)
    chosen = [story, second, running, own]
    # First the question: which section of which masthead, of the desks the editor runs.
    page = run_selected(client, chosen).text
    assert f'<option value="{schools.pk}">The Valley Ledger — Schools</option>' in page
    assert f'<option value="{story.section_id}"' not in page  # the Herald's: not this desk
    assert f"Ferry fares rise for the winter (from {publication.name})" in page
    page = unescape(run_selected(client, chosen, apply="yes", section=schools.pk).text)
    assert ("Now running on The Valley Ledger in Schools 2: “Ferry fares rise for the winter”, "
            "“Pier repairs finish early”.") in page
    assert "Not run on The Valley Ledger: “Harbor dredging begins”: " in page
    assert "already runs on The Valley Ledger" in page
    assert "“Valley board votes” is The Valley Ledger's own story." in page
    runs = Run.objects.filter(publication=valley, is_home=False)
    assert sorted(runs.values_list("article__headline", flat=True)) == [
        "Ferry fares rise for the winter", "Harbor dredging begins", "Pier repairs finish early"]
    assert set(runs.values_list("section", flat=True)) == {schools.pk}
    assert not runs.filter(featured=True).exists()
    assert story.revisions.order_by("number").last().comment == (
        "Runs on The Valley Ledger, in Schools")


def test_running_several_stories_needs_the_sister_desk_even_by_a_raw_post(
        client, publication, story, valley, schools, home_editor):
    """The Herald's editor may not push stories onto the Valley Ledger: its sections are
    not offered, and a POST naming one runs nothing. A reporter has no such action."""
    client.force_login(home_editor)
    page = run_selected(client, [story]).text
    assert f'<option value="{schools.pk}"' not in page
    page = run_selected(client, [story], apply="yes", section=schools.pk).text
    assert "Select a valid choice" in page
    client.force_login(user_in(REPORTER, "dana"))  # a reporter on every desk
    changelist = client.get(reverse("admin:articles_article_changelist")).text
    assert "run_on_masthead" not in changelist
    run_selected(client, [story], apply="yes", section=schools.pk)
    assert not Run.objects.filter(publication=valley).exists()

"""Every role × every action, through the admin and by raw POSTs that skip the UI.

Roles: anonymous, staff with no role, reporter, editor, admin (superuser). Each cell sets
up its own story, makes the request a browser (or an attacker) would, and checks the
effect in the database: an allowed action happens; a refused one changes nothing and is
never a server error.
"""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.editorial.revisions import record_revision, snapshot
from articles.editorial.roles import ROLE_PERMISSIONS
from articles.models import Article, Autosave, Correction, PendingChanges, Publication, Section
from people.models import Person

from .test_admin import article_form_data
from .workflow_helpers import ready_article, user_in

pytestmark = pytest.mark.django_db
Status = Article.Status
ROLES = ["anonymous", "staff", "reporter", "editor", "admin"]


def make_user(role):
    return {
        "anonymous": lambda: None,
        "staff": lambda: user_in(None, "temp"),
        "reporter": lambda: user_in("Reporter", "dana"),
        "editor": lambda: user_in("Editor", "ruth"),
        "admin": lambda: user_in(None, "chief", is_superuser=True),
    }[role]()


def change_data(article, **overrides):
    data = article_form_data(article.publication, article.section, headline=article.headline,
                             slug=article.slug, summary=article.summary, body=article.body,
                             loaded_version=article.version)
    data.update(overrides)
    return data


def admin_url(name, *args):
    return reverse(f"admin:articles_article_{name}", args=args)


# Each action: (setup(publication, user, someone_else) -> article or None,
#               perform(client, article, publication) -> response,
#               happened(article, publication) -> bool)
def _own_draft(pub, user, other):
    return ready_article(pub, created_by=user)


def _others_draft(pub, user, other):
    return ready_article(pub, created_by=other)


def _own_published(pub, user, other):
    return ready_article(pub, created_by=user, published=True)


def _in_review(pub, user, other):
    return ready_article(pub, created_by=other, status=Status.IN_REVIEW)


def _published(pub, user, other):
    return ready_article(pub, created_by=other, published=True)


def _embargoed(pub, user, other):
    return ready_article(pub, created_by=other, published=True,
                         embargo_until=timezone.now() + timedelta(days=1))


def _edit(client, article, pub):
    return client.post(admin_url("change", article.pk),
                       change_data(article, headline="Rewritten by someone"))


def _edited(article, pub):
    # A live story's edit waits as its pending changes; any other story changes at once.
    pending = PendingChanges.objects.filter(article=article).first()
    return "Rewritten by someone" in (Article.objects.get(pk=article.pk).headline,
                                      pending and pending.data["headline"])


def _own_scheduled(pub, user, other):
    return ready_article(pub, created_by=user, scheduled=True)


def _live_unchanged_and(check):
    """The live story as readers see it has not changed, and ``check`` holds: the way every
    change to a live story goes, until an editor publishes it."""
    def happened(article, pub):
        live = Article.objects.get(pk=article.pk)
        assert (live.headline, live.section_id) == (article.headline, article.section_id)
        assert not Correction.objects.filter(article=article).exists() or check is _corrected
        return check(article, pub)
    return happened


def _pending_headline(article, pub):
    pending = PendingChanges.objects.filter(article=article).first()
    return bool(pending) and pending.data["headline"] == "Rewritten by someone"


def _corrected(article, pub):
    return Correction.objects.filter(article=article).exists()


def _with_own_pending_changes(pub, user, other):
    article = ready_article(pub, created_by=user, published=True)
    PendingChanges.objects.create(article=article, saved_by=user,
                                  data={**snapshot(article), "headline": "Waiting to go live"})
    return article


def _with_a_revision(pub, user, other):
    article = ready_article(pub, created_by=user, published=True, headline="As first written")
    record_revision(article, comment="Created")
    Article.objects.filter(pk=article.pk).update(headline="As readers see it now")
    article.refresh_from_db()
    return article


def _restore(client, article, pub):
    number = article.revisions.get().number
    return client.post(admin_url("restore", article.pk, number), {"confirm": "yes"})


def _restored_into_pending(article, pub):
    pending = PendingChanges.objects.filter(article=article).first()
    return bool(pending) and pending.data["headline"] == "As first written"


def _move_section(client, article, pub):
    harbor = Section.objects.create(publication=pub, name="Harbor", slug="harbor")
    return client.post(reverse("admin:articles_article_changelist"), {
        "action": "move_to_section", "_selected_action": [article.pk], "apply": "yes",
        "section": harbor.pk})


def _correct_in_form(client, article, pub):
    return client.post(admin_url("change", article.pk), change_data(
        article, **{"corrections-TOTAL_FORMS": 1, "corrections-0-kind": "correction",
                    "corrections-0-text": "The pier is 40 m long, not 400 m.",
                    "corrections-0-created_at_0": f"{timezone.localdate():%Y-%m-%d}",
                    "corrections-0-created_at_1": "09:00"}))


def _with_pending_changes(pub, user, other):
    article = ready_article(pub, created_by=user, published=True)
    PendingChanges.objects.create(article=article, data={**snapshot(article),
                                                         "headline": "Waiting to go live"})
    return article


def _autosave(client, article, pub):
    return client.post(admin_url("autosave", article.pk),
                       {"data": json.dumps([["headline", "Typed, not saved"]])})


def _workflow(action, **data):
    return lambda client, article, pub: client.post(admin_url("workflow", article.pk, action),
                                                    data)


def _status_is(status):
    return lambda article, pub: Article.objects.get(pk=article.pk).status == status


def _create(client, article, pub):
    section = Section.objects.create(publication=pub, name="Harbor", slug="harbor")
    return client.post(admin_url("add"),
                       article_form_data(pub, section, headline="A brand-new story"))


ACTIONS = {
    "create": (lambda p, u, o: None, _create,
               lambda a, p: Article.objects.filter(headline="A brand-new story").exists()),
    "edit own draft": (_own_draft, _edit, _edited),
    "edit other's draft": (_others_draft, _edit, _edited),
    "edit own published": (_own_published, _edit, _edited),
    "edit own live story": (_own_published, _edit, _live_unchanged_and(_pending_headline)),
    "edit own scheduled": (_own_scheduled, _edit, _edited),
    "restore revision on own live story": (_with_a_revision, _restore,
                                           _live_unchanged_and(_restored_into_pending)),
    "move own live story to a section": (
        _own_published, _move_section,
        lambda a, p: Article.objects.get(pk=a.pk).section.slug == "harbor"),
    "correct own live story in the form": (_own_published, _correct_in_form,
                                           _live_unchanged_and(_corrected)),
    "submit own changes for review": (
        _with_own_pending_changes, _workflow("submit_changes"),
        lambda a, p: PendingChanges.objects.get(article=a).submitted_at is not None),
    "discard own changes": (_with_own_pending_changes, _workflow("discard_changes"),
                            lambda a, p: not PendingChanges.objects.filter(article=a).exists()),
    "publish own changes": (_with_own_pending_changes, _workflow("publish_changes"),
                            lambda a, p: Article.objects.get(pk=a.pk).headline
                            == "Waiting to go live"),
    "publish changes": (_with_pending_changes, _workflow("publish_changes"),
                        lambda a, p: Article.objects.get(pk=a.pk).headline
                        == "Waiting to go live"),
    "discard changes": (_with_pending_changes, _workflow("discard_changes"),
                        lambda a, p: not PendingChanges.objects.filter(article=a).exists()),
    "autosave own draft": (_own_draft, _autosave, lambda a, p: Autosave.objects.exists()),
    "autosave other's draft": (_others_draft, _autosave, lambda a, p: Autosave.objects.exists()),
    "submit own draft": (_own_draft, _workflow("submit"), _status_is(Status.IN_REVIEW)),
    "submit other's draft": (_others_draft, _workflow("submit"), _status_is(Status.IN_REVIEW)),
    "return": (_in_review, _workflow("return", note="Needs a second source."),
               _status_is(Status.RETURNED)),
    "schedule": (_in_review, _workflow("schedule", publish_at=(
        timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")),
        lambda a, p: Article.objects.scheduled().filter(pk=a.pk).exists()),
    "publish": (_in_review, _workflow("publish"),
                lambda a, p: Article.objects.published().filter(pk=a.pk).exists()),
    "unpublish": (_published, _workflow("unpublish"), _status_is(Status.UNPUBLISHED)),
    "feature": (_published, _workflow("feature"),
                lambda a, p: Article.objects.get(pk=a.pk).featured),
    "lift embargo": (_embargoed, _workflow("lift_embargo"),
                     lambda a, p: Article.objects.get(pk=a.pk).embargo_until is None),
    "add correction": (_published, _workflow("correct", kind="correction",
                                             text="The pier is 40 m long, not 400 m."),
                       lambda a, p: Correction.objects.filter(article=a).exists()),
    "delete": (_others_draft, lambda c, a, p: c.post(admin_url("delete", a.pk), {"post": "yes"}),
               lambda a, p: not Article.objects.filter(pk=a.pk).exists()),
    "add person": (lambda p, u, o: None,
                   lambda c, a, p: c.post(reverse("admin:people_person_add"), {
                       "full_name": "Noor Haddad", "slug": "noor-haddad", "is_active": "on",
                       "social_links-TOTAL_FORMS": 0, "social_links-INITIAL_FORMS": 0,
                       "masthead_bios-TOTAL_FORMS": 0, "masthead_bios-INITIAL_FORMS": 0}),
                   lambda a, p: Person.objects.filter(slug="noor-haddad").exists()),
    "add publication": (lambda p, u, o: None,
                        lambda c, a, p: c.post(reverse("admin:articles_publication_add"), {
                            "name": "The Dune Gazette", "slug": "dune", "language": "en",
                            "accent_color": "#112233", "memberships-TOTAL_FORMS": 0,
                            "memberships-INITIAL_FORMS": 0}),
                        lambda a, p: Publication.objects.filter(slug="dune").exists()),
    "add section": (lambda p, u, o: None,
                    lambda c, a, p: c.post(reverse("admin:articles_section_add"), {
                        "publication": p.pk, "name": "Tides", "slug": "tides", "order": 0}),
                    lambda a, p: Section.objects.filter(slug="tides").exists()),
    "add user": (lambda p, u, o: None,
                 lambda c, a, p: c.post(reverse("admin:auth_user_add"), {
                     "username": "newhire", "password1": "a-long-unusual-pass-42",
                     "password2": "a-long-unusual-pass-42", "usable_password": "true"}),
                 lambda a, p: get_user_model().objects.filter(username="newhire").exists()),
}

EVERYONE_WHO_WRITES = {"reporter", "editor", "admin"}
EDITORS = {"editor", "admin"}
ALLOWED = {
    "create": EVERYONE_WHO_WRITES,
    "edit own draft": EVERYONE_WHO_WRITES,
    "edit other's draft": EDITORS,
    # A reporter's edit to their live story waits as pending changes (never live), which
    # they may submit for review or drop; only editors publish changes, or change a
    # scheduled story (readers would get it without an editor's say).
    "edit own published": EVERYONE_WHO_WRITES,
    "edit own live story": EVERYONE_WHO_WRITES,
    "edit own scheduled": EDITORS,
    "restore revision on own live story": EVERYONE_WHO_WRITES,
    "move own live story to a section": EDITORS,
    "correct own live story in the form": EDITORS,
    "submit own changes for review": EVERYONE_WHO_WRITES,
    "discard own changes": EVERYONE_WHO_WRITES,
    "publish own changes": EDITORS,
    "publish changes": EDITORS,
    "discard changes": EDITORS,
    "autosave own draft": EVERYONE_WHO_WRITES,
    "autosave other's draft": EDITORS,
    "submit own draft": EVERYONE_WHO_WRITES,
    "submit other's draft": EDITORS,
    "return": EDITORS,
    "schedule": EDITORS,
    "publish": EDITORS,
    "unpublish": EDITORS,
    "feature": EDITORS,
    "lift embargo": EDITORS,
    "add correction": EDITORS,
    "delete": EDITORS,
    # Editors add freelancers and wire services to bylines; see README.
    "add person": EDITORS,
    "add publication": {"admin"},
    "add section": {"admin"},
    "add user": {"admin"},
}


def test_the_matrix_covers_every_action():
    assert set(ALLOWED) == set(ACTIONS)


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, publication, role, action):
    user = make_user(role)
    someone_else = user_in("Reporter", "sam")
    setup, perform, happened = ACTIONS[action]
    article = setup(publication, user, someone_else)
    if user:
        client.force_login(user)
    response = perform(client, article, publication)
    assert response.status_code < 500
    allowed = role in ALLOWED[action]
    assert happened(article, publication) == allowed, (role, action, response.status_code)
    if not allowed and role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_role_groups_hold_exactly_their_listed_permissions(db):
    for role, perms in ROLE_PERMISSIONS.items():
        held = {f"{p.content_type.app_label}.{p.codename}"
                for p in Group.objects.get(name=role).permissions.select_related("content_type")}
        assert held == set(perms), role


# --- Raw POSTs that try to set what the form does not offer ---------------------------


def test_a_reporter_posting_status_published_and_featured_saves_only_the_text(client,
                                                                            publication):
    reporter = user_in("Reporter", "dana")
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    future = timezone.localtime() + timedelta(days=1)
    response = client.post(admin_url("change", article.pk), change_data(
        article, headline="Ferry fares rise", status="published", featured="on", priority=9,
        publish_at_0=f"{future:%Y-%m-%d}", publish_at_1="08:00", embargo_until_0="",
        updated_at_0="2020-01-01", updated_at_1="10:00"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Ferry fares rise"
    assert (article.status, article.featured, article.priority) == (Status.DRAFT, False, 0)
    assert article.publish_at is None and article.updated_at is None


def test_a_reporter_creating_a_story_as_published_gets_a_draft(client, publication):
    reporter = user_in("Reporter", "dana")
    client.force_login(reporter)
    section = Section.objects.create(publication=publication, name="Harbor", slug="harbor")
    response = client.post(admin_url("add"), article_form_data(
        publication, section, headline="Sneaky", status="published", featured="on"))
    assert response.status_code == 302
    article = Article.objects.get(headline="Sneaky")
    assert (article.status, article.featured, article.created_by) == (
        Status.DRAFT, False, reporter)


def test_a_reporter_cannot_open_or_preview_someone_elses_draft(client, publication):
    reporter = user_in("Reporter", "dana")
    article = ready_article(publication, created_by=user_in("Reporter", "sam"))
    client.force_login(reporter)
    for name in ["change", "preview", "share"]:
        response = client.get(admin_url(name, article.pk))
        assert response.status_code in (302, 403, 404), name
        assert article.headline not in response.text
    assert client.post(admin_url("share", article.pk)).status_code in (302, 403, 404)
    assert not article.preview_links.exists()


def test_an_editor_cannot_take_a_step_the_story_is_not_in(client, publication):
    editor = user_in("Editor", "ruth")
    article = ready_article(publication)  # a draft
    client.force_login(editor)
    response = client.post(admin_url("workflow", article.pk, "unpublish"))
    assert response.status_code == 200
    assert "cannot be unpublished" in response.text
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_a_reporter_cannot_slip_a_correction_in_through_the_inline(client, publication):
    reporter = user_in("Reporter", "dana")
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    response = client.post(admin_url("change", article.pk), change_data(article, **{
        "corrections-TOTAL_FORMS": 1, "corrections-0-kind": "correction",
        "corrections-0-text": "Planted by a raw POST.",
        "corrections-0-created_at_0": "2030-01-02", "corrections-0-created_at_1": "10:00"}))
    assert response.status_code in (200, 302, 403)
    assert not Correction.objects.exists()
    assert Article.objects.get(pk=article.pk).updated_at is None


# --- The matrix per masthead: a role holds on the desks where it is given ----------------
#
# The Herald (home) and the Valley Ledger (its sister). Every story below is at home on the
# Herald. The Herald's desk controls its text and its publishing; the Valley Ledger's desk
# may only run it there, change how, or drop it.

DESK_ACTORS = ["anonymous", "no desk", "home reporter", "home editor", "sister reporter",
               "sister editor", "reporter here, editor there", "admin"]


def make_desk_user(actor, home, sister):
    from articles.editorial.roles import EDITOR, REPORTER

    return {
        "anonymous": lambda: None,
        "no desk": lambda: user_in(EDITOR, "floater", desks=[]),
        "home reporter": lambda: user_in(REPORTER, "dana", desks=[home]),
        "home editor": lambda: user_in(EDITOR, "ruth", desks=[home]),
        "sister reporter": lambda: user_in(REPORTER, "ines", desks=[sister]),
        "sister editor": lambda: user_in(EDITOR, "omar", desks=[sister]),
        "reporter here, editor there": lambda: both_desks(home, sister),
        "admin": lambda: user_in(None, "chief", is_superuser=True),
    }[actor]()


def both_desks(home, sister):
    from articles.editorial.roles import EDITOR, REPORTER
    from articles.models import Membership

    user = user_in(REPORTER, "kai", desks=[home])
    user.groups.add(Group.objects.get(name=EDITOR))
    Membership.objects.create(user=user, publication=sister, role="editor")
    return user


def run_url(article, publication):
    return admin_url("run", article.pk, publication.pk)


def running_on(sister):
    """Setup: a published Herald story that the sister masthead runs."""
    def setup(home, user, other):
        from .factories import RunFactory

        article = _published(home, user, other)
        RunFactory(article=article, publication=sister, section=sister.sections.first())
        return article
    return setup


def _runs_on(sister, **expected):
    def check(article, home):
        from articles.models import Run

        run = Run.objects.filter(article=article, publication=sister).first()
        return run is not None and all(getattr(run, k) == v for k, v in expected.items())
    return check


def desk_actions(home, sister):
    schools = sister.sections.first()
    return {
        "create on home": (lambda h, u, o: None, _create,
                           lambda a, p: Article.objects.filter(headline="A brand-new story")
                           .exists()),
        "edit own draft": (_own_draft, _edit, _edited),
        "edit other's draft": (_others_draft, _edit, _edited),
        "edit published": (_published, _edit, _edited),
        "submit own draft": (_own_draft, _workflow("submit"), _status_is(Status.IN_REVIEW)),
        "return": (_in_review, _workflow("return", note="Needs a second source."),
                   _status_is(Status.RETURNED)),
        "publish": (_in_review, _workflow("publish"),
                    lambda a, p: Article.objects.published().filter(pk=a.pk).exists()),
        "unpublish": (_published, _workflow("unpublish"), _status_is(Status.UNPUBLISHED)),
        "feature at home": (_published, _workflow("feature"),
                            lambda a, p: Article.objects.get(pk=a.pk).featured),
        "add correction": (_published, _workflow("correct", kind="correction",
                                                 text="The pier is 40 m long, not 400 m."),
                           lambda a, p: Correction.objects.filter(article=a).exists()),
        "delete": (_others_draft,
                   lambda c, a, p: c.post(admin_url("delete", a.pk), {"post": "yes"}),
                   lambda a, p: not Article.objects.filter(pk=a.pk).exists()),
        "run on sister": (_published,
                          lambda c, a, p: c.post(run_url(a, sister), {"section": schools.pk}),
                          _runs_on(sister)),
        "run a draft on sister": (_others_draft,
                                  lambda c, a, p: c.post(run_url(a, sister),
                                                         {"section": schools.pk}),
                                  _runs_on(sister)),
        "retitle on sister": (running_on(sister),
                              lambda c, a, p: c.post(run_url(a, sister), {
                                  "section": schools.pk, "headline": "Valley angle"}),
                              _runs_on(sister, headline="Valley angle")),
        "feature on sister": (running_on(sister),
                              lambda c, a, p: c.post(run_url(a, sister), {
                                  "section": schools.pk, "featured": "on"}),
                              _runs_on(sister, featured=True)),
        "drop from sister": (running_on(sister),
                             lambda c, a, p: c.post(run_url(a, sister), {"_drop": "1"}),
                             lambda a, p: not a.runs.filter(publication=sister).exists()),
        "run on its own home": (_published,
                                lambda c, a, p: c.post(run_url(a, p), {
                                    "section": a.section_id}),
                                lambda a, p: a.runs.filter(publication=p).count() > 1),
    }


HOME_WRITERS = {"home reporter", "home editor", "reporter here, editor there", "admin"}
HOME_EDITORS = {"home editor", "admin"}
SISTER_EDITORS = {"sister editor", "reporter here, editor there", "admin"}
DESK_ALLOWED = {
    "create on home": HOME_WRITERS,
    "edit own draft": HOME_WRITERS,
    "edit other's draft": HOME_EDITORS,
    "edit published": HOME_EDITORS,
    "submit own draft": HOME_WRITERS,
    "return": HOME_EDITORS,
    "publish": HOME_EDITORS,
    "unpublish": HOME_EDITORS,
    "feature at home": HOME_EDITORS,
    "add correction": HOME_EDITORS,
    "delete": HOME_EDITORS,
    "run on sister": SISTER_EDITORS,
    # A sister desk sees another desk's draft only if it is its own story.
    "run a draft on sister": {"admin"},
    "retitle on sister": SISTER_EDITORS,
    "feature on sister": SISTER_EDITORS,
    "drop from sister": SISTER_EDITORS,
    "run on its own home": set(),
}


@pytest.fixture
def network(publication, other_publication):
    Section.objects.create(publication=other_publication, name="Schools", slug="schools")
    return publication, other_publication


def test_the_desk_matrix_covers_every_action(network):
    assert set(DESK_ALLOWED) == set(desk_actions(*network))


@pytest.mark.parametrize("action", list(DESK_ALLOWED))
@pytest.mark.parametrize("actor", DESK_ACTORS)
def test_permission_matrix_per_masthead(client, network, actor, action):
    home, sister = network
    user = make_desk_user(actor, home, sister)
    someone_else = user_in("Reporter", "sam", desks=[home])
    setup, perform, happened = desk_actions(home, sister)[action]
    article = setup(home, user, someone_else)
    if user:
        client.force_login(user)
    response = perform(client, article, home)
    assert response.status_code < 500
    allowed = actor in DESK_ALLOWED[action]
    assert happened(article, home) == allowed, (actor, action, response.status_code)


def test_a_sister_editor_cannot_run_a_story_in_a_section_of_another_masthead(client,
                                                                             network):
    home, sister = network
    editor = make_desk_user("sister editor", home, sister)
    article = _published(home, editor, None)
    client.force_login(editor)
    response = client.post(run_url(article, sister), {"section": article.section_id})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not article.runs.filter(publication=sister).exists()


def test_a_sister_editor_cannot_move_the_story_home_or_change_its_text_by_raw_post(
        client, network):
    home, sister = network
    editor = make_desk_user("sister editor", home, sister)
    article = running_on(sister)(home, editor, None)
    schools = sister.sections.first()
    client.force_login(editor)
    client.post(admin_url("change", article.pk), change_data(
        article, headline="Hijacked", publication=sister.pk, section=schools.pk))
    article.refresh_from_db()
    assert (article.headline, article.publication_id) != ("Hijacked", sister.pk)
    assert article.publication_id == home.pk


def test_the_pickers_offer_only_the_persons_desks(client, network):
    home, sister = network
    reporter = make_desk_user("sister reporter", home, sister)
    client.force_login(reporter)
    home_section = Section.objects.create(publication=home, name="Harbor", slug="harbor")
    page = client.get(admin_url("add")).text
    mastheads = page[page.index('<select name="publication"'):]
    mastheads = mastheads[:mastheads.index("</select>")]
    assert f'<option value="{sister.pk}"' in mastheads
    assert f'<option value="{home.pk}"' not in mastheads
    assert f'data-publication="{sister.pk}"' in page
    assert f'data-publication="{home.pk}"' not in page
    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "articles", "model_name": "article", "field_name": "section", "term": ""})
    offered = {int(r["id"]) for r in found.json()["results"]}
    assert sister.sections.first().pk in offered and home_section.pk not in offered
    # A raw POST naming the other masthead is refused.
    response = client.post(admin_url("add"), article_form_data(
        home, home_section, headline="A brand-new story"))
    assert response.status_code == 200
    assert not Article.objects.filter(headline="A brand-new story").exists()


def test_granting_a_desk_role_in_the_admin_gives_the_role_group(client, network):
    from articles.models import Membership

    home, sister = network
    chief = make_desk_user("admin", home, sister)
    newcomer = user_in(None, "newcomer")
    client.force_login(chief)
    response = client.post(reverse("admin:articles_publication_change", args=[sister.pk]), {
        "name": sister.name, "slug": sister.slug, "domain": sister.domain, "language": "en",
        "accent_color": sister.accent_color, "memberships-TOTAL_FORMS": 1,
        "memberships-INITIAL_FORMS": 0, "memberships-0-user": newcomer.pk,
        "memberships-0-role": "editor"})
    assert response.status_code == 302, response.content[:2000]
    assert Membership.objects.get(user=newcomer).publication == sister
    assert newcomer.groups.filter(name="Editor").exists()

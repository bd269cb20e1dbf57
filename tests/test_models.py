import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article, Byline, Publication, RelatedItem
from people.models import Person

from .factories import (
    ArticleFactory,
    BylineFactory,
    PersonFactory,
    PublicationFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


class TestPublished:
    def test_includes_a_published_story_whose_time_has_come(self):
        article = ArticleFactory(published=True)
        assert list(Article.objects.published()) == [article]

    @pytest.mark.parametrize(
        "status",
        [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.RETURNED,
         Article.Status.UNPUBLISHED],
    )
    def test_excludes_every_status_but_published_even_with_a_past_time(self, status):
        ArticleFactory(status=status, publish_at=timezone.now() - timedelta(days=1))
        assert not Article.objects.published().exists()

    def test_excludes_a_scheduled_story_until_its_time(self):
        article = ArticleFactory(scheduled=True)
        assert not Article.objects.published().exists()
        assert list(Article.objects.scheduled()) == [article]
        later = article.publish_at + timedelta(seconds=1)
        assert list(Article.objects.published(at=later)) == [article]

    def test_excludes_a_published_story_without_a_publish_time(self):
        ArticleFactory(status=Article.Status.PUBLISHED, publish_at=None)
        assert not Article.objects.published().exists()

    def test_an_embargo_hides_a_published_story_until_it_lifts(self):
        now = timezone.now()
        article = ArticleFactory(published=True, embargo_until=now + timedelta(hours=1))
        assert not Article.objects.published().exists()
        assert not article.is_public
        assert article.status_string == "Embargoed"
        assert list(Article.objects.published(at=now + timedelta(hours=2))) == [article]

    def test_status_string_calls_a_future_published_story_scheduled(self):
        assert ArticleFactory(scheduled=True).status_string == "Scheduled"
        assert ArticleFactory(published=True).status_string == "Published"
        assert ArticleFactory().status_string == "Draft"


class TestScheduledAndEmbargoed:
    """One definition each, asked of one story (``is_scheduled``, ``is_embargoed``) or of
    many (``scheduled()``, ``embargoed()``); ``status_string`` and the workflow use them."""

    def test_a_published_story_with_a_time_still_to_come_is_scheduled_until_then(self):
        article = ArticleFactory(scheduled=True)
        assert article.is_scheduled()
        assert list(Article.objects.scheduled()) == [article]
        assert not article.is_scheduled(at=article.publish_at)
        assert not Article.objects.scheduled(at=article.publish_at).exists()

    def test_only_a_published_story_is_scheduled_or_embargoed(self):
        later = timezone.now() + timedelta(hours=3)
        for status in [Article.Status.DRAFT, Article.Status.IN_REVIEW,
                       Article.Status.RETURNED, Article.Status.UNPUBLISHED]:
            article = ArticleFactory(status=status, publish_at=later, embargo_until=later)
            assert not article.is_scheduled() and not article.is_embargoed()
        assert not Article.objects.scheduled().exists()
        assert not Article.objects.embargoed().exists()

    def test_an_embargo_in_force_makes_a_live_story_embargoed_until_it_ends(self):
        end = timezone.now() + timedelta(hours=1)
        article = ArticleFactory(published=True, embargo_until=end)
        assert article.is_embargoed() and not article.is_scheduled()
        assert list(Article.objects.embargoed()) == [article]
        assert article.status_string == "Embargoed"
        assert not article.is_embargoed(at=end)
        assert not Article.objects.embargoed(at=end).exists()

    def test_a_story_scheduled_under_an_embargo_is_both_and_editors_see_scheduled(self):
        article = ArticleFactory(scheduled=True,
                                 embargo_until=timezone.now() + timedelta(days=1))
        assert article.is_scheduled() and article.is_embargoed()
        assert article.status_string == "Scheduled"

    def test_one_story_and_the_queryset_give_the_same_answer_at_any_time(self):
        now = timezone.now()
        hour = timedelta(hours=1)
        stories = [
            ArticleFactory(published=True),
            ArticleFactory(scheduled=True),
            ArticleFactory(published=True, embargo_until=now + hour),
            ArticleFactory(scheduled=True, embargo_until=now + 5 * hour),
            ArticleFactory(status=Article.Status.PUBLISHED, publish_at=None),
            ArticleFactory(status=Article.Status.UNPUBLISHED, publish_at=now + hour),
        ]
        for at in [now - 3 * hour, now, now + 2 * hour, now + 4 * hour, now + 6 * hour]:
            scheduled = set(Article.objects.scheduled(at=at))
            embargoed = set(Article.objects.embargoed(at=at))
            for story in stories:
                assert story.is_scheduled(at=at) == (story in scheduled), (story, at)
                assert story.is_embargoed(at=at) == (story in embargoed), (story, at)


class TestFirstPublished:
    """``first_published_at`` is when readers could first see the story, stamped by save()
    alone: history once that time has passed, a plan that follows the story until then."""

    def test_a_story_saved_as_published_gets_its_publish_time(self):
        article = ArticleFactory(published=True)
        assert article.first_published_at == article.publish_at
        article.refresh_from_db()
        assert article.first_published_at == article.publish_at

    def test_a_draft_has_none(self):
        assert ArticleFactory(publish_at=timezone.now()).first_published_at is None

    def test_an_embargo_makes_it_the_time_the_embargo_ends(self):
        end = timezone.now() + timedelta(hours=1)
        article = ArticleFactory(published=True, embargo_until=end)
        assert article.first_published_at == end == article.public_from

    def test_once_that_time_has_passed_it_never_changes(self):
        article = ArticleFactory(published=True)
        first = article.first_published_at
        article.publish_at = timezone.now()
        article.save()
        article.status = Article.Status.UNPUBLISHED
        article.save()
        article.status = Article.Status.PUBLISHED
        article.save()
        article.refresh_from_db()
        assert article.first_published_at == first

    def test_rescheduling_a_scheduled_story_moves_it_with_the_publish_time(self):
        article = ArticleFactory(scheduled=True)
        assert article.first_published_at == article.publish_at
        article.publish_at += timedelta(days=2)
        article.save()
        article.refresh_from_db()
        assert article.first_published_at == article.publish_at

    def test_a_scheduled_story_pulled_before_its_time_keeps_no_future_stamp(self):
        article = ArticleFactory(scheduled=True)
        article.status = Article.Status.UNPUBLISHED
        article.save(update_fields=["status"])  # as the workflow saves: only what it changed
        article.refresh_from_db()
        assert article.first_published_at is None

    def test_a_story_published_through_a_wordpress_import_gets_it(self, publication):
        export = Path(__file__).parent / "data" / "wordpress" / "herald.xml"
        call_command("import_wordpress", str(export), "--no-progress", stdout=io.StringIO())
        live = Article.objects.get(slug="council-adds-early-sailings")
        assert live.is_public
        assert live.first_published_at == live.publish_at < timezone.now()
        planned = Article.objects.get(slug="lighthouse-reopens")
        assert planned.is_scheduled()
        assert planned.first_published_at == planned.publish_at
        draft = Article.objects.get(slug="notes-on-the-breakwater-survey")
        assert draft.first_published_at is None


class TestSlugs:
    def test_slug_is_made_from_the_headline(self):
        article = ArticleFactory(headline="Tide gauges record a new high at Gull Point")
        assert article.slug == "tide-gauges-record-a-new-high-at-gull-point"

    def test_same_headline_same_day_gets_distinct_slugs(self):
        pub = PublicationFactory()
        first = ArticleFactory(publication=pub, headline="Storm closes the causeway")
        second = ArticleFactory(publication=pub, headline="Storm closes the causeway")
        third = ArticleFactory(publication=pub, headline="Storm closes the causeway")
        assert [first.slug, second.slug, third.slug] == [
            "storm-closes-the-causeway", "storm-closes-the-causeway-2",
            "storm-closes-the-causeway-3",
        ]

    def test_same_slug_is_allowed_in_another_publication(self):
        a = ArticleFactory(headline="Harbor dredging begins")
        b = ArticleFactory(headline="Harbor dredging begins")
        assert a.publication != b.publication
        assert a.slug == b.slug == "harbor-dredging-begins"

    def test_accented_letters_fold_to_ascii(self):
        article = ArticleFactory(headline="Café on Rue Élan reopens after façade repairs")
        assert article.slug == "cafe-on-rue-elan-reopens-after-facade-repairs"

    @pytest.mark.parametrize(
        ("headline", "slug"),
        [("Город открыл новый мост", "город-открыл-новый-мост"),
         ("港の新しいフェリー", "港の新しいフェリー"),
         ("Νέα γέφυρα στο λιμάνι", "νέα-γέφυρα-στο-λιμάνι")],
    )
    def test_non_latin_headlines_keep_their_script(self, headline, slug):
        assert ArticleFactory(headline=headline).slug == slug

    def test_a_headline_with_no_letters_still_gets_a_slug(self):
        assert ArticleFactory(headline="!!! ???").slug == "story"

    def test_a_long_headline_is_cut_at_a_word_and_stays_unique(self):
        headline = ("A very long headline about the harbor " * 5).strip()
        first = ArticleFactory(headline=headline)
        second = ArticleFactory(publication=first.publication, headline=headline)
        assert len(first.slug) <= 120 and not first.slug.endswith("-")
        assert second.slug == f"{first.slug}-2"

    def test_a_slug_taken_between_check_and_insert_is_retried_not_raised(self, monkeypatch):
        pub = PublicationFactory()
        ArticleFactory(publication=pub, headline="Bridge reopens")
        # Simulate a second editor winning the race: the first free-slug check misses.
        real_free_slug = Article.free_slug
        calls = []

        def racing_free_slug(self):
            calls.append(1)
            return "bridge-reopens" if len(calls) == 1 else real_free_slug(self)

        monkeypatch.setattr(Article, "free_slug", racing_free_slug)
        article = ArticleFactory(publication=pub, headline="Bridge reopens")
        assert article.slug == "bridge-reopens-2"
        assert len(calls) == 2

    def test_an_explicit_duplicate_slug_is_refused_by_the_database(self):
        a = ArticleFactory(headline="Library hours extended")
        with pytest.raises(IntegrityError):
            ArticleFactory(publication=a.publication, headline="Other", slug=a.slug)

    def test_people_get_unique_slugs_too(self):
        assert PersonFactory(full_name="Sam Okafor").slug == "sam-okafor"
        assert PersonFactory(full_name="Sam Okafor").slug == "sam-okafor-2"


class TestArticle:
    def test_body_is_sanitized_on_save(self):
        article = ArticleFactory(body='<p onclick="x()">Hi<script>alert(1)</script></p>')
        article.refresh_from_db()
        assert article.body == "<p>Hi</p>"

    def test_version_goes_up_on_every_save(self):
        article = ArticleFactory()
        assert article.version == 1
        article.save()
        article.save()
        article.refresh_from_db()
        assert article.version == 3

    def test_dateline_renders_in_capitals_with_a_dash(self):
        assert ArticleFactory(dateline="Washington").dateline_display == "WASHINGTON —"
        assert ArticleFactory(dateline="").dateline_display == ""

    def test_section_must_belong_to_the_story_publication(self):
        article = ArticleFactory()
        article.section = SectionFactory()  # another publication's
        with pytest.raises(ValidationError, match="section"):
            article.full_clean()

    def test_absolute_url_carries_the_local_publish_date(self, settings):
        settings.TIME_ZONE = "America/New_York"
        when = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)  # Feb 28, 10:30 pm local
        article = ArticleFactory(headline="Late vote", status=Article.Status.PUBLISHED,
                                 publish_at=when)
        assert article.get_absolute_url() == "/2026/2/28/late-vote/"

    def test_authors_and_credits_follow_byline_order_and_role(self):
        article = ArticleFactory()
        b = BylineFactory(article=article, person__full_name="Sam Okafor", order=2)
        a = BylineFactory(article=article, person__full_name="Dana Reyes", order=1)
        p = BylineFactory(article=article, person__full_name="Lena Park", order=3,
                          role=Byline.Role.PHOTOGRAPHER)
        assert article.authors() == [a.person, b.person]
        assert article.credits() == [("Photos by", [p.person])]


class TestRelatedItem:
    def test_needs_exactly_one_of_story_or_link(self):
        article = ArticleFactory()
        with pytest.raises(ValidationError):
            RelatedItem(article=article).full_clean()
        with pytest.raises(ValidationError):
            RelatedItem(article=article, target=ArticleFactory(), url="https://example.org/",
                        title="x").full_clean()

    def test_an_external_link_needs_a_title(self):
        with pytest.raises(ValidationError, match="title"):
            RelatedItem(article=ArticleFactory(), url="https://example.org/").full_clean()

    def test_a_story_cannot_be_related_to_itself(self):
        article = ArticleFactory()
        with pytest.raises(ValidationError, match="itself"):
            RelatedItem(article=article, target=article).full_clean()

    def test_display_title_falls_back_to_the_headline(self):
        target = ArticleFactory(headline="Ferry fares rise", published=True)
        item = RelatedItem(article=ArticleFactory(), target=target)
        assert item.display_title == "Ferry fares rise"
        assert item.href == target.get_absolute_url()


class TestPublication:
    def test_fresh_install_has_one_default_publication(self):
        assert Publication.objects.filter(is_default=True).count() == 1

    def test_host_picks_its_publication_else_the_default(self, publication):
        valley = PublicationFactory(domain="valley.example")
        assert Publication.for_host("valley.example") == valley
        assert Publication.for_host("VALLEY.example:8000") == valley
        assert Publication.for_host("unknown.example") == publication

    def test_only_one_default(self):
        with pytest.raises(IntegrityError):
            PublicationFactory(is_default=True)


def test_person_email_is_never_needed_to_exist():
    person = Person.objects.create(full_name="Coastal Wire Service")
    assert person.slug == "coastal-wire-service"
    assert person.get_absolute_url() == "/people/coastal-wire-service/"

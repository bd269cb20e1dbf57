"""Stories for the feed, sitemap and metadata tests: one rich public story and the
kinds of story that must never reach a machine reader."""

from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Byline, Section

from .factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ImageFactory,
    PersonFactory,
    SectionFactory,
)

# Every character that breaks XML or a <script> when left unescaped, plus an emoji.
TRICKY_HEADLINE = 'Tolls & tides: "Why <b>the</b> bridge closes" at 5 </script> 🌊'


def rich_story(publication, **overrides):
    """A public story with two authors, a photographer, a lead image, tags and a correction."""
    section = Section.objects.filter(publication=publication, slug="harbor").first()
    section = section or SectionFactory(publication=publication, name="Harbor", slug="harbor")
    fields = {
        "publication": publication, "section": section, "published": True,
        "headline": "Ferry crews win a new contract",
        "summary": "The harbor authority and the ferry union settled after nine months.",
        "body": "<p>The agreement was signed on Monday.</p><p>Crews return to full schedules.</p>",
        "lead_image": ImageFactory(alt_text="A ferry docks at the north pier.",
                                   credit="Lena Park for The Herald"),
        **overrides,
    }
    story = ArticleFactory(**fields)
    story.tags.set(["ferries", "labor"])
    BylineFactory(article=story, order=0, person=PersonFactory(full_name="Dana Reyes"))
    BylineFactory(article=story, order=1, person=PersonFactory(full_name="Sam Okafor"))
    BylineFactory(article=story, order=2, role=Byline.Role.PHOTOGRAPHER,
                  person=PersonFactory(full_name="Lena Park"))
    CorrectionFactory(article=story, text="An earlier version misstated the contract length.")
    return story


def hidden_stories(publication, section, person):
    """A draft, a story in review, a scheduled, an embargoed and an unpublished story,
    each in ``section``, tagged "ferries" and bylined to ``person``."""
    now = timezone.now()
    stories = [
        ArticleFactory(publication=publication, section=section, headline="Draft: pier sale"),
        ArticleFactory(publication=publication, section=section, headline="Review: toll plan",
                       status=Article.Status.IN_REVIEW),
        ArticleFactory(publication=publication, section=section, headline="Scheduled: new route",
                       scheduled=True),
        ArticleFactory(publication=publication, section=section, headline="Embargoed: audit",
                       published=True, embargo_until=now + timedelta(hours=1)),
        ArticleFactory(publication=publication, section=section, headline="Pulled: ferry fire",
                       status=Article.Status.UNPUBLISHED, publish_at=now - timedelta(days=1)),
    ]
    for story in stories:
        story.tags.add("ferries")
        BylineFactory(article=story, person=person)
    return stories


HIDDEN_HEADLINES = ["Draft: pier sale", "Review: toll plan", "Scheduled: new route",
                    "Embargoed: audit", "Pulled: ferry fire"]

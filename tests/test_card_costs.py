"""A card and a Latest line cost less to build but read exactly as before: the story's time
is formatted once per process for each time, zone and language (``|stamp``), and the card
asks the story for its address once."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from articles.caching import cards
from articles.models import Article
from articles.templatetags import newsroom

from .factories import ArticleFactory, BylineFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db

FORMATS = ["N j, Y", "N j, g:i a", "F j, Y, g:i a T", "D H:i O", "c", "P"]
TIMES = [
    datetime(2026, 3, 8, 6, 59, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 1, tzinfo=UTC),  # either side of New York's spring change
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 1:30 in New York, twice that night
    datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    datetime(2026, 9, 4, 0, 5, tzinfo=UTC),
]


def both(value, fmt):
    """What ``|date`` and ``|stamp`` write for ``value`` in the current zone and language."""
    context = Context({"value": value})
    django = Template(f'{{{{ value|date:"{fmt}" }}}}').render(context)
    ours = Template(f'{{% load newsroom %}}{{{{ value|stamp:"{fmt}" }}}}').render(context)
    return django, ours


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC"])
@pytest.mark.parametrize("language", ["en-us", "de", "fr", "ja"])
def test_stamp_writes_what_date_writes_in_every_zone_and_language(zone, language):
    with timezone.override(ZoneInfo(zone)), translation.override(language):
        for value in TIMES:
            for fmt in FORMATS:
                django, ours = both(value, fmt)
                assert ours == django, (value, fmt)
                assert both(value, fmt)[1] == django  # and again, remembered


def test_stamp_tells_apart_the_same_time_in_two_zones_and_two_languages():
    value = datetime(2026, 9, 4, 0, 5, tzinfo=UTC)
    with timezone.override(ZoneInfo("America/New_York")):
        assert both(value, "N j, g:i a") == ("Sept. 3, 8:05 p.m.",) * 2
    with timezone.override(ZoneInfo("Europe/Berlin")):
        assert both(value, "N j, g:i a") == ("Sept. 4, 2:05 a.m.",) * 2
    with timezone.override(ZoneInfo("Europe/Berlin")), translation.override("de"):
        django, ours = both(value, "F")
        assert ours == django == "September"
    with timezone.override(ZoneInfo("Europe/Berlin")), translation.override("fr"):
        django, ours = both(value, "F")
        assert ours == django == "septembre"


def test_stamp_of_nothing_or_of_a_day_is_what_date_gives():
    for value in (None, "", datetime(2026, 9, 4).date(), "not a date"):
        assert newsroom.stamp(value, "N j, Y") == Template(
            '{{ value|date:"N j, Y" }}').render(Context({"value": value}))


def test_stamp_formats_each_time_once(monkeypatch):
    calls = []
    real = newsroom.django_date
    monkeypatch.setattr(newsroom, "django_date", lambda *args: calls.append(args) or real(*args))
    newsroom._STAMPS.clear()
    value = datetime(2026, 9, 4, 0, 5, tzinfo=UTC)
    for _ in range(3):
        both(value, "N j, Y")
    assert len(calls) == 1


def test_a_format_named_in_settings_is_read_from_them_each_time(settings):
    from django.template.defaultfilters import date

    value = datetime(2026, 9, 4, 12, 5, tzinfo=UTC)
    for language in ("en-us", None):  # the locale's format, then the setting's
        with translation.override(language):
            for setting in ("Y-m-d", "j/n/Y"):
                settings.DATE_FORMAT = setting
                assert newsroom.stamp(value) == newsroom.stamp(value, "DATE_FORMAT") == \
                    date(value, "DATE_FORMAT")


def test_the_memory_of_stamp_is_bounded(monkeypatch):
    monkeypatch.setattr(newsroom, "_STAMPS_KEPT", 3)
    newsroom._STAMPS.clear()
    for minute in range(10):
        newsroom.stamp(datetime(2026, 9, 4, 0, minute, tzinfo=UTC), "N j, Y")
    assert 1 <= len(newsroom._STAMPS) <= 3


def test_a_card_asks_its_story_for_its_address_once(publication, monkeypatch):
    section = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    picture_story = ArticleFactory(publication=publication, section=section, published=True,
                                   headline="Tide tables “revised”",
                                   lead_image=ImageFactory())
    asked = []
    address = Article.get_absolute_url
    monkeypatch.setattr(Article, "get_absolute_url",
                        lambda self: asked.append(self.pk) or address(self))
    for level in (2, 3):
        asked.clear()
        html = cards.render(Article.objects.get(pk=picture_story.pk),
                            cards.options(level=level))
        assert asked == [picture_story.pk]
        url = address(picture_story)
        assert f'<a href="{url}" tabindex="-1"' in html  # the picture's link
        assert f'<h{level} class="card-headline"><a href="{url}">' in html
        assert html.count(f"</h{level}>") == 1


def test_cards_find_their_templates_once_per_process_but_in_debug_each_time(
        publication, monkeypatch, settings):
    story = ArticleFactory(publication=publication, published=True)
    found = []
    real = cards.get_template
    monkeypatch.setattr(cards, "get_template", lambda name: found.append(name) or real(name))
    monkeypatch.setattr(cards, "_templates", {})
    settings.DEBUG = False
    for _ in range(3):
        cards.render(story, cards.options())
        cards.build_latest(story)
    assert found == [cards.TEMPLATE, cards.LATEST_TEMPLATE]
    # In development an edited template shows on the next page: Django's loader decides.
    settings.DEBUG = True
    found.clear()
    for _ in range(2):
        cards.render(story, cards.options())
        cards.build_latest(story)
    assert found == [cards.TEMPLATE, cards.LATEST_TEMPLATE] * 2


@pytest.mark.parametrize("level", [2, 3, 4])
def test_a_card_reads_as_its_template_did_reading_the_story_itself(publication, level):
    """The card's template reads what ``build`` took from the story once (``card``); the
    page reads as it did when the template read the story, each value each time."""
    section = SectionFactory(publication=publication, name="Harbor “Quays”", slug="harbor")
    kicked = ArticleFactory(publication=publication, section=section, published=True,
                            kicker="Analysis's <b>", headline='Tide "tables" & <em>',
                            summary="It's “revised”", lead_image=ImageFactory())
    plain = ArticleFactory(publication=publication, section=section, published=True,
                           kicker="", summary="")
    BylineFactory(article=plain, person__full_name="Ana <Ruiz>")
    old_card = Template(
        '{% load newsroom pictures %}{% with url=article.get_absolute_url heading=level|default:2 %}<article class="card{% if lead %} card-lead{% endif %}">\n'
        '  {% if article.lead_image %}<a href="{{ url }}" tabindex="-1" aria-hidden="true" class="card-image">{% if lead %}{% picture article.lead_image crop=True sizes="(min-width: 48rem) 60vw, 100vw" lazy=False alt="" %}{% elif eager %}{% picture article.lead_image crop=True sizes="(min-width: 48rem) 22rem, 100vw" lazy=False alt="" %}{% else %}{% picture article.lead_image crop=True sizes="(min-width: 48rem) 22rem, 100vw" alt="" %}{% endif %}</a>{% endif %}\n'
        '  <div class="card-text">\n'
        '    {% if article.kicker %}<p class="kicker">{{ article.kicker|smartquotes }}</p>{% elif article.section and not hide_section %}<p class="kicker"><a href="{{ article.section.get_absolute_url }}">{{ article.section.name }}</a></p>{% endif %}\n'
        '    <h{{ heading }} class="card-headline"><a href="{{ url }}">{{ article.list_headline|smartquotes }}</a></h{{ heading }}>\n'
        '    {% if article.summary %}<p class="card-summary">{{ article.summary|smartquotes }}</p>{% endif %}\n'
        '    <p class="card-meta">{% if authors %}By {{ authors|people_links }} · {% endif %}<time datetime="{{ article.publish_at|isotime }}">{{ article.publish_at|stamp:"N j, Y" }}</time></p>\n'
        '  </div>\n'
        '</article>{% endwith %}\n')
    old_line = Template(
        '{% load newsroom %}<li><time datetime="{{ article.publish_at|isotime }}">{{ article.publish_at|stamp:"N j, g:i a" }}</time> <a href="{{ article.get_absolute_url }}">{{ article.list_headline|smartquotes }}</a>{% if article.section %} <span class="latest-section">{{ article.section.name }}</span>{% endif %}</li>')
    for story in (kicked, plain):
        story = Article.objects.get(pk=story.pk)
        for shown in (cards.options(level=level), cards.options(lead=True, level=level),
                      cards.options(eager=True, hide_section=True, level=level)):
            cards.load([story])
            context = Context({"article": story, "authors": story.authors(), **shown},
                              autoescape=True)
            assert cards.build(story, shown)[0]["html"] == old_card.render(context)
        assert cards.build_latest(story)[0]["html"] == old_line.render(
            Context({"article": story}, autoescape=True))

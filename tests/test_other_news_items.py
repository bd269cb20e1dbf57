"""A story's line in "In Other News" is written in Python (articles/reading/other_news_items.py)
and reads byte for byte as the template that wrote it did, for every kind of line."""

import pytest
from django.template import Context, Engine
from django.test import RequestFactory
from django.utils import timezone, translation

from articles.reading import other_news_items

from .factories import ArticleFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db

# The template the line was (templates/includes/other_news_item.html, included with
# ``story`` and, for a curated item, ``title``).
TEMPLATE = """{% load newsroom pictures %}{% story_url story as href %}<li class="other-news-item">
  {% if story.lead_image %}<a class="other-news-thumb" href="{{ href }}" tabindex="-1" aria-hidden="true">{% picture story.lead_image crop=True sizes="8rem" alt="" %}</a>{% endif %}
  <div class="other-news-text">
    {% if not story.runs_here %}<p class="other-news-section">{{ story.publication.name }}{% if story.section %} · {{ story.section.name }}{% endif %}</p>{% elif story.section %}<p class="other-news-section">{{ story.section.name }}</p>{% endif %}
    <a class="other-news-headline" href="{{ href }}">{{ title|default:story.list_headline|smartquotes }}</a>
    <time datetime="{{ story.publish_at|isotime }}">{{ story.publish_at|stamp:"N j, Y" }}</time>
  </div>
</li>
"""


def as_the_template_wrote_it(story, request, title=None):
    engine = Engine.get_default()
    return engine.from_string(TEMPLATE).render(
        Context({"story": story, "request": request, "title": title}))


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
def test_a_line_reads_as_its_template_did(publication, other_publication, zone):
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    other_publication.name = 'Valley "Courier" & <Times>'
    other_publication.save()
    image = ImageFactory(alt_text="Gulls")
    image.width, image.height = 1600, 1200
    section = SectionFactory(publication=publication, name="Harbor & Sea")
    stories = [
        ArticleFactory(publication=publication, section=section, lead_image=image,
                       published=True, headline='The "ferry" fare <rises> & it\'s dear'),
        ArticleFactory(publication=publication, section=None, published=True,
                       headline="No section, no picture"),
        ArticleFactory(publication=other_publication, published=True,
                       section=SectionFactory(publication=other_publication),
                       headline="From a sister masthead"),
        ArticleFactory(publication=other_publication, section=None, published=True,
                       headline="From a sister masthead, no section"),
    ]
    for story in stories[2:]:
        story.show_as(None)  # drawn from the network: not run here
    lines = []
    with timezone.override(zone), translation.override("en"):
        for story in stories:
            for title in (None, "", 'A "curated" title <b>'):
                expected = as_the_template_wrote_it(story, request, title)
                assert other_news_items.render(story, request, title) == expected
                lines.append(expected)
    # Every kind of line was written: a picture, a section, a sister masthead's name.
    assert 'class="other-news-thumb"' in lines[0]
    assert "Harbor &amp; Sea" in lines[0] and "other-news-section" not in lines[3]
    assert "Valley &quot;Courier&quot; &amp; &lt;Times&gt; · " in lines[6]
    assert 'href="http://' in lines[6]  # its page on its home masthead

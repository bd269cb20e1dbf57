"""Library pictures inside a story's text: stored as a reference, shown with renditions."""

import html
import re

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import body_images
from newsroom import renditions

from .factories import ArticleFactory, ImageFactory, image_bytes

pytestmark = pytest.mark.django_db


def text_showing(image, alt="Gulls on the breakwater"):
    attrs = body_images.reference(image, alt)
    img = "<img " + " ".join(f'{k}="{html.escape(str(v))}"' for k, v in attrs.items()) + ">"
    return f'<p>Before.</p><figure class="inline-image">{img}<figcaption>Gulls.</figcaption></figure>'


@pytest.fixture
def picture():
    return ImageFactory(file=ContentFile(image_bytes(size=(1000, 600)), name="gulls.jpg"),
                        alt_text="Library alt")


@pytest.fixture
def story(publication, picture):
    return ArticleFactory(publication=publication, published=True, body=text_showing(picture))


def test_the_reference_survives_saving(story, picture):
    assert f'<img data-image-id="{picture.pk}" src="{picture.file.url}" alt="Gulls on the ' \
           'breakwater" width="1000" height="600">' in story.body
    assert body_images.image_ids(story.body) == [picture.pk]


def test_the_page_shows_the_current_renditions_with_srcset(client, story, picture):
    page = client.get(story.get_absolute_url()).content.decode()
    figure = re.search(r'<figure class="inline-image">.*?</figure>', page, re.S).group(0)
    srcset = ", ".join(f"{r.url} {r.width}w" for r in renditions.renditions(picture))
    assert f'srcset="{srcset}"' in figure
    assert 'alt="Gulls on the breakwater"' in figure and "Library alt" not in figure
    assert 'width="1000" height="600"' in figure
    assert "<figcaption>Gulls.</figcaption>" in figure


def test_a_new_focal_point_reaches_a_cached_story_page(client, story, picture, commit):
    old = renditions.renditions(picture)[0].url
    assert old in client.get(story.get_absolute_url()).content.decode()
    with commit():
        picture.focal_x = 0.2
        picture.save()
    page = client.get(story.get_absolute_url()).content.decode()
    assert old not in page
    assert renditions.renditions(picture)[0].url in page


def test_a_picture_taken_out_of_the_library_leaves_its_original(client, story, picture, commit):
    original = picture.file.url
    with commit():
        picture.delete()
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'src="{original}"' in page
    assert "/renditions/" not in page.split('class="story-body"', 1)[1].split("</div>", 1)[0]


def test_feeds_show_body_pictures_at_full_addresses(client, story, picture):
    entry = feedparser.parse(client.get("/feed/").content).entries[0]
    content = entry.content[0].value
    assert f'src="http://testserver{renditions.renditions(picture)[1].url}"' in content
    assert "<picture>" not in content


def test_the_story_query_count_does_not_grow_with_its_pictures(client, publication, settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False  # count the queries of building the story
    images = [ImageFactory() for _ in range(5)]
    many = ArticleFactory(publication=publication, published=True,
                          body="".join(text_showing(image) for image in images))
    one = ArticleFactory(publication=publication, published=True, body=text_showing(images[0]))
    client.get(one.get_absolute_url())  # the publication and site chrome, read once
    counts = []
    for article in (one, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

"""A reader opens the front page and a story in a real browser."""

import pytest

from articles.models import Article

from .factories import ArticleFactory, BylineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_reader_goes_from_the_front_page_to_a_story(live_server, page, screenshot,
                                                      publication):
    article = ArticleFactory(publication=publication, published=True,
                             headline="Ferry crews return to the water")
    BylineFactory(article=article, person__full_name="Dana Reyes")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Ferry crews return to the water").click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.locator("h1").inner_text() == "Ferry crews return to the water"
    assert page.locator(".byline").inner_text() == "By Dana Reyes"
    screenshot(page, "reader-article")
    assert Article.objects.published().count() == 1

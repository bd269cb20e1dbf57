"""The story page's layout measured in a real Chromium: what sits next to what, at a
desktop width (1280 px) and a phone's (375 px).

Each test measures a defect readers saw: the "More stories" button across the footer's
rule, kickers and portraits touching the navigation's rule, a phone's first screen filled
by the masthead, and the no-JavaScript "More stories" page without its item layout.
"""

import pytest

from articles.models import Byline

from .browser import new_context
from .factories import ArticleFactory, BylineFactory, ImageFactory, PersonFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BOX = "(selector) => { const r = document.querySelector(selector).getBoundingClientRect();" \
      " return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right}; }"


@pytest.fixture
def story(publication):
    harbor = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    for name in ["Schools", "Science & Environment", "Business", "Politics"]:
        SectionFactory(publication=publication, name=name)
    writer = PersonFactory(full_name="Dana Reyes", job_title="Harbor Reporter",
                           short_bio="Dana Reyes covers the waterfront.")
    main = ArticleFactory(publication=publication, section=harbor, published=True,
                          kicker="Waterfront", lead_image=ImageFactory(),
                          headline="Ferry crews return to the water after a winter ashore",
                          dek="The first boats leave the south pier on Monday morning.")
    main.tags.set(["ferries"])
    BylineFactory(article=main, person=writer)
    for n in range(14):
        other = ArticleFactory(publication=publication, section=harbor, published=True,
                               headline=f"Harbor update {n:02d}", lead_image=ImageFactory())
        other.tags.set(["ferries"])
        BylineFactory(article=other, person=writer, role=Byline.Role.AUTHOR)
    return main


def box(page, selector):
    return page.evaluate(BOX, selector)


def open_page(browser, live_server, path, width):
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_timeout(15_000)
    page.goto(live_server.url + path)
    return context, page


@pytest.fixture
def at_width(browser, live_server):
    from .browser import finish

    opened = []

    def go(path, width):
        context, page = open_page(browser, live_server, path, width)
        opened.append(context)
        return page

    yield go
    for context in opened:
        finish(context)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_more_stories_button_stays_clear_of_the_footer_rule(at_width, story, width):
    page = at_width(story.get_absolute_url(), width)
    button, footer = box(page, ".load-more"), box(page, ".site-footer")
    assert footer["top"] - button["bottom"] >= 16, (button, footer)


@pytest.mark.parametrize("width", [1280, 375])
def test_kickers_and_portraits_keep_clear_of_the_navigation_rule(at_width, story, width):
    page = at_width(story.get_absolute_url(), width)
    rule = box(page, ".masthead")["bottom"]
    assert box(page, ".story .kicker")["top"] - rule >= 12
    page = at_width("/people/dana-reyes/", width)
    assert box(page, ".author-header")["top"] - box(page, ".masthead")["bottom"] >= 12


def test_on_a_phone_the_headline_comes_within_the_first_200_pixels(at_width, story):
    page = at_width(story.get_absolute_url(), 375)
    assert box(page, "h1.headline")["top"] <= 200
    # The masthead still has the name, the search and every section, reachable.
    assert page.get_by_role("link", name=story.publication.name).is_visible()
    assert page.get_by_role("searchbox", name="Search stories").is_visible()
    sections = page.get_by_role("navigation", name="Sections")
    assert sections.get_by_role("link").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("width", [1280, 375])
def test_the_no_javascript_more_stories_page_lays_items_out_like_the_story_page(
        at_width, story, width):
    page = at_width(f"/more/{story.pk}/?page=2", width)
    items = page.locator(".other-news-item")
    assert items.count() >= 2
    thumb, text = box(page, ".other-news-item .other-news-thumb"), box(
        page, ".other-news-item .other-news-text")
    assert thumb["right"] <= text["left"], (thumb, text)  # side by side, not stacked
    assert abs(thumb["top"] - text["top"]) < 8
    rule = page.evaluate("getComputedStyle(document.querySelector('.other-news-item'))"
                         ".borderBottomWidth")
    assert rule == "1px"


def test_share_opens_the_browsers_share_sheet_and_copy_link_copies_the_address(
        browser, live_server, story):
    from .browser import finish

    context = new_context(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    # Chromium on Linux has no share sheet: stand one in that records what it was given.
    context.add_init_script("navigator.share = (data) => { window.shared = data;"
                            " return Promise.resolve(); };")
    page = context.new_page()
    page.set_default_timeout(15_000)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(live_server.url + story.get_absolute_url())
        url = live_server.url + story.get_absolute_url()
        page.get_by_role("button", name="Share…").click()
        assert page.evaluate("window.shared") == {"title": story.headline, "url": url}
        page.get_by_role("button", name="Copy link").click()
        page.wait_for_function("document.querySelector('[data-copy-status]').textContent")
        assert page.evaluate("navigator.clipboard.readText()") == url
        assert page.get_by_role("link", name="Email").get_attribute("href").startswith("mailto:")
        assert all(r.startswith((live_server.url, "data:")) for r in requested), requested
    finally:
        finish(context)

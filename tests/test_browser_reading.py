"""A reader in a real Chromium: the whole reading path, Load More, accessibility (axe-core),
both screen sizes, no request leaving the site, and the site without JavaScript."""

from pathlib import Path

import pytest

from articles.models import Byline

from .factories import ArticleFactory, BylineFactory, ImageFactory, PersonFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""


@pytest.fixture
def newsroom(publication):
    harbor = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    SectionFactory(publication=publication, name="Schools", slug="schools")
    writer = PersonFactory(full_name="Dana Reyes", job_title="Harbor Reporter",
                           bio="Dana Reyes has covered the waterfront since 2019.")
    main = ArticleFactory(publication=publication, section=harbor, published=True,
                          headline="Ferry crews return to the water", featured=True,
                          lead_image=ImageFactory())
    main.tags.set(["ferries"])
    BylineFactory(article=main, person=writer)
    BylineFactory(article=main, person=PersonFactory(full_name="Lena Park"), order=1,
                  role=Byline.Role.PHOTOGRAPHER)
    for n in range(14):
        other = ArticleFactory(publication=publication, section=harbor, published=True,
                               headline=f"Harbor update {n:02d}",
                               lead_image=ImageFactory() if n % 3 == 0 else None)
        other.tags.set(["ferries"])
        BylineFactory(article=other, person=writer)
    return {"main": main, "writer": writer, "section": harbor}


@pytest.fixture
def offsite_requests(page, live_server):
    """Every request the page makes that does not go to the live server."""
    seen = []
    page.on("request", lambda r: None if r.url.startswith((live_server.url, "data:"))
            else seen.append(r.url))
    return seen


def other_news_headlines(page):
    return page.locator(".in-other-news a.other-news-headline").all_inner_texts()


def test_a_reader_follows_the_site_from_front_page_to_search(live_server, page, screenshot,
                                                             newsroom, offsite_requests):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Harbor").click()
    page.wait_for_url("**/section/harbor/")
    assert page.locator("h1").inner_text() == "Harbor"

    page.get_by_role("link", name="Ferry crews return to the water").click()
    page.wait_for_url(f"**{newsroom['main'].get_absolute_url()}")
    before = other_news_headlines(page)
    assert len(before) == 6

    more = page.get_by_role("button", name="More stories")
    more.click()
    page.wait_for_function("document.querySelectorAll('.in-other-news li').length > 6")
    after = other_news_headlines(page)
    assert after[:6] == before
    assert len(after) == 12
    assert len(set(after)) == len(after)
    assert "Ferry crews return to the water" not in after
    assert page.url.endswith(newsroom["main"].get_absolute_url())  # appended in place
    more.click()
    page.wait_for_function("document.querySelectorAll('.in-other-news li').length > 12")
    assert len(set(other_news_headlines(page))) == 14
    assert page.get_by_role("button", name="More stories").count() == 0
    screenshot(page, "reading-article-after-load-more", full_page=True)

    page.locator(".byline").get_by_role("link", name="Dana Reyes").click()
    page.wait_for_url("**/people/dana-reyes/")
    assert "Harbor Reporter" in page.locator("main").inner_text()
    page.go_back()
    page.get_by_role("link", name="ferries").click()
    page.wait_for_url("**/tag/ferries/")
    assert page.locator("h1").inner_text() == "ferries"

    page.get_by_role("searchbox", name="Search stories").fill("ferry crews")
    page.get_by_role("searchbox", name="Search stories").press("Enter")
    page.wait_for_url("**/search/?q=ferry+crews")
    assert page.get_by_role("link", name="Ferry crews return to the water").is_visible()
    assert offsite_requests == []


def test_reader_pages_have_no_serious_accessibility_problems_at_two_sizes(
        live_server, page, screenshot, newsroom, offsite_requests):
    assert AXE.exists(), "axe-core is missing: run `make test-tools` (npm ci)."
    main = newsroom["main"]
    pages = {
        "home": "/", "article": main.get_absolute_url(), "section": "/section/harbor/",
        "tag": "/tag/ferries/", "author": "/people/dana-reyes/", "search": "/search/?q=harbor",
        "more": f"/more/{main.pk}/?page=2", "stories": "/stories/",
        "not-found": "/no-such-page/",
    }
    problems = {}
    for name, url in pages.items():
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + url)
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(SERIOUS)
            if found:
                problems[f"{name}@{width}"] = found
            # Readable on a phone: nothing wider than the screen.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            screenshot(page, f"reading-{name}-{width}", full_page=width == 375)
    assert problems == {}
    assert offsite_requests == []


def test_the_keyboard_reaches_the_skip_link_and_the_more_button(live_server, page, newsroom):
    page.goto(live_server.url + newsroom["main"].get_absolute_url())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    more = page.get_by_role("button", name="More stories")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.in-other-news li').length > 6")
    # Focus moves to the first new story, so a keyboard reader carries on from there.
    assert page.evaluate("document.activeElement.className") == "other-news-headline"


def test_without_javascript_more_stories_is_an_ordinary_page(live_server, browser, newsroom):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + newsroom["main"].get_absolute_url())
        page.get_by_role("link", name="More stories").click()
        page.wait_for_url(f"**/more/{newsroom['main'].pk}/?page=2")
        assert page.locator("h1").inner_text() == "More stories"
        assert page.locator("a.other-news-headline").count() == 6
        page.get_by_role("link", name="More stories").click()
        page.wait_for_url("**?page=3")
        assert page.locator("a.other-news-headline").count() == 2
    finally:
        context.close()


def test_a_sister_mastheads_pages_have_no_serious_accessibility_problems(
        live_server, page, screenshot, newsroom):
    """The Valley Ledger, served on the live server's other loopback name, runs the
    Herald's main story in its Schools section."""
    from urllib.parse import urlsplit

    from .factories import PublicationFactory, RunFactory

    address = urlsplit(live_server.url)
    other_name = "127.0.0.1" if address.hostname == "localhost" else "localhost"
    home = newsroom["main"].publication
    home.domain = address.hostname  # the canonical address names the home masthead's host
    home.save()
    sister = PublicationFactory(name="The Valley Ledger", slug="valley", domain=other_name,
                                other_news_from_network=True)
    schools = SectionFactory(publication=sister, name="Schools", slug="schools")
    main = newsroom["main"]
    RunFactory(article=main, publication=sister, section=schools,
               headline="Ferry crews are back, and school trips resume")
    base = f"http://{other_name}:{address.port}"
    problems = {}
    for name, url in {"home": "/", "article": main.get_absolute_url(),
                      "section": "/section/schools/"}.items():
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(base + url)
            assert "The Valley Ledger" in page.title() or name == "article"
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(SERIOUS)
            if found:
                problems[f"sister-{name}@{width}"] = found
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            screenshot(page, f"reading-sister-{name}-{width}", full_page=width == 375)
    assert problems == {}
    page.goto(base + main.get_absolute_url())
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == live_server.url + main.get_absolute_url()


@pytest.mark.slow
def test_the_demo_network_has_no_serious_accessibility_problems_on_both_hosts(
        live_server, page):
    """`make run`'s two mastheads, on their demo hosts (``localhost`` and
    ``valley.localhost``, both the loopback): each front page, and a story that runs on both,
    on each."""
    import io
    from urllib.parse import urlsplit

    from django.core.management import call_command

    from articles.models import Run

    call_command("load_demo", "--no-progress", stdout=io.StringIO())
    port = urlsplit(live_server.url).port
    run = Run.objects.sisters().select_related("article__publication", "publication").first()
    home, sister = run.article.publication, run.publication
    pages = {
        f"{home.slug}-home": f"http://{home.domain}:{port}/",
        f"{sister.slug}-home": f"http://{sister.domain}:{port}/",
        f"{home.slug}-story": f"http://{home.domain}:{port}{run.article.get_absolute_url()}",
        f"{sister.slug}-story": f"http://{sister.domain}:{port}{run.get_absolute_url()}",
    }
    problems = {}
    for name, url in pages.items():
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(SERIOUS)
            if found:
                problems[f"{name}@{width}"] = found
    assert problems == {}
    page.goto(pages[f"{sister.slug}-story"])
    assert page.locator('link[rel="canonical"]').get_attribute("href") == (
        pages[f"{home.slug}-story"])

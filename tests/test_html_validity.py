"""Every reader page is valid HTML, as the Nu Html Checker (vnu-jar from npm) sees it.

All pages go to one Java run: the checker takes seconds to start. ``make test`` installs
vnu-jar with ``npm ci``; Java comes from the system (Debian's openjdk).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ImageFactory,
    PersonFactory,
    PublicationFactory,
    RelatedItemFactory,
    RunFactory,
    SectionFactory,
)

VNU = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Starts Java for the checker: `make test` runs it, `make test-fast` leaves it out.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def reader_pages(client, publication):
    """The URLs of every kind of reader page, over a small but complete newsroom."""
    from articles.models import Byline

    writer = PersonFactory(full_name="Dana Reyes", bio="Dana covers the harbor.\n\nShe sails.")
    writer.social_links.create(network="website", url="https://dana.example/")
    stories = []
    for n in range(9):
        story = ArticleFactory(publication=publication, published=True,
                               headline=f"Harbor story number {n} & more",
                               kicker="Analysis" if n == 0 else "", featured=n == 0,
                               lead_image=ImageFactory() if n % 2 == 0 else None)
        story.tags.set(["harbor", f"topic {n}"])
        BylineFactory(article=story, person=writer)
        stories.append(story)
    main = stories[0]
    BylineFactory(article=main, order=1, role=Byline.Role.PHOTOGRAPHER)
    CorrectionFactory(article=main)
    RelatedItemFactory(article=main, target=stories[3])
    RelatedItemFactory(article=main, url="https://tides.example/", title="Tide tables")
    year, month = main.publish_at.year, main.publish_at.month
    # A sister masthead runs the main story, and draws In Other News from the network.
    valley = PublicationFactory(name="The Valley Ledger", slug="valley", domain="valley.example",
                                other_news_from_network=True)
    schools = SectionFactory(publication=valley, name="Schools", slug="schools")
    RunFactory(article=main, publication=valley, section=schools, headline="Valley's headline")
    valley_story = ArticleFactory(publication=valley, section=schools, published=True,
                                  headline="Valley story & more")
    valley_story.tags.set(["harbor"])
    sister = {"HTTP_HOST": "valley.example"}
    return {
        "sister-home": ("/", sister),
        "sister-article": (main.get_absolute_url(), sister),
        "sister-section": ("/section/schools/", sister),
        "sister-search": ("/search/?q=harbor", sister),
        "valley-article": (valley_story.get_absolute_url(), sister),
        "home": "/",
        "home-page-2": "/?page=1",
        "article": main.get_absolute_url(),
        "section": main.section.get_absolute_url(),
        "tag": "/tag/harbor/",
        "author": writer.get_absolute_url(),
        "search": "/search/?q=harbor",
        "search-empty": "/search/",
        "search-too-long": "/search/?q=" + "x" * 300,
        "stories": "/stories/?section=nope&after=bad&before=2025-99-99",
        "corrections": "/corrections/",
        "archive-year": f"/{year}/",
        "archive-month": f"/{year}/{month}/",
        "more": f"/more/{main.pk}/?page=1",
        "not-found": "/no-such-page/",
    }


def vnu_errors(files):
    """The Nu Html Checker's errors for ``files``, one run for all of them."""
    java = shutil.which("java")
    assert java, "The HTML check needs Java (apt-get install default-jre-headless)."
    assert VNU.exists(), "The HTML check needs vnu-jar: run `make test-tools` (npm ci)."
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True, timeout=180,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages if m.get("type") == "error"
    ]


def save_pages(client, pages, tmp_path):
    files = []
    for name, url in pages.items():
        url, host = url if isinstance(url, tuple) else (url, {})
        response = client.get(url, **host)
        assert response.status_code in (200, 400, 404), (name, response.status_code)
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    return files


def test_reader_pages_are_valid_html(client, publication, tmp_path):
    files = save_pages(client, reader_pages(client, publication), tmp_path)
    errors = vnu_errors(files)
    assert not errors, "\n".join(errors)
    assert len(files) == 20


def test_the_demo_networks_pages_are_valid_html_on_both_hosts(client, tmp_path):
    """Both demo mastheads, as `make run` serves them: each one's front and section page,
    and the stories that run on both, on each host."""
    import io

    from django.core.management import call_command

    from articles.models import Run

    call_command("load_demo", "--no-progress", stdout=io.StringIO())
    pages = {}
    for run in Run.objects.sisters().select_related("article", "publication", "section"):
        for masthead in (run.article.publication, run.publication):
            host = {"HTTP_HOST": masthead.domain}
            path = run.get_absolute_url() if masthead == run.publication else (
                run.article.get_absolute_url())
            pages[f"{masthead.slug}-story-{run.article_id}"] = (path, host)
            pages[f"{masthead.slug}-home"] = ("/", host)
        pages[f"{run.publication.slug}-section-{run.section.slug}"] = (
            run.section.get_absolute_url(), {"HTTP_HOST": run.publication.domain})
    assert {"harbor-herald-home", "valley-ledger-home"} <= set(pages)
    errors = vnu_errors(save_pages(client, pages, tmp_path))
    assert not errors, "\n".join(errors)

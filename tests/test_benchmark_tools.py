"""The benchmark's own tools: the seeder, the page list, the search queries, the floor and
the query header."""

import importlib.util
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from articles.management.commands.seed_newsroom import WORDS
from articles.models import Article, Byline
from people.models import Person

pytestmark = pytest.mark.django_db


def test_seed_adds_stories_up_to_the_asked_number_and_no_more(publication):
    out = io.StringIO()
    call_command("seed_newsroom", "--articles", "120", "--batch-size", "50", "--no-progress",
                 stdout=out)
    assert Article.objects.filter(publication=publication).count() == 120
    assert Article.objects.published().count() > 100
    assert Byline.objects.count() >= 120
    assert Article.objects.published().first().tags.count() == 3
    call_command("seed_newsroom", "--articles", "120", "--no-progress", stdout=out)
    assert Article.objects.count() == 120


def test_seeded_people_have_portraits_with_their_sizes_stored(publication):
    """As the admin stores them: a person loaded without them would have Django open the
    photo to read them on every page, which real pages never pay for."""
    call_command("seed_newsroom", "--articles", "5", "--no-progress", stdout=io.StringIO())
    people = Person.objects.filter(slug__startswith="seed-")
    assert people.count() == 60
    Person.objects.filter(pk=people[0].pk).update(photo_width=None, photo_height=None)
    call_command("seed_newsroom", "--articles", "5", "--no-progress", stdout=io.StringIO())
    assert not people.filter(photo_width=None).exists()
    assert set(people.values_list("photo_width", "photo_height")) == {(400, 500)}


def test_bench_urls_lists_pages_that_open(client, publication):
    call_command("seed_newsroom", "--articles", "30", "--no-progress", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_urls", stdout=out, stderr=io.StringIO())
    paths = json.loads(out.getvalue())
    for name in ["home", "article", "section", "tag", "author", "api-list", "api-list-deep",
                 "api-story", "api-story-ninjs"]:
        assert client.get(paths[name]).status_code == 200, name
    assert client.get(paths["api-story-ninjs"])["Content-Type"] == "application/ninjs+json"
    # The deep page is the list's last: the 30 stories' oldest few.
    assert client.get(paths["api-list-deep"]).json()["next"] is None
    # Seeded people have portraits, so bylines carry their renditions.
    [byline, *_] = client.get(paths["api-story"]).json()["bylines"]
    assert byline["person"]["portrait"]["renditions"]["square"]


def bench_runner(script="run"):
    """bench/run.py (or another of bench/'s scripts), a script rather than a package."""
    path = Path(__file__).resolve().parent.parent / "bench" / f"{script}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{script}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's EXPLAIN")
def test_explain_other_news_reports_the_work_of_the_first_batch_over_the_archive(publication):
    """bench/explain_other_news.py: for stories from the newest to the oldest, what
    PostgreSQL read and how long it took to answer the box's first batch."""
    call_command("seed_newsroom", "--articles", "60", "--no-progress", stdout=io.StringIO())
    rows = bench_runner("explain_other_news").explain(stories=3, tries=2)
    published = Article.objects.published().count()
    assert [row[0] for row in rows] == [0, round((published - 1) / 2), published - 1]
    for _position, tags, buffers, run, planning in rows:
        assert tags == 3
        assert buffers > 0 and run > 0 and planning > 0


def test_bench_search_rotates_through_one_and_two_words_of_the_seeded_stories(client,
                                                                              publication):
    run = bench_runner()
    assert len(set(run.SEARCH_QUERIES)) >= 5
    for query in run.SEARCH_QUERIES:
        assert 1 <= len(query.split()) <= 2, query
        assert set(query.split()) <= set(WORDS), query
    call_command("seed_newsroom", "--articles", "30", "--no-progress", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_urls", stdout=out, stderr=io.StringIO())
    search = json.loads(out.getvalue())["search"]
    paths = run.search_paths(search)
    assert len(paths) == len(run.SEARCH_QUERIES)
    for path, query in zip(paths, run.SEARCH_QUERIES, strict=True):
        assert path.startswith(search.split("?")[0] + "?"), path
        response = client.get(path)
        assert response.status_code == 200, path
        assert query in response.text, path


@override_settings(NEWSROOM_BENCHMARK=True)
def test_query_count_header_counts_queries(rf):
    from django.contrib.auth.models import Group
    from django.http import HttpResponse

    from newsroom.benchmark import COUNT_QUERIES_HEADER, QueryCountMiddleware, floor

    def view(request):
        list(Group.objects.all())
        list(Group.objects.all())
        return HttpResponse("x")

    asked = {"headers": {COUNT_QUERIES_HEADER: "1"}}
    assert QueryCountMiddleware(view)(rf.get("/", **asked))["X-Newsroom-Queries"] == "2"
    assert QueryCountMiddleware(floor)(rf.get("/", **asked))["X-Newsroom-Queries"] == "0"


@override_settings(NEWSROOM_BENCHMARK=True)
def test_queries_are_counted_only_for_a_request_that_asks(rf):
    """A load test's requests pay nothing for the counter: the floor is Newsroom's own."""
    from newsroom.benchmark import QueryCountMiddleware, floor

    assert "X-Newsroom-Queries" not in QueryCountMiddleware(floor)(rf.get("/"))


def test_the_bench_asks_for_the_query_count_of_each_page_it_probes(monkeypatch):
    from newsroom.benchmark import COUNT_QUERIES_HEADER

    run = bench_runner()
    sent = []

    class Answer(io.BytesIO):
        status = 200
        headers = {"X-Newsroom-Queries": "3"}

    def urlopen(request, timeout):
        sent.append(request.get_header(COUNT_QUERIES_HEADER.capitalize()))
        return Answer(b"page")

    monkeypatch.setattr(run.urllib.request, "urlopen", urlopen)
    assert run.probe("http://127.0.0.1:1/")["queries"] == 3
    assert sent == ["1"]


def test_each_page_is_compared_with_the_floor_run_just_before_it():
    run = bench_runner()
    results = {"floor": {"rps": 1000.0, "floor_rps": None},
               "article": {"rps": 700.0, "floor_rps": 875.0},
               "home": {"rps": 500.0, "floor_rps": None}}
    run.add_ratios(results)
    assert results["floor"]["ratio_to_floor"] == 1.0
    assert results["article"]["ratio_to_floor"] == 0.8  # its own floor, not the first
    assert results["home"]["ratio_to_floor"] == 0.5  # without one, the round's floor


def test_repeated_runs_report_the_one_with_the_median_ratio():
    run = bench_runner()

    def pair(floor, page):
        return ({"rps": floor}, {"rps": page})

    lucky, typical, unlucky = pair(1000, 950), pair(2000, 1500), pair(2400, 1200)
    assert run.median_pair([unlucky, lucky, typical]) == typical
    assert run.median_pair([typical]) == typical
    # Without a floor run (--floor-seconds 0), by the page's own requests per second.
    assert run.median_pair([(None, {"rps": 5}), (None, {"rps": 9}), (None, {"rps": 7})]) == (
        None, {"rps": 7})


def test_bench_hot_story_saves_the_newest_public_story_again_and_again(publication):
    call_command("seed_newsroom", "--articles", "30", "--no-progress", stdout=io.StringIO())
    story = Article.objects.published().order_by("-publish_at").first()
    headline = story.headline
    out = io.StringIO()
    call_command("bench_hot_story", "--every", "0.05", "--seconds", "0.3", stdout=out)
    said = json.loads(out.getvalue().strip().splitlines()[-1])
    assert said["story"] == story.pk and said["saves"] >= 3
    story.refresh_from_db()
    assert story.headline == headline and story.version > said["saves"]


def test_bench_reports_the_hot_story_case():
    run = bench_runner()
    storm = {"rps": 300.0, "p99_ms": 80.0, "errors": 0, "saves": 33}
    report = {"articles": 10, "when": "now", "workers": 2, "connections": 32, "seconds": 10,
              "unloaded_seconds": 3, "search_queries": ["ferry"], "cpus": 2, "rounds": {},
              "hot_story": {"paths": ["/", "/feed/"], "every": 0.3, "cases": {
                  "stale copies on": {"quiet": {"rps": 400.0, "p99_ms": 40.0, "errors": 0},
                                      "storm": storm, "ratio": 0.75}}}}
    table = run.markdown(report)
    assert "## A hot story" in table
    assert "| stale copies on | 400 | 40.0 | 300 | 80.0 | 0.75 | 33 | 0 |" in table


def test_the_bare_django_floor_is_served_and_reported(tmp_path):
    """The floor is compared with a bare Django app (bench/bare_django.py): gunicorn
    serves it as the benchmark starts it, and the report gives the ratio."""
    import os
    import signal
    import urllib.request

    run = bench_runner()
    port = run.free_port()
    proc = run.start_gunicorn({**os.environ}, port, 1, app=run.BARE_DJANGO)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/floor/") as response:
            assert response.read() == b"ok"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    report = {"articles": 10, "when": "now", "workers": 2, "connections": 32, "seconds": 10,
              "unloaded_seconds": 3, "search_queries": ["ferry"], "cpus": 2,
              "rounds": {"Full-page cache on": {
                  "pages": {}, "worker_rss_mb": [80.0],
                  "bare_django": {"floor_rps": 3000.0, "bare_django_rps": 3500.0,
                                  "ratio": 0.857}}}}
    assert "3000 against 3500 req/s, **0.86**" in run.markdown(report)

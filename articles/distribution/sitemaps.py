"""Sitemaps for search engines, per publication on its own domain.

Each masthead lists the stories it shows (``published().on()``: its own and those it runs
from sister mastheads), at its own addresses for them; the Google News sitemap lists only
its own stories, since a sister masthead's page points search engines to the story's home.

``/sitemap.xml`` is an index of: one sitemap per month of stories (paged with ``?page=``
when a month outgrows ``NEWSROOM_SITEMAP_LIMIT``), sections, authors and tags (paged
likewise), and the Google News sitemap of the last 48 hours. Splitting stories by month
keeps every query a range scan on the (publication, status, publish_at) index, so a
million stories cost no deep OFFSETs; the month list for the index is cached under a
key that changes with every save and every newly live story.
"""

import functools
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.core.paginator import InvalidPage
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from taggit.models import Tag

from articles.caching import keys
from articles.caching.generations import cache, current_generations
from articles.caching.pages import add_keys, change_deadline, is_current, keep_seconds
from articles.models import Article, Byline, Section, TaggedArticle
from articles.templatetags.distribution import w3c_datetime
from people.models import Person

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most this many stories from one sitemap
XML = "application/xml; charset=utf-8"


def sitemap_keys(request, *more):
    """Every sitemap lists the publication's stories or their last change, so it carries
    ``keys.sitemap(publication)``, which any save of one of its stories moves on (a new
    ``lastmod``), besides the keys of the lists it shows (see articles/caching/invalidation.py)."""
    publication_id = request.publication.pk
    add_keys(
        request,
        keys.sitemap(publication_id),
        keys.publication(publication_id),
        keys.layout(publication_id),
        *more,
    )


def sitemap_limit():
    return max(1, min(int(getattr(settings, "NEWSROOM_SITEMAP_LIMIT", 10_000)), 50_000))


def published_for(request):
    if not request.publication:
        raise Http404("No publication is configured.")
    return Article.objects.published().on(request.publication)


def latest_change(articles):
    return articles.order_by("-modified_at").values_list("modified_at", flat=True).first()


class PublicationSitemap(Sitemap):
    """A sitemap bound to one request's publication; ``limit`` from settings."""

    def __init__(self, request):
        self.request = request
        self.articles = published_for(request)
        self.limit = sitemap_limit()

    def lastmod(self, item):
        return item.lastmod


class ArticleMonthSitemap(PublicationSitemap):
    def __init__(self, request, year, month):
        super().__init__(request)
        zone = timezone.get_current_timezone()
        self.start = datetime(year, month, 1, tzinfo=zone)
        self.end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)

    def items(self):
        # The range on the runs' copy of the time is read from their index.
        return (
            self.articles.filter(publish_at__gte=self.start, publish_at__lt=self.end,
                                 run_publish_at__gte=self.start, run_publish_at__lt=self.end)
            .only("pk", "slug", "publish_at", "created_at", "modified_at")  # and the run
            .order_by("run_publish_at", "pk")
        )

    def lastmod(self, item):
        return item.modified_at


class SectionSitemap(PublicationSitemap):
    def items(self):
        latest = self.articles.filter(run_section_id=OuterRef("pk")).order_by("-modified_at")
        return (
            Section.objects.filter(publication=self.request.publication)
            .annotate(lastmod=Subquery(latest.values("modified_at")[:1]))
            .only("pk", "slug")
            .order_by("order", "pk")
        )


class AuthorSitemap(PublicationSitemap):
    def items(self):
        bylines = Byline.objects.filter(article__in=self.articles)
        latest = self.articles.filter(bylines__person=OuterRef("pk")).order_by("-modified_at")
        return (
            Person.objects.filter(pk__in=bylines.values("person_id"))
            .annotate(lastmod=Subquery(latest.values("modified_at")[:1]))
            .only("pk", "slug")
            .order_by("pk")
        )


class TagSitemap(PublicationSitemap):
    def items(self):
        # Exists, not a join: a join gave each tag once per story (three million rows at
        # a million stories, each with its own lastmod lookup) before DISTINCT.
        public = TaggedArticle.objects.filter(tag=OuterRef("pk"), content_object__in=self.articles)
        latest = self.articles.filter(tags=OuterRef("pk")).order_by("-modified_at")
        return (
            Tag.objects.filter(Exists(public))
            .annotate(lastmod=Subquery(latest.values("modified_at")[:1]))
            .only("pk", "slug")
            .order_by("pk")
        )

    def location(self, item):
        return reverse("articles:tag", args=[item.slug])


LISTINGS = {"sections": SectionSitemap, "authors": AuthorSitemap, "tags": TagSitemap}


def render_urlset(request, sitemap):
    try:
        page = int(request.GET.get("page", 1))
        urls = sitemap.get_urls(page=page, site=RequestSite(request), protocol=request.scheme)
    except (ValueError, InvalidPage):
        raise Http404("No such sitemap page.") from None
    response = TemplateResponse(request, "sitemaps/urlset.xml", {"urlset": urls}, content_type=XML)
    times = [url["lastmod"] for url in urls if url["lastmod"]]
    if times:
        response.headers["Last-Modified"] = http_date(max(times).timestamp())
    return response


def listing_sitemap(request, name):
    sitemap = LISTINGS[name](request)
    # A renamed author or tag changes an address; PEOPLE and TAGS name every one.
    sitemap_keys(request, {"authors": keys.PEOPLE, "tags": keys.TAGS}.get(name))
    return render_urlset(request, sitemap)


def month_sitemap(request, year, month):
    if not (1 <= month <= 12 and 1 <= year <= 9998):
        raise Http404("No such month.")
    sitemap = ArticleMonthSitemap(request, year, month)
    if not sitemap.items().exists():
        raise Http404("No stories that month.")
    sitemap_keys(request)
    return render_urlset(request, sitemap)


def news_sitemap(request):
    """Google News: this masthead's own stories that went live in the last 48 hours, newest
    first. A story it runs from a sister masthead is listed there, on its home."""
    publication = request.publication
    if not publication:
        raise Http404("No publication is configured.")
    since = timezone.now() - NEWS_WINDOW
    stories = (
        Article.objects.published().for_publication(publication)
        # A story whose embargo lifted in the window went live then, however old its time.
        .filter(Q(publish_at__gte=since) | Q(embargo_until__gte=since))
        .only("pk", "slug", "headline", "publish_at", "created_at", "embargo_until")
        .order_by("-publish_at", "-pk")[:NEWS_LIMIT]
    )
    sitemap_keys(request)
    items = [
        {
            "location": request.build_absolute_uri(story.get_absolute_url()),
            "published": story.public_from,
            "title": story.headline,
        }
        for story in stories
    ]
    return TemplateResponse(
        request,
        "sitemaps/news.xml",
        {
            "items": items,
            "publication": publication,
            "news_language": news_language(publication.language),
        },
        content_type=XML,
    )


def news_language(code):
    """Google News wants an ISO 639 code; it accepts zh-cn and zh-tw as they are."""
    code = (code or "en").lower()
    return code if code in {"zh-cn", "zh-tw"} else code.split("-")[0].split("_")[0]


def index_stats(request, months_for):
    """What the index needs from the stories: the lines of its monthly sitemaps, and how
    many authors and tags have public stories, with their latest change.

    These scans grow with the archive, so they are cached under keys that change with
    every save in the publication, with every story that goes live, and with every change
    to the stories it runs from sister mastheads (their saves move its ``keys.sitemap``).
    The month lines (some 550 of them at a million stories) are kept as written, per address of the site
    (``months_for``: the site and script prefix that start each line), so a built index
    joins them rather than writing them again.
    """
    articles = published_for(request)
    newest_live = articles.newest_first().values_list("publish_at", flat=True).first()
    latest_save = latest_change(Article.objects.filter(publication=request.publication))
    stamps = [t.timestamp() if t else 0 for t in (latest_save, newest_live)]
    pk = request.publication.pk
    (runs_changed,) = current_generations((keys.sitemap(pk),))
    stamps = (*stamps, runs_changed)
    stats_key = keys.sitemap_index_stats(pk, stamps)
    lines_key = keys.sitemap_index_months(pk, stamps, months_for, sitemap_limit())
    # Embargoes lift without a save: an entry is used only until the next one does.
    found = {name: value for name, (value, valid_until) in
             cache().get_many([stats_key, lines_key]).items() if is_current(valid_until)}
    stats, lines = found.get(stats_key), found.get(lines_key)
    if stats is None or lines is None:
        valid_until = change_deadline(request)
        timeout = keep_seconds(request, 300, valid_until)
    if stats is None:
        stats = {
            # One probe per person and per tag for a first public story, rather than a
            # join of every byline and tag of the archive (2.5 s at a million stories).
            "authors": Person.objects.filter(
                Exists(Byline.objects.filter(person=OuterRef("pk"), article__in=articles))
            ).count(),
            "tags": Tag.objects.filter(
                Exists(TaggedArticle.objects.filter(tag=OuterRef("pk"),
                                                    content_object__in=articles))
            ).count(),
            "latest": latest_change(articles),
            "news_latest": latest_change(
                articles.filter(publish_at__gte=timezone.now() - NEWS_WINDOW)
            ),
        }
        cache().set(stats_key, (stats, valid_until), timeout)
    if lines is None:
        site_root, prefix = months_for
        entries = []
        # (year, month, count, lastmod) in the newsroom's time zone.
        for month, count, lastmod in (
            articles.annotate(month=TruncMonth("publish_at"))
            .values("month")
            .annotate(count=Count("pk"), lastmod=Max("modified_at"))
            .order_by("month")
            .values_list("month", "count", "lastmod")
        ):
            path = month_path(prefix, *year_month(month))
            entries += paged(site_root + path, count, lastmod)
        lines = index_lines(entries)
        cache().set(lines_key, (lines, valid_until), timeout)
    return stats, lines


def year_month(month):
    month = timezone.localtime(month) if timezone.is_aware(month) else month
    return month.year, month.month


@functools.lru_cache(maxsize=4096)
def month_path(script_prefix, year, month):
    """The path of a month's sitemap (the prefix is part of the key: reverse uses it)."""
    return reverse("articles:sitemap-month", args=[year, month])


def paged(location, count, lastmod):
    pages = max(1, math.ceil(count / sitemap_limit()))
    return [
        {"location": location if n == 1 else f"{location}?page={n}", "lastmod": lastmod}
        for n in range(1, pages + 1)
    ]


def index_lines(entries):
    """Each entry of the index as one line of XML, written here rather than through a
    template loop, which cost more than everything else in the view together."""
    return "\n".join(
        f"<sitemap><loc>{escape(entry['location'])}</loc>"
        + (f"<lastmod>{w3c_datetime(entry['lastmod'])}</lastmod>" if entry["lastmod"] else "")
        + "</sitemap>"
        for entry in entries
    )


def sitemap_index(request):
    absolute = request.build_absolute_uri
    site = absolute("/")[:-1]
    stats, month_lines = index_stats(request, (site, get_script_prefix()))
    sitemap_keys(request, keys.PEOPLE, keys.TAGS)
    entries = []
    sections = Section.objects.filter(publication=request.publication).count()
    for name, count in [
        ("sections", sections),
        ("authors", stats["authors"]),
        ("tags", stats["tags"]),
    ]:
        entries += paged(absolute(reverse(f"articles:sitemap-{name}")), count, stats["latest"])
    entries.append(
        {"location": absolute(reverse("articles:sitemap-news")), "lastmod": stats["news_latest"]}
    )
    lines = "\n".join(part for part in (month_lines, index_lines(entries)) if part)
    return TemplateResponse(request, "sitemaps/index.xml", {"sitemaps": mark_safe(lines)},
                            content_type=XML)


def robots_txt(request):
    absolute = request.build_absolute_uri
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {absolute(reverse('articles:sitemap'))}",
        f"Sitemap: {absolute(reverse('articles:sitemap-news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

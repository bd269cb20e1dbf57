from django.urls import path, register_converter

from articles.distribution import sitemaps
from articles.distribution.feeds import StoryFeed
from articles.reading import listings, preview, views
from articles.reading.converters import (
    DayConverter,
    MonthConverter,
    UnicodeSlugConverter,
    YearConverter,
)

register_converter(UnicodeSlugConverter, "uslug")
register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")
register_converter(DayConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "<int:year>/<int:month>/<int:day>/<uslug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("people/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    # Feeds: RSS 2.0 at feed/, Atom at feed/atom/, for the publication and each
    # section, tag and author.
    path("feed/", StoryFeed(), name="feed"),
    path("feed/atom/", StoryFeed(atom=True), name="feed-atom"),
    path("section/<slug:slug>/feed/", StoryFeed("section"), name="section-feed"),
    path("section/<slug:slug>/feed/atom/", StoryFeed("section", atom=True), name="section-feed-atom"),
    path("tag/<uslug:slug>/feed/", StoryFeed("tag"), name="tag-feed"),
    path("tag/<uslug:slug>/feed/atom/", StoryFeed("tag", atom=True), name="tag-feed-atom"),
    path("people/<uslug:slug>/feed/", StoryFeed("author"), name="author-feed"),
    path("people/<uslug:slug>/feed/atom/", StoryFeed("author", atom=True), name="author-feed-atom"),
    # Sitemaps and robots.txt, each publication on its own domain.
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemaps/news.xml", sitemaps.news_sitemap, name="sitemap-news"),
    path("sitemaps/articles-<int:year>-<int:month>.xml", sitemaps.month_sitemap,
         name="sitemap-month"),
    path("sitemaps/sections.xml", sitemaps.listing_sitemap, {"name": "sections"},
         name="sitemap-sections"),
    path("sitemaps/authors.xml", sitemaps.listing_sitemap, {"name": "authors"},
         name="sitemap-authors"),
    path("sitemaps/tags.xml", sitemaps.listing_sitemap, {"name": "tags"}, name="sitemap-tags"),
    path("preview/<str:token>/", preview.SharedPreviewView.as_view(), name="preview"),
    path("<yyyy:year>/", listings.YearArchive.as_view(), name="archive-year"),
    path("<yyyy:year>/<mm:month>/", listings.MonthArchive.as_view(), name="archive-month"),
    path("<yyyy:year>/<mm:month>/<dd:day>/", listings.DayArchive.as_view(), name="archive-day"),
    path("stories/", listings.StoryListView.as_view(), name="stories"),
    path("search/", listings.SearchView.as_view(), name="search"),
    path("corrections/", listings.CorrectionsView.as_view(), name="corrections"),
    path("more/<int:pk>/", listings.OtherNewsView.as_view(), name="other-news"),
]

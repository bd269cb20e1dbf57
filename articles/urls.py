from django.urls import path, register_converter

from . import views
from .converters import UnicodeSlugConverter
from .feeds import StoryFeed

register_converter(UnicodeSlugConverter, "uslug")

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
]

from django.urls import path, register_converter

from . import listings, views
from .converters import DayConverter, MonthConverter, UnicodeSlugConverter, YearConverter

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
    path("<yyyy:year>/", listings.YearArchive.as_view(), name="archive-year"),
    path("<yyyy:year>/<mm:month>/", listings.MonthArchive.as_view(), name="archive-month"),
    path("<yyyy:year>/<mm:month>/<dd:day>/", listings.DayArchive.as_view(), name="archive-day"),
    path("stories/", listings.StoryListView.as_view(), name="stories"),
    path("search/", listings.SearchView.as_view(), name="search"),
    path("corrections/", listings.CorrectionsView.as_view(), name="corrections"),
    path("more/<int:pk>/", listings.OtherNewsView.as_view(), name="other-news"),
]

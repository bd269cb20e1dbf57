import json
from urllib.parse import urlencode

from django.core.management.base import BaseCommand
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag

from articles.api.pagination import encode_cursor
from articles.models import Article, Publication
from people.models import Person


class Command(BaseCommand):
    help = "Print, as JSON, the paths of one page of each kind for the benchmark to load."

    def handle(self, *args, **options):
        publication = Publication.objects.get(is_default=True)
        published = Article.objects.published().for_publication(publication)
        article = published.select_related("section").order_by("-publish_at").first()
        tag = (Tag.objects.filter(articles_taggedarticle_items__content_object=article)
               .first() if article else None)
        person = Person.objects.filter(bylines__article=article).first() if article else None
        candidates = {
            "home": ("articles:home", {}),
            "article": (None, article.get_absolute_url() if article else None),
            "section": ("articles:section", {"slug": article.section.slug} if article else None),
            "tag": ("articles:tag", {"slug": tag.slug} if tag else None),
            "author": ("articles:author", {"slug": person.slug} if person else None),
            "feed": ("articles:feed", {}),
            "sitemap": ("articles:sitemap", {}),
            "search": (None, "/search/?q=harbor+budget"),
            # The content API: a story, the first page of the list, and a page deep in
            # the archive (the cursor of the oldest stories): cursor pagination makes both
            # pages cost the same.
            "api-story": ("api:story-detail", {"pk": article.pk} if article else None),
            "api-story-ninjs": (None, reverse("api:story-detail", kwargs={"pk": article.pk})
                                + "?format=ninjs" if article else None),
            "api-list": ("api:story-list", {}),
            "api-list-deep": (None, self.deep_api_page(published)),
        }
        paths = {}
        for name, (route, kwargs) in candidates.items():
            if kwargs is None:
                continue
            if route is None:
                paths[name] = kwargs
                continue
            try:
                paths[name] = reverse(route, kwargs=kwargs)
            except NoReverseMatch:
                self.stderr.write(f"no {name} page in this version; skipped")
        self.stdout.write(json.dumps(paths))

    def deep_api_page(self, published):
        """The API story list from just after the 21st oldest story: its last page."""
        oldest = published.order_by("publish_at", "pk")[20:21].first()
        if oldest is None:
            return None
        query = urlencode({"cursor": encode_cursor(oldest.publish_at, oldest.pk)})
        return f"{reverse('api:story-list')}?{query}"

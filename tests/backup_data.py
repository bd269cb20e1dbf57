"""A small newsroom to export and restore, and the pictures its pages show."""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from articles.editorial.revisions import record_revision
from articles.models import Article, Byline, MastheadBio, Publication
from people.models import SocialLink

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
    UserFactory,
    image_bytes,
)


def build_newsroom():
    """Two publications with a bit of everything a page can show: a logo, portraits, and
    pictures (JPEG and PNG) large enough for several renditions each."""
    herald = Publication.objects.get(is_default=True)
    herald.name, herald.tagline = "The Harbor Herald", "News from Port Alder"
    herald.logo.save("herald.png", ContentFile(image_bytes("PNG", (240, 60))), save=False)
    herald.save()
    ledger = PublicationFactory(name="The Valley Ledger", slug="ledger", domain="ledger.example")
    metro = SectionFactory(publication=herald, name="Metro", slug="metro")
    SectionFactory(publication=ledger, name="Farms", slug="farms")
    editor = UserFactory(username="ruth")
    writer = PersonFactory(full_name="Noor Haddad", job_title="City Hall Reporter",
                           bio="Noor covers the council.\n\nShe grew up on Gull Island.",
                           photo=ContentFile(image_bytes(size=(320, 320)), name="noor.jpg"))
    SocialLink.objects.create(person=writer, network="bluesky", url="https://bsky.example/noor")
    shooter = PersonFactory(full_name="Lars Petit", job_title="Photographer", short_bio="")
    now = timezone.now().replace(microsecond=123456)
    lead = ArticleFactory(
        publication=herald, section=metro, headline="Ferry fares to rise in spring",
        status=Article.Status.PUBLISHED, publish_at=now - timedelta(hours=3),
        updated_at=now - timedelta(hours=1), featured=True, priority=2,
        lead_image=ImageFactory(alt_text="The ferry dock at noon.", file=ContentFile(
            image_bytes(size=(1000, 700)), name="ferry.jpg")),
        created_by=editor,
        body="<p>Fares rise by a dollar.</p><figure class=\"inline-image\"><figcaption>Dock</figcaption></figure>",
    )
    lead.tags.set(["ferries", "Gull Island"])
    BylineFactory(article=lead, person=writer)
    BylineFactory(article=lead, person=shooter, role=Byline.Role.PHOTOGRAPHER, order=1)
    second = ArticleFactory(
        publication=herald, section=metro, headline="Pier repairs finish early",
        status=Article.Status.PUBLISHED, publish_at=now - timedelta(days=1),
        lead_image=ImageFactory(file=ContentFile(image_bytes("PNG", (700, 500)), name="pier.png")),
    )
    second.tags.set(["ferries"])
    BylineFactory(article=second, person=writer)
    RelatedItemFactory(article=lead, target=second, order=0)
    RelatedItemFactory(article=lead, url="https://ledger.example/farm", title="Farm news", order=1)
    CorrectionFactory(article=lead, text="An earlier version gave the wrong fare.",
                      created_at=now - timedelta(minutes=30))
    ArticleFactory(publication=herald, section=metro, headline="Scheduled story", scheduled=True)
    ArticleFactory(publication=herald, section=metro, headline="Draft story")
    ArticleFactory(publication=ledger, headline="Harvest is late", published=True,
                   lead_image=ImageFactory(file=ContentFile(image_bytes(size=(800, 600)),
                                                            name="harvest.jpg")))
    # The Valley Ledger runs the lead story in Farms, under its own headline, and prints
    # its writer's bio line its own way.
    RunFactory(article=lead, publication=ledger, section=ledger.sections.get(slug="farms"),
               headline="Ferry fares rise for farm trucks too")
    MastheadBio.objects.create(person=writer, publication=ledger,
                               short_bio="Noor Haddad writes for our sister paper.")
    for article in Article.objects.all():
        record_revision(article, user=editor, comment="Created")
    return lead, writer


def public_pages(client, lead, writer):
    cache.clear()
    urls = ["/", lead.get_absolute_url(), lead.section.get_absolute_url(),
            writer.get_absolute_url(), "/tag/ferries/"]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    pages["ledger"] = client.get("/", HTTP_HOST="ledger.example").content
    pages["ledger story"] = client.get(lead.get_absolute_url(), HTTP_HOST="ledger.example").content
    assert b"Noor Haddad writes for our sister paper." in pages["ledger story"]
    return pages


# Every attribute a page names a picture in: <img src>, <source srcset>, og:image, icons.
PICTURE_ATTRIBUTE = re.compile(r'(?:src|srcset|content|href)="([^"]*)"')


def picture_urls(page):
    """The path of every uploaded file (an original or a rendition) a page shows."""
    urls = set()
    for value in PICTURE_ATTRIBUTE.findall(page.decode() if isinstance(page, bytes) else page):
        for candidate in html.unescape(value).split(","):  # a srcset lists several
            path = urlsplit(candidate.strip().split(" ")[0]).path
            if path.startswith(settings.MEDIA_URL):
                urls.add(path)
    return urls

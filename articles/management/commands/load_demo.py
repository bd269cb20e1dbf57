"""Build the fictional demo network (articles/demo/content.json): publications, sections,
people, stories, logins."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from taggit.models import Tag
from tqdm import tqdm

from articles import demo
from articles.demo.images import logo_png, portrait_jpeg, scene_jpeg
from articles.editorial import roles
from articles.editorial.revisions import record_revision
from articles.models import (
    Article,
    Byline,
    Correction,
    Image,
    MastheadBio,
    Publication,
    RelatedItem,
    Run,
    Section,
)
from people.models import Person, SocialLink

STATUS = {
    "published": Article.Status.PUBLISHED,
    "scheduled": Article.Status.PUBLISHED,  # published with a future time = scheduled
    "draft": Article.Status.DRAFT,
    "in_review": Article.Status.IN_REVIEW,
}

# Which demo person each login writes as, and on which masthead's desk.
DEMO_USERS = [
    # username, role on the desk, is_superuser, the demo person they are, the desk
    ("admin", None, True, None, None),
    ("editor", "editor", False, "ruth-abernathy", "harbor-herald"),
    ("reporter", "reporter", False, "dana-reyes", "harbor-herald"),
    ("valley-editor", "editor", False, "sam-whitfield", "valley-ledger"),
    ("valley-reporter", "reporter", False, "colin-mcrae", "valley-ledger"),
]


class Command(BaseCommand):
    help = (
        "Load the demo newsroom: two fictional publications with sections, people with "
        "portraits, 60 stories (published, scheduled, drafts, in review) with pictures, tags, "
        "related stories and corrections, three of them running on both mastheads, and the "
        "logins admin, editor and reporter (the Harbor Herald's desk), valley-editor and "
        "valley-reporter (the Valley Ledger's). The password is NEWSROOM_DEMO_PASSWORD "
        "(default: newsroom-demo). Safe to run again: what exists is left as it is, and "
        "nothing is created twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the demo logins (default: the NEWSROOM_DEMO_PASSWORD setting).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw a progress bar."
        )

    def handle(self, *args, password=None, no_progress=False, **options):
        self.now = timezone.now()
        self.created = 0
        self.content = demo.content()
        with transaction.atomic():
            publications = self.load_publications()
            sections = self.load_sections(publications)
            people = self.load_people(publications, no_progress)
            self.load_users(publications, people, password or settings.NEWSROOM_DEMO_PASSWORD)
            self.tags = self.load_tags()
            articles = self.load_articles(publications, sections, people, no_progress)
            self.load_related(articles)
            self.load_runs(publications, sections, articles)
        self.stdout.write(self.style.SUCCESS(
            f"Demo newsroom ready: {len(publications)} publications, {len(sections)} sections, "
            f"{len(people)} people, {len(articles)} stories ({self.created} new objects)."
        ))

    def get_or_create(self, model, defaults=None, **lookup):
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        self.created += created
        return obj, created

    def load_publications(self):
        publications = {}
        for data in self.content["publications"]:
            pub = Publication.objects.filter(slug=data["slug"]).first()
            if pub is None:
                if data["is_default"]:
                    # Take over the publication a fresh install starts with, if unused.
                    pub = Publication.objects.filter(
                        slug="newsroom", articles__isnull=True, sections__isnull=True
                    ).first()
                    Publication.objects.filter(is_default=True).exclude(
                        pk=getattr(pub, "pk", None)
                    ).update(is_default=False)
                pub = pub or Publication()
                pub.slug, pub.name, pub.domain = data["slug"], data["name"], data["domain"]
                pub.tagline, pub.language = data["tagline"], data["language"]
                pub.accent_color, pub.is_default = data["color"], data["is_default"]
                logo = ContentFile(logo_png(data["name"], data["color"]))
                pub.logo.save(f"{data['slug']}.png", logo, save=False)
                pub.save()
                self.created += 1
            publications[data["slug"]] = pub
        return publications

    def load_sections(self, publications):
        sections = {}
        for data in self.content["sections"]:
            pub = publications[data["publication"]]
            section, _ = self.get_or_create(
                Section, publication=pub, slug=data["slug"],
                defaults={"name": data["name"], "description": data["description"],
                          "order": data["order"]},
            )
            sections[(data["publication"], data["slug"])] = section
        return sections

    def load_people(self, publications, no_progress):
        people = {}
        for data in tqdm(self.content["people"], desc="People", unit="person",
                         disable=no_progress):
            person, created = self.get_or_create(
                Person, slug=data["slug"],
                defaults={"full_name": data["full_name"], "job_title": data["job_title"],
                          "short_bio": data["short_bio"], "bio": data["bio"],
                          "email": data["email"]},
            )
            if created:
                person.photo.save(f"{data['slug']}.jpg",
                                  ContentFile(portrait_jpeg(data["slug"], data["color"])))
                for order, (network, url) in enumerate(data["social"]):
                    SocialLink.objects.create(person=person, network=network, url=url, order=order)
            for line in data.get("masthead_bios", []):
                self.get_or_create(MastheadBio, person=person,
                                   publication=publications[line["publication"]],
                                   defaults={"short_bio": line["short_bio"]})
            people[data["slug"]] = person
        return people

    def load_users(self, publications, people, password):
        User = get_user_model()
        for username, role, superuser, person_slug, desk in DEMO_USERS:
            user, created = self.get_or_create(
                User, username=username,
                defaults={"email": f"{username}@newsroom.example", "is_staff": True,
                          "is_superuser": superuser},
            )
            # The password always follows NEWSROOM_DEMO_PASSWORD, so it can be changed.
            user.set_password(password)
            user.is_staff, user.is_superuser = True, superuser
            user.save()
            if role:
                roles.grant_desk_role(user, publications[desk], role)
            if person_slug is not None:
                person = people[person_slug]
                if person.user_id is None:
                    person.user = user
                    person.save(update_fields=["user"])
                    user.first_name, _, user.last_name = person.full_name.partition(" ")
                    user.save(update_fields=["first_name", "last_name"])

    def load_tags(self):
        """{name: Tag}. A tag is found by its slug, so a newsroom loaded before the demo's
        tags had names ("city-council") gets its names ("City council"), not a second tag."""
        tags = {}
        for name in sorted({name for data in self.content["articles"] for name in data["tags"]}):
            tag, created = self.get_or_create(Tag, slug=slugify(name), defaults={"name": name})
            if not created and tag.name == tag.slug and tag.name != name:
                tag.name = name
                tag.save(update_fields=["name"])
            tags[name] = tag
        return tags

    def load_articles(self, publications, sections, people, no_progress):
        articles = {}
        # Unpublished stories are their desk's reporter's work in progress.
        reporters = {desk: get_user_model().objects.get(username=username)
                     for username, role, _su, _person, desk in DEMO_USERS if role == "reporter"}
        for data in tqdm(self.content["articles"], desc="Stories", unit="story",
                         disable=no_progress):
            pub = publications[data["publication"]]
            article = Article.objects.filter(publication=pub, headline=data["headline"]).first()
            if article is None:
                article = self.create_article(data, pub, sections, people,
                                              reporters[data["publication"]])
            articles[data["headline"]] = article
        return articles

    def create_article(self, data, pub, sections, people, reporter):
        hours = timedelta(hours=data["age_hours"])
        status = STATUS[data["status"]]
        publish_at = self.now - hours if status == Article.Status.PUBLISHED else None
        article = Article(
            publication=pub,
            section=sections[(data["publication"], data["section"])],
            headline=data["headline"], kicker=data["kicker"], dek=data["dek"],
            dateline=data["dateline"], summary=data["summary"],
            body=paragraphs_html(data["paragraphs"]),
            status=status, publish_at=publish_at, featured=data["featured"],
            created_by=reporter if status != Article.Status.PUBLISHED else None,
        )
        if data.get("image"):
            article.lead_image = self.create_image(data)
        article.save()
        if status != Article.Status.PUBLISHED:
            # Drafts were started some time ago; keep their creation time honest.
            Article.objects.filter(pk=article.pk).update(created_at=self.now - hours)
        self.created += 1
        article.tags.set([self.tags[name] for name in data["tags"]])
        for order, (slug, role) in enumerate(data["bylines"]):
            Byline.objects.create(article=article, person=people[slug], role=role, order=order)
        for index, (kind, text) in enumerate(data["corrections"]):
            # Corrections come after publication, an hour or more apart.
            when = (publish_at or self.now) + min(hours / 2, timedelta(hours=index + 1))
            Correction.objects.create(article=article, kind=kind, text=text, created_at=when)
            article.updated_at = when
        if data["corrections"]:
            Article.objects.filter(pk=article.pk).update(updated_at=article.updated_at)
        record_revision(article, comment="Loaded with the demo newsroom")
        return article

    def create_image(self, data):
        image = data["image"]
        picture = Image.objects.create(
            file=ContentFile(scene_jpeg(image["scene"], data["headline"]),
                             name=f"{slugify(data['headline'])[:60]}.jpg"),
            alt_text=image["alt"], caption=image["caption"], credit=image["credit"],
        )
        self.created += 1
        return picture

    def load_related(self, articles):
        for data in self.content["articles"]:
            article = articles[data["headline"]]
            if not data["related"] or article.related_items.exists():
                continue
            for order, entry in enumerate(data["related"]):
                if isinstance(entry, str):
                    RelatedItem.objects.create(article=article, target=articles[entry], order=order)
                else:
                    title, url = entry
                    RelatedItem.objects.create(article=article, url=url, title=title, order=order)
                self.created += 1


    def load_runs(self, publications, sections, articles):
        """The stories that also run on the sister masthead, in a section of its own."""
        for data in self.content["articles"]:
            for run in data.get("runs_on", []):
                self.get_or_create(
                    Run, article=articles[data["headline"]],
                    publication=publications[run["publication"]],
                    defaults={"section": sections[(run["publication"], run["section"])],
                              "headline": run["headline"], "featured": run["featured"]},
                )

def paragraphs_html(paragraphs):
    """Plain paragraphs to story HTML; a paragraph starting with "> " is a pull quote."""
    parts = []
    for text in paragraphs:
        if text.startswith("> "):
            parts.append(f'<blockquote class="pull-quote"><p>{escape(text[2:])}</p></blockquote>')
        else:
            parts.append(f"<p>{escape(text)}</p>")
    return "\n".join(parts)

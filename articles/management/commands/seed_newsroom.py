"""Fill a database with a large synthetic newsroom, fast, for benchmarks and load tests."""

import io
import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image as PILImage
from taggit.models import Tag
from tqdm import tqdm

from articles.models import (
    Article,
    Byline,
    Correction,
    Image,
    Publication,
    Run,
    Section,
    TaggedArticle,
)
from people.models import Person

# A small vocabulary of our own for generated copy.
WORDS = ["harbor", "council", "ferry", "budget", "school", "board", "river", "bridge", "storm", "county", "transit", "port", "market", "farm", "vote", "plan", "repair", "library", "hospital", "tide", "water", "road", "rail", "museum", "festival", "court", "permit", "housing", "wildfire", "drought", "orchard", "season", "fleet", "pier", "clinic", "grant", "levy", "district", "coach", "league", "trail", "park", "forest", "mayor", "report", "audit", "union", "wage", "fare", "route"]
SECTION_NAMES = ["Politics", "Metro", "Business", "Science", "Sports", "Schools", "Arts",
                 "Opinion"]
FIRST = ["Ada", "Ben", "Cleo", "Dev", "Esme", "Femi", "Gus", "Hana", "Ivo", "June", "Kai",
         "Lior", "Mina", "Nico", "Omar", "Pia", "Quin", "Rosa", "Sami", "Tova"]
LAST = ["Arden", "Brook", "Calder", "Dunmore", "Ellery", "Fenwick", "Garrow", "Hale",
        "Ives", "Jessup", "Kell", "Lowry", "Marsh", "Norcott", "Orme", "Pryce"]


def sentence(rnd, n=12):
    words = [rnd.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


class Command(BaseCommand):
    help = (
        "Add a large synthetic newsroom to the database for benchmarks: ARTICLES published "
        "stories (plus a few drafts) with bylines, tags, sections and lead images, inserted "
        "in bulk. Run on an empty or previously seeded database; stories are added until "
        "the publication has --articles of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000,
                            help="How many stories the publication should have (default 10000).")
        parser.add_argument("--batch-size", type=int, default=2_000,
                            help="Rows per INSERT (default 2000).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")
        parser.add_argument(
            "--sister-share", type=int, default=0, metavar="PERCENT",
            help="Also make a sister masthead (slug: seed-sister) that runs this share of "
            "the new stories in its own sections, as a network would (default 0: none).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, articles, batch_size, seed, no_progress, sister_share=0, **options):
        if articles < 1 or batch_size < 1:
            raise CommandError("--articles and --batch-size must be positive.")
        if not 0 <= sister_share <= 100:
            raise CommandError("--sister-share is a percentage, from 0 to 100.")
        rnd = random.Random(seed)
        publication = Publication.objects.filter(is_default=True).first()
        if publication is None:
            raise CommandError("No default publication: run `manage.py migrate` first.")
        self.give_portraits(rnd)
        existing = Article.objects.filter(publication=publication).count()
        missing = articles - existing
        if missing <= 0:
            self.stdout.write(f"{publication} already has {existing} stories; nothing to add.")
            return
        sections, people, images, tags = self.supporting_objects(publication, rnd)
        sister, sister_sections = None, []
        if sister_share:
            sister, _ = Publication.objects.get_or_create(
                slug="seed-sister", defaults={"name": "The Seeded Sister",
                                              "domain": "sister.seed.example"})
            sister_sections = self.sections_of(sister)
        now = timezone.now()
        # Stories spread back in time, about 60 a day, the newest first.
        spacing = timedelta(minutes=24)
        bar = tqdm(total=missing, desc="Stories", unit="story", disable=no_progress)
        made = 0
        while made < missing:
            count = min(batch_size, missing - made)
            with transaction.atomic():
                batch = []
                for i in range(count):
                    n = existing + made + i
                    headline = sentence(rnd, rnd.randint(6, 11))[:-1]
                    draft = n % 50 == 49
                    batch.append(Article(
                        publication=publication, section=rnd.choice(sections),
                        headline=headline, slug=f"story-{n}",
                        dek=sentence(rnd, 14), dateline=rnd.choice(["Port Alder", "Gull Point",
                                                                    "Kestrel Bay", ""]),
                        summary=sentence(rnd, 20),
                        body="".join(f"<p>{sentence(rnd, 25)}</p>" for _ in range(6)),
                        status=Article.Status.DRAFT if draft else Article.Status.PUBLISHED,
                        publish_at=None if draft else now - spacing * (n + 1),
                        first_published_at=None if draft else now - spacing * (n + 1),
                        lead_image=rnd.choice(images) if n % 5 else None,
                    ))
                created = Article.objects.bulk_create(batch, batch_size=batch_size)
                Article.objects.filter(pk__in=[a.pk for a in created]).refresh_search_documents()
                # bulk_create skips save(), which keeps the runs: every story runs at home,
                # and some on the sister masthead.
                Run.objects.bulk_create(
                    [Run(article=a, publication=publication, is_home=True, section=a.section,
                         slug=a.slug, publish_at=a.publish_at) for a in created]
                    + [Run(article=a, publication=sister, section=rnd.choice(sister_sections),
                           slug=a.slug, publish_at=a.publish_at)
                       for a in created if sister and rnd.randrange(100) < sister_share],
                    batch_size=batch_size,
                )
                Byline.objects.bulk_create(
                    [Byline(article=a, person=p, order=k)
                     for a in created
                     for k, p in enumerate(rnd.sample(people, rnd.choice((1, 1, 2))))],
                    batch_size=batch_size,
                )
                TaggedArticle.objects.bulk_create(
                    [TaggedArticle(content_object=a, tag=t)
                     for a in created for t in rnd.sample(tags, 3)],
                    batch_size=batch_size,
                )
                Correction.objects.bulk_create(
                    [Correction(article=a, text=sentence(rnd, 15), created_at=a.publish_at)
                     for a in created if a.publish_at and a.pk % 40 == 0],
                )
            made += count
            bar.update(count)
        bar.close()
        if connection.vendor == "postgresql":
            # What autovacuum would do soon after so many inserts: fresh statistics (the
            # planner then knows the tables are large and uses the listing indexes) and
            # the visibility map that lets listings be read from the index alone.
            # (VACUUM cannot run inside a transaction, as when a test calls this command.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(self.style.SUCCESS(
            f"{publication} now has {existing + made} stories ({made} added)."))

    def sections_of(self, publication):
        sections = list(publication.sections.all())
        for order, name in enumerate(SECTION_NAMES[len(sections):], start=len(sections)):
            sections.append(Section.objects.create(
                publication=publication, name=name, slug=name.lower(), order=order))
        return sections

    def give_portraits(self, rnd):
        """Every seeded person has a portrait (bylines carry its renditions); a database
        seeded before they did gets them now."""
        for person in Person.objects.filter(slug__startswith="seed-", photo=""):
            out = io.BytesIO()
            color = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
            PILImage.new("RGB", (400, 500), color).save(out, "JPEG", quality=70)
            person.photo.save(f"{person.slug}.jpg", ContentFile(out.getvalue()))
        # Their sizes stored, as the admin stores them: a person loaded without them has
        # Django open the photo to read them, which no real newsroom's pages pay for.
        unsized = Person.objects.filter(slug__startswith="seed-", photo_width=None)
        for pk, name in unsized.exclude(photo="").values_list("pk", "photo"):
            try:
                with default_storage.open(name) as photo:
                    width, height = PILImage.open(photo).size
            except OSError:  # a checkout without the seeded media: left as it is
                continue
            Person.objects.filter(pk=pk).update(photo_width=width, photo_height=height)

    def supporting_objects(self, publication, rnd):
        sections = self.sections_of(publication)
        people = list(Person.objects.filter(slug__startswith="seed-")[:60])
        if len(people) < 60:
            people += Person.objects.bulk_create([
                Person(full_name=f"{FIRST[i % 20]} {LAST[i % 16]}", slug=f"seed-{i}",
                       job_title="Staff Reporter",
                       short_bio=f"{FIRST[i % 20]} {LAST[i % 16]} covers the county.")
                for i in range(len(people), 60)
            ])
            self.give_portraits(rnd)
        images = list(Image.objects.filter(alt_text__startswith="Seeded picture")[:12])
        for i in range(len(images), 12):
            out = io.BytesIO()
            color = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
            PILImage.new("RGB", (1200, 800), color).save(out, "JPEG", quality=70)
            images.append(Image.objects.create(
                file=ContentFile(out.getvalue(), name=f"seed-{i}.jpg"),
                alt_text=f"Seeded picture {i}", credit="Newsroom benchmark"))
        names = [f"{a} {b}" for a in WORDS[:20] for b in WORDS[20:30]]
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
        new = [Tag(name=n, slug=n.replace(" ", "-")) for n in names if n not in existing]
        Tag.objects.bulk_create(new)
        tags = list(Tag.objects.filter(name__in=names))
        return sections, people, images, tags

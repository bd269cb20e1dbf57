"""Every stored picture made ready to serve: the renditions of each image (pages show only
renditions, so an image without them is a broken picture) and portraits no larger than
pages need.

An image saved one by one gets its renditions in ``Image.save``; this is for the rest: images
stored before renditions existed (``manage.py make_renditions``) and images a restore
loads in bulk (articles/backup/restore.py), which no ``save`` ever sees.
"""

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from PIL import Image as PILImage
from tqdm import tqdm

from articles.models import Image
from newsroom import renditions
from newsroom.reencode import reencode
from people.models import PORTRAIT_MAX_SIDE, Person


@dataclass
class Report:
    renditions: int = 0  # rendition files written
    portraits: int = 0  # portraits scaled down
    failed: list[str] = field(default_factory=list)  # "image 3 (images/x.jpg): why"


def make_ready(*, force=False, progress=True):
    """Write each image's missing renditions (every one with ``force``) and scale down
    portraits over PORTRAIT_MAX_SIDE. A missing or unreadable file is reported in the
    returned Report and skipped; the rest are done."""
    report = Report()
    images = Image.objects.order_by("pk")
    for image in tqdm(images.iterator(), total=images.count(), desc="Renditions",
                      unit="image", disable=not progress):
        try:
            report.renditions += renditions.generate(image, force=force)
        except (OSError, ValueError) as exc:  # a missing or broken file
            report.failed.append(f"image {image.pk} ({image.file.name}): {exc}")
    people = Person.objects.exclude(photo="").order_by("pk")
    for person in tqdm(people.iterator(), total=people.count(), desc="Portraits",
                       unit="portrait", disable=not progress):
        try:
            report.portraits += _scale_portrait(person)
        except (OSError, ValueError) as exc:
            report.failed.append(f"portrait of person {person.pk} ({person.photo.name}): {exc}")
    return report


def _scale_portrait(person):
    """Store a smaller copy of a portrait over the size limit (the person is saved, so every
    page showing them is refreshed; the old file is left where it was). 1 if it was."""
    with person.photo.open("rb") as fh, PILImage.open(fh) as img:
        if max(img.size) <= PORTRAIT_MAX_SIDE:
            return 0
        smaller = reencode(fh, max_side=PORTRAIT_MAX_SIDE)
    person.photo.save(smaller.file_name(person.photo.name), ContentFile(smaller.data))
    return 1

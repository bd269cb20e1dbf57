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
from newsroom import portraits, renditions
from newsroom.reencode import reencode
from people.models import PORTRAIT_MAX_SIDE, Person


@dataclass
class Report:
    renditions: int = 0  # rendition files written
    portraits: int = 0  # portraits scaled down
    squares: int = 0  # portrait renditions (squares) written
    failed: list[str] = field(default_factory=list)  # "image 3 (images/x.jpg): why"


def make_ready(*, force=False, progress=True):
    """Write each image's missing renditions (every one with ``force``), scale down
    portraits over PORTRAIT_MAX_SIDE and write their missing squares
    (``newsroom.portraits``). A missing or unreadable file is reported in the returned
    Report and skipped; the rest are done."""
    report = Report()
    images = Image.objects.order_by("pk")
    for image in tqdm(images.iterator(), total=images.count(), desc="Renditions",
                      unit="image", disable=not progress):
        try:
            report.renditions += renditions.generate(image, force=force)
        except (OSError, ValueError) as exc:  # a missing or broken file
            report.failed.append(f"image {image.pk} ({image.file.name}): {exc}")
    people = Person.objects.exclude(photo="").order_by("pk")
    for pk, name in tqdm(people.values_list("pk", "photo").iterator(), total=people.count(),
                         desc="Portraits", unit="portrait", disable=not progress):
        try:
            # Loading the person reads the photo's size if it is not stored (a restore of
            # an older archive), which a missing file fails: inside the try.
            person = Person.objects.get(pk=pk)
            report.portraits += _scale_portrait(person)
            Person.objects.filter(pk=pk).update(
                photo_width=person.photo_width, photo_height=person.photo_height)
            report.squares += portraits.generate(person, force=force)
        except (OSError, ValueError) as exc:
            report.failed.append(f"portrait of person {pk} ({name}): {exc}")
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

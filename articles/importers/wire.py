"""Turn a plain-text wire story into a draft.

Wire copy arrives as text: a headline on the first line, perhaps a "By …" line, a first
paragraph that opens with a dateline ("WASHINGTON —", "PORT ALDER, Ore. (Coastal Wire) —"),
paragraphs, and often a closing "<Name> is the … for …" line. Text copied from a web page
also drags page furniture along ("In Other News", "Load More", "Related" and their lists of
links), which is dropped. The result is always a draft for an editor to review.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.html import escape
from django.utils.text import Truncator

from articles.editorial.revisions import record_revision
from articles.models import Article, Byline
from people.models import Person

# A heading that starts the page's furniture: it and everything after it goes.
CUT_HEADINGS = {
    "in other news", "load more", "related", "related stories", "related articles",
    "related coverage", "related content", "more stories", "more news", "read more",
    "read next", "recommended", "recommended for you", "most read", "most popular",
    "trending", "trending now", "you may also like", "more from this section",
}
# Lines that are furniture wherever they appear.
DROP_LINES = {"advertisement", "sponsored", "share this story", "share", "skip advertisement",
              "continue reading", "story continues below advertisement"}

DASH = r"(?:—|–|--|\s-\s)"
DATELINE = re.compile(
    r"^(?P<city>[A-Z][A-Z.'’\-]*(?:\s+[A-Z][A-Z.'’\-]*)*)"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.'’\-]*(?:\s+[A-Z][A-Za-z.'’\-]*)*))?"
    r"\s*(?:\((?P<source>[^()]{1,60})\))?"
    rf"\s*{DASH}\s*"
)
BYLINE = re.compile(r"^by\s+(?P<names>.+)$", re.I)
NAME = r"[A-Z][\w.'’\-]*(?:\s+(?:(?:de|da|del|van|von|der|la|le|bin|al)\s+)?[A-Z][\w.'’\-]*){1,3}"
CLOSING = re.compile(
    rf"^(?P<name>{NAME})\s+(?:is|was)\s+(?:the|a|an|our)\s+.+?\s+(?:for|at|with|of)\s+.+$"
)


class WireError(Exception):
    """The text cannot become a story; the message says why."""


def _norm(line):
    return re.sub(r"[\s:.!…»›>]+$", "", line.strip()).casefold()


def _name(text):
    text = text.strip().rstrip(".,;")
    return text.title() if text.isupper() else text


@dataclass
class WireStory:
    headline: str
    paragraphs: list
    dateline: str = ""
    source: str = ""
    byline_names: list = field(default_factory=list)
    closing_line: str = ""
    closing_name: str = ""
    dropped: list = field(default_factory=list)

    @property
    def author_names(self):
        names = list(self.byline_names)
        if self.closing_name and self.closing_name.casefold() not in {n.casefold() for n in names}:
            names.append(self.closing_name)
        return names

    def body_html(self):
        return "\n".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)

    def people(self):
        """[(name, Person or None, bio line)] for each author, matched by full name among
        active people (inactive ones stay on their old stories but get no new bylines)."""
        out = []
        for name in self.author_names:
            person = (Person.objects.active().filter(full_name__iexact=name)
                      .order_by("pk").first())
            bio = self.closing_line if name == self.closing_name else ""
            out.append((name, person, bio))
        return out


def _paragraphs(lines):
    """Blank lines separate paragraphs and wrapped lines join up; text with no blank line
    at all has one paragraph per line."""
    if not any(not line.strip() for line in lines):
        return [line.strip() for line in lines if line.strip()]
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def parse_wire(text):
    """Parse wire copy into a ``WireStory`` (nothing is saved)."""
    lines = (text or "").replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise WireError("The text is empty: paste a headline on the first line, then the story.")
    headline = " ".join(lines.pop(0).split())
    dropped, kept, seen_text = [], [], False
    for index, line in enumerate(lines):
        norm = _norm(line)
        if seen_text and norm in CUT_HEADINGS:
            dropped.extend(rest.strip() for rest in lines[index:] if rest.strip())
            break
        if norm in DROP_LINES:
            dropped.append(line.strip())
            continue
        seen_text = seen_text or bool(norm)
        kept.append(line)
    paragraphs = _paragraphs(kept)
    story = WireStory(headline=headline, paragraphs=paragraphs, dropped=dropped)

    if paragraphs and (match := BYLINE.match(paragraphs[0])) and len(paragraphs[0]) < 120:
        names = re.split(r"\s*(?:,|\band\b|&)\s*", match.group("names"), flags=re.I)
        story.byline_names = [_name(n) for n in names if n.strip()]
        paragraphs.pop(0)
    for i, paragraph in enumerate(paragraphs[:3]):
        if match := DATELINE.match(paragraph):
            city = match.group("city").strip().title()
            region = (match.group("region") or "").strip()
            story.dateline = Truncator(f"{city}, {region}" if region else city).chars(80)
            story.source = (match.group("source") or "").strip()
            paragraphs[i] = paragraph[match.end():].strip()
            del paragraphs[:i]  # anything above the dateline is not the story
            break
    if paragraphs and (match := CLOSING.match(paragraphs[-1])) and len(paragraphs[-1]) < 300:
        story.closing_line = paragraphs.pop()
        story.closing_name = _name(match.group("name"))
    story.paragraphs = [p for p in paragraphs if p]
    if not story.paragraphs:
        raise WireError("There is a headline but no story under it.")
    return story


@transaction.atomic
def create_wire_draft(story, *, publication, section=None, user=None, create_people=False):
    """Save ``story`` as a draft with bylines; returns (article, names left without a person).

    Authors are matched to people by full name; with ``create_people`` an unknown author
    becomes a new person, with the closing line as their bio line.
    """
    article = Article(
        publication=publication, section=section, headline=Truncator(story.headline).chars(200),
        dateline=story.dateline, body=story.body_html(), status=Article.Status.DRAFT,
        created_by=user if user and user.is_authenticated else None,
    )
    article.save()
    unmatched = []
    for order, (name, person, bio) in enumerate(story.people()):
        if person is None and create_people:
            person = Person.objects.create(full_name=Truncator(name).chars(120),
                                           short_bio=Truncator(bio).chars(300))
        if person is None:
            unmatched.append(name)
            continue
        Byline.objects.get_or_create(article=article, person=person, role=Byline.Role.AUTHOR,
                                     defaults={"order": order})
    record_revision(article, user=user, comment="Imported from wire copy")
    return article, unmatched

"""Turn a plain-text wire story into a draft.

Wire copy arrives in many layouts: a headline (or none), perhaps a slug line above it
("BC-US--Marines-Rockets/540"), a "By …" line, a first paragraph that opens with a dateline
("WASHINGTON —", "FORT BRAGG, N.C. —", "KYIV, Ukraine (AP) —"), then paragraphs that are
separated by blank lines, or one to a line, or hard-wrapped at 68 columns with the first
line of each indented; CRLF line ends and trailing spaces come along. It often ends with a
bio line ("<Name> is the … for …"), and text copied from a web page drags page furniture
along ("Advertisement", "Related: …", "In Other News", "Load More"), which is dropped.

``parse_wire`` reads all of these the same way; ``create_wire_draft`` saves the result as a
draft for an editor to review, once per publication (a digest of the story remembers it).
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.html import escape
from django.utils.text import Truncator, slugify

from articles.editorial.revisions import record_revision
from articles.models import Article, Byline, ImportedItem, unique_slug
from people.models import Person

# One story, pasted or in a file: anything longer is not wire copy.
MAX_CHARS = 100_000
SUMMARY_CHARS = 300

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
# "Related: <a headline>" is a link to another story, wherever it sits.
RELATED_LINK = re.compile(r"^(?:related|see also|read more|more)\s*:\s*\S", re.I)
# A date or time line under the byline of a web page ("Feb 3, 2026, 04:12 PM",
# "Updated 10:31 a.m. EST").
TIMESTAMP = re.compile(
    r"^(?:(?:published|updated|posted)\b.*"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}\b.*"
    r"|\d{1,2}/\d{1,2}/\d{2,4}\b.*)$",
    re.I,
)
# A slug or keyword line above the headline: one token with hyphens or slashes
# ("BC-US--Marines-Rockets/540", "SCHOOLS-BUDGET"), or "Slug: …" / "Keywords: …".
SLUG_LINE = re.compile(r"^(?:(?i:slug|keywords?)\s*:\s*.+"
                       r"|(?=\S*[A-Z0-9])[\w.]+(?:[-/_,][\w.]*)*[-/_][\w]+)$")

DASH = r"(?:—|–|--|-(?=\s))"
# Words are checked in Python after the match (see _dateline): capitals, no stop words.
WORD = r"[^\s,()—–]+"
DATELINE = re.compile(
    rf"^(?P<city>{WORD}(?:\s+{WORD}){{0,3}}?)"
    rf"(?:,\s*(?P<region>{WORD}(?:\s+{WORD}){{0,2}}?))?"
    r"\s*(?:\((?P<source>[^()]{1,40})\))?"
    rf"\s*{DASH}\s*"
)
# Sentence openers that look like a mixed-case place before a dash ("However, Congress —").
NOT_PLACES = {"however", "but", "and", "meanwhile", "still", "yet", "so", "then", "now",
              "officials", "critics", "residents", "the", "a", "an", "it", "this", "that"}
BYLINE = re.compile(r"^by\s+(?P<names>\S.*)$", re.I)
# What follows a name after a comma or a bar in a byline: an agency or a job title.
AGENCY_WORDS = {
    "press", "news", "times", "wire", "agency", "service", "services", "reuters", "post",
    "journal", "herald", "tribune", "gazette", "staff", "writer", "reporter", "correspondent",
    "editor", "associated", "media", "network", "bureau", "daily", "weekly", "magazine",
    "radio", "television", "desk", "contributor", "special", "senior", "chief",
}
SMALL_WORDS = {"the", "of", "for", "and", "in", "at", "on", "a"}
NAME_PARTICLES = {"de", "da", "del", "van", "von", "der", "la", "le", "bin", "al", "du", "di"}
NAME = r"[A-Z][\w.'’\-]*(?:\s+(?:(?:de|da|del|van|von|der|la|le|bin|al)\s+)?[A-Z][\w.'’\-]*){1,3}"
CLOSING = re.compile(
    rf"^(?P<name>{NAME})\s+(?:is|was)\s+(?:the|a|an|our)\s+.+?\s+(?:for|at|with|of)\s+.+$"
)
TERMINAL = tuple('.!?:;"”’\')]')
# Abbreviations whose period does not end a sentence.
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "sgt", "capt", "maj", "cpl", "pvt", "adm",
    "cmdr", "sen", "rep", "gov", "st", "jr", "sr", "inc", "co", "corp", "no", "vs", "jan",
    "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "calif", "ore", "wash",
    "ariz", "fla", "ga", "va", "mass", "conn", "tenn", "mich", "minn", "wis", "ill", "ind",
}


class WireError(Exception):
    """The text cannot become a story; the message says why."""


def _norm(line):
    return re.sub(r"[\s:.!…»›>]+$", "", line.strip()).casefold()


def _name(text):
    text = " ".join(text.split()).strip().rstrip(".,;")
    return text.title() if text.isupper() else text


def _is_capitalised(word):
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and letters[0].isupper()


def split_byline(text):
    """("By Shawn Snow and Lena Park, Coastal Wire") -> (["Shawn Snow", "Lena Park"],
    "Coastal Wire"); ([], "") when the text is not a byline ("By Tuesday, the council …")."""
    match = BYLINE.match(" ".join((text or "").split()))
    names_text = match.group("names") if match else " ".join((text or "").split())
    names_text = names_text.rstrip(" .;")
    agency = ""
    if "|" in names_text:
        names_text, agency = (part.strip() for part in names_text.split("|", 1))
    parts = [part.strip() for part in names_text.split(",") if part.strip()]
    # Agencies and job titles come after the names: "Shawn Snow, Staff Writer".
    while len(parts) > 1 and _is_agency(parts[-1]):
        agency = ", ".join(filter(None, [parts.pop(), agency]))
    names = []
    for part in parts:
        names.extend(re.split(r"\s+(?:and|&)\s+|\s*&\s*", part, flags=re.I))
    names = [_name(name) for name in names if name.strip()]
    if not names or not all(_looks_like_a_name(name) for name in names):
        return [], ""
    return names, agency


def _is_agency(text):
    words = text.split()
    if len(words) == 1 and re.fullmatch(r"[A-Z]{2,6}", words[0]):
        return True  # AP, NTB, AFP
    # "Coastal Wire", "The Harbor Herald", "Staff Writer": capitalised, with a telling word.
    return (all(_is_capitalised(word) or word.casefold() in SMALL_WORDS for word in words)
            and any(word.casefold().strip(".") in AGENCY_WORDS for word in words))


def _looks_like_a_name(name):
    words = name.split()
    return 1 <= len(words) <= 5 and all(
        _is_capitalised(word) or word.casefold() in NAME_PARTICLES for word in words
    )


def _dateline(paragraph):
    """(dateline, source, rest of the paragraph) when ``paragraph`` opens with one."""
    match = DATELINE.match(paragraph)
    if not match:
        return None
    city, region = match.group("city"), match.group("region") or ""
    source = (match.group("source") or "").strip()
    words = [*city.split(), *region.split()]
    if not all(_is_capitalised(word) for word in words):
        return None
    if city.split()[0].casefold().strip(".") in NOT_PLACES:
        return None
    # "WASHINGTON —" is a dateline; a mixed-case "Officials —" needs a region or a source
    # to be one ("Kyiv, Ukraine —", "Kyiv (AP) —").
    if not city.isupper() and not (region or source):
        return None
    city = city.title() if city.isupper() else city
    dateline = f"{city}, {region}" if region else city
    return Truncator(dateline).chars(80), source, paragraph[match.end():].strip()


def _first_word(line):
    words = line.split()
    return words[0] if words else ""


def _indent(line):
    return len(line) - len(line.lstrip())


def _is_head_line(line):
    """Lines that always stand alone: bylines, slug lines, datelines starting a paragraph."""
    text = line.strip()
    return bool(BYLINE.match(text) and split_byline(text)[0]) or bool(SLUG_LINE.match(text))


def _looks_wrapped(blocks):
    """Hard-wrapped copy breaks lines mid-sentence; copy with a paragraph to a line
    ends (nearly) every line with a full stop. Wrapped lines are also short (≤ 100)."""
    pairs = [(a, b) for block in blocks for a, b in zip(block, block[1:], strict=False)]
    if not pairs:
        return False
    width = max(len(line.strip()) for block in blocks for line in block)
    mid_sentence = sum(1 for a, _b in pairs
                       if len(a.strip()) >= 30 and not a.strip().endswith(TERMINAL))
    return width <= 100 and mid_sentence >= max(1, len(pairs) / 4)


def _continues(prev, line, *, width, wrapped):
    """Is ``line`` the same paragraph as the line before it?"""
    before, text = prev.strip(), line.strip()
    if _is_head_line(before) or _is_head_line(text):
        return False
    if _indent(line) > _indent(prev):
        return False  # an indented line starts a paragraph (teletype style)
    if (m := _dateline(before)) and not m[2]:
        return True  # "WASHINGTON —" alone on its line, the lead below it
    if not before.endswith(TERMINAL) and text[:1].islower():
        return True  # a sentence running on
    # Wrapped: the line broke because the next word did not fit.
    return wrapped and len(before) + 1 + len(_first_word(text)) > width


def _paragraphs(lines):
    blocks, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if not blocks:
        return []
    width = max(len(line.strip()) for block in blocks for line in block)
    wrapped = _looks_wrapped(blocks)
    paragraphs = []
    for block in blocks:
        current = [block[0].strip()]
        for prev, line in zip(block, block[1:], strict=False):
            if _continues(prev, line, width=width, wrapped=wrapped):
                current.append(line.strip())
            else:
                paragraphs.append(" ".join(current))
                current = [line.strip()]
        paragraphs.append(" ".join(current))
    return paragraphs


def _clean_lines(text):
    text = (text or "").replace("\ufeff", "").replace("\u200b", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u00a0", " ").expandtabs(4)
    return [line.rstrip() for line in text.split("\n")]


def _drop_furniture(lines):
    kept, dropped, seen_text = [], [], False
    for index, line in enumerate(lines):
        norm = _norm(line)
        if seen_text and norm in CUT_HEADINGS:
            dropped.extend(rest.strip() for rest in lines[index:] if rest.strip())
            break
        if norm in DROP_LINES or RELATED_LINK.match(line.strip()):
            dropped.append(line.strip())
            continue
        seen_text = seen_text or bool(norm)
        kept.append(line)
    return kept, dropped


def _sentences(text):
    """Split at full stops that end sentences (not "Gen.", "N.C." or "U.S.")."""
    sentences, start = [], 0
    for match in re.finditer(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])", text):
        before = text[start:match.start()].split()
        last = before[-1].casefold().rstrip(".") if before else ""
        if last in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", last):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def propose_summary(paragraphs, limit=SUMMARY_CHARS):
    """A summary from the lead: the whole lead if short, else its first sentences."""
    lead = next((p for p in paragraphs if p.strip()), "")
    if len(lead) <= limit:
        return lead
    summary = ""
    for sentence in _sentences(lead):
        if len(summary) + len(sentence) + 1 > limit:
            break
        summary = f"{summary} {sentence}".strip()
    return summary or Truncator(lead).chars(limit)


def _looks_like_a_headline(paragraph):
    if len(paragraph) > 200 or _dateline(paragraph) or _is_head_line(paragraph):
        return False
    # A lead without a dateline is a sentence ending in a full stop; a headline is not.
    return not (paragraph.endswith(".") and len(paragraph.split()) >= 16)


@dataclass
class WireStory:
    headline: str
    paragraphs: list
    dateline: str = ""
    source: str = ""
    byline_names: list = field(default_factory=list)
    agency: str = ""
    closing_line: str = ""
    closing_name: str = ""
    dek: str = ""
    slug_line: str = ""
    dropped: list = field(default_factory=list)

    @property
    def author_names(self):
        names = list(self.byline_names)
        if self.closing_name and self.closing_name.casefold() not in {n.casefold() for n in names}:
            names.append(self.closing_name)
        return names

    @property
    def summary(self):
        return propose_summary(self.paragraphs)

    @property
    def problems(self):
        """What the copy lacked, for the editor to fill in."""
        return [] if self.headline else [
            "No headline was found: the draft's headline is left empty for you to write "
            "(the lead stays in the body)."
        ]

    def body_html(self):
        return "\n".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)

    def digest(self):
        """The same story, however it was laid out or wrapped, has the same digest."""
        content = [self.headline, self.dateline, self.byline_names, self.paragraphs]
        return hashlib.sha1(json.dumps(content, ensure_ascii=False).encode()).hexdigest()

    def people(self):
        """[(name, Person or None, bio line)] for each author (see ``match_people``)."""
        return match_people(self.author_names, bios={self.closing_name: self.closing_line})


def match_people(names, bios=None):
    """[(name, Person or None, bio line)] for each name, matched by full name among active
    people (inactive ones stay on their old stories but get no new bylines)."""
    out = []
    for name in names:
        person = Person.objects.active().filter(full_name__iexact=name).order_by("pk").first()
        out.append((name, person, (bios or {}).get(name, "") if name else ""))
    return out


def parse_wire(text):
    """Parse wire copy into a ``WireStory`` (nothing is saved)."""
    if len(text or "") > MAX_CHARS:
        raise WireError(f"The text is longer than {MAX_CHARS:,} characters: that is not one "
                        "wire story.")
    if "\x00" in (text or ""):
        raise WireError("This is a binary file, not wire copy in plain text.")
    if re.match(r"\s*<(?:\?xml|!doctype|html|rss|feed)\b", text or "", re.I):
        raise WireError("This is XML or HTML, not wire copy in plain text.")
    kept, dropped = _drop_furniture(_clean_lines(text))
    paragraphs = _paragraphs(kept)
    if not paragraphs:
        raise WireError("The text is empty: paste a headline on the first line, then the story.")
    story = WireStory(headline="", paragraphs=[], dropped=dropped)
    i = 0
    if SLUG_LINE.match(paragraphs[0]) and len(paragraphs) > 1:
        story.slug_line = re.sub(r"^(?:slug|keywords?)\s*:\s*", "", paragraphs[0], flags=re.I)
        i = 1
    if _looks_like_a_headline(paragraphs[i]):
        story.headline = " ".join(paragraphs[i].split())
        i += 1
    # Between the headline and the lead: a dek, the byline, a web page's date line.
    head, byline_at, lead_at = [], None, None
    for j in range(i, min(i + 5, len(paragraphs))):
        paragraph = paragraphs[j]
        names, agency = split_byline(paragraph) if BYLINE.match(paragraph) else ([], "")
        if names and byline_at is None and len(paragraph) < 160:
            story.byline_names, story.agency, byline_at = names, agency, j
        elif len(paragraph) < 80 and TIMESTAMP.match(paragraph):
            story.dropped.append(paragraph)
        elif _dateline(paragraph):
            lead_at = j
            break
        elif byline_at is not None:
            lead_at = j  # no dateline: the lead is the first paragraph after the byline
            break
        else:
            head.append(j)
    if lead_at is None and byline_at is None:
        head, lead_at = [], i  # neither byline nor dateline: the story starts here
    elif lead_at is None:
        lead_at = len(paragraphs)
    if match := _dateline(paragraphs[lead_at] if lead_at < len(paragraphs) else ""):
        story.dateline, story.source, paragraphs[lead_at] = match
    if head and story.headline:
        above = [paragraphs[j] for j in head]
        if len(above) == 1 and len(above[0]) <= 300:
            story.dek = above[0]
        else:
            story.dropped.extend(above)  # captions and the like: shown as dropped
    body = paragraphs[lead_at:]
    while body and len(body[-1]) < 80 and (TIMESTAMP.match(body[-1])
                                           or re.match(r"^(?:©|\(c\)|copyright\b)", body[-1], re.I)):
        story.dropped.append(body.pop())
    if body and (match := CLOSING.match(body[-1])) and len(body[-1]) < 300:
        story.closing_line = body.pop()
        story.closing_name = _name(match.group("name"))
    story.paragraphs = [p for p in body if p]
    if not story.paragraphs:
        raise WireError("There is a headline but no story under it.")
    return story


@dataclass
class WireDraft:
    """What ``create_wire_draft`` did: the draft (the first one, if the story was
    imported before), whether it is new, authors left without a person, bio lines set."""

    article: Article
    created: bool
    unmatched: list = field(default_factory=list)
    bios_set: list = field(default_factory=list)


def imported_before(story, publication):
    """The draft this story became in ``publication`` before, if any."""
    record = (ImportedItem.objects.filter(source="wire", kind="copy",
                                          key=_digest_key(story, publication))
              .select_related("article").first())
    return record.article if record else None


def _digest_key(story, publication):
    return f"{publication.pk}:{story.digest()}"


def draft_slug(article, *, slug_line="", headline="", lead=""):
    """The slug line if the copy had one, else the headline; with no headline, the lead's
    first words (never "story-3", which would stay after the headline is written)."""
    if slug_line:
        wanted = slugify(slug_line.replace("/", " ").replace(",", " "))
        wanted = re.sub(r"^bc-", "", wanted)
    elif headline:
        return ""  # made from the headline on save
    else:
        wanted = slugify(Truncator(lead).words(8, truncate=""))
    return unique_slug(wanted, article._slug_taken) if wanted else ""


def people_for_bylines(names_and_bios, *, create_people):
    """[(Person or None, name)] for each author; unknown ones created on request (with the
    bio line as theirs); known ones with no bio line get it. Returns (people, bios_set)."""
    found, bios_set = [], []
    for name, person, bio in names_and_bios:
        if person is None and create_people:
            person = Person.objects.create(full_name=Truncator(name).chars(120),
                                           short_bio=Truncator(bio).chars(300))
        elif person is not None and bio and not person.short_bio.strip():
            person.short_bio = Truncator(bio).chars(300)
            person.save(update_fields=["short_bio", "updated_at"])
            bios_set.append(person.full_name)
        found.append((person, name))
    return found, bios_set


def set_bylines(article, people):
    """Replace the article's author bylines with ``people`` (Person or None), in order."""
    article.bylines.filter(role=Byline.Role.AUTHOR).delete()
    unmatched = []
    seen = set()
    for order, (person, name) in enumerate(people):
        if person is None:
            unmatched.append(name)
        elif person.pk not in seen:
            seen.add(person.pk)
            Byline.objects.create(article=article, person=person, role=Byline.Role.AUTHOR,
                                  order=order)
    return unmatched


def create_wire_draft(story, *, publication, section=None, user=None, create_people=False):
    """Save ``story`` as a draft with bylines and a proposed summary; returns a ``WireDraft``.

    The same story pasted again into the same publication makes no second draft: the
    result is the first one, with ``created`` False. Authors are matched to people by full
    name; with ``create_people`` an unknown author becomes a new person, with the closing
    line as their bio line.
    """
    first = imported_before(story, publication)
    if first is not None:
        return WireDraft(first, created=False)
    try:
        with transaction.atomic():
            return _create(story, publication=publication, section=section, user=user,
                           create_people=create_people)
    except IntegrityError:
        # Someone pasted the same story a moment ago: theirs is the draft.
        first = imported_before(story, publication)
        if first is None:
            raise
        return WireDraft(first, created=False)


def _create(story, *, publication, section, user, create_people):
    article = Article(
        publication=publication, section=section, headline=Truncator(story.headline).chars(200),
        dek=Truncator(story.dek).chars(300), dateline=story.dateline, body=story.body_html(),
        summary=Truncator(story.summary).chars(500), status=Article.Status.DRAFT,
        created_by=user if user and user.is_authenticated else None,
    )
    article.slug = draft_slug(article, slug_line=story.slug_line, headline=story.headline,
                              lead=story.paragraphs[0])
    article.save()
    ImportedItem.objects.create(source="wire", kind="copy", key=_digest_key(story, publication),
                                fingerprint=story.digest(), article=article)
    people, bios_set = people_for_bylines(story.people(), create_people=create_people)
    unmatched = set_bylines(article, people)
    record_revision(article, user=user, comment="Imported from wire copy")
    return WireDraft(article, created=True, unmatched=unmatched, bios_set=bios_set)

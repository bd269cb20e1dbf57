"""Each story's record in the API, cached as a part of responses (``articles.caching.fragments``),
as the pages' story cards are (``articles.caching.cards``).

A list page shows 20 stories, and turning them into JSON (bylines with portraits, the lead
picture's renditions, addresses) is most of the cost of building it. A story's record
changes only when the story, its people, tags, picture or masthead do, not when another
story is published, so after a publish a list needs one new record, not twenty. Each record
is kept under the keys of what it shows and served only while they have not moved: the
same exact invalidation as whole responses.

A story's own record (its text, corrections and In Other News, in JSON or ninjs) is kept
the same way, by id: only a public story's record is ever stored, and a story leaves
readers' view only by a save or a deletion, which moves its key, so a current record needs
no query to know the story is still public.
"""

import json

from django.db.models import Prefetch, prefetch_related_objects
from rest_framework.utils.encoders import JSONEncoder

from articles.caching import fragments, keys


def story_keys(story, masthead_pk):
    """What one story's record shows: the story (its text, picture, runs, corrections), its
    people and tags by name, and the layout of this masthead and the story's home one
    (sections' names, the canonical address)."""
    return {keys.article(story.pk), keys.layout(masthead_pk), keys.layout(story.publication_id),
            *(keys.person(b.person_id) for b in story.bylines.all()),
            *(keys.tag(t.pk) for t in story.tags.all())}


def load(stories, bylines):
    """What the records of ``stories`` that have to be built read, in four queries whatever
    their number (the list itself loaded only what every record needs)."""
    prefetch_related_objects(list(stories), "lead_image", Prefetch("bylines", queryset=bylines),
                             "tags", "corrections")


def listed(request, stories, represent, bylines):
    """The records of ``stories`` (dicts), from the cache or built with ``represent(story)``;
    their keys go to the request (Django's: the middleware reads them there)."""
    request = django_request(request)
    names = [keys.api_story(request, story.pk) for story in stories]
    missing = fragments.missing(request, names)
    load([story for story, name in zip(stories, names, strict=True) if name in missing],
         bylines)
    masthead = request.publication.pk
    values = fragments.cached_many(request, [
        (name, lambda story=story: ({"json": json.dumps(represent(story), cls=JSONEncoder)},
                                    story_keys(story, masthead)))
        for story, name in zip(stories, names, strict=True)
    ])
    return [json.loads(value["json"]) for value in values]


def detail(request, pk, media_format, build):
    """A story's own record, from the cache or ``build()``: ``(data, keys)`` (which raises
    Http404 for a story that is not public here, so nothing is stored)."""
    request = django_request(request)
    value = fragments.cached(request, keys.api_story_detail(request, pk, media_format),
                             lambda: _as_text(*build()))
    return json.loads(value["json"])


def django_request(request):
    """Django's request under REST framework's (whose attributes the middleware never sees)."""
    return getattr(request, "_request", request)


def _as_text(data, shows):
    return {"json": json.dumps(data, cls=JSONEncoder)}, {k for k in shows if k}

"""What the OpenAPI document says beyond each view: the answers every address may give
besides its 200, so a partner's client (and ``tests/api_schema.py``, which checks every
answer in the tests against the document) knows their shape too.

A drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``).
"""

DETAIL = {"type": "object", "required": ["detail"],
          "properties": {"detail": {"type": "string", "description": "What went wrong."}}}
# django-filter and our own checks name each parameter with what is wrong with it.
INVALID = {"type": "object", "description": "Each parameter that cannot be read, with why.",
           "additionalProperties": {"oneOf": [
               {"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}

ERRORS = {
    "400": ("A parameter that cannot be read (a filter, fields=, a cursor, page_size).",
            INVALID, {}),
    "401": ("An API key that is wrong or revoked (no key at all reads as anonymous).",
            DETAIL, {}),
    "404": ("Nothing public by that id or path on this masthead.", DETAIL, {}),
    "406": ("A format this address does not give (ninjs of a list).", DETAIL, {}),
    "429": ("Too many requests from this client or key.", DETAIL,
            {"Retry-After": {"description": "Seconds to wait before asking again.",
                             "schema": {"type": "integer", "minimum": 0}}}),
}
NOT_MODIFIED = {"description": "Not Modified: the If-None-Match or If-Modified-Since "
                "matched; the copy the client has is current."}


def add_error_responses(result, generator, request, public):
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            # An error comes in the media type the request asked for (a story's ninjs too).
            media_types = {media for answer in responses.values()
                           for media in answer.get("content", {})} or {"application/json"}
            responses.setdefault("304", NOT_MODIFIED)
            for status, (description, schema, headers) in ERRORS.items():
                answer = {"description": description,
                          "content": {media: {"schema": schema} for media in sorted(media_types)}}
                if headers:
                    answer["headers"] = headers
                responses.setdefault(status, answer)
    return result

"""The content API's OpenAPI document, and every response checked against it."""

import json
import re
from functools import cache

import jsonschema
from openapi_spec_validator import validate as validate_spec

SCHEMA_URL = "/api/v1/schema/?format=json"


@cache
def _document(text):
    document = json.loads(text)
    validate_spec(document)  # a real OpenAPI 3.1 validator
    return document


def document(client, host):
    response = client.get(SCHEMA_URL, HTTP_HOST=host)
    assert response.status_code == 200
    return _document(response.content.decode())


@cache
def generated():
    """The document as the schema view makes it, made once for the whole run (asking the
    view in each test would count against the rate limit some tests set)."""
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return _document(JSONRenderer().render(schema).decode())


def operation_for(doc, path):
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            return item["get"]
    raise AssertionError(f"{path} is not in the schema")


def check(doc, response, path):
    """``response`` (a Django test response) is one the schema describes for ``path``."""
    operation = operation_for(doc, path)
    status = str(response.status_code)
    assert status in operation["responses"], f"{path}: {status} is not in the schema"
    if status == "304":  # no body
        return
    content = operation["responses"][status].get("content", {})
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in content, f"{path}: {media_type} is not in the schema"
    schema = content[media_type]["schema"]
    # The response's schema with the document's components beside it, so that its
    # references (#/components/schemas/…) resolve.
    validator = jsonschema.Draft202012Validator(
        {"components": doc["components"], **schema},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(json.loads(response.content))]
    assert errors == [], f"{path}: {errors}"

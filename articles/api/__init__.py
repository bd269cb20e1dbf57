"""The read-only content API at /api/v1/ (docs/api.md): a masthead's public stories,
sections, tags, people and corrections as JSON, a story also as IPTC ninjs 2.4, with its
OpenAPI 3.1 schema; cached and invalidated with the pages, rate-limited per client or key.
"""

"""Bringing stories in from elsewhere: WordPress exports, plain-text wire copy, and agency
feeds in IPTC ninjs with the drop folders they arrive in.

Every importer saves articles through ``Article.save()`` (so bodies go through the same
sanitizer as admin input) and records a revision, so imported stories have a history.
"""

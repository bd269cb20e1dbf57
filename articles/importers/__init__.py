"""Bringing stories in from elsewhere: WordPress exports and plain-text wire copy.

Every importer saves articles through ``Article.save()`` (so bodies go through the same
sanitizer as admin input) and records a revision, so imported stories have a history.
"""

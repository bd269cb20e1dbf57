"""Importing a WordPress export: ``parse`` reads the WXR file safely, ``convert`` turns
WordPress markup into body HTML, ``importer`` makes stories, people, images and sections."""

from articles.importers.wordpress.convert import convert_body
from articles.importers.wordpress.importer import WordPressImporter, read_export
from articles.importers.wordpress.parse import WordPressFileError

__all__ = ["WordPressFileError", "WordPressImporter", "convert_body", "read_export"]

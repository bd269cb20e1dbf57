"""Caching, exact and at once: named cache keys, generations, the page cache and its WSGI
front door, cached parts of pages and story cards, and what each change invalidates."""

"""What readers see: the public pages (home, sections, tags, authors, the story, archives,
search, corrections, In Other News), share-link previews, and the request's publication."""

"""What machines read: RSS and Atom feeds, sitemaps and robots.txt, and the page metadata
(JSON-LD, OpenGraph) that describes a story."""

"""Share links for a story: plain addresses, nothing loaded from anyone else.

Each network's own "share this address" URL is an ordinary link: no script, button widget,
pixel or cookie of theirs is on our page, so a reader who does not share tells nobody
anything. Where the browser has the Web Share API, static/js/share.js adds a "Share…"
button that opens the phone's own share sheet, and a "Copy link" button.
"""

from urllib.parse import quote, urlencode

from articles.reading import typography


def share_links(url, title):
    """[(label, href), …] for a story at ``url`` (absolute) titled ``title``."""
    title = typography.smarten_text(title)
    both = f"{title} {url}"
    return [
        ("Email", f"mailto:?{urlencode({'subject': title, 'body': url}, quote_via=quote)}"),
        ("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": both})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?"
         + urlencode({"url": url})),
        ("Reddit", "https://www.reddit.com/submit?" + urlencode({"url": url, "title": title})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": both})),
        ("X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
    ]

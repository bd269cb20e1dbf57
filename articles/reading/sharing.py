"""Share links for a story: plain addresses, nothing loaded from anyone else.

Each network's own "share this address" URL is an ordinary link: no script, button widget,
pixel or cookie of theirs is on our page, so a reader who does not share tells nobody
anything. Where the browser has the Web Share API, static/js/share.js adds a "Share…"
button that opens the phone's own share sheet, and a "Copy link" button.
"""

from urllib.parse import quote, quote_plus

from articles.reading import typography


def share_links(url, title):
    """[(label, href), …] for a story at ``url`` (absolute) titled ``title``."""
    title = typography.smarten_text(title)
    # Each value quoted once for every link that carries it: the same text as
    # urlencode({…}) gives (quote_plus, the email's quote, nothing safe), a story page's
    # eleven values of three.
    url_plus, title_plus = quote_plus(url, safe=""), quote_plus(title, safe="")
    both = quote_plus(f"{title} {url}", safe="")
    return [
        ("Email", f"mailto:?subject={quote(title, safe='')}&body={quote(url, safe='')}"),
        ("Bluesky", f"https://bsky.app/intent/compose?text={both}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={url_plus}"),
        ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={url_plus}"),
        ("Reddit", f"https://www.reddit.com/submit?url={url_plus}&title={title_plus}"),
        ("WhatsApp", f"https://wa.me/?text={both}"),
        ("X", f"https://x.com/intent/post?url={url_plus}&text={title_plus}"),
    ]

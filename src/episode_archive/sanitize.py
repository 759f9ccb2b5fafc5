"""An allow-list for the HTML of episode pages: curated Markdown may carry raw HTML.

Curated `.md` transcripts are Markdown by design, so their formatting renders; but raw HTML in them
(and attribute lists) could add scripts, event handlers or `javascript:` links to a public site.
The rendered page content goes through nh3 (ammonia): known-safe tags and attributes stay, links
keep only http(s), mailto and relative targets, everything else is dropped.
"""

from __future__ import annotations

import nh3

TAGS = (set(nh3.ALLOWED_TAGS) - {"map", "area", "bdo"}) | {"audio", "source", "section"}
ATTRIBUTES = {
    **{tag: set(attributes) for tag, attributes in nh3.ALLOWED_ATTRIBUTES.items() if tag in TAGS},
    "*": {"id", "class", "title", "lang"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "audio": {"src", "controls", "preload"},
    "source": {"src", "type"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                     strip_comments=True)

"""Slugs: stable, safe URL parts. A slug is a value decided once; collisions are errors."""

from __future__ import annotations

import functools
import hashlib
import re

from slugify import slugify, smart_truncate

MAX_SLUG_LENGTH = 80
# Names that would shadow an index page, a theme folder, or a device name on Windows.
RESERVED = {"index", "speakers", "topics", "appearances", "episodes", "assets", "search", "404", "sitemap",
            "con", "prn", "aux", "nul", "com1", "lpt1"}
_VALID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_valid_slug(slug: str) -> bool:
    return bool(_VALID.match(slug)) and len(slug) <= MAX_SLUG_LENGTH and slug not in RESERVED


@functools.lru_cache(maxsize=65536)
def make_slug(text: str) -> str:
    """Transliterate to ASCII; text with nothing to transliterate gets a short stable id instead.

    Cached: every page links the same few hundred speakers and topics by slug.
    """
    full = slugify(text)
    # What slugify(text, max_length=..., word_boundary=True, save_order=True) returns, without slugifying twice.
    slug = smart_truncate(full, MAX_SLUG_LENGTH, word_boundary=True, separator="-", save_order=True)
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    if not slug:
        return f"id-{digest}"
    if len(full) > MAX_SLUG_LENGTH:
        # Long titles are cut at a word; the hash keeps two long titles with one prefix apart.
        slug = f"{slug[: MAX_SLUG_LENGTH - 9].rstrip('-')}-{digest}"
    if slug in RESERVED:
        slug = f"{slug}-{digest}"
    return slug

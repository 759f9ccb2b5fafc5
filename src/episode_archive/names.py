"""Name keys: when two spellings of a name are the same person without anyone saying so."""

from __future__ import annotations

import functools
import re
import unicodedata

from nameparser import HumanName

# Zero-width and bidirectional control characters: invisible, and able to make one name look like
# another or reverse the text around it. They never belong in a title or a name.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")


def visible_text(text: str) -> str:
    """NFC, invisible controls removed, whitespace collapsed: how a title or name is shown."""
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split())


def normalise_name(name: str) -> str:
    return visible_text(name)


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The identity of a spelling: NFKC, case folded, "Last, First" turned around.

    Cached: a build asks for the keys of the same few hundred names about ten thousand times."""
    text = " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFKC", name)).split())
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if first and last and " " not in last and HumanName(text).first:
            text = f"{first} {last}"
    return text.casefold()

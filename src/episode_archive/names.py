"""Name keys: when two spellings of a name are the same person without anyone saying so."""

from __future__ import annotations

import unicodedata

from nameparser import HumanName


def normalise_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def name_key(name: str) -> str:
    """The identity of a spelling: NFKC, case folded, "Last, First" turned around."""
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if first and last and " " not in last and HumanName(text).first:
            text = f"{first} {last}"
    return text.casefold()

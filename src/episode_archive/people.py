"""People: one `Person` per speaker across the archive, keyed by slug."""

from __future__ import annotations

import unicodedata
from collections import Counter

from .model import Episode, Person
from .slugs import make_slug


def normalise_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def person_slug(name: str) -> str:
    return make_slug(unicodedata.normalize("NFKC", name).casefold())


def collect_people(episodes: list[Episode]) -> dict[str, Person]:
    """Group appearances by slug; the display name is the spelling used most (then first seen)."""
    spellings: dict[str, Counter[str]] = {}
    people: dict[str, Person] = {}
    for episode in sorted(episodes, key=lambda e: e.sort_key):
        for name in episode.speakers:
            slug = person_slug(name)
            spellings.setdefault(slug, Counter())[name] += 1
            person = people.setdefault(slug, Person(name=name, slug=slug))
            if not person.episodes or person.episodes[-1] is not episode:
                person.episodes.append(episode)
    for slug, person in people.items():
        person.name = max(spellings[slug].items(), key=lambda item: (item[1], -len(item[0])))[0]
    return dict(sorted(people.items()))

"""People: one identity per speaker, however transcripts spell them.

Names are matched on a key (Unicode NFKC, case folded, whitespace collapsed, "Marks, Sam" turned
around to "Sam Marks"), then through the aliases of the optional registry `episodes/people.yml`.
Look-alike names (Cyrillic "Аlice" and Latin "Alice", "Sam Marx" and "Sam Marks") are never merged:
they stay two people and `look_alikes` reports them, so the maintainer decides with an alias.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from nameparser import HumanName
from rapidfuzz import fuzz, process

from .cache import ArchiveCache, code_digest, digest
from .errors import ArchiveError, Problem
from .metadata import to_text, to_text_list, to_url
from .model import Episode, Person, SourceField
from .names import name_key, normalise_name
from .slugs import is_valid_slug, make_slug
from .textio import read_text
from .yamlio import load_mapping

PEOPLE_FILE = "people.yml"
ROLES = ("host", "guest", "panelist", "moderator", "speaker", "interviewer")
# fuzz.ratio of transliterated names: "Sam Marx"/"Sam Marks" is 82, "Jerod"/"Jared Santo" 82,
# "Andrew Poelstra"/"Andrew Chow" 62. A suggestion costs the maintainer one line; a silent merge costs more.
LOOK_ALIKE_SCORE = 80.0


@dataclass
class RegistryEntry:
    """One person as the maintainer describes them in people.yml."""

    name: str
    line: int
    slug: str | None = None
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    bio: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    image: str | None = None


def load_registry(path: Path, inside: Path | None = None) -> list[RegistryEntry]:
    """Read people.yml: a mapping from each person's canonical name to their details."""
    if not path.is_file():
        return []
    return parse_registry(read_text(path, inside=inside), path)


def load_resolver(path: Path, inside: Path, cache: ArchiveCache | None = None) -> Resolver:
    """The resolver of people.yml at `path` (none there: an empty one). With a cache, kept by the file's
    text: parsing a registry of a few hundred people with every line number costs a build 0.05 s."""
    if cache is None or not path.is_file():
        return Resolver(load_registry(path, inside), path)
    text = read_text(path, inside=inside)
    key = "people-" + digest(code_digest(), str(path), text)
    resolver = cache.get(key)
    if not isinstance(resolver, Resolver):
        resolver = Resolver(parse_registry(text, path), path)
        cache.put(key, resolver)
    return resolver


def parse_registry(text: str, path: Path) -> list[RegistryEntry]:
    """people.yml's `text` (read from `path`, which errors name) as registry entries."""
    entries: list[RegistryEntry] = []
    for name, details in load_mapping(text, path).items():
        entry = RegistryEntry(name=normalise_name(name), line=details.line)
        value = details.value
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise ArchiveError(path, details.line, f"{name}: expected details such as `role: host` or `aliases: [...]`"
                                                   " under the name, or nothing")
        for key, raw in value.items():
            line = details.key_lines.get(str(key), details.line)
            sub = SourceField(raw, path, line)
            if key == "aliases":
                entry.aliases = [normalise_name(a) for a in to_text_list(sub, f"{name}.aliases")]
            elif key == "slug":
                slug = to_text(sub, f"{name}.slug")
                if not is_valid_slug(slug):
                    raise ArchiveError(path, line, f"{name}.slug: {slug!r} is not a usable slug; use "
                                                           "lowercase letters, digits and hyphens")
                entry.slug = slug
            elif key == "role":
                entry.role = to_text(sub, f"{name}.role").lower()
            elif key == "bio":
                entry.bio = to_text(sub, f"{name}.bio")
            elif key == "image":
                entry.image = to_url(sub, f"{name}.image")
            elif key == "links":
                if not isinstance(raw, dict):
                    raise ArchiveError(path, line, f"{name}.links: write `label: https://...` lines")
                entry.links = {str(label): to_url(SourceField(url, path, details.key_lines.get(f"links.{label}", line)),
                                                  f"{name}.links.{label}")
                               for label, url in raw.items()}
            else:
                raise ArchiveError(path, line, f"{name}: unknown field {key!r}; use aliases, slug, role, "
                                                       "bio, links or image")
        entries.append(entry)
    return entries


class Resolver:
    """Maps every spelling of a name to one canonical name."""

    def __init__(self, registry: list[RegistryEntry], path: Path | None = None) -> None:
        self.registry = registry
        self.entries: dict[str, RegistryEntry] = {}
        for entry in registry:
            for spelling in [entry.name, *entry.aliases]:
                key = name_key(spelling)
                other = self.entries.get(key)
                if other is not None and other is not entry and path is not None:
                    raise ArchiveError(path, entry.line, f"{spelling!r} names both {other.name!r} and "
                                                         f"{entry.name!r}; keep it under one person")
                self.entries[key] = entry

    def canonical(self, name: str) -> str:
        entry = self.entries.get(name_key(name))
        return entry.name if entry else normalise_name(name)

    def entry(self, name: str) -> RegistryEntry | None:
        return self.entries.get(name_key(name))

    def first_name(self, label: str, episode_speakers: list[str]) -> str | None:
        """A one-word label ("Jonas") as the full person, when only one candidate fits.

        The episode's own speakers are asked first, then the registry's hosts.
        """
        if len(label.split()) != 1:
            return None
        wanted = label.casefold()
        for candidates in (episode_speakers, [e.name for e in self.registry if e.role == "host"]):
            matches = {name for name in candidates
                       if len(name.split()) > 1 and HumanName(name).first.casefold() == wanted}
            if len(matches) == 1:
                return matches.pop()
            if matches:
                return None
        return None


def collect_people(episodes: list[Episode], resolver: Resolver | None = None,
                   ) -> tuple[dict[str, Person], dict[str, str], list[Problem]]:
    """Group appearances by identity; give each person a unique slug.

    Returns the people by slug, an index from name key to slug (for links), and warnings about
    different people whose slugs would collide (they get a numbered suffix, never a merge).
    """
    resolver = resolver or Resolver([])
    spellings: dict[str, Counter[str]] = {}
    by_key: dict[str, Person] = {}
    for episode in sorted(episodes, key=lambda e: e.sort_key):
        for name in episode.speakers:
            key = name_key(resolver.canonical(name))
            for spelling in episode.written_as.get(name) or [name]:
                spellings.setdefault(key, Counter())[spelling] += 1
            person = by_key.get(key)
            if person is None:
                person = by_key[key] = Person(name=name, slug="")
            if not person.episodes or person.episodes[-1] is not episode:
                person.episodes.append(episode)
    warnings: list[Problem] = []
    people: dict[str, Person] = {}
    index: dict[str, str] = {}
    # Registry slugs first, then the rest in a fixed order, so suffixes never depend on file order.
    ordered = sorted(by_key.items(), key=lambda item: (resolver.entries.get(item[0]) is None, item[0]))
    for key, person in ordered:
        entry = resolver.entries.get(key)
        person.name = entry.name if entry else max(spellings[key].items(), key=lambda kv: (kv[1], kv[0]))[0]
        person.spellings = dict(sorted(spellings[key].items()))
        if entry:
            person.role, person.bio, person.links, person.image = entry.role, entry.bio, entry.links, entry.image
        slug = (entry.slug if entry and entry.slug else None) or make_slug(key)
        if slug in people:
            first = people[slug]
            suffix = 2
            while f"{slug}-{suffix}" in people:
                suffix += 1
            episode = person.episodes[0]
            warnings.append(Problem(
                episode.transcript.path, 1,
                f"speaker {person.name!r} and {first.name!r} ({first.episodes[0].source}) would share the URL "
                f"speakers/{slug}/; published as speakers/{slug}-{suffix}/. If they are one person, add "
                f"{person.name!r} to the aliases of {first.name!r} in episodes/{PEOPLE_FILE}; if not, give "
                f"each a `slug` there"))
            slug = f"{slug}-{suffix}"
        person.slug = slug
        people[slug] = person
        index[key] = slug
        for spelling in spellings[key]:
            index[name_key(spelling)] = slug
    return dict(sorted(people.items())), index, warnings


def look_alikes(people: dict[str, Person], resolver: Resolver) -> list[tuple[Person, Person, float]]:
    """Pairs of people whose names are suspiciously close: same letters in another script, or a typo.

    Pairs where both people are in the registry are the maintainer's decision already.
    """
    ordered = sorted(people.values(), key=lambda p: p.slug)
    keys = [make_slug(p.name).replace("-", " ") for p in ordered]
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=LOOK_ALIKE_SCORE)
    pairs: list[tuple[Person, Person, float]] = []
    # The pairs above the cutoff, each once (i < j), in row order: a few among tens of thousands.
    for i, j in zip(*np.nonzero(np.triu(scores, k=1)), strict=True):
        a, b = ordered[i], ordered[j]
        if keys[i] == keys[j]:
            continue  # one URL for both: collect_people already warned
        if not (resolver.entry(a.name) and resolver.entry(b.name)):
            pairs.append((a, b, float(scores[i][j])))
    return pairs


def look_alike_problems(people: dict[str, Person], resolver: Resolver) -> list[Problem]:
    problems = []
    for a, b, score in look_alikes(people, resolver):
        # Suggest folding the rarer spelling into the more frequent one.
        keep, fold = (a, b) if len(a.episodes) >= len(b.episodes) else (b, a)
        problems.append(Problem(
            fold.episodes[0].transcript.path, 1,
            f"speaker {fold.name!r} looks like {keep.name!r} ({keep.episodes[0].source}, {score:.0f}% alike); "
            f"if they are one person, add {fold.name!r} to the aliases of {keep.name!r} in episodes/{PEOPLE_FILE}; "
            f"if not, list both there"))
    return problems


def appearance_role(person: Person, episode: Episode) -> str | None:
    if person.name in episode.hosts:
        return "host"
    return person.role


def is_host(person: Person) -> bool:
    """Hosts get their own mark on charts: by the registry, or hosting most of their episodes."""
    if person.role == "host":
        return True
    hosted = sum(1 for episode in person.episodes if person.name in episode.hosts)
    return hosted * 2 > len(person.episodes)

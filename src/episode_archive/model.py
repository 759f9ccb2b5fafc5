"""The data that flows through the pipeline: plain, typed, no behaviour beyond small helpers.

Readers produce a `Transcript`, the metadata stage turns it into an `Episode`, and the archive stage
collects every episode with its people, topics and related links into an `Archive` that the renderer
reads. Nothing here knows about MkDocs.
"""

from __future__ import annotations

import datetime as dt
import functools
import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import Problem
from .names import name_key

SegmentKind = Literal["text", "heading", "stage"]


@dataclass(frozen=True)
class Segment:
    """One block of a transcript: a paragraph of speech, a heading, or a stage direction.

    `text` is always plain text as spoken or typed, never markup: the renderer escapes it.
    """

    text: str
    kind: SegmentKind = "text"
    speaker: str | None = None
    level: int = 2
    line: int = 0
    start: float | None = None


@dataclass(frozen=True)
class SourceField:
    """A metadata value together with where it was written, for error messages."""

    value: Any
    path: Path
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    """For a mapping value: the file line of each nested key, by dotted path."""


@dataclass
class Transcript:
    """What a reader found in one file, before metadata is merged.

    For curated Markdown the body stays Markdown (`markdown_body`); for every other format the
    content is `segments` of plain text.
    """

    path: Path
    source: str
    format: str
    segments: list[Segment] = field(default_factory=list)
    markdown_body: str | None = None
    front_matter: dict[str, SourceField] = field(default_factory=dict)
    header: dict[str, SourceField] = field(default_factory=dict)
    dropped_lines: list[tuple[int, str]] = field(default_factory=list)
    turn_speakers: list[str] = field(default_factory=list)
    """Names of speaker labels in a curated Markdown body (`**Name:**`, and the plain labels below)."""
    plain_labels: dict[str, str | None] = field(default_factory=dict)
    """A curated Markdown body's plain `Name:` labels that start turns, as written, to the speaker's name
    (None: a turn label that names nobody the archive knows)."""
    labels_need_evidence: bool = False
    """True when speaker labels were guessed from text (`Name: ...`), not given by the format."""

    # What listings and page keys ask of every episode's transcript is worked out where episodes load
    # (archive._load_one) and cached on the object, so it travels in the episode's cache entry: a
    # rebuild then unpacks the segments of the episodes it renders again, not of all (`__getattr__`).

    @functools.cached_property
    def word_count(self) -> int:
        if self.markdown_body is not None:
            return len(self.markdown_body.split())
        return sum(len(segment.text.split()) for segment in self.segments)

    @functools.cached_property
    def timed(self) -> bool:
        """Whether any segment has a start time (then the transcript has timed downloads)."""
        return any(segment.start is not None for segment in self.segments)

    @functools.cached_property
    def label_names(self) -> list[str]:
        """Every name the transcript gives its turns, in order: segment speakers, or a curated Markdown
        body's bold labels and then its plain labels' speakers."""
        if self.markdown_body is None:
            return list(dict.fromkeys(segment.speaker for segment in self.segments if segment.speaker))
        from .readers.markdown import BOLD_LABEL, label_name  # the readers import this module

        bold = (label_name(match) for match in BOLD_LABEL.finditer(self.markdown_body))
        return list(dict.fromkeys([*bold, *(name for name in self.plain_labels.values() if name)]))

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with its segments packed apart: unpickling a thousand transcripts' segments (tens of
        thousands of small objects) is most of what reading a cached archive costs, and a rebuild needs
        the segments of the few episodes it renders again."""
        state = dict(self.__dict__)
        if "segments" in state:
            state["_packed_segments"] = pickle.dumps(state.pop("segments"), protocol=pickle.HIGHEST_PROTOCOL)
        return state

    def __getattr__(self, name: str) -> Any:
        # Only called for what the object lacks: the segments of a transcript read from a pickle,
        # unpacked on first use (by any of `mkdocs serve`'s threads: set before the packed copy goes).
        if name == "segments":
            if (packed := self.__dict__.get("_packed_segments")) is not None:
                self.__dict__.setdefault("segments", pickle.loads(packed))
                self.__dict__.pop("_packed_segments", None)
            if "segments" in self.__dict__:
                return self.__dict__["segments"]
        raise AttributeError(name)

    def plain_text(self) -> str:
        """The spoken text without markup, for topic extraction and similarity."""
        if self.markdown_body is not None:
            return self.markdown_body
        return "\n".join(segment.text for segment in self.segments if segment.kind != "stage")


@dataclass
class Episode:
    """One published episode: a transcript plus its merged, validated metadata."""

    slug: str
    title: str
    date: dt.date
    speakers: list[str]
    source: str
    transcript: Transcript
    show: str | None = None
    slug_given: bool = False
    chapters: list[tuple[float, str]] = field(default_factory=list)
    """(start in seconds, title), from metadata or NAME.chapters.json."""
    hosts: list[str] = field(default_factory=list)
    corrections: Counter[str] = field(default_factory=Counter)
    """How often each corrections.yml entry applied to this transcript."""
    written_as: dict[str, list[str]] = field(default_factory=dict)
    """Each speaker's canonical name to the spellings this episode used for them."""
    topics: list[str] = field(default_factory=list)
    given_topics: bool = False
    description: str | None = None
    audio: str | None = None
    duration: str | None = None
    content_key: str | None = None
    """The digest of every file the episode was read from (its cache key; none without a cache)."""

    @property
    def sort_key(self) -> tuple[dt.date, str]:
        return (self.date, self.slug)


@dataclass
class Person:
    """A speaker and the episodes they appear in, oldest first."""

    name: str
    slug: str
    episodes: list[Episode] = field(default_factory=list)
    spellings: dict[str, int] = field(default_factory=dict)
    role: str | None = None
    bio: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    image: str | None = None

    @property
    def first(self) -> dt.date:
        return self.episodes[0].date

    @property
    def last(self) -> dt.date:
        return self.episodes[-1].date


@dataclass
class Topic:
    """A topic and its episodes, oldest first."""

    name: str
    slug: str
    episodes: list[Episode] = field(default_factory=list)


@dataclass(frozen=True)
class RelatedLink:
    """A link from one episode to another, with the reason a reader can check."""

    episode: Episode
    score: float
    reason: str


@dataclass
class Archive:
    """Everything known about the archive, read in full before any page is rendered."""

    episodes: list[Episode]
    people: dict[str, Person]
    topics: dict[str, Topic]
    related: dict[str, list[RelatedLink]]
    name_index: dict[str, str] = field(default_factory=dict)
    """Every spelling's name key (people.name_key) to the person's slug."""
    warnings: list[Problem] = field(default_factory=list)
    """Data problems that still let the archive publish, e.g. look-alike names."""
    glossary: Any = None
    """The corrections glossary (corrections.Glossary), for check's report."""
    passage_links: dict[str, dict[int, Any]] = field(default_factory=dict)
    """Episode slug to {segment index where a passage starts: passages.PassageLink}."""
    _positions: dict[str, int] = field(default_factory=dict, repr=False)
    fingerprints: dict[str, str | None] = field(default_factory=dict, repr=False)
    """Each episode's `render.pages.episode_fingerprint` by slug, made once for the pages and downloads."""

    def neighbours(self, episode: Episode) -> tuple[Episode | None, Episode | None]:
        """The episodes just before and after this one in date order."""
        if len(self._positions) != len(self.episodes):
            self._positions = {e.slug: index for index, e in enumerate(self.episodes)}
        index = self._positions[episode.slug]
        return (self.episodes[index - 1] if index > 0 else None,
                self.episodes[index + 1] if index + 1 < len(self.episodes) else None)

    def person_for(self, name: str) -> Person | None:
        slug = self.name_index.get(name_key(name))
        return self.people.get(slug) if slug else None

    @property
    def newest_first(self) -> list[Episode]:
        return sorted(self.episodes, key=lambda episode: episode.sort_key, reverse=True)

"""Markdown pages for the archive: episodes, speakers, topics, appearances, indexes, home blocks.

Every page is complete Markdown with front matter: what a reader sees, apart from theme chrome, is
in it, so `episode-archive export` gives pages another engine can render. Links between pages are
relative `.md` links, which MkDocs resolves and validates. In the plugin's build, transcript paragraphs,
lists of episodes and an episode's facts are rendered to HTML here instead (`PrerenderedBodies`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import itertools
import math
import re
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Protocol

from ..cache import ArchiveCache, code_digest, digest
from ..model import Archive, Episode, Person, Topic, Transcript
from ..names import name_key
from ..options import Options
from ..parallel import PARALLEL_FROM, parallel_map
from ..people import appearance_role, is_host
from ..readers.markdown import BOLD_LABEL, label_name, plain_label_matches
from ..slugs import make_slug
from .chart import appearances_svg, chart_people, trend_svg
from .markup import escape_html, escape_text, file_link, front_matter, html_link, link, long_date, relative_link
from .shows import show_pages, show_src

WORDS_PER_MINUTE = 200
EPISODES_INDEX = "episodes/index.md"
SPEAKERS_INDEX = "speakers/index.md"
TOPICS_INDEX = "topics/index.md"
APPEARANCES = "appearances/index.md"


def episode_src(episode: Episode | EpisodeRef) -> str:
    return f"episodes/{episode.slug}.md"


TIMED_EXPORTS = {"vtt": "text/vtt", "srt": "application/x-subrip", "json": "application/json"}
SERVED_AS_PAGES = {".md", ".markdown", ".html", ".htm", ".xhtml", ".svg"}
EXPORT_LABELS = {"original": "original file", "text": "plain text", "vtt": "WebVTT", "srt": "SRT",
                 "json": "Podcasting 2.0 JSON"}


def download_paths(episode: Episode) -> dict[str, str]:
    """Where an episode's downloads live, beside its page: original file, plain text, timed exports."""
    base = f"episodes/{episode.slug}"
    name = PurePosixPath(episode.source).name
    if PurePosixPath(name).suffix.lower() in SERVED_AS_PAGES:
        # A copy named .md would be built as a page, one named .html served as one: offer it as text.
        name += ".txt"
    paths = {"original": f"{base}/{name}", "text": f"{base}/transcript.txt"}
    if episode.transcript.timed:
        paths.update({kind: f"{base}/transcript.{kind}" for kind in TIMED_EXPORTS})
    if list(paths.values()).count(paths["original"]) > 1:
        paths["original"] = f"{base}/original-{name}"
    return paths


def speaker_src(slug: str) -> str:
    return f"speakers/{slug}.md"


def topic_src(slug: str) -> str:
    return f"topics/{slug}.md"


def render_pages(archive: Archive, options: Options, bodies: PrerenderedBodies | None = None) -> dict[str, str]:
    """Every generated page, keyed by its path under docs/ (which is also its export path).

    With `bodies` (the plugin), transcript paragraphs are rendered to HTML into it, not to Markdown.
    """
    return {**archive_pages(archive, options, bodies), **episode_pages(archive, options, bodies)}


def archive_pages(archive: Archive, options: Options, bodies: PrerenderedBodies | None = None,
                  cache: ArchiveCache | None = None) -> dict[str, str]:
    """The indexes, speaker, topic and show pages: every page but the episodes' (these need neither
    related talks nor passage links). With `bodies`, their lists of episodes are rendered to HTML into
    it, as transcript paragraphs are. With `bodies` and a `cache`, they are taken from the cache when
    the last build made them from the same listing: these pages show no transcript's text, so an edit
    to one changes them only when it changes the episode's topics."""
    if cache is None or bodies is None:
        return _archive_pages(archive, options, bodies)
    listing = _listing_key(archive, options, bodies)
    stored = cache.get(archive_pages_key())
    if isinstance(stored, tuple) and len(stored) == 4 and stored[0] == listing:
        _, token, pages, chunks = stored
        return {src: bodies.restore(src, markdown, chunks.get(src, ()), token) for src, markdown in pages.items()}
    pages = _archive_pages(archive, options, bodies)
    cache.put_whole(archive_pages_key(), (listing, bodies.token, pages,
                                          {src: tuple(bodies.chunks[src]) for src in pages if src in bodies.chunks}))
    return pages


def archive_pages_key() -> str:
    """The cache entry holding the last build's `archive_pages`, for the next build."""
    return "archive-pages-" + code_digest()


def _listing_key(archive: Archive, options: Options, bodies: PrerenderedBodies) -> str:
    """All that `archive_pages` reads: every field of every episode but its transcript (and the key that
    stands for its files), of every person and topic (their episodes by slug), and the options."""
    def fields_of(item: Episode | Person | Topic) -> list[object]:
        return [[e.slug for e in getattr(item, name)] if name == "episodes" else getattr(item, name)
                for name in _LISTING_FIELDS[type(item)]]

    return digest(repr(([fields_of(e) for e in archive.episodes], [fields_of(p) for p in archive.people.values()],
                        [fields_of(t) for t in archive.topics.values()], archive.name_index, options,
                        bodies.use_directory_urls)))


_LISTING_FIELDS = {kind: [item.name for item in dataclasses.fields(kind)
                          if item.name not in {"transcript", "content_key"}] for kind in (Episode, Person, Topic)}


def _archive_pages(archive: Archive, options: Options, bodies: PrerenderedBodies | None) -> dict[str, str]:
    pages: dict[str, str] = {
        EPISODES_INDEX: episodes_index(archive, bodies),
        SPEAKERS_INDEX: speakers_index(archive),
        TOPICS_INDEX: topics_index(archive),
        APPEARANCES: appearances_page(archive, options),
    }
    for person in archive.people.values():
        pages[speaker_src(person.slug)] = speaker_page(person, archive, options, bodies)
    for topic in archive.topics.values():
        pages[topic_src(topic.slug)] = topic_page(topic, archive, options, bodies)
    pages.update(show_pages(archive))
    return pages


def episode_pages(archive: Archive, options: Options, bodies: PrerenderedBodies | None = None,
                  cache: ArchiveCache | None = None) -> dict[str, str]:
    """Every episode's page (see `render_pages`). With `bodies` and a `cache`, a page that the last build
    made from the same episode and context is taken from the cache (from memory in `mkdocs serve`); the
    others are rendered in forked workers when `parallel_map` can (not in `mkdocs serve`: threads)."""
    keys: dict[int, str] = {}
    made: dict[int, str] = {}
    last: dict[str, tuple[str, tuple[str, str, tuple[str, ...]]]] = {}
    if cache is not None and bodies is not None:
        last = cache.get_map(episode_pages_key())
        settings = digest(repr(options), str(bodies.use_directory_urls))
        refs: dict[str, EpisodeRef] = {}
        for index, episode in enumerate(archive.episodes):
            if (key := _page_key(episode, archive, settings, refs)) is None:
                continue
            keys[index] = key
            if key in last:
                token, markdown, chunks = last[key][1]
                made[index] = bodies.restore(episode_src(episode), markdown, chunks, token)
    missing = [index for index in range(len(archive.episodes)) if index not in made]
    global _pages_job
    _pages_job = (archive, options, bodies)
    try:
        rendered = parallel_map(_episode_page_in_worker, missing, parallel_from=PARALLEL_FROM)
    finally:
        _pages_job = None
    for index, (markdown, chunks) in zip(missing, rendered, strict=True):
        made[index] = markdown
        if bodies is not None and chunks:
            bodies.chunks[episode_src(archive.episodes[index])] = chunks
    if cache is not None and bodies is not None:
        # One map entry for all pages, not a file per page. A page keeps the placeholder token it was
        # made with: the entry holds pages of several builds.
        pages: dict[str, tuple[str, tuple[str, str, tuple[str, ...]]]] = {}
        for index, key in keys.items():
            src = episode_src(archive.episodes[index])
            pages[key] = last[key] if key in last else (src, (bodies.token, made[index],
                                                               tuple(bodies.chunks.get(src, ()))))
        cache.put_map(episode_pages_key(), pages)
    return {episode_src(episode): made[index] for index, episode in enumerate(archive.episodes)}


def episode_pages_key() -> str:
    """The cache's map entry of episode pages by `_page_key`, for the next build."""
    return "episode-pages-" + code_digest()


def _page_key(episode: Episode, archive: Archive, settings: str, refs: dict[str, EpisodeRef]) -> str | None:
    """What an episode page is made from: the episode (None for one read without a cache key), what it
    shows of the rest of the archive, and the options (`settings`, a digest)."""
    if (fingerprint := episode_fingerprint(episode, archive)) is None:
        return None
    return digest(fingerprint, repr(episode_context(episode, archive, refs)), settings)


_pages_job: tuple[Archive, Options, PrerenderedBodies | None] | None = None
"""What the forked workers render: set before forking, read in the workers."""


def _episode_page_in_worker(index: int) -> tuple[str, list[str]]:
    """The page of the archive's `index`th episode and its prerendered HTML (which stays in the worker's
    copy of the bodies otherwise)."""
    assert _pages_job is not None
    archive, options, bodies = _pages_job
    episode = archive.episodes[index]
    markdown = episode_page(episode, archive, options, bodies)
    return markdown, [] if bodies is None else bodies.chunks.pop(episode_src(episode), [])


def _speaker_link(name: str, out: _BodyWriter, archive: Archive) -> str:
    return _shown_speaker(name, out, _person_ref(archive.person_for(name)))


def _person_ref(person: Person | None) -> tuple[str, str] | None:
    return None if person is None else (person.name, person.slug)


def _shown_speaker(name: str, out: _BodyWriter, person: tuple[str, str] | None) -> str:
    """A link to the person's page (`person`: their name and slug), or the bare name when no page exists
    (diarization labels)."""
    return out.text(name) if person is None else out.link(person[0], speaker_src(person[1]))


def _speaker_links(names: list[str], out: _BodyWriter, archive: Archive) -> str:
    return ", ".join(_speaker_link(name, out, archive) for name in names)


def reading_minutes(episode: Episode) -> int:
    return max(1, math.ceil(episode.transcript.word_count / WORDS_PER_MINUTE))


@dataclass(frozen=True)
class EpisodeRef:
    """Another episode, as a page links it."""

    title: str
    slug: str
    date: dt.date

    @functools.cached_property
    def _text(self) -> str:
        return f"EpisodeRef(title={self.title!r}, slug={self.slug!r}, date={self.date!r})"

    def __repr__(self) -> str:
        # Written once per reference: the pages' keys repr each episode's context, and one episode is
        # the neighbour, related talk or passage target of a dozen others.
        return self._text


def _ref(episode: Episode, refs: dict[str, EpisodeRef] | None = None) -> EpisodeRef:
    """The episode's reference; with `refs` (by slug), one object per episode, so each reprs once."""
    if refs is None:
        return EpisodeRef(episode.title, episode.slug, episode.date)
    if (ref := refs.get(episode.slug)) is None:
        ref = refs[episode.slug] = EpisodeRef(episode.title, episode.slug, episode.date)
    return ref


@dataclass(frozen=True)
class EpisodeContext:
    """What an episode page shows of the rest of the archive. The page is made from its episode and this
    alone, so where neither changed, neither did the page (the cache then has it)."""

    people: tuple[tuple[str, tuple[str, str] | None], ...]
    """Every name the page shows (speakers, turn labels), with the person's name and slug (None: no page)."""
    earlier: EpisodeRef | None
    later: EpisodeRef | None
    related: tuple[tuple[EpisodeRef, str], ...]
    """Related talks, best first, each with its reason."""
    passages: tuple[tuple[int, EpisodeRef, str], ...]
    """Passage links: the segment where the passage starts, the episode it links to, the anchor there."""

    @functools.cached_property
    def person(self) -> dict[str, tuple[str, str] | None]:
        return dict(self.people)

    @functools.cached_property
    def passage(self) -> dict[int, tuple[EpisodeRef, str]]:
        return {index: (target, anchor) for index, target, anchor in self.passages}


def episode_context(episode: Episode, archive: Archive, refs: dict[str, EpisodeRef] | None = None) -> EpisodeContext:
    """`refs`: the other episodes' references by slug, shared by the contexts of one build (see `_ref`)."""
    names = dict.fromkeys(episode.speakers)
    names.update(dict.fromkeys(episode.transcript.label_names))
    earlier, later = archive.neighbours(episode)
    return EpisodeContext(
        people=tuple((name, _person_ref(archive.person_for(name))) for name in names),
        earlier=_ref(earlier, refs) if earlier else None,
        later=_ref(later, refs) if later else None,
        related=tuple((_ref(item.episode, refs), item.reason) for item in archive.related.get(episode.slug, [])),
        passages=tuple((index, _ref(link.target_episode, refs), link.anchor)
                       for index, link in archive.passage_links.get(episode.slug, {}).items()))


_EPISODE_FIELDS = tuple(item.name for item in dataclasses.fields(Episode) if item.name != "transcript")


def episode_fingerprint(episode: Episode, archive: Archive | None = None) -> str | None:
    """A digest of all an episode is: its files (through its content key, which covers the transcript
    as read, cleaned and corrected) and its metadata as the archive settled it (slug, topics). None for
    an episode read without a cache key. With the `archive` it is settled in, made once per build."""
    if archive is not None:
        if episode.slug not in archive.fingerprints:
            archive.fingerprints[episode.slug] = episode_fingerprint(episode)
        return archive.fingerprints[episode.slug]
    if episode.content_key is None:
        return None
    return digest(repr([getattr(episode, name) for name in _EPISODE_FIELDS]))


def episode_page(episode: Episode, archive: Archive, options: Options,
                 bodies: PrerenderedBodies | None = None) -> str:
    return render_episode_page(episode, episode_context(episode, archive), options, bodies)


def render_episode_page(episode: Episode, context: EpisodeContext, options: Options,
                        bodies: PrerenderedBodies | None = None) -> str:
    src = episode_src(episode)
    meta = front_matter({
        "title": episode.title,
        "date": episode.date,
        "speakers": episode.speakers,
        "show": episode.show,
        "topics": episode.topics,
        "tags": episode.topics,
        "description": episode.description,
        "audio": episode.audio,
        "duration": episode.duration,
        "source": episode.source,
    })
    out = _body_writer(src, bodies)
    lines = [meta, f"# {escape_text(episode.title)}", ""]
    facts = [out.strong(long_date(episode.date))]
    if episode.show:
        facts.append(out.link(episode.show, show_src(episode.show)))
    if episode.duration:
        facts.append(out.text(episode.duration))
    facts.append(f"{reading_minutes(episode)} min read")
    speakers = ", ".join(_shown_speaker(name, out, context.person[name]) for name in episode.speakers)
    about = [f"{out.strong('Speakers:')} {speakers}", " · ".join(facts)]
    if episode.topics:
        about.append(f"{out.strong('Topics:')} " + " · ".join(out.link(name, topic_src(make_slug(name)))
                                                            for name in episode.topics))
    lines += out.division("ea-meta", about)
    lines += _chapters_outline(episode)
    if episode.description:
        lines += [f"> {escape_text(episode.description)}", ""]
    if episode.audio:
        href = file_link(src, episode.audio, options.use_directory_urls)
        lines += [f'<audio class="ea-player" controls preload="metadata" src="{escape_html(href)}">'
                  f'<a href="{escape_html(href)}">Download the audio</a></audio>', ""]
    lines += _transcript_body(episode, src, context, bodies)
    lines += ['<div class="ea-meta" markdown>', ""]
    if options.downloads:
        downloads = " · ".join(f"[{EXPORT_LABELS[kind]}]({relative_link(src, path)})"
                               for kind, path in download_paths(episode).items())
        lines += [f"**Download the transcript:** {downloads}", ""]
    neighbours = []
    if context.earlier:
        neighbours.append(f"← Previous: {link(context.earlier.title, src, episode_src(context.earlier))}")
    if context.later:
        neighbours.append(f"Next: {link(context.later.title, src, episode_src(context.later))} →")
    if neighbours:
        lines += [" · ".join(neighbours), ""]
    lines += ["</div>", ""]
    lines += ['<div class="ea-related" markdown>', "", "## Related talks", ""]
    if context.related:
        lines += out.bullets([f"{out.link(target.title, episode_src(target))} ({long_date(target.date)}): "
                              f"{out.text(reason)}" for target, reason in context.related])
    else:
        lines.append("No other episode is close enough to this one yet (by wording, speakers or topics).")
    lines += ["", "</div>"]
    return "\n".join(lines) + "\n"


def format_time(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def episode_chapters(episode: Episode) -> list[tuple[float, str]]:
    """The chapters given in metadata, else the headings of a timed transcript at their first time."""
    if episode.chapters:
        return episode.chapters
    chapters, pending = [], None
    for segment in episode.transcript.segments:
        if segment.kind == "heading":
            pending = segment.text
        elif pending is not None and segment.start is not None:
            chapters.append((segment.start, pending))
            pending = None
    return chapters


def _chapters_outline(episode: Episode) -> list[str]:
    """A timed outline: each chapter links to the paragraph playing at its start (and seeks the audio)."""
    chapters = episode_chapters(episode)
    if not chapters:
        return []
    timed = [(segment.start, anchor) for segment, anchor in
             zip(episode.transcript.segments, paragraph_anchors(episode.transcript), strict=True)
             if segment.start is not None and anchor]
    lines = ['<div class="ea-chapters" markdown>', "", "**Chapters**", ""]
    for start, title in chapters:
        earlier = [anchor for at, anchor in timed if at <= start + 0.5]
        time = format_time(start)
        # The link lands on the paragraph playing at the chapter's start; the player seeks to the start.
        shown = (f'<a class="ea-time" href="#{earlier[-1]}" data-start="{start:g}">{time}</a>'
                 if earlier else time)
        lines.append(f"- {shown} {escape_text(title)}")
    return lines + ["", "</div>", ""]


def paragraph_anchors(transcript: Transcript) -> list[str | None]:
    """The anchor of each segment's paragraph (None for headings and curated Markdown), as rendered.

    A timed paragraph's anchor is `t=HH:MM:SS` (two paragraphs starting in the same second share the
    first one's anchor); an untimed one's is `pN`, N counting paragraphs (stage directions included).
    `_transcript_body` and passage links both use this, so they never disagree.
    """
    if transcript.markdown_body is not None:
        return [None] * len(transcript.segments)
    anchors: list[str | None] = []
    paragraphs = 0
    for segment in transcript.segments:
        if segment.kind == "heading":
            anchors.append(None)
            continue
        paragraphs += 1
        anchors.append(f"p{paragraphs}" if segment.start is None else f"t={format_time(segment.start)}")
    return anchors


def _transcript_body(episode: Episode, src: str, context: EpisodeContext,
                     bodies: PrerenderedBodies | None = None) -> list[str]:
    """The transcript: headings, speaker turns, and an anchor at every paragraph.

    A timed paragraph starts with its time as a link with the id `t=HH:MM:SS`, so `#t=00:12:34`
    lands on it; other paragraphs start with an empty anchor `pN` (N counts paragraphs). Turn labels
    carry `turn-N` ids. The anchors are small elements rather than ids on paragraphs so that search
    (which records each anchor's text) stays small. After the paragraph that starts a passage with a
    passage link (passages.py) comes a small "Discussed elsewhere" line.

    As Markdown (export), or, with `bodies`, as HTML kept in `bodies` with a placeholder per run of
    paragraphs: headings stay Markdown either way, so MkDocs still builds the table of contents.
    """
    transcript = episode.transcript
    if transcript.markdown_body is not None:
        return [_linked_labels(transcript, src, context), ""]
    out = _body_writer(src, bodies)
    previous_speaker: str | None = None
    used_ids: set[str] = set()
    turns = 0
    for index, (segment, anchor) in enumerate(zip(transcript.segments, paragraph_anchors(transcript), strict=True)):
        if segment.kind == "heading":
            out.heading(segment.level, segment.text)
            previous_speaker = None
            continue
        parts: list[str] = []
        if segment.kind != "stage" and segment.speaker and segment.speaker != previous_speaker:
            turns += 1
            person = context.person[segment.speaker]
            name = out.text(segment.speaker) if person is None else out.link(person[0], speaker_src(person[1]))
            parts.append(f'<strong class="ea-speaker" id="turn-{turns}">{name}:</strong>')
            previous_speaker = segment.speaker
        if segment.start is None:
            parts.append(f'<span class="ea-anchor" id="{anchor}"></span>')
        else:
            anchor_id = "" if anchor in used_ids else f' id="{anchor}"'
            used_ids.add(anchor)
            parts.append(f'<a class="ea-time"{anchor_id} href="#{anchor}">{anchor[2:]}</a>')
        text = out.text(segment.text)
        parts.append(out.emphasis(text) if segment.kind == "stage" else text)
        out.paragraph(" ".join(parts))
        if index in context.passage:
            # A small paragraph of its own linking the similar passage.
            target, target_anchor = context.passage[index]
            out.paragraph(f"{out.emphasis('Discussed elsewhere:')} "
                          f"{out.link(target.title, episode_src(target), target_anchor)}",
                          css_class="ea-elsewhere")
    return out.finish()


_BODY_TOKEN = re.compile(r"eabody[0-9a-f]{24}n")


@dataclass
class PrerenderedBodies:
    """Transcript paragraphs, lists of episodes and an episode's facts rendered to HTML here instead of
    by MkDocs (the plugin's build).

    Python-Markdown spends most of a build on transcript paragraphs and on the links of long lists,
    which are escaped text and a few fixed elements: as HTML they cost a fraction, and MkDocs converts
    only the rest of the page. Each run of paragraphs, and each list, becomes a placeholder paragraph;
    `fill` swaps the HTML in once MkDocs rendered the page. The token is random (and kept in the cache,
    which only this tool writes, for the next build: `keeping_token`), so no transcript, title or
    description can forge one.
    """

    use_directory_urls: bool = True
    token: str = field(default_factory=lambda: "eabody" + secrets.token_hex(12) + "n")
    chunks: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def keeping_token(cls, cache: ArchiveCache | None, use_directory_urls: bool = True) -> PrerenderedBodies:
        """Bodies with the token of the last build that used the `cache` (a new one the first time): the
        pages taken from the cache then keep theirs as they are (`restore`), where a new token would be
        replaced in each of them, 0.03 s at 1,000 episodes."""
        bodies = cls(use_directory_urls=use_directory_urls)
        if cache is not None:
            key = "body-token-" + code_digest()  # the pages it is kept for are keyed so too
            kept = cache.get(key)
            if isinstance(kept, str) and _BODY_TOKEN.fullmatch(kept):
                bodies.token = kept
            else:
                cache.put(key, bodies.token)
        return bodies

    def placeholder(self, src: str, html: str) -> str:
        self.chunks.setdefault(src, []).append(html)
        return f"{self.token}{len(self.chunks[src]) - 1}"

    def restore(self, src: str, markdown: str, chunks: Sequence[str], token: str) -> str:
        """A page an earlier build made (with placeholders of its `token`, filled with `chunks`), with this
        build's placeholders (a page made with this build's token is as it was: see `keeping_token`)."""
        if chunks:
            self.chunks[src] = list(chunks)
        return markdown if token == self.token else markdown.replace(token, self.token)

    def fill(self, src: str, html: str) -> str:
        """The page's HTML with its placeholders replaced (`done` lets the page's HTML go)."""
        chunks = self.chunks.get(src)
        if not chunks:
            return html
        return re.sub(f"<p>{self.token}(\\d+)</p>", lambda match: chunks[int(match.group(1))], html)

    def done(self, src: str) -> None:
        self.chunks.pop(src, None)


class _BodyWriter(Protocol):
    def text(self, text: str) -> str: ...
    def link(self, text: str, to_src: str, fragment: str = "") -> str: ...
    def emphasis(self, inner: str) -> str: ...
    def heading(self, level: int, text: str) -> None: ...
    def strong(self, inner: str) -> str: ...
    def paragraph(self, content: str, css_class: str = "") -> None: ...
    def finish(self) -> list[str]: ...
    def bullets(self, items: list[str]) -> list[str]: ...
    def division(self, css_class: str, paragraphs: list[str]) -> list[str]: ...


def _body_writer(src: str, bodies: PrerenderedBodies | None) -> _BodyWriter:
    return _MarkdownBody(src) if bodies is None else _HtmlBody(src, bodies)


class _MarkdownBody:
    """Transcript paragraphs as Markdown: links are `.md` links that MkDocs resolves and checks."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.lines: list[str] = []

    def text(self, text: str) -> str:
        return escape_text(text)

    def link(self, text: str, to_src: str, fragment: str = "") -> str:
        href = relative_link(self.src, to_src) + (f"#{fragment}" if fragment else "")
        return f"[{escape_text(text)}]({href})"

    def emphasis(self, inner: str) -> str:
        return f"*{inner}*"

    def strong(self, inner: str) -> str:
        return f"**{inner}**"

    def heading(self, level: int, text: str) -> None:
        self.lines += ["#" * level + " " + escape_text(text), ""]

    def paragraph(self, content: str, css_class: str = "") -> None:
        self.lines += [content, *([f"{{: .{css_class} }}"] if css_class else []), ""]

    def finish(self) -> list[str]:
        return self.lines

    def bullets(self, items: list[str]) -> list[str]:
        """The lines of a bulleted list of `items` (each made with this writer), to follow a blank line."""
        return [f"- {item}" for item in items]

    def division(self, css_class: str, paragraphs: list[str]) -> list[str]:
        """The lines of a `<div>` of the class holding the paragraphs (each made with this writer)."""
        return [f'<div class="{css_class}" markdown>', "", *(line for text in paragraphs for line in (text, "")),
                "</div>", ""]


class _HtmlBody(_MarkdownBody):
    """The same paragraphs as HTML, exactly as Python-Markdown renders the Markdown (tests compare the
    two); links point at the pages' URLs. Headings stay Markdown, for MkDocs' table of contents."""

    def __init__(self, src: str, bodies: PrerenderedBodies) -> None:
        super().__init__(src)
        self.bodies = bodies
        self.run: list[str] = []

    def text(self, text: str) -> str:
        return html.escape(" ".join(text.split()), quote=False)

    def link(self, text: str, to_src: str, fragment: str = "") -> str:
        href = html_link(self.src, to_src, self.bodies.use_directory_urls) + (f"#{fragment}" if fragment else "")
        return f'<a href="{html.escape(href)}">{self.text(text)}</a>'

    def emphasis(self, inner: str) -> str:
        return f"<em>{inner}</em>"

    def strong(self, inner: str) -> str:
        return f"<strong>{inner}</strong>"

    def heading(self, level: int, text: str) -> None:
        self._flush()
        super().heading(level, text)

    def paragraph(self, content: str, css_class: str = "") -> None:
        self.run.append(f'<p class="{css_class}">{content}</p>' if css_class else f"<p>{content}</p>")

    def finish(self) -> list[str]:
        self._flush()
        return self.lines

    def bullets(self, items: list[str]) -> list[str]:
        # One placeholder paragraph for the whole list, as Python-Markdown would render it.
        if not items:
            return []
        return [self.bodies.placeholder(self.src, "<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>")]

    def division(self, css_class: str, paragraphs: list[str]) -> list[str]:
        html = "".join(f"<p>{text}</p>\n" for text in paragraphs)
        return [self.bodies.placeholder(self.src, f'<div class="{css_class}">\n{html}</div>'), ""]

    def _flush(self) -> None:
        if self.run:
            self.lines += [self.bodies.placeholder(self.src, "\n".join(self.run)), ""]
            self.run = []


def _linked_labels(transcript: Transcript, src: str, context: EpisodeContext) -> str:
    """Turn labels in curated Markdown link to the speaker's page: `**Name:**`, and the plain `Name:`
    labels that start turns, which become bold as well (a link when they name a speaker)."""
    def replace(match: re.Match[str]) -> str:
        person = context.person[label_name(match)]
        if person is None:
            return match.group(0)
        return f"**{link(match.group('name'), src, speaker_src(person[1]))}:** "
    body = BOLD_LABEL.sub(replace, transcript.markdown_body or "")
    if not transcript.plain_labels:
        return body
    pieces, done = [], 0
    for match in plain_label_matches(body):
        if label_name(match) not in transcript.plain_labels:
            continue
        speaker = transcript.plain_labels[label_name(match)]
        person = context.person.get(speaker) if speaker is not None else None
        label = match.group("name")  # bold as written when it names nobody with a page
        if person is not None:
            label = link(match.group("name"), src, speaker_src(person[1]))
            if name_key(label_name(match)) != name_key(person[0]) and '"' not in person[0]:
                label = f'{label[:-1]} "{escape_html(person[0])}")'  # "AvW" says who on hover
        short = f" ({match.group('short')})" if match.group("short") else ""
        pieces += [body[done:match.start()], f"**{label}{short}:**"]
        done = match.end()
    return "".join(pieces) + body[done:]


def _episode_item(episode: Episode, out: _BodyWriter, archive: Archive) -> str:
    parts = [f"{long_date(episode.date)}: {out.link(episode.title, episode_src(episode))}"]
    if episode.speakers:
        parts.append(f"with {_speaker_links(episode.speakers, out, archive)}")
    if episode.show:
        parts.append(f"({out.text(episode.show)})")
    return " ".join(parts)


def episodes_index(archive: Archive, bodies: PrerenderedBodies | None = None) -> str:
    lines = [front_matter({"title": "Episodes"}), "# Episodes", ""]
    if not archive.episodes:
        return "\n".join(lines + ["No episodes yet: add transcripts to the episodes/ folder.", ""])
    lines += [f"{len(archive.episodes)} episodes, newest first.", ""]
    out = _body_writer(EPISODES_INDEX, bodies)
    for year, episodes in itertools.groupby(archive.newest_first, key=lambda episode: episode.date.year):
        lines += ["", f"## {year}", "", *out.bullets([_episode_item(episode, out, archive) for episode in episodes])]
    return "\n".join(lines) + "\n"


def _people_ranked(archive: Archive) -> list[Person]:
    """Everyone, in the chart's row order, so the chart and the tables agree."""
    return chart_people(archive.people, len(archive.people))


def speakers_index(archive: Archive) -> str:
    lines = [front_matter({"title": "Speakers"}), "# Speakers", ""]
    if not archive.people:
        return "\n".join(lines + ["No speakers yet.", ""])
    lines += [f"{len(archive.people)} speakers. See also [appearances over time](../{APPEARANCES}).", "",
              "| Speaker | Appearances | First | Last |", "| --- | ---: | --- | --- |"]
    for person in _people_ranked(archive):
        lines.append(f"| {link(person.name, SPEAKERS_INDEX, speaker_src(person.slug))} | {len(person.episodes)} "
                     f"| {person.first.isoformat()} | {person.last.isoformat()} |")
    return "\n".join(lines) + "\n"


def speaker_page(person: Person, archive: Archive, options: Options, bodies: PrerenderedBodies | None = None) -> str:
    src = speaker_src(person.slug)
    out = _body_writer(src, bodies)
    count = len(person.episodes)
    lines = [front_matter({"title": person.name, "role": person.role, "description": person.bio}),
             f"# {escape_text(person.name)}", ""]
    # Registry URLs are checked to be http(s) or relative; as raw HTML with escaped attributes they
    # cannot carry Markdown or attribute-list syntax into the page.
    if person.image:
        image = file_link(src, person.image, options.use_directory_urls)
        lines += [f'<img class="ea-portrait" src="{escape_html(image)}" alt="{escape_html(person.name)}" '
                  'width="120">', ""]
    if person.bio:
        lines += [escape_text(person.bio), ""]
    if person.links:
        lines += [" · ".join(f'<a href="{escape_html(file_link(src, url, options.use_directory_urls))}">'
                             f"{escape_html(label)}</a>" for label, url in person.links.items()), ""]
    role = f" ({escape_text(person.role)})" if person.role else ""
    lines += [f"**{count}** appearance{'s' if count != 1 else ''}{role}, first {long_date(person.first)}, "
              f"last {long_date(person.last)}.", ""]
    if options.feeds:
        lines += [f"Follow {escape_text(person.name)}: [RSS]({person.slug}/feed.xml) · "
                  f"[JSON Feed]({person.slug}/feed.json)", ""]
    other_spellings = [name for name in person.spellings if name != person.name]
    if other_spellings:
        lines += ["Also written: " + ", ".join(escape_text(name) for name in other_spellings) + ".", ""]
    lines += ['<div class="ea-chart-frame">',
              appearances_svg([person], src, options.use_directory_urls, labels=False,
                              title=f"Appearances of {person.name} over time"),
              "</div>", "", "## Appearances", ""]
    appearances = []
    for episode in person.episodes:
        others = [name for name in episode.speakers if archive.person_for(name) is not person]
        line = f"{long_date(episode.date)}: {out.link(episode.title, episode_src(episode))}"
        details = [d for d in (appearance_role(person, episode), episode.show) if d]
        if details:
            line += f" ({out.text(', '.join(details))})"
        if others:
            line += f", with {_speaker_links(others, out, archive)}"
        appearances.append(line)
    lines += out.bullets(appearances)
    co_speakers: Counter[str] = Counter()
    for episode in person.episodes:
        for name in episode.speakers:
            other = archive.person_for(name)
            if other is not None and other is not person:
                co_speakers[other.slug] += 1
    if co_speakers:
        lines += ["", "## Appeared most with", "", *out.bullets([
            f"{out.link(archive.people[slug].name, speaker_src(slug))} ({shared})"
            for slug, shared in sorted(co_speakers.items(), key=lambda item: (-item[1], item[0]))[:10]])]
    topics = Counter(make_slug(t) for episode in person.episodes for t in episode.topics)
    known_topics = [(slug, n) for slug, n in topics.items() if slug in archive.topics]
    if known_topics:
        lines += ["", "## Talks most about", "", *out.bullets([
            f"{out.link(archive.topics[slug].name, topic_src(slug))} ({n})"
            for slug, n in sorted(known_topics, key=lambda item: (-item[1], item[0]))[:10]])]
    return "\n".join(lines) + "\n"


def topics_index(archive: Archive) -> str:
    lines = [front_matter({"title": "Topics"}), "# Topics", ""]
    if not archive.topics:
        return "\n".join(lines + ["No topics yet.", ""])
    lines += ["| Topic | Episodes | Latest |", "| --- | ---: | --- |"]
    for topic in sorted(archive.topics.values(), key=lambda t: (-len(t.episodes), t.name.casefold(), t.slug)):
        lines.append(f"| {link(topic.name, TOPICS_INDEX, topic_src(topic.slug))} | {len(topic.episodes)} "
                     f"| {topic.episodes[-1].date.isoformat()} |")
    return "\n".join(lines) + "\n"


def topic_page(topic: Topic, archive: Archive, options: Options, bodies: PrerenderedBodies | None = None) -> str:
    src = topic_src(topic.slug)
    out = _body_writer(src, bodies)
    count = len(topic.episodes)
    first, last = topic.episodes[0].date, topic.episodes[-1].date
    when = f"on {long_date(first)}" if first == last else f"from {long_date(first)} to {long_date(last)}"
    lines = [front_matter({"title": topic.name}), f"# {escape_text(topic.name)}", "",
             f"**{count}** episode{'s' if count != 1 else ''}, {when}.", "",
             '<div class="ea-chart-frame">',
             trend_svg(topic.episodes, src, options.use_directory_urls, topic.name),
             "</div>", ""]
    if options.feeds:
        lines += [f"Follow this topic: [RSS]({topic.slug}/feed.xml) · [JSON Feed]({topic.slug}/feed.json)", ""]
    lines += out.bullets([_episode_item(episode, out, archive) for episode in reversed(topic.episodes)])
    return "\n".join(lines) + "\n"


def appearances_page(archive: Archive, options: Options) -> str:
    lines = [front_matter({"title": "Appearances over time"}), "# Speaker appearances over time", ""]
    if not archive.people:
        return "\n".join(lines + ["No appearances yet.", ""])
    rows = chart_people(archive.people, options.chart_speakers)
    shown = len(rows)
    table = (f"The chart shows the {shown} most frequent speakers; the table lists every speaker."
             if shown < len(archive.people) else "The table lists every speaker.")
    hosts = " Squares mark hosts, circles guests." if any(is_host(person) for person in rows) else ""
    lines += ["Each row is a speaker, each mark a period with appearances (larger marks: several). "
              f"Hover or focus a mark for the episodes; select it to open the first.{hosts} {table}", "",
              '<div class="ea-chart-frame">', appearances_svg(rows, APPEARANCES, options.use_directory_urls),
              "</div>", "",
              "| Speaker | Appearances | First | Last | Shows |", "| --- | ---: | --- | --- | --- |"]
    for person in _people_ranked(archive):
        shows = sorted({e.show for e in person.episodes if e.show})
        lines.append(f"| {link(person.name, APPEARANCES, speaker_src(person.slug))} | {len(person.episodes)} "
                     f"| {person.first.isoformat()} | {person.last.isoformat()} "
                     f"| {escape_text(', '.join(shows)) or '-'} |")
    return "\n".join(lines) + "\n"


def latest_block(archive: Archive, options: Options, src: str) -> str:
    latest = archive.newest_first[: options.latest_count]
    if not latest:
        return "No episodes yet."
    out = _MarkdownBody(src)
    lines = out.bullets([_episode_item(episode, out, archive) for episode in latest])
    lines.append("")
    lines.append(f"[All episodes]({relative_link(src, EPISODES_INDEX)})")
    return "\n".join(lines)


def stats_block(archive: Archive, options: Options, src: str) -> str:
    if not archive.episodes:
        return "The archive is empty."
    first, last = archive.episodes[0].date.year, archive.episodes[-1].date.year
    years = f"{first}" if first == last else f"{first}-{last}"
    return (f"**{len(archive.episodes)}** episodes ({years}) · "
            f"[**{len(archive.people)}** speakers]({relative_link(src, SPEAKERS_INDEX)}) · "
            f"[**{len(archive.topics)}** topics]({relative_link(src, TOPICS_INDEX)}) · "
            f"[appearances over time]({relative_link(src, APPEARANCES)})")


HOME_MARKERS: dict[str, Callable[[Archive, Options, str], str]] = {
    "<!-- episode-archive:latest -->": latest_block,
    "<!-- episode-archive:stats -->": stats_block,
}


def expand_markers(markdown: str, src: str, archive: Archive, options: Options) -> str:
    """Replace the markers a hand-written page places with generated blocks (the file stays as is)."""
    for marker, block in HOME_MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, block(archive, options, src))
    return markdown

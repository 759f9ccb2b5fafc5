"""What the site publishes besides pages: feeds, transcript downloads, and per-page head metadata.

Pure functions from the archive to files and `<head>` snippets; the plugin adds them to the build.
Feeds and JSON-LD need absolute URLs, so they are made only when mkdocs.yml sets `site_url`.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .cache import ArchiveCache, code_digest, digest
from .feeds import absolute_url, episode_summary, json_feed, rss_feed
from .jsonld import episode_jsonld, jsonld_script, open_graph_meta, person_jsonld
from .model import Archive, Episode
from .options import Options
from .render.markup import page_url
from .render.pages import (
    TIMED_EXPORTS,
    download_paths,
    episode_fingerprint,
    episode_src,
    format_time,
    speaker_src,
    topic_src,
)

FEED_SIZE = 20


Result = TypeVar("Result")


@dataclass
class Published:
    """Extra files (path under the site → text, or a source file to copy) and head snippets per page."""

    files: dict[str, str] = field(default_factory=dict)
    copies: dict[str, Path] = field(default_factory=dict)
    head: dict[str, str] = field(default_factory=dict)


def plain_text(episode: Episode) -> str:
    """The transcript as plain text: headings, speaker turns and times, nothing else."""
    transcript = episode.transcript
    lines = [episode.title, ""]
    if transcript.markdown_body is not None:
        return "\n".join(lines + [transcript.markdown_body, ""])
    for segment in transcript.segments:
        if segment.kind == "heading":
            lines += [segment.text.upper() if segment.level == 2 else segment.text, ""]
            continue
        prefix = f"[{format_time(segment.start)}] " if segment.start is not None else ""
        speaker = f"{segment.speaker}: " if segment.speaker and segment.kind == "text" else ""
        lines += [f"{prefix}{speaker}{segment.text}", ""]
    return "\n".join(lines)


def _cues(episode: Episode) -> list[tuple[float, float, str | None, str]]:
    """Timed segments as (start, end, speaker, text); a cue ends where the next one starts."""
    timed = [s for s in episode.transcript.segments if s.start is not None and s.kind != "heading"]
    cues = []
    for index, segment in enumerate(timed):
        end = timed[index + 1].start if index + 1 < len(timed) else segment.start + 5.0
        cues.append((segment.start, max(end, segment.start + 0.5), segment.speaker, segment.text))
    return cues


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def webvtt(episode: Episode) -> str:
    lines = ["WEBVTT", ""]
    for start, end, speaker, text in _cues(episode):
        # Cue text is not HTML, but WebVTT gives <, > and & a meaning: escape them.
        body = html.escape(text, quote=False)
        voice = f"<v {html.escape(speaker, quote=False)}>" if speaker else ""
        lines += [f"{_stamp(start, '.')} --> {_stamp(end, '.')}", voice + body, ""]
    return "\n".join(lines)


def subrip(episode: Episode) -> str:
    lines = []
    for number, (start, end, speaker, text) in enumerate(_cues(episode), 1):
        lines += [str(number), f"{_stamp(start, ',')} --> {_stamp(end, ',')}",
                  f"{speaker}: {text}" if speaker else text, ""]
    return "\n".join(lines)


def podcasting_json(episode: Episode) -> str:
    """Podcasting 2.0 JSON transcript, one segment per line.

    Each line by json's C encoder: `indent=` would switch to its Python encoder, ten times slower, and a
    1,000-episode archive writes 400 of these on every build.
    """
    segments = [{"speaker": speaker, "startTime": round(start, 3), "endTime": round(end, 3), "body": text}
                if speaker else {"startTime": round(start, 3), "endTime": round(end, 3), "body": text}
                for start, end, speaker, text in _cues(episode)]
    lines = ",\n".join(json.dumps(segment, ensure_ascii=False) for segment in segments)
    return f'{{"version": "1.0.0", "segments": [\n{lines}\n]}}\n' if segments else \
        '{"version": "1.0.0", "segments": []}\n'


def _once_per_episode(make: Callable[[Episode], Result]) -> Callable[[Episode], Result]:
    """`make`, computed once per episode (by slug): hundreds of speaker and topic feeds list the same ones."""
    made: dict[str, Result] = {}

    def once(episode: Episode) -> Result:
        if episode.slug not in made:
            made[episode.slug] = make(episode)
        return made[episode.slug]
    return once


def _downloads(episodes: list[Episode], cache: ArchiveCache | None) -> dict[str, dict[str, str]]:
    """Every episode's downloads by kind, by slug. With a `cache`, those of an episode whose files are as
    the last build read them (its content key covers its title and transcript, all they are made of) are
    taken from it: one map entry for all (`ArchiveCache.put_map`), not a file per download."""
    last = cache.get_map(downloads_key()) if cache is not None else {}
    made: dict[str, dict[str, str]] = {}
    by_key: dict[str, tuple[str, dict[str, str]]] = {}
    for episode in episodes:
        key = episode.content_key
        stored = last.get(key) if key is not None else None
        made[episode.slug] = stored[1] if stored is not None else make_downloads(episode)
        if key is not None:
            by_key[key] = (episode.source, made[episode.slug])
    if cache is not None:
        cache.put_map(downloads_key(), by_key)
    return made


def published_key() -> str:
    """The cache's map entry of feeds and episode heads (`publish`)."""
    return "published-" + code_digest()


def downloads_key() -> str:
    """The cache's map entry of downloads by episode content key (`_downloads`)."""
    return "downloads-" + code_digest()


def make_downloads(episode: Episode) -> dict[str, str]:
    """The transcript's downloads by kind (see `download_paths`; the original file is copied, not made)."""
    made = {"text": plain_text(episode)}
    if episode.transcript.timed:
        made.update({"vtt": webvtt(episode), "srt": subrip(episode), "json": podcasting_json(episode)})
    return made


def publish(archive: Archive, options: Options, episodes_dir: Path, site_url: str | None,
            site_name: str, cache: ArchiveCache | None = None) -> Published:
    """Downloads (unless turned off); feeds, JSON-LD and Open Graph when the site's address is known.

    With a `cache`, downloads, feeds and episode heads the last build made of the same episodes (and
    speakers' pages) are taken from it."""
    out = Published()
    if options.downloads:
        made = _downloads(archive.episodes, cache)
        for episode in archive.episodes:
            paths = download_paths(episode)
            out.copies[paths["original"]] = episodes_dir / episode.source
            out.files.update((paths[kind], text) for kind, text in made[episode.slug].items())
    if not site_url:
        return out

    # Hundreds of speaker and topic feeds list the same episodes: their URLs and summaries are made once.
    @functools.cache
    def url_of(src: str) -> str:
        return absolute_url(site_url, page_url(src, options.use_directory_urls))

    summary_of = _once_per_episode(episode_summary)

    def speaker_url_of(name: str) -> str | None:
        person = archive.person_for(name)
        return url_of(speaker_src(person.slug)) if person else None

    def audio_url_of(episode: Episode) -> tuple[str, int, str] | None:
        if not episode.audio or "://" in episode.audio:
            return None
        return absolute_url(site_url, episode.audio.lstrip("/")), 0, ""

    @_once_per_episode
    def transcripts_of(episode: Episode) -> list[tuple[str, str]]:
        if not options.downloads:
            return []
        paths = download_paths(episode)
        links = [(absolute_url(site_url, paths[kind]), mime) for kind, mime in TIMED_EXPORTS.items()
                 if kind in paths]
        return links + [(absolute_url(site_url, paths["text"]), "text/plain")]

    # Feeds and episode heads are kept in the cache by what they show (each listed episode as it is,
    # and its speakers' pages): after an edit only those listing the edited episode are made again.
    last = cache.get_map(published_key()) if cache is not None else {}
    kept: dict[str, tuple[str, object]] = {}
    setting = digest(site_url, site_name, str(options.use_directory_urls), str(options.downloads))

    @_once_per_episode
    def shown(episode: Episode) -> str | None:
        fingerprint = episode_fingerprint(episode, archive)
        if fingerprint is None:
            return None
        people = [(person.name, person.slug) if (person := archive.person_for(name)) else None
                  for name in episode.speakers]
        return digest(fingerprint, repr(people))

    def remembered(owner: str, parts: list[str | None], make: Callable[[], Result]) -> Result:
        """What `make` makes, from the cache where the last build made it of the same `parts`."""
        if cache is None or None in parts:
            return make()
        key = digest(setting, owner, *parts)
        made = last[key][1] if key in last else make()
        kept[key] = (owner, made)
        return made

    def feeds(base: str, title: str, episodes: list[Episode], description: str) -> None:
        newest = sorted(episodes, key=lambda e: e.sort_key, reverse=True)[:FEED_SIZE]
        page_of: Callable[[Episode], str] = lambda e: url_of(episode_src(e))  # noqa: E731
        out.files[f"{base}feed.xml"], out.files[f"{base}feed.json"] = remembered(
            f"{base}feed", [title, description, *map(shown, newest)], lambda: (
                rss_feed(title, site_url, absolute_url(site_url, f"{base}feed.xml"), page_of, newest, description,
                         audio_url_of=audio_url_of, transcripts_of=transcripts_of, summary_of=summary_of),
                json_feed(title, site_url, absolute_url(site_url, f"{base}feed.json"), page_of, newest,
                          description, speaker_url_of=speaker_url_of, audio_url_of=audio_url_of,
                          summary_of=summary_of)))

    feeds("", site_name, archive.episodes, f"The latest episodes of {site_name}")
    for person in archive.people.values():
        feeds(f"speakers/{person.slug}/", f"{person.name} · {site_name}", person.episodes,
              f"Episodes with {person.name}")
    for topic in archive.topics.values():
        feeds(f"topics/{topic.slug}/", f"{topic.name} · {site_name}", topic.episodes, f"Episodes about {topic.name}")

    site_feeds = _feed_links("", site_name)

    def episode_head(episode: Episode, src: str) -> str:
        audio = audio_url_of(episode)
        data = episode_jsonld(episode, url_of(src), speaker_url_of, episode.topics,
                              audio[0] if audio else (episode.audio if episode.audio and "://" in episode.audio
                                                      else None), site_name)
        description = episode.description or f"{episode.title}, with {', '.join(episode.speakers)}"
        return (_meta(open_graph_meta(episode.title, description, url_of(src), site_name))
                + jsonld_script(data) + site_feeds)

    for episode in archive.episodes:
        src = episode_src(episode)
        out.head[src] = remembered(src, [shown(episode)], lambda episode=episode, src=src: episode_head(episode, src))
    if cache is not None:
        cache.put_map(published_key(), kept)
    for person in archive.people.values():
        src = speaker_src(person.slug)
        out.head[src] = (_meta(open_graph_meta(person.name, person.bio or f"Appearances of {person.name}",
                                               url_of(src), site_name, kind="profile"))
                         + jsonld_script(person_jsonld(person, url_of(src)))
                         + _feed_links(f"speakers/{person.slug}/", f"{person.name} · {site_name}"))
    for topic in archive.topics.values():
        src = topic_src(topic.slug)
        out.head[src] = _feed_links(f"topics/{topic.slug}/", f"{topic.name} · {site_name}")
    return out


def _meta(pairs: list[tuple[str, str]]) -> str:
    tags = []
    for name, content in pairs:
        attribute = "property" if name.startswith("og:") else "name"
        tags.append(f'<meta {attribute}="{html.escape(name)}" content="{html.escape(content, quote=True)}">')
    return "".join(tags)


def site_feed_links(site_name: str) -> str:
    return _feed_links("", site_name)


def _feed_links(base: str, title: str) -> str:
    """`<link rel=alternate>` tags, relative to the site root; the plugin makes them page-relative."""
    escaped = html.escape(title, quote=True)
    return (f'<link rel="alternate" type="application/rss+xml" title="{escaped}" href="@SITE@{base}feed.xml">'
            f'<link rel="alternate" type="application/feed+json" title="{escaped}" href="@SITE@{base}feed.json">')

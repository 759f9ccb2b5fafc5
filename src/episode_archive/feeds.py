"""Feeds: RSS 2.0 (with Podcasting 2.0 transcripts) and JSON Feed 1.1 for the newest episodes.

Both are pure functions from episodes and URL callbacks to a string, so the plugin decides where the
files go and tests can parse them without a build. Feed readers live outside the site, so every URL in a
feed is absolute: callbacks must return absolute http(s) URLs, and a relative one is a bug (ValueError),
not something to publish.

Output is deterministic: the same episodes give the same bytes, and the only dates are the episodes'
own (the channel's lastBuildDate is the newest episode's date, not the build time), so rebuilding an
unchanged archive never makes readers re-fetch or re-notify.

Text stays text. RSS titles, names and topics are plain character data escaped by ElementTree. An RSS
`<description>` is read as HTML by nearly every reader, so the plain-text summary is HTML-escaped first
and then XML-escaped: a transcript that mentions `<img onerror=...>` shows those characters instead of
becoming an element in someone's feed reader.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import html
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import markdown

from .model import Episode

AudioFile = tuple[str, int, str]
"""An enclosure: absolute URL, length in bytes (0 when unknown, as the RSS Best Practices Profile asks),
MIME type ("" to guess it from the URL's file extension)."""

TranscriptLink = tuple[str, str]
"""A Podcasting 2.0 transcript: absolute URL and MIME type (text/html, text/vtt, application/x-subrip...)."""

SUMMARY_WORDS = 60
SUMMARY_SOURCE_CHARS = 4000
GENERATOR = "episode-archive"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"

# A fixed table rather than `mimetypes`, which reads the host's /etc/mime.types: the same archive must
# give the same feed on every machine.
AUDIO_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".m4b": "audio/mp4",
    ".mp4": "video/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".webm": "audio/webm",
}
UNKNOWN_TYPE = "application/octet-stream"

# Characters XML 1.0 cannot carry at all, not even as references; ElementTree would write them anyway
# and produce a document every parser rejects. Transcripts with mojibake or pasted terminal output have them.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Control characters have no place in a summary shown to people (JSON would carry them as \u0001).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# --- helpers the plugin may reuse ---------------------------------------------------------------------


def absolute_url(site_url: str, path: str) -> str:
    """A site-relative path ("episodes/x/", as `markup.page_url` gives) as an absolute URL.

    `site_url` is MkDocs' `site_url`; a missing trailing slash would make urljoin drop its last segment
    ("https://x.org/archive" + "episodes/" is "https://x.org/episodes/"), so one is added.
    """
    base = site_url if site_url.endswith("/") else site_url + "/"
    return urljoin(base, path.lstrip("/"))


def is_absolute_http(url: str | None) -> bool:
    """True for URLs a feed reader can fetch from anywhere: http(s) with a host."""
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def audio_type(url: str) -> str:
    """The MIME type of an audio file from its URL's extension, or application/octet-stream."""
    extension = posixpath.splitext(urlsplit(url).path)[1].lower()
    return AUDIO_TYPES.get(extension, UNKNOWN_TYPE)


def duration_seconds(duration: str | None) -> int | None:
    """Seconds in a metadata duration ("1:05:30", "5:30"), or None when absent or unreadable.

    `metadata.to_duration` already validated the form; None rather than an error keeps a feed buildable.
    """
    if not duration:
        return None
    parts = duration.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


class _TextExtractor(HTMLParser):
    """Visible body text of rendered Markdown, without headings (they repeat the title) or scripts."""

    _SKIP = {"h1", "h2", "h3", "h4", "h5", "h6", "script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


@functools.lru_cache(maxsize=4096)
def _markdown_text(body: str) -> str:
    """The opening of curated Markdown as the words a reader sees, so a summary never shows `**` or link
    syntax. Only the first blocks are rendered (a summary needs a few dozen words), and once per body:
    every feed an episode appears in asks again."""
    head = body[:SUMMARY_SOURCE_CHARS]
    if len(body) > SUMMARY_SOURCE_CHARS and "\n\n" in head:
        head = head[: head.rindex("\n\n")]
    extractor = _TextExtractor()
    extractor.feed(markdown.markdown(head))
    extractor.close()
    # Blocks are separated by newlines in Markdown's output, so joining without spaces keeps "**bo**ld" one word.
    return "".join(extractor.parts)


def episode_summary(episode: Episode, max_words: int = SUMMARY_WORDS) -> str:
    """Plain text describing an episode: its description, else the opening words of its transcript.

    Feed items, JSON-LD and social cards need a description for every episode, and most transcripts have
    none; the first words of the talk are a fair stand-in. Whitespace is collapsed, and a cut summary ends
    with an ellipsis so nobody mistakes it for the whole text.
    """
    if episode.description and episode.description.strip():
        return " ".join(_CONTROL.sub("", episode.description).split())
    transcript = episode.transcript
    if transcript.markdown_body is not None:
        text = _markdown_text(transcript.markdown_body)
    elif transcript.segments:
        parts, count = [], 0
        for segment in transcript.segments:
            if segment.kind == "text":
                parts.append(segment.text)
                count += len(segment.text.split())
                if count > max_words:
                    break
        text = " ".join(parts)
    else:
        text = transcript.plain_text()
    words = _CONTROL.sub("", text).split()
    if len(words) <= max_words:
        return " ".join(words)
    return " ".join(words[:max_words]).rstrip(",;:-") + "…"


def _newest_first(episodes: Sequence[Episode]) -> list[Episode]:
    return sorted(episodes, key=lambda episode: episode.sort_key, reverse=True)


def _midnight_utc(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)


def rfc822_date(date: dt.date) -> str:
    """RSS dates: "Wed, 25 Feb 2026 00:00:00 GMT", locale-independent."""
    return email.utils.format_datetime(_midnight_utc(date), usegmt=True)


def rfc3339_date(date: dt.date) -> str:
    """JSON Feed dates: "2026-02-25T00:00:00Z"."""
    return f"{date.isoformat()}T00:00:00Z"


def _page_url(page_url_of: Callable[[Episode], str], episode: Episode) -> str:
    url = page_url_of(episode)
    if not is_absolute_http(url):
        raise ValueError(f"page_url_of({episode.slug!r}) gave {url!r}; feeds need absolute http(s) URLs")
    return url


def enclosure(episode: Episode, audio_url_of: Callable[[Episode], AudioFile | None] | None = None,
              ) -> AudioFile | None:
    """The episode's audio as (absolute URL, length, MIME type), or None when it cannot be enclosed.

    The resolver decides first: it can turn a relative `audio` path into an absolute URL and measure the
    file. Without one (or when it returns None), only an `audio` that is already an absolute http(s) URL
    is used, with length 0 (unknown). A relative path is never enclosed as is: a podcast app would resolve
    it against the feed's URL, not the page's, and fetch the wrong thing.
    """
    if audio_url_of is not None:
        resolved = audio_url_of(episode)
        if resolved is not None:
            url, length, mime = resolved
            if not is_absolute_http(url):
                raise ValueError(f"audio_url_of({episode.slug!r}) gave {url!r}; enclosures need absolute http(s) "
                                 "URLs (return None to leave the episode without one)")
            if isinstance(length, bool) or not isinstance(length, int) or length < 0:
                raise ValueError(f"audio_url_of({episode.slug!r}) gave length {length!r}; give the size in bytes, "
                                 "or 0 when unknown")
            return url, length, mime or audio_type(url)
    if episode.audio and is_absolute_http(episode.audio):
        return episode.audio, 0, audio_type(episode.audio)
    return None


def unique_texts(values: Sequence[str]) -> list[str]:
    """Non-blank values, first spelling kept, order kept (topic and speaker order is the author's)."""
    seen: set[str] = set()
    kept = []
    for value in values:
        text = " ".join(value.split())
        if text and text not in seen:
            seen.add(text)
            kept.append(text)
    return kept


# --- RSS 2.0 ---------------------------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: _xml_text(value) for key, value in attrs.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def rss_feed(
    title: str,
    site_url: str,
    feed_url: str,
    page_url_of: Callable[[Episode], str],
    episodes: Sequence[Episode],
    description: str,
    *,
    audio_url_of: Callable[[Episode], AudioFile | None] | None = None,
    transcripts_of: Callable[[Episode], Sequence[TranscriptLink]] | None = None,
    summary_of: Callable[[Episode], str] = episode_summary,
    language: str = "en",
) -> str:
    """An RSS 2.0 document for `episodes`, newest first, as text to write UTF-8 encoded.

    Args:
        title: The channel title (the site or show name).
        site_url: The site's absolute URL, the channel's `<link>`.
        feed_url: The absolute URL this document will be served from, for `<atom:link rel="self">`, which
            lets readers and validators find the canonical feed when it is mirrored.
        page_url_of: The absolute URL of an episode's page; it is also the item's permanent guid, which is
            why slugs must never change.
        episodes: The episodes to list; the caller picks how many (feeds carry the latest N, not the
            archive). They are sorted newest first here, whatever order they come in.
        description: The channel description (plain text).
        audio_url_of: Optional resolver for enclosures; see `enclosure`.
        transcripts_of: Optional; each episode's transcript files as (absolute URL, MIME type), written as
            Podcasting 2.0 `<podcast:transcript>` elements so podcast apps can show the text.
        summary_of: An episode's item description; `episode_summary` unless the caller keeps them (an
            archive's hundreds of speaker and topic feeds list each episode many times).
        language: The channel language (RFC 5646).

    Returns:
        The feed, starting with the XML declaration and ending with a newline.

    Raises:
        ValueError: a callback returned a relative URL or a bad length.
    """
    ordered = _newest_first(episodes)
    # Namespaces are declared by hand, with their usual prefixes, instead of ET.register_namespace, which
    # changes process-wide state that other code serialising XML in the same build would inherit.
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS, "xmlns:podcast": PODCAST_NS})
    channel = _sub(rss, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", site_url)
    _sub(channel, "description", description)
    _sub(channel, "atom:link", href=feed_url, rel="self", type="application/rss+xml")
    _sub(channel, "language", language)
    _sub(channel, "generator", GENERATOR)
    _sub(channel, "docs", "https://www.rssboard.org/rss-specification")
    if ordered:
        newest = rfc822_date(ordered[0].date)
        _sub(channel, "pubDate", newest)
        _sub(channel, "lastBuildDate", newest)
    for episode in ordered:
        url = _page_url(page_url_of, episode)
        item = _sub(channel, "item")
        _sub(item, "title", " ".join(episode.title.split()))
        _sub(item, "link", url)
        _sub(item, "guid", url, isPermaLink="true")
        _sub(item, "pubDate", rfc822_date(episode.date))
        _sub(item, "description", html.escape(summary_of(episode), quote=False))
        for speaker in unique_texts(episode.speakers):
            _sub(item, "dc:creator", speaker)
        for topic in unique_texts(episode.topics):
            _sub(item, "category", topic)
        audio = enclosure(episode, audio_url_of)
        if audio is not None:
            _sub(item, "enclosure", url=audio[0], length=str(audio[1]), type=audio[2])
        for transcript_url, mime in transcripts_of(episode) if transcripts_of else ():
            if not is_absolute_http(transcript_url):
                raise ValueError(f"transcripts_of({episode.slug!r}) gave {transcript_url!r}; podcast:transcript "
                                 "needs absolute http(s) URLs")
            _sub(item, "podcast:transcript", url=transcript_url, type=mime)
    ET.indent(rss, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


# --- JSON Feed 1.1 ---------------------------------------------------------------------------------------


def json_feed(
    title: str,
    site_url: str,
    feed_url: str,
    page_url_of: Callable[[Episode], str],
    episodes: Sequence[Episode],
    description: str,
    *,
    speaker_url_of: Callable[[str], str | None] | None = None,
    audio_url_of: Callable[[Episode], AudioFile | None] | None = None,
    summary_of: Callable[[Episode], str] = episode_summary,
    language: str = "en",
) -> str:
    """A JSON Feed 1.1 document with the same items as `rss_feed`, as text to write UTF-8 encoded.

    Args:
        title: The feed title.
        site_url: The site's absolute URL (`home_page_url`).
        feed_url: The absolute URL this document will be served from.
        page_url_of: The absolute URL of an episode's page, used as the item's `id` and `url`.
        episodes: The episodes to list; sorted newest first here.
        description: The feed description (plain text).
        speaker_url_of: Optional; a speaker name to the absolute URL of their page, or None when they have
            none. It gives each author a `url`, so readers can follow a voice across episodes.
        audio_url_of: Optional resolver for attachments; see `enclosure`.
        language: The feed language (RFC 5646).

    Returns:
        Indented JSON with sorted keys and a final newline; list order (items newest first, speakers and
        topics as the episode gives them) is kept because it carries meaning.

    Raises:
        ValueError: a callback returned a relative URL or a bad length.
    """
    items = []
    for episode in _newest_first(episodes):
        url = _page_url(page_url_of, episode)
        item: dict[str, Any] = {
            "id": url,
            "url": url,
            "title": " ".join(episode.title.split()),
            "content_text": summary_of(episode),
            "date_published": rfc3339_date(episode.date),
            "language": language,
        }
        topics = unique_texts(episode.topics)
        if topics:
            item["tags"] = topics
        authors = []
        for speaker in unique_texts(episode.speakers):
            author = {"name": speaker}
            speaker_url = speaker_url_of(speaker) if speaker_url_of else None
            if speaker_url:
                if not is_absolute_http(speaker_url):
                    raise ValueError(f"speaker_url_of({speaker!r}) gave {speaker_url!r}; feeds need absolute "
                                     "http(s) URLs")
                author["url"] = speaker_url
            authors.append(author)
        if authors:
            item["authors"] = authors
        audio = enclosure(episode, audio_url_of)
        if audio is not None:
            attachment: dict[str, Any] = {"url": audio[0], "mime_type": audio[2]}
            if audio[1]:
                attachment["size_in_bytes"] = audio[1]
            seconds = duration_seconds(episode.duration)
            if seconds:
                attachment["duration_in_seconds"] = seconds
            item["attachments"] = [attachment]
        items.append(item)
    feed = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": site_url,
        "feed_url": feed_url,
        "description": description,
        "language": language,
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

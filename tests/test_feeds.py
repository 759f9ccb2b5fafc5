"""Feeds: RSS 2.0 and JSON Feed 1.1 parse, keep hostile text as text, and are byte-for-byte deterministic."""

from __future__ import annotations

import datetime as dt
import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from episode_archive.feeds import (
    absolute_url,
    duration_seconds,
    enclosure,
    episode_summary,
    json_feed,
    rss_feed,
)
from episode_archive.model import Episode, Segment, Transcript

SITE = "https://example.org/archive/"
RSS_URL = SITE + "feed.xml"
JSON_URL = SITE + "feed.json"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
HOSTILE = "<img src=x onerror=alert(1)> & ]]> AT&T </script><script>alert(1)</script> \"q\" 'a'"


def episode(slug: str, date: str, title: str | None = None, *, speakers: tuple[str, ...] = ("Ada Byron",),
            topics: tuple[str, ...] = (), text: str = "Hello and welcome to the show.", description: str | None = None,
            audio: str | None = None, duration: str | None = None, show: str | None = "Test Show",
            plain: bool = False) -> Episode:
    """An episode in memory; `plain` gives a plain-text transcript, where `<b>` is text, not Markdown's HTML."""
    if plain:
        transcript = Transcript(path=Path(f"{slug}.txt"), source=f"{slug}.txt", format="plaintext",
                                segments=[Segment(text, speaker=speakers[0] if speakers else None)])
    else:
        transcript = Transcript(path=Path(f"{slug}.md"), source=f"{slug}.md", format="markdown", markdown_body=text)
    return Episode(
        slug=slug, title=title or slug.replace("-", " ").title(), date=dt.date.fromisoformat(date),
        speakers=list(speakers), source=transcript.source, transcript=transcript,
        show=show, topics=list(topics), description=description, audio=audio, duration=duration)


def page_url(ep: Episode) -> str:
    return absolute_url(SITE, f"episodes/{ep.slug}/")


def speaker_url(name: str) -> str | None:
    return None if name.startswith("Speaker ") else absolute_url(SITE, f"speakers/{name.lower().replace(' ', '-')}/")


def transcripts(ep: Episode) -> list[tuple[str, str]]:
    return [(page_url(ep), "text/html"), (absolute_url(SITE, f"episodes/{ep.slug}.vtt"), "text/vtt")]


@pytest.fixture
def episodes() -> list[Episode]:
    return [
        episode("old-one", "2023-03-14", topics=("post-training",), audio="audio/old.mp3"),
        episode("hostile", "2026-02-25", HOSTILE, speakers=(HOSTILE, "Speaker 2"), topics=(HOSTILE, "rye"),
                text=f"Words before. {HOSTILE} and after.", audio="https://cdn.example.net/ep/hostile.m4a",
                duration="1:05:30", plain=True),
        episode("middle", "2024-09-30", topics=("rye", "salt"), description="A talk about bread & <b>salt</b>.",
                audio="//cdn.example.net/protocol-relative.mp3"),
    ]


def build_rss(episodes: list[Episode], **kwargs: object) -> str:
    return rss_feed("Demo <Archive> & co", SITE, RSS_URL, page_url, episodes, "All the talks.", **kwargs)  # type: ignore[arg-type]


def build_json(episodes: list[Episode], **kwargs: object) -> str:
    return json_feed("Demo <Archive> & co", SITE, JSON_URL, page_url, episodes, "All the talks.",
                     speaker_url_of=speaker_url, **kwargs)  # type: ignore[arg-type]


def items_by_slug(root: ET.Element) -> dict[str, ET.Element]:
    return {item.findtext("link", "").rstrip("/").rsplit("/", 1)[-1]: item for item in root.iter("item")}


# --- RSS ------------------------------------------------------------------------------------------------


def test_rss_parses_with_feedparser(episodes: list[Episode]) -> None:
    parsed = feedparser.parse(build_rss(episodes, transcripts_of=transcripts))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Demo <Archive> & co"
    assert parsed.feed.link == SITE
    assert [entry.link for entry in parsed.entries] == [
        SITE + "episodes/hostile/", SITE + "episodes/middle/", SITE + "episodes/old-one/"]
    newest = parsed.entries[0]
    assert newest.id == SITE + "episodes/hostile/"
    assert newest.id == newest.link
    assert newest.published_parsed[:6] == (2026, 2, 25, 0, 0, 0)
    assert [tag.term for tag in newest.tags] == [" ".join(HOSTILE.split()), "rye"]
    assert parsed.feed.updated_parsed[:3] == (2026, 2, 25)


def test_rss_channel_elements(episodes: list[Episode]) -> None:
    text = build_rss(episodes)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"')
    assert 'xmlns:dc="http://purl.org/dc/elements/1.1/"' in text
    root = ET.fromstring(text)
    channel = root.find("channel")
    assert channel is not None
    self_link = channel.find("atom:link", NS)
    assert self_link is not None
    assert self_link.attrib == {"href": RSS_URL, "rel": "self", "type": "application/rss+xml"}
    # No build-time clock: the newest episode's date.
    assert channel.findtext("lastBuildDate") == "Wed, 25 Feb 2026 00:00:00 GMT"
    assert channel.findtext("description") == "All the talks."


def test_rss_newest_first_whatever_the_input_order(episodes: list[Episode]) -> None:
    dates = [item.findtext("pubDate") for item in ET.fromstring(build_rss(episodes)).iter("item")]
    assert dates == ["Wed, 25 Feb 2026 00:00:00 GMT", "Mon, 30 Sep 2024 00:00:00 GMT",
                     "Tue, 14 Mar 2023 00:00:00 GMT"]
    assert build_rss(list(reversed(episodes))) == build_rss(episodes)


def test_rss_is_deterministic(episodes: list[Episode]) -> None:
    first = build_rss(episodes, transcripts_of=transcripts).encode("utf-8")
    second = build_rss([*episodes], transcripts_of=transcripts).encode("utf-8")
    assert first == second


def test_rss_hostile_text_stays_text(episodes: list[Episode]) -> None:
    text = build_rss(episodes)
    assert "<img" not in text
    assert "<script" not in text
    assert "]]>" not in text
    item = items_by_slug(ET.fromstring(text))["hostile"]
    collapsed = " ".join(HOSTILE.split())
    assert item.find("guid").attrib == {"isPermaLink": "true"}  # type: ignore[union-attr]
    assert item.findtext("title") == collapsed
    assert [c.text for c in item.findall("dc:creator", NS)] == [collapsed, "Speaker 2"]
    assert [c.text for c in item.findall("category")] == [collapsed, "rye"]
    # Readers treat <description> as HTML, so it carries escaped HTML whose *rendering* is the plain text.
    description = item.findtext("description") or ""
    assert "<" not in description
    assert html.unescape(description) == f"Words before. {collapsed} and after."

    entry = feedparser.parse(text).entries[0]
    assert entry.title == collapsed
    assert html.unescape(entry.summary) == f"Words before. {collapsed} and after."
    assert "<img" not in entry.summary and "<script" not in entry.summary
    assert [author["name"] for author in entry.authors] == [collapsed, "Speaker 2"]


def test_rss_drops_characters_xml_cannot_carry() -> None:
    bad = episode("bad", "2025-01-01", "Nul\x00 and bell\x07 and \ufffe end", text="a\x0bb")
    root = ET.fromstring(build_rss([bad]))
    assert root.findtext("channel/item/title") == "Nul and bell and  end"


def test_rss_enclosure_only_for_absolute_audio(episodes: list[Episode]) -> None:
    items = items_by_slug(ET.fromstring(build_rss(episodes)))
    enclosure_el = items["hostile"].find("enclosure")
    assert enclosure_el is not None
    assert enclosure_el.attrib == {"url": "https://cdn.example.net/ep/hostile.m4a", "length": "0",
                                   "type": "audio/mp4"}
    assert items["old-one"].find("enclosure") is None  # relative path
    assert items["middle"].find("enclosure") is None  # protocol-relative: no scheme


def test_rss_enclosure_from_resolver(episodes: list[Episode]) -> None:
    def resolve(ep: Episode) -> tuple[str, int, str] | None:
        if ep.audio and not ep.audio.startswith(("http", "//")):
            return absolute_url(SITE, ep.audio), 12345, ""
        return None

    items = items_by_slug(ET.fromstring(build_rss(episodes, audio_url_of=resolve)))
    old = items["old-one"].find("enclosure")
    assert old is not None
    assert old.attrib == {"url": SITE + "audio/old.mp3", "length": "12345", "type": "audio/mpeg"}
    # The resolver said nothing about the absolute one: episode.audio still counts.
    assert items["hostile"].find("enclosure") is not None
    assert items["middle"].find("enclosure") is None

    entries = {entry.link: entry for entry in feedparser.parse(build_rss(episodes, audio_url_of=resolve)).entries}
    assert entries[SITE + "episodes/old-one/"].enclosures[0]["href"] == SITE + "audio/old.mp3"
    assert entries[SITE + "episodes/old-one/"].enclosures[0]["length"] == "12345"


def test_resolver_must_give_absolute_urls_and_sizes(episodes: list[Episode]) -> None:
    with pytest.raises(ValueError, match="absolute"):
        build_rss(episodes, audio_url_of=lambda ep: ("audio/x.mp3", 1, "audio/mpeg"))
    with pytest.raises(ValueError, match="length"):
        build_rss(episodes, audio_url_of=lambda ep: ("https://x.org/a.mp3", -1, "audio/mpeg"))
    with pytest.raises(ValueError, match="page_url_of"):
        rss_feed("t", SITE, RSS_URL, lambda ep: f"episodes/{ep.slug}/", episodes, "d")


def test_rss_podcast_transcripts(episodes: list[Episode]) -> None:
    text = build_rss(episodes, transcripts_of=transcripts)
    assert 'xmlns:podcast="https://podcastindex.org/namespace/1.0"' in text
    item = items_by_slug(ET.fromstring(text))["middle"]
    found = [(el.get("url"), el.get("type")) for el in item.findall("podcast:transcript", NS)]
    assert found == [(SITE + "episodes/middle/", "text/html"), (SITE + "episodes/middle.vtt", "text/vtt")]
    assert "podcast:transcript" not in build_rss(episodes)
    with pytest.raises(ValueError, match="transcript"):
        build_rss(episodes, transcripts_of=lambda ep: [("t.vtt", "text/vtt")])


def test_rss_without_episodes_is_still_valid() -> None:
    text = build_rss([])
    parsed = feedparser.parse(text)
    assert not parsed.bozo
    assert parsed.entries == []
    assert "lastBuildDate" not in text


# --- JSON Feed ------------------------------------------------------------------------------------------


def test_json_feed_structure(episodes: list[Episode]) -> None:
    feed = json.loads(build_json(episodes))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Demo <Archive> & co"
    assert feed["home_page_url"] == SITE
    assert feed["feed_url"] == JSON_URL
    assert [item["id"] for item in feed["items"]] == [
        SITE + "episodes/hostile/", SITE + "episodes/middle/", SITE + "episodes/old-one/"]
    for item in feed["items"]:
        assert {"id", "url", "title", "content_text", "date_published"} <= set(item)
        assert "content_html" not in item
        assert item["id"] == item["url"]
    middle = feed["items"][1]
    assert middle["date_published"] == "2024-09-30T00:00:00Z"
    assert dt.datetime.fromisoformat(middle["date_published"].replace("Z", "+00:00")).tzinfo is not None
    assert middle["tags"] == ["rye", "salt"]
    assert middle["content_text"] == "A talk about bread & <b>salt</b>."
    assert middle["authors"] == [{"name": "Ada Byron", "url": SITE + "speakers/ada-byron/"}]


def test_json_feed_hostile_text_round_trips(episodes: list[Episode]) -> None:
    item = json.loads(build_json(episodes))["items"][0]
    collapsed = " ".join(HOSTILE.split())
    assert item["title"] == collapsed
    assert item["authors"] == [{"name": collapsed, "url": SITE + "speakers/" + collapsed.lower().replace(" ", "-")
                                + "/"}, {"name": "Speaker 2"}]
    assert item["tags"] == [collapsed, "rye"]
    assert item["content_text"] == f"Words before. {collapsed} and after."


def test_json_feed_attachments(episodes: list[Episode]) -> None:
    items = {item["id"]: item for item in json.loads(build_json(episodes))["items"]}
    assert items[SITE + "episodes/hostile/"]["attachments"] == [
        {"url": "https://cdn.example.net/ep/hostile.m4a", "mime_type": "audio/mp4", "duration_in_seconds": 3930}]
    assert "attachments" not in items[SITE + "episodes/old-one/"]
    resolved = json.loads(build_json(episodes, audio_url_of=lambda ep: ("https://x.org/a.ogg", 99, "audio/ogg")))
    assert resolved["items"][2]["attachments"] == [{"url": "https://x.org/a.ogg", "mime_type": "audio/ogg",
                                                    "size_in_bytes": 99}]


def test_json_feed_is_deterministic(episodes: list[Episode]) -> None:
    first = build_json(episodes)
    assert first == build_json(list(reversed(episodes)))
    assert first.endswith("}\n")
    # Keys are sorted at every level.
    feed = json.loads(first)
    assert list(feed) == sorted(feed)
    assert list(feed["items"][0]) == sorted(feed["items"][0])


# --- shared helpers -------------------------------------------------------------------------------------


def test_summary_from_markdown_is_plain_words() -> None:
    text = "## Opening\n\nSome **bold** words, a [link](https://x.org) and `code`.\n\n<div>raw</div>\n"
    assert episode_summary(episode("m", "2025-01-01", text=text)) == "Some bold words, a link and code. raw"


def test_summary_is_cut_at_sixty_words() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    summary = episode_summary(episode("long", "2025-01-01", text=text))
    assert summary.split() == [*(f"w{i}" for i in range(59)), "w59…"]
    assert episode_summary(episode("d", "2025-01-01", text=text, description="  Short\n  one. ")) == "Short one."


def test_summary_from_segments_skips_headings() -> None:
    transcript = Transcript(path=Path("s.txt"), source="s.txt", format="plaintext", segments=[
        Segment("Intro", kind="heading"), Segment("Hi there.", speaker="A"), Segment("[laughs]", kind="stage"),
        Segment("Bye.", speaker="B")])
    ep = Episode(slug="s", title="S", date=dt.date(2025, 1, 1), speakers=["A"], source="s.txt", transcript=transcript)
    assert episode_summary(ep) == "Hi there. Bye."


def test_enclosure_and_helpers() -> None:
    assert enclosure(episode("a", "2025-01-01", audio="https://x.org/a.MP3?x=1")) == (
        "https://x.org/a.MP3?x=1", 0, "audio/mpeg")
    assert enclosure(episode("a", "2025-01-01", audio="https://x.org/a.xyz")) == (
        "https://x.org/a.xyz", 0, "application/octet-stream")
    assert enclosure(episode("a", "2025-01-01", audio="javascript:alert(1)")) is None
    assert enclosure(episode("a", "2025-01-01")) is None
    assert absolute_url("https://x.org/sub", "episodes/a/") == "https://x.org/sub/episodes/a/"
    assert absolute_url("https://x.org/sub/", "/episodes/a/") == "https://x.org/sub/episodes/a/"
    assert duration_seconds("1:05:30") == 3930
    assert duration_seconds("5:30") == 330
    assert duration_seconds("soon") is None
    assert duration_seconds(None) is None

"""JSON-LD and Open Graph: correct schema.org shapes, and no way for a title to break out of the script."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from episode_archive.jsonld import (
    episode_jsonld,
    iso_duration,
    jsonld_script,
    open_graph_meta,
    person_jsonld,
    shorten,
)
from episode_archive.model import Episode, Person, Transcript

SITE = "https://example.org/"
BREAKOUT = "</script><script>alert(1)</script>"
OPEN = '<script type="application/ld+json">'


def episode(title: str = "Persona selection", *, speakers: tuple[str, ...] = ("Sam Marks", "Speaker 2"),
            text: str = "word " * 450, duration: str | None = None, audio: str | None = None,
            show: str | None = "Alignment Readings", description: str | None = "A reading.") -> Episode:
    return Episode(
        slug="persona-selection", title=title, date=dt.date(2026, 2, 25), speakers=list(speakers), source="x.md",
        transcript=Transcript(path=Path("x.md"), source="x.md", format="markdown", markdown_body=text),
        show=show, topics=["post-training", "personas"], description=description, audio=audio, duration=duration)


def speaker_url(name: str) -> str | None:
    return None if name.startswith("Speaker ") else SITE + "speakers/" + name.lower().replace(" ", "-") + "/"


def build(ep: Episode, audio_url: str | None = None) -> dict[str, object]:
    return episode_jsonld(ep, SITE + "episodes/persona-selection/", speaker_url, ep.topics, audio_url, "Demo Archive")


def script_body(script: str) -> str:
    """What a browser's HTML parser puts inside the first script element: raw text up to `</script`."""
    assert script.startswith(OPEN)
    rest = script[len(OPEN):]
    end = re.search(r"</script", rest, re.IGNORECASE)
    assert end is not None
    return rest[: end.start()]


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.starts: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append(tag)

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def test_episode_jsonld_shape() -> None:
    data = build(episode(), audio_url="https://cdn.example.net/a.mp3")
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "PodcastEpisode"
    assert data["name"] == "Persona selection"
    assert data["url"] == SITE + "episodes/persona-selection/"
    assert data["datePublished"] == "2026-02-25"
    assert data["description"] == "A reading."
    assert data["inLanguage"] == "en"
    assert data["actor"] == [{"@type": "Person", "name": "Sam Marks", "url": SITE + "speakers/sam-marks/"},
                             {"@type": "Person", "name": "Speaker 2"}]
    assert data["about"] == [{"@type": "Thing", "name": "post-training"}, {"@type": "Thing", "name": "personas"}]
    assert data["partOfSeries"] == {"@type": "PodcastSeries", "name": "Alignment Readings"}
    assert data["associatedMedia"] == {"@type": "MediaObject", "contentUrl": "https://cdn.example.net/a.mp3",
                                       "encodingFormat": "audio/mpeg"}
    # 450 words at 200 a minute: the page says 3 min read.
    assert data["timeRequired"] == "PT3M"


def test_optional_parts_are_left_out() -> None:
    data = build(episode(show=None, speakers=(), description=None, text="Just a few words."))
    assert "partOfSeries" not in data
    assert "associatedMedia" not in data
    assert "actor" not in data
    assert data["description"] == "Just a few words."
    assert data["timeRequired"] == "PT1M"


@pytest.mark.parametrize(("duration", "expected"), [
    ("1:05:30", "PT1H5M30S"), ("5:30", "PT5M30S"), ("0:00:45", "PT45S"), ("2:00:00", "PT2H"), ("0:00", "PT0S"),
])
def test_duration_conversion(duration: str, expected: str) -> None:
    data = build(episode(duration=duration), audio_url="https://cdn.example.net/a.ogg")
    assert data["timeRequired"] == expected
    assert data["duration"] == expected
    assert data["associatedMedia"]["duration"] == expected  # type: ignore[index]


def test_iso_duration_of_reading_time() -> None:
    assert iso_duration(0) == "PT0S"
    assert iso_duration(65 * 60) == "PT1H5M"
    assert iso_duration(3930) == "PT1H5M30S"


def test_script_round_trips_through_json() -> None:
    data = build(episode(title="Q&A <b>bold</b> \u2028 line \u2029 para"))
    script = jsonld_script(data)
    body = script_body(script)
    assert script == OPEN + body + "</script>"
    assert json.loads(body) == data
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in body
    assert "\\u003cb\\u003ebold\\u003c/b\\u003e" in body
    assert "Q\\u0026A" in body


@pytest.mark.parametrize("where", ["title", "speaker", "show", "description"])
def test_script_closing_tag_in_text_cannot_break_out(where: str) -> None:
    hostile = f"Talk {BREAKOUT} <!-- <script> ]]> end"
    ep = episode(
        title=hostile if where == "title" else "Plain",
        speakers=(hostile,) if where == "speaker" else ("Sam Marks",),
        show=hostile if where == "show" else None,
        description=hostile if where == "description" else None,
    )
    data = build(ep)
    script = jsonld_script(data)
    body = script_body(script)
    # The only `</script` is the element's own closing tag, and the body has no `<` at all.
    assert script.lower().count("</script") == 1
    assert script.endswith("</script>")
    assert "<" not in body
    assert json.loads(body) == data
    # A real HTML parser sees exactly one element, whose text is the JSON.
    parser = _Scripts()
    parser.feed(script)
    parser.close()
    assert parser.starts == ["script"]
    assert json.loads("".join(parser.data)) == data
    assert hostile.split()[1] in json.dumps(data)  # the text itself survived


def test_script_is_deterministic() -> None:
    assert jsonld_script(build(episode())) == jsonld_script(build(episode()))
    body = script_body(jsonld_script({"b": 1, "a": 2, "@type": "Thing"}))
    assert body == '{"@type":"Thing","a":2,"b":1}'


def test_person_jsonld() -> None:
    person = Person(name="Ada Byron", slug="ada-byron", bio="Writes  about\nengines.",
                    links={"site": "https://ada.example/", "mastodon": "https://m.example/@ada", "local": "about/"})
    data = person_jsonld(person, SITE + "speakers/ada-byron/", image_url=SITE + "img/ada.png")
    assert data == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Ada Byron",
        "url": SITE + "speakers/ada-byron/",
        "description": "Writes about engines.",
        "sameAs": ["https://ada.example/", "https://m.example/@ada"],
        "image": SITE + "img/ada.png",
    }
    bare = person_jsonld(Person(name="Speaker 2", slug="speaker-2"), SITE + "speakers/speaker-2/")
    assert set(bare) == {"@context", "@type", "name", "url"}
    assert json.loads(script_body(jsonld_script(data))) == data


def test_open_graph_meta() -> None:
    pairs = open_graph_meta("Persona <selection>", "A reading.", SITE + "episodes/p/", "Demo Archive")
    assert pairs == [
        ("og:title", "Persona <selection>"),
        ("og:description", "A reading."),
        ("og:url", SITE + "episodes/p/"),
        ("og:type", "article"),
        ("og:site_name", "Demo Archive"),
        ("twitter:card", "summary"),
        ("twitter:title", "Persona <selection>"),
        ("twitter:description", "A reading."),
    ]
    with_image = dict(open_graph_meta("t", "", SITE, "s", kind="profile", image=SITE + "a.png"))
    assert with_image["og:type"] == "profile"
    assert with_image["og:image"] == with_image["twitter:image"] == SITE + "a.png"
    assert "og:description" not in with_image


def test_open_graph_description_is_cut_at_a_word() -> None:
    text = "lorem ipsum dolor sit amet " * 20
    description = dict(open_graph_meta("t", text, SITE, "s"))["og:description"]
    assert len(description) <= 200
    assert description.endswith("…")
    words = description[:-1].split()
    assert words == text.split()[: len(words)]  # every word whole
    assert shorten("short  text\n") == "short text"
    assert shorten("a" * 300) == "a" * 199 + "…"
    assert shorten("abc def", limit=7) == "abc def"
    assert shorten("abc defgh", limit=7) == "abc…"

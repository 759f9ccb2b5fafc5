"""Structured data for search engines and link previews: schema.org JSON-LD and Open Graph tags.

Pure functions returning dicts, lists and strings; the plugin decides where they go in the page. Search
engines and social sites fetch pages from elsewhere, so every URL passed in should be absolute.

JSON-LD is embedded in HTML inside `<script type="application/ld+json">`, where the HTML parser, not the
JSON parser, decides where the element ends: a title containing `</script>` would end it and let the rest
of the title run as markup. `jsonld_script` therefore writes `<`, `>` and `&` as JSON `\\u` escapes, which
mean the same characters to a JSON parser and nothing at all to an HTML parser.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .feeds import audio_type, duration_seconds, episode_summary, is_absolute_http, unique_texts
from .model import Episode, Person

SCHEMA_CONTEXT = "https://schema.org"
DESCRIPTION_LIMIT = 200

# `<`, `>`, `&` can only occur inside JSON strings, so replacing them everywhere is safe. U+2028 and U+2029
# are valid in JSON strings but were line terminators in JavaScript before ES2019; escaping them keeps the
# data usable by any script that evaluates it.
_HTML_SAFE = str.maketrans({
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
})


def iso_duration(seconds: int) -> str:
    """Seconds as an ISO 8601 duration, the form schema.org asks for: 3930 is "PT1H5M30S", 0 is "PT0S"."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if value]
    return "PT" + ("".join(parts) or "0S")


def _time_required(episode: Episode) -> str:
    """How long the episode takes: its audio duration when known, else the reading time the page shows."""
    seconds = duration_seconds(episode.duration)
    if seconds is None:
        # Imported here, not at the top, so that render.pages may import this module without a cycle.
        from .render.pages import reading_minutes

        seconds = reading_minutes(episode) * 60
    return iso_duration(seconds)


def episode_jsonld(
    episode: Episode,
    url: str,
    speaker_url_of: Callable[[str], str | None],
    topic_names: Sequence[str],
    audio_url: str | None,
    site_name: str,
) -> dict[str, Any]:
    """A schema.org `PodcastEpisode` describing one episode page.

    Args:
        episode: The episode.
        url: The absolute URL of the episode's page.
        speaker_url_of: A speaker name to the absolute URL of their page, or None when they have none
            (a diarization label like "Speaker 2"); linking the `actor`s lets search engines connect a
            person's appearances.
        topic_names: The topics shown on the page (usually `episode.topics`), as `about` terms.
        audio_url: The absolute URL of the audio, or None; a relative `episode.audio` must be resolved
            by the caller, because a crawler resolves it against nothing useful.
        site_name: The site's name, as the `isPartOf` website.

    Returns:
        A JSON-serialisable dict; pass it to `jsonld_script`.
    """
    data: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "PodcastEpisode",
        "name": " ".join(episode.title.split()),
        "url": url,
        "datePublished": episode.date.isoformat(),
        "description": episode_summary(episode),
        "inLanguage": "en",
        "timeRequired": _time_required(episode),
        "isPartOf": {"@type": "WebSite", "name": site_name},
    }
    actors = []
    for name in unique_texts(episode.speakers):
        actor = {"@type": "Person", "name": name}
        speaker_url = speaker_url_of(name)
        if speaker_url:
            actor["url"] = speaker_url
        actors.append(actor)
    if actors:
        data["actor"] = actors
    topics = unique_texts(topic_names)
    if topics:
        data["about"] = [{"@type": "Thing", "name": topic} for topic in topics]
    if episode.show and episode.show.strip():
        data["partOfSeries"] = {"@type": "PodcastSeries", "name": " ".join(episode.show.split())}
    seconds = duration_seconds(episode.duration)
    if seconds is not None:
        data["duration"] = iso_duration(seconds)
    if audio_url:
        media: dict[str, Any] = {"@type": "MediaObject", "contentUrl": audio_url}
        mime = audio_type(audio_url)
        if mime.startswith(("audio/", "video/")):
            media["encodingFormat"] = mime
        if seconds is not None:
            media["duration"] = iso_duration(seconds)
        data["associatedMedia"] = media
    return data


def person_jsonld(person: Person, url: str, image_url: str | None = None) -> dict[str, Any]:
    """A schema.org `Person` for a speaker page.

    Args:
        person: The speaker; `bio` becomes the description and `links` become `sameAs`.
        url: The absolute URL of the speaker's page.
        image_url: The absolute URL of their picture, when `person.image` is set and resolved by the caller.

    Returns:
        A JSON-serialisable dict. Only absolute http(s) links go into `sameAs`, which names the same
        person elsewhere on the web; they are sorted, because the registry's order means nothing there.
    """
    data: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "Person",
        "name": " ".join(person.name.split()),
        "url": url,
    }
    if person.bio and person.bio.strip():
        data["description"] = " ".join(person.bio.split())
    same_as = sorted({link for link in person.links.values() if is_absolute_http(link)})
    if same_as:
        data["sameAs"] = same_as
    if image_url:
        data["image"] = image_url
    return data


def jsonld_json(data: Mapping[str, Any]) -> str:
    """The JSON text for a script element: compact, keys sorted, with nothing an HTML parser acts on."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.translate(_HTML_SAFE)


def jsonld_script(data: Mapping[str, Any]) -> str:
    """A `<script type="application/ld+json">` element holding `data`, safe to paste into any HTML.

    The element is one line with no blank lines in it, so it also survives being placed in Markdown as a
    raw HTML block; inserting it into `<head>` (on_post_page or a theme override) is still the better place.
    """
    return f'<script type="application/ld+json">{jsonld_json(data)}</script>'


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Text collapsed to one line and cut at a word boundary to at most `limit` characters.

    Social cards truncate long descriptions wherever they like, often mid-word; cutting here, with an
    ellipsis, keeps the sentence readable.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def open_graph_meta(
    title: str,
    description: str,
    url: str,
    site_name: str,
    kind: str = "article",
    image: str | None = None,
) -> list[tuple[str, str]]:
    """Open Graph and Twitter card tags for a page, as (property or name, content) pairs.

    Link previews in chat apps and social sites read these rather than the page. The caller writes
    `og:*` pairs as `<meta property=... content=...>` and `twitter:*` pairs as `<meta name=...
    content=...>`, HTML-escaping both values. Empty values are left out rather than written empty.

    Args:
        title: The page title (plain text).
        description: Plain text; shortened to about 200 characters at a word boundary.
        url: The page's absolute, canonical URL.
        site_name: The site's name.
        kind: The og:type: "article" for episodes, "profile" for speakers, "website" for index pages.
        image: An absolute image URL, when the page has one.

    Returns:
        Pairs in a fixed order, so the same page always gets the same head.
    """
    title = " ".join(title.split())
    summary = shorten(description)
    pairs = [
        ("og:title", title),
        ("og:description", summary),
        ("og:url", url),
        ("og:type", kind),
        ("og:site_name", " ".join(site_name.split())),
        ("og:image", image or ""),
        ("twitter:card", "summary"),
        ("twitter:title", title),
        ("twitter:description", summary),
        ("twitter:image", image or ""),
    ]
    return [(key, value) for key, value in pairs if value]

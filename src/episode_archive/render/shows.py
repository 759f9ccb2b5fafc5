"""Show pages: `shows/` lists the archive's shows, `shows/<slug>/` one show's episodes by year."""

from __future__ import annotations

from collections import Counter

from ..model import Archive, Episode
from ..slugs import make_slug
from .markup import escape_text, front_matter, link, long_date

SHOWS_INDEX = "shows/index.md"


def show_src(name: str) -> str:
    return f"shows/{make_slug(name)}.md"


def shows_of(archive: Archive) -> dict[str, list[Episode]]:
    """Each show's episodes, newest first; shows sorted by name."""
    shows: dict[str, list[Episode]] = {}
    for episode in archive.newest_first:
        if episode.show:
            shows.setdefault(episode.show, []).append(episode)
    return dict(sorted(shows.items(), key=lambda item: item[0].casefold()))


def show_pages(archive: Archive) -> dict[str, str]:
    """The index and one page per show; nothing when no episode names a show."""
    shows = shows_of(archive)
    if not shows:
        return {}
    lines = [front_matter({"title": "Shows"}), "# Shows", "",
             "| Show | Episodes | First | Latest |", "| --- | ---: | --- | --- |"]
    for name, episodes in shows.items():
        lines.append(f"| {link(name, SHOWS_INDEX, show_src(name))} | {len(episodes)} "
                     f"| {episodes[-1].date.isoformat()} | {episodes[0].date.isoformat()} |")
    pages = {SHOWS_INDEX: "\n".join(lines) + "\n"}
    for name, episodes in shows.items():
        pages[show_src(name)] = show_page(name, episodes)
    return pages


def show_page(name: str, episodes: list[Episode]) -> str:
    src = show_src(name)
    voices = Counter(speaker for episode in episodes for speaker in episode.speakers)
    regulars = [speaker for speaker, count in voices.most_common(5) if count > 1]
    lines = [front_matter({"title": name}), f"# {escape_text(name)}", "",
             f"**{len(episodes)}** episode{'s' if len(episodes) != 1 else ''}, "
             f"{long_date(episodes[-1].date)} to {long_date(episodes[0].date)}."]
    if regulars:
        lines[-1] += " Most heard: " + ", ".join(escape_text(name) for name in regulars) + "."
    year = None
    for episode in episodes:
        if episode.date.year != year:
            year = episode.date.year
            lines += ["", f"## {year}", ""]
        lines.append(f"- {long_date(episode.date)}: {link(episode.title, src, f'episodes/{episode.slug}.md')}")
    return "\n".join(lines) + "\n"

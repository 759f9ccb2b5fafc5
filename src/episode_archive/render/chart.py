"""The speaker appearances-over-time chart, drawn at build time as inline SVG.

No JavaScript and no external requests: marks are SVG links with a `<title>` tooltip, colours come
from Material's CSS variables (see the stylesheet), so the chart follows the light and dark palettes.
Appearances of one speaker in one month share a mark, sized by their count, so busy rows stay legible.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ..model import Episode, Person
from .markup import escape_html, html_link, long_date

WIDTH = 760
LABEL_WIDTH = 170
ROW_HEIGHT = 26
TOP = 30
BOTTOM = 12
RIGHT = 16
BASE_RADIUS = 5.0


@dataclass(frozen=True)
class Mark:
    """One mark on a row: the episodes of one person in one month."""

    person: Person
    month: dt.date
    episodes: tuple[Episode, ...]

    @property
    def radius(self) -> float:
        return BASE_RADIUS + 2.5 * math.sqrt(len(self.episodes) - 1)


def chart_marks(people: list[Person]) -> list[Mark]:
    """Group each person's appearances by month, in date order."""
    marks: list[Mark] = []
    for person in people:
        by_month: dict[dt.date, list[Episode]] = {}
        for episode in person.episodes:
            by_month.setdefault(episode.date.replace(day=1), []).append(episode)
        marks.extend(Mark(person, month, tuple(eps)) for month, eps in sorted(by_month.items()))
    return marks


def chart_people(people: dict[str, Person], limit: int) -> list[Person]:
    """The rows: most appearances first, then the earliest first appearance, then name."""
    ranked = sorted(people.values(), key=lambda p: (-len(p.episodes), p.first, p.name.casefold(), p.slug))
    return ranked[:limit]


def appearances_svg(rows: list[Person], from_src: str, use_directory_urls: bool) -> str:
    """The chart as one SVG element; empty string when there is nothing to draw."""
    if not rows:
        return ""
    dates = [e.date for p in rows for e in p.episodes]
    start = dt.date(min(dates).year, 1, 1)
    end = dt.date(max(dates).year + 1, 1, 1)
    span = (end - start).days
    plot_width = WIDTH - LABEL_WIDTH - RIGHT
    height = TOP + ROW_HEIGHT * len(rows) + BOTTOM

    def x_of(date: dt.date) -> float:
        return LABEL_WIDTH + plot_width * (date - start).days / span

    parts = [
        f'<svg class="ea-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="ea-chart-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="ea-chart-title">Speaker appearances over time: one row per speaker, '
        'one mark per month with appearances</title>',
    ]
    for year in range(start.year, end.year + 1):
        x = x_of(dt.date(year, 1, 1))
        parts.append(f'<line class="ea-grid" x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - BOTTOM}"/>')
        if year < end.year:
            mid = x_of(dt.date(year, 7, 1))
            parts.append(f'<text class="ea-tick" x="{mid:.1f}" y="{TOP - 12}" text-anchor="middle">{year}</text>')
    for row, person in enumerate(rows):
        y = TOP + ROW_HEIGHT * row + ROW_HEIGHT / 2
        href = html_link(from_src, f"speakers/{person.slug}.md", use_directory_urls)
        parts.append(
            f'<a href="{escape_html(href)}"><text class="ea-label" x="{LABEL_WIDTH - 10}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape_html(_short(person.name))}</text></a>'
        )
        parts.append(f'<line class="ea-row" x1="{LABEL_WIDTH}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
    rows_index = {person.slug: row for row, person in enumerate(rows)}
    for mark in chart_marks(rows):
        y = TOP + ROW_HEIGHT * rows_index[mark.person.slug] + ROW_HEIGHT / 2
        x = x_of(mark.month + dt.timedelta(days=14))
        first = mark.episodes[0]
        tooltip = "\n".join(_describe(mark.person, episode) for episode in mark.episodes)
        href = html_link(from_src, f"episodes/{first.slug}.md", use_directory_urls)
        parts.append(
            f'<a href="{escape_html(href)}"><title>{escape_html_lines(tooltip)}</title>'
            f'<circle class="ea-mark" cx="{x:.1f}" cy="{y:.1f}" r="{mark.radius:.1f}"/></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def escape_html_lines(text: str) -> str:
    return "&#10;".join(escape_html(line) for line in text.split("\n"))


def _describe(person: Person, episode: Episode) -> str:
    show = f" ({episode.show})" if episode.show else ""
    return f"{person.name}: {episode.title}, {long_date(episode.date)}{show}"


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"

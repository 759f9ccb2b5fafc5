"""Charts drawn at build time as inline SVG: appearances over time, one person's timeline, topic trends.

No JavaScript and no external requests: marks are SVG links with a `<title>` tooltip, colours come
from Material's CSS variables (see the stylesheet), so charts follow the light and dark palettes.
Appearances in one period share a mark sized by their count; the period (month, quarter or year)
is the finest one whose marks stay apart at the chart's width, so a 20-year archive stays legible.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Episode, Person
from ..people import is_host
from .markup import escape_html, html_link, long_date

WIDTH = 760
LABEL_WIDTH = 170
ROW_HEIGHT = 26
TOP = 30
BOTTOM = 12
RIGHT = 16
MIN_MARK_SPACING = 10.0
MAX_RADIUS = 10.0


@dataclass(frozen=True)
class Period:
    """A bucket of time: months=1 (month), 3 (quarter) or 12 (year)."""

    months: int

    def start_of(self, date: dt.date) -> dt.date:
        month = (date.month - 1) // self.months * self.months + 1
        return dt.date(date.year, month, 1)

    def end_of(self, start: dt.date) -> dt.date:
        month = start.month - 1 + self.months
        return dt.date(start.year + month // 12, month % 12 + 1, 1)

    def label(self, start: dt.date) -> str:
        if self.months == 12:
            return str(start.year)
        if self.months == 3:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        return f"{start:%B %Y}"


def choose_period(first: dt.date, last: dt.date, plot_width: float) -> Period:
    """The finest period whose buckets are at least MIN_MARK_SPACING pixels apart."""
    years = last.year - first.year + 1
    for months in (1, 3, 12):
        if plot_width / (years * 12 / months) >= MIN_MARK_SPACING:
            return Period(months)
    return Period(12)


@dataclass(frozen=True)
class Mark:
    """One mark on a row: the episodes of one person in one period."""

    person: Person
    period_start: dt.date
    episodes: tuple[Episode, ...]

    @property
    def radius(self) -> float:
        return min(MAX_RADIUS, 4.0 + 2.0 * math.sqrt(len(self.episodes) - 1))


def chart_marks(people: Sequence[Person], period: Period) -> list[Mark]:
    """Group each person's appearances by period, in date order."""
    marks: list[Mark] = []
    for person in people:
        buckets: dict[dt.date, list[Episode]] = {}
        for episode in person.episodes:
            buckets.setdefault(period.start_of(episode.date), []).append(episode)
        marks.extend(Mark(person, start, tuple(eps)) for start, eps in sorted(buckets.items()))
    return marks


def chart_people(people: dict[str, Person], limit: int) -> list[Person]:
    """The rows: most appearances first, then the earliest first appearance, then name."""
    ranked = sorted(people.values(), key=lambda p: (-len(p.episodes), p.first, p.name.casefold(), p.slug))
    return ranked[:limit]


class _Axis:
    """Maps dates to x positions over whole years, and draws the year grid."""

    def __init__(self, dates: list[dt.date], left: float) -> None:
        self.start = dt.date(min(dates).year, 1, 1)
        self.end = dt.date(max(dates).year + 1, 1, 1)
        self.left = left
        self.width = WIDTH - left - RIGHT

    def x(self, date: dt.date) -> float:
        return self.left + self.width * (date - self.start).days / (self.end - self.start).days

    def grid(self, top: float, bottom: float) -> list[str]:
        parts = []
        years = self.end.year - self.start.year
        # Label every year while there is room, else every 2nd, 5th or 10th.
        step = next(s for s in (1, 2, 5, 10, 20, 50) if self.width / years * s >= 40)
        for year in range(self.start.year, self.end.year + 1):
            x = self.x(dt.date(year, 1, 1))
            parts.append(f'<line class="ea-grid" x1="{x:.1f}" y1="{top - 8:.1f}" x2="{x:.1f}" y2="{bottom:.1f}"/>')
            if year < self.end.year and (year - self.start.year) % step == 0:
                mid = self.x(dt.date(year, 7, 1)) if step == 1 else x + 2
                anchor = "middle" if step == 1 else "start"
                parts.append(f'<text class="ea-tick" x="{mid:.1f}" y="{top - 12:.1f}" '
                             f'text-anchor="{anchor}">{year}</text>')
        return parts


def appearances_svg(rows: list[Person], from_src: str, use_directory_urls: bool, labels: bool = True,
                    title: str = "Speaker appearances over time") -> str:
    """Rows of people against time; empty string when there is nothing to draw."""
    if not rows:
        return ""
    left = LABEL_WIDTH if labels else 12
    axis = _Axis([e.date for p in rows for e in p.episodes], left)
    period = choose_period(axis.start, axis.end - dt.timedelta(days=1), axis.width)
    height = TOP + ROW_HEIGHT * len(rows) + BOTTOM
    hosts = any(is_host(person) for person in rows)
    description = (f"{title}: one row per speaker, one mark per {_period_name(period)} with appearances, "
                   "larger marks for several" + ("; squares are hosts, circles guests" if hosts else ""))
    parts = [_svg_open(height, description), *axis.grid(TOP, height - BOTTOM)]
    for row, person in enumerate(rows):
        y = TOP + ROW_HEIGHT * row + ROW_HEIGHT / 2
        if labels:
            href = html_link(from_src, f"speakers/{person.slug}.md", use_directory_urls)
            parts.append(f'<a href="{escape_html(href)}"><text class="ea-label" x="{left - 10}" y="{y + 4:.1f}" '
                         f'text-anchor="end">{escape_html(_short(person.name))}</text></a>')
        parts.append(f'<line class="ea-row" x1="{left}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
    row_of = {person.slug: row for row, person in enumerate(rows)}
    # Marks never overlap their neighbours in the next period or row: a weekly host stays a row of
    # separate marks, not one bar.
    spacing = axis.width / ((axis.end.year - axis.start.year) * 12 / period.months)
    largest = max(2.5, min(spacing, ROW_HEIGHT) / 2 - 1)
    marks = chart_marks(rows, period)
    busiest = max(len(mark.episodes) for mark in marks)
    shaded = any(mark.radius > largest for mark in marks)
    for mark in marks:
        y = TOP + ROW_HEIGHT * row_of[mark.person.slug] + ROW_HEIGHT / 2
        middle = mark.period_start + (period.end_of(mark.period_start) - mark.period_start) / 2
        x = axis.x(middle)
        lines = [f"{mark.person.name}: {len(mark.episodes)} appearances in {period.label(mark.period_start)}"] \
            if len(mark.episodes) > 1 else []
        lines += [_describe(episode) for episode in mark.episodes]
        href = html_link(from_src, f"episodes/{mark.episodes[0].slug}.md", use_directory_urls)
        r = min(mark.radius, largest)
        # Where marks cannot grow any more (dense rows), depth of colour still tells the count.
        shade = f' fill-opacity="{0.35 + 0.65 * len(mark.episodes) / busiest:.2f}"' if shaded else ""
        if is_host(mark.person):
            shape = (f'<rect class="ea-mark ea-host" x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" '
                     f'height="{2 * r:.1f}" rx="1.5"{shade}/>')
        else:
            shape = f'<circle class="ea-mark" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"{shade}/>'
        parts.append(f'<a href="{escape_html(href)}"><title>{_lines(lines)}</title>{shape}</a>')
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(episodes: list[Episode], from_src: str, use_directory_urls: bool, name: str) -> str:
    """Episodes per period for one topic, as bars; each bar links to the period's first episode."""
    if not episodes:
        return ""
    axis = _Axis([e.date for e in episodes], 40)
    period = choose_period(axis.start, axis.end - dt.timedelta(days=1), axis.width)
    buckets: dict[dt.date, list[Episode]] = {}
    for episode in episodes:
        buckets.setdefault(period.start_of(episode.date), []).append(episode)
    peak = max(len(eps) for eps in buckets.values())
    plot_height = 90.0
    height = TOP + plot_height + BOTTOM + 6
    baseline = TOP + plot_height
    description = f"Episodes about {name} per {_period_name(period)}; the tallest bar is {peak}"
    parts = [_svg_open(height, description, "ea-trend"), *axis.grid(TOP, baseline),
             f'<line class="ea-axis" x1="{axis.left}" y1="{baseline}" x2="{WIDTH - RIGHT}" y2="{baseline}"/>',
             f'<text class="ea-tick" x="{axis.left - 6}" y="{TOP + 4}" text-anchor="end">{peak}</text>']
    for start, eps in sorted(buckets.items()):
        x0, x1 = axis.x(start), axis.x(period.end_of(start))
        bar_height = plot_height * len(eps) / peak
        gap = min(2.0, (x1 - x0) / 4)
        href = html_link(from_src, f"episodes/{eps[0].slug}.md", use_directory_urls)
        lines = [f"{period.label(start)}: {len(eps)} episode{'s' if len(eps) != 1 else ''}"]
        lines += [_describe(episode) for episode in eps]
        parts.append(f'<a href="{escape_html(href)}"><title>{_lines(lines)}</title>'
                     f'<rect class="ea-bar" x="{x0 + gap:.1f}" y="{baseline - bar_height:.1f}" '
                     f'width="{max(1.0, x1 - x0 - 2 * gap):.1f}" height="{bar_height:.1f}"/></a>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(height: float, description: str, extra_class: str = "") -> str:
    # No role="img": that would hide the marks' links from assistive technology. The first
    # <title> names the chart; the table beside it carries the same data.
    classes = f"ea-chart {extra_class}".strip()
    return (f'<svg class="{classes}" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape_html(description)}</title>')


def _period_name(period: Period) -> str:
    return {1: "month", 3: "quarter", 12: "year"}[period.months]


def _lines(lines: list[str]) -> str:
    return "&#10;".join(escape_html(line) for line in lines)


def _describe(episode: Episode) -> str:
    show = f" ({episode.show})" if episode.show else ""
    return f"{episode.title}, {long_date(episode.date)}{show}"


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"

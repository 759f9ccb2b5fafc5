"""Chart data: marks per period, aggregation that keeps dense archives legible, safe SVG."""

from __future__ import annotations

import datetime as dt
import re

from episode_archive.model import Archive
from episode_archive.options import Options
from episode_archive.people import collect_people
from episode_archive.render.chart import (
    Period,
    appearances_svg,
    chart_marks,
    chart_people,
    choose_period,
    trend_svg,
)
from episode_archive.render.pages import appearances_page
from helpers import make_episode


def test_marks_group_a_month_and_grow_with_the_count():
    people, _, _ = collect_people([make_episode("a", "2024-03-01", ["Ada Byron"]),
                                   make_episode("b", "2024-03-28", ["Ada Byron"]),
                                   make_episode("c", "2024-05-02", ["Ada Byron", "Ben Cole"])])
    marks = chart_marks(chart_people(people, limit=10), Period(1))
    ada = [(m.period_start, [e.slug for e in m.episodes]) for m in marks if m.person.slug == "ada-byron"]
    assert ada == [(dt.date(2024, 3, 1), ["a", "b"]), (dt.date(2024, 5, 1), ["c"])]
    big, small = [m for m in marks if m.person.slug == "ada-byron"]
    assert big.radius > small.radius


def test_period_coarsens_as_the_archive_spans_more_years():
    width = 574
    assert choose_period(dt.date(2023, 1, 1), dt.date(2026, 12, 31), width).months == 1
    assert choose_period(dt.date(2016, 1, 1), dt.date(2026, 12, 31), width).months == 3
    assert choose_period(dt.date(2000, 1, 1), dt.date(2026, 12, 31), width).months == 12
    assert Period(3).start_of(dt.date(2024, 8, 17)) == dt.date(2024, 7, 1)
    assert Period(3).label(dt.date(2024, 7, 1)) == "Q3 2024"


def test_a_weekly_host_over_twenty_years_stays_legible():
    start = dt.date(2005, 1, 3)
    episodes = [make_episode(f"e{i}", (start + dt.timedelta(weeks=i)).isoformat(), ["Weekly Host"])
                for i in range(1040)]
    people, _, _ = collect_people(episodes)
    svg = appearances_svg(chart_people(people, 25), "appearances/index.md", True)
    centres = [float(x) for x in re.findall(r'<circle class="ea-mark" cx="([\d.]+)"', svg)]
    assert 20 <= len(centres) <= 90  # aggregated, not 1,040 overlapping dots
    assert min(b - a for a, b in zip(centres, centres[1:], strict=False)) >= 10
    radii = [float(r) for r in re.findall(r'<circle class="ea-mark" cx="[\d.]+" cy="[\d.]+" r="([\d.]+)"', svg)]
    assert max(radii) * 2 < min(b - a for a, b in zip(centres, centres[1:], strict=False)), "marks overlap"
    assert "52 appearances in" in svg or "53 appearances in" in svg


def test_dense_rows_keep_marks_apart_and_shade_them_by_count():
    start = dt.date(2015, 1, 5)
    weekly = [make_episode(f"w{i}", (start + dt.timedelta(weeks=i)).isoformat(), ["Weekly Host"]) for i in range(520)]
    rare = [make_episode("r1", "2016-05-01", ["Rare Guest"])]
    people, _, _ = collect_people(weekly + rare)
    svg = appearances_svg(chart_people(people, 25), "appearances/index.md", True)
    assert "one mark per quarter" in svg
    assert 'fill-opacity="1.00"' in svg  # the busiest quarter is the darkest
    assert re.search(r'r="[\d.]+" fill-opacity="0\.[3-4]\d"', svg)  # a single appearance is light


def test_rows_are_the_most_frequent_speakers():
    people, _, _ = collect_people([make_episode("a", "2024-01-01", ["Ada Byron"]),
                                   make_episode("b", "2024-02-01", ["Ada Byron", "Cy Dunn"]),
                                   make_episode("c", "2024-03-01", ["Ben Cole", "Cy Dunn"])])
    assert [p.slug for p in chart_people(people, limit=2)] == ["ada-byron", "cy-dunn"]


def test_hosts_are_squares_guests_circles():
    people, _, _ = collect_people([make_episode("a", "2024-01-01", ["Host One", "Guest Two"], hosts=["Host One"])])
    svg = appearances_svg(chart_people(people, 5), "appearances/index.md", True)
    assert svg.count('class="ea-mark ea-host"') == 1 and svg.count('<circle class="ea-mark"') == 1
    assert "squares are hosts" in svg


def test_svg_links_each_mark_with_a_tooltip_and_escapes_text():
    episode = make_episode("a", "2024-03-01", ["<img src=x onerror=alert(1)>"])
    episode.title = 'A "quoted" <title>'
    people, _, _ = collect_people([episode])
    svg = appearances_svg(chart_people(people, 5), "appearances/index.md", True)
    assert '<a href="../episodes/a/"><title>A &quot;quoted&quot; &lt;title&gt;, 1 March 2024</title>' in svg
    assert "<img" not in svg and "&lt;img src=x" in svg
    assert svg.count('<circle class="ea-mark"') == 1


def test_topic_trend_has_one_bar_per_period_with_counts():
    episodes = [make_episode(s, d, ["A B"]) for s, d in
                [("a", "2023-02-01"), ("b", "2023-02-20"), ("c", "2024-07-01")]]
    svg = trend_svg(episodes, "topics/bread.md", True, "bread")
    assert svg.count('<rect class="ea-bar"') == 2
    assert "February 2023: 2 episodes" in svg and "July 2024: 1 episode" in svg


def test_the_appearances_page_says_when_its_chart_shows_only_the_most_frequent_speakers():
    episodes = [make_episode("a", "2024-01-01", ["Ada Byron"]),
                make_episode("b", "2024-02-01", ["Ada Byron", "Cy Dunn"]),
                make_episode("c", "2024-03-01", ["Ben Cole", "Cy Dunn"])]
    people, _, _ = collect_people(episodes)
    archive = Archive(episodes=episodes, people=people, topics={}, related={})
    limited = appearances_page(archive, Options(chart_speakers=2))
    assert "The chart shows the 2 most frequent speakers; the table lists every speaker." in limited
    assert limited.count("](../speakers/") == 3
    everyone = appearances_page(archive, Options(chart_speakers=3))
    assert "most frequent" not in everyone and "select it to open the first. The table lists every speaker." in everyone

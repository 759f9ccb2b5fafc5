"""Chapters as a timed outline, and show pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from episode_archive.archive import load_archive
from episode_archive.errors import ArchiveError
from episode_archive.metadata import to_chapters
from episode_archive.model import SourceField
from episode_archive.options import Options
from episode_archive.render import render_pages
from helpers import write

VTT = """WEBVTT

00:00.000 --> 00:05.000
<v Ann Lee>Welcome to the show about bread.

00:20.000 --> 00:40.000
<v Ann Lee>Now we talk about salt and water in the dough.

01:10.000 --> 01:20.000
<v Ann Lee>And finally the oven.
"""


def test_chapters_from_metadata_link_to_the_paragraph_playing_and_seek_to_the_start(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "2024-01-01-bread.vtt", VTT)
    write(episodes / "2024-01-01-bread.yml", 'show: "Bread Talk"\nchapters:\n'
          '  - {start: "00:00:00", title: "Hello"}\n  - {start: "00:00:30", title: "Salt <and> water"}\n'
          '  - {start: 70, title: "The oven"}\n')
    archive, problems = load_archive(episodes, Options())
    assert problems == []
    assert archive.episodes[0].chapters == [(0.0, "Hello"), (30.0, "Salt <and> water"), (70.0, "The oven")]
    page = render_pages(archive, Options())["episodes/2024-01-01-bread.md"]
    assert '- <a class="ea-time" href="#t=00:00:20" data-start="30">00:00:30</a> Salt &lt;and&gt; water' in page
    assert '- <a class="ea-time" href="#t=00:01:10" data-start="70">00:01:10</a> The oven' in page


def test_a_podcasting_chapters_file_is_read_and_is_not_a_transcript(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "2024-01-01-bread.vtt", VTT)
    write(episodes / "2024-01-01-bread.chapters.json",
          '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start"}, {"startTime": 65.5, "title": "End"}]}')
    archive, problems = load_archive(episodes, Options())
    assert problems == [] and len(archive.episodes) == 1
    assert archive.episodes[0].chapters == [(0.0, "Start"), (65.5, "End")]


@pytest.mark.parametrize("value, message", [
    ("not a list", "expected a list"),
    ([{"title": "No start"}], "expected {start"),
    ([{"start": "soon", "title": "x"}], "is not a start time"),
    ([{"start": 30, "title": "b"}, {"start": 10, "title": "a"}], "time order"),
])
def test_bad_chapters_name_the_line(value, message):
    with pytest.raises(ArchiveError, match=message) as error:
        to_chapters(SourceField(value, Path("x.yml"), 7), "chapters")
    assert error.value.problem.line == 7


def test_show_pages_list_each_show_by_year(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "2023-05-01-one.md", "---\nspeakers: [Ann Lee]\nshow: Bread Talk\n---\nOne.\n")
    write(episodes / "2024-05-01-two.md", "---\nspeakers: [Ann Lee]\nshow: Bread Talk\n---\nTwo.\n")
    write(episodes / "2024-06-01-three.md", "---\nspeakers: [Bo Kim]\nshow: Other\n---\nThree.\n")
    archive, _ = load_archive(episodes, Options())
    pages = render_pages(archive, Options())
    assert "| [Bread Talk](bread-talk.md) | 2 | 2023-05-01 | 2024-05-01 |" in pages["shows/index.md"]
    show = pages["shows/bread-talk.md"]
    assert show.index("## 2024") < show.index("## 2023")
    assert "Most heard: Ann Lee." in show
    assert "[Bread Talk](../shows/bread-talk.md)" in pages["episodes/2023-05-01-one.md"]
    assert archive.episodes[0].date == dt.date(2023, 5, 1)

"""Timed transcripts: each timed paragraph shows its time and is the target of `#t=HH:MM:SS`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import markdown

from episode_archive.clean import clean
from episode_archive.model import Archive, Episode, Segment, Transcript
from episode_archive.options import Options
from episode_archive.people import collect_people
from episode_archive.render.pages import episode_page, format_time


def timed_episode() -> Episode:
    transcript = Transcript(path=Path("t.vtt"), source="t.vtt", format="webvtt", segments=[
        Segment("Welcome to the show.", speaker="SPEAKER_00", start=0.0),
        Segment("Thanks, glad to be here.", speaker="SPEAKER_01", start=4.2),
        Segment("laughs", kind="stage", start=6.0),
        Segment("So, *tell* us <everything>.", speaker="SPEAKER_00", start=754.9),
        Segment("Well.", speaker="SPEAKER_02", start=3725.0),
    ])
    transcript = clean(transcript, [], {"SPEAKER_00": "Maren Castillo", "speaker_01": "Kenji Abernathy"})
    return Episode(slug="timed", title="Timed", date=dt.date(2025, 1, 2), speakers=["Maren Castillo",
                   "Kenji Abernathy"], source="t.vtt", transcript=transcript)


def test_format_time():
    assert [format_time(s) for s in (0, 59.9, 754.9, 3725)] == ["00:00:00", "00:00:59", "00:12:34", "01:02:05"]


def test_timed_paragraphs_get_anchors_and_mapped_speakers():
    episode = timed_episode()
    people, name_index, _ = collect_people([episode])
    archive = Archive(episodes=[episode], people=people, topics={}, related={}, name_index=name_index)
    page = episode_page(episode, archive, Options())
    body = page.split("---\n", 2)[2]
    html = markdown.markdown(body, extensions=["attr_list", "md_in_html", "toc"])
    assert ('<p><strong class="ea-speaker" id="turn-3"><a href="../speakers/maren-castillo.md">Maren Castillo</a>:'
            '</strong> <a class="ea-time" id="t=00:12:34" href="#t=00:12:34">00:12:34</a> '
            'So, *tell* us &lt;everything&gt;.</p>') in html
    assert '<a href="../speakers/kenji-abernathy.md">Kenji Abernathy</a>' in html
    # An unmapped diarization label is shown as it is, without a person page.
    assert '<strong class="ea-speaker" id="turn-4">SPEAKER_02:</strong>' in html and "speaker-02" not in html
    assert '<p><a class="ea-time" id="t=00:00:06" href="#t=00:00:06">00:00:06</a> <em>laughs</em></p>' in html
    assert len(re.findall(r'id="t=', html)) == 5


def test_untimed_paragraphs_get_numbered_anchors():
    transcript = Transcript(path=Path("t.txt"), source="t.txt", format="text", segments=[
        Segment("Intro", kind="heading"), Segment("One."), Segment("Two.", speaker="Ada Byron")])
    episode = Episode(slug="plain", title="Plain", date=dt.date(2025, 1, 2), speakers=["Ada Byron"], source="t.txt",
                      transcript=transcript)
    people, name_index, _ = collect_people([episode])
    archive = Archive(episodes=[episode], people=people, topics={}, related={}, name_index=name_index)
    html = markdown.markdown(episode_page(episode, archive, Options()).split("---\n", 2)[2],
                             extensions=["attr_list", "md_in_html", "toc"])
    assert '<p><span class="ea-anchor" id="p1"></span> One.</p>' in html
    assert '<span class="ea-anchor" id="p2"></span> Two.</p>' in html

"""Timed downloads read back: what the site offers as WebVTT, SRT and Podcasting 2.0 JSON is the transcript."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from episode_archive.archive import load_archive
from episode_archive.options import Options
from episode_archive.publish import podcasting_json, subrip, webvtt
from episode_archive.readers import jsontranscript, srt
from episode_archive.readers import webvtt as webvtt_reader

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def timed_episodes():
    archive, problems = load_archive(ROOT / "episodes", Options())
    assert not problems
    timed = [e for e in archive.episodes if any(s.start is not None for s in e.transcript.segments)]
    assert len(timed) >= 3
    return timed


def _said(transcript) -> tuple[list[str], list[str]]:
    """Every word spoken, and who spoke in turn (a speaker once per run of their cues)."""
    words = [word for s in transcript.segments if s.kind != "heading" and s.start is not None
             for word in s.text.split()]
    speakers = []
    for segment in transcript.segments:
        if segment.start is not None and segment.speaker and (not speakers or speakers[-1] != segment.speaker):
            speakers.append(segment.speaker)
    return words, speakers


@pytest.mark.parametrize("write, read, name", [
    (webvtt, webvtt_reader.read, "transcript.vtt"),
    (subrip, srt.read, "transcript.srt"),
    (podcasting_json, jsontranscript.read_podcasting, "transcript.json"),
], ids=["webvtt", "srt", "podcasting-json"])
def test_a_timed_download_reads_back_as_the_same_transcript(timed_episodes, write, read, name):
    for episode in timed_episodes:
        text = write(episode)
        back = read(Path(name), name, text)
        assert _said(back) == _said(episode.transcript), episode.slug
        first = next(s.start for s in episode.transcript.segments if s.start is not None)
        assert next(s.start for s in back.segments if s.start is not None) == pytest.approx(first, abs=0.001)


def test_the_json_download_is_one_segment_per_line(timed_episodes):
    text = podcasting_json(timed_episodes[0])
    data = json.loads(text)
    assert data["version"] == "1.0.0" and data["segments"]
    assert len(text.splitlines()) == len(data["segments"]) + 2

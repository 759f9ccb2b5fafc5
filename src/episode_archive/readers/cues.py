"""Shared pieces of the timed readers (WebVTT, SRT, Whisper and Podcasting 2.0 JSON).

Subtitle and speech-recognition formats cut speech into cues of a few words or seconds each. A reader
turns its file into `Cue`s; `merge_cues` rebuilds readable paragraphs from them, so every timed format
gets the same paragraphs, speaker turns and stage directions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from ..model import Segment

# A paragraph closes at the first sentence end once it has this many words...
PARAGRAPH_WORDS = 120
# ...and before a cue would take it past this many, sentence end or not.
MAX_PARAGRAPH_WORDS = 200
# A silence longer than this (seconds, from one cue's end to the next one's start) starts a paragraph.
PAUSE_SECONDS = 2.0

_TIMESTAMP = re.compile(r"(?:(?P<h>\d+):)?(?P<m>[0-5]\d):(?P<s>[0-5]\d)[.,](?P<ms>\d{3})")
_TIMING = re.compile(r"^\s*(?P<start>\S+?)\s*-->\s*(?P<end>\S+)(?P<settings>.*)$")
# A line meant as a timing line but with a mistyped arrow ("00:01.000 -> 00:04.000"): reported, not read as text.
# Both times need a fraction of a second, so that a spoken "10:30 - 11:45" on its own line stays text.
_TIMING_LIKE = re.compile(r"^\s*-?[\d:]*\d:\d\d[.,]\d+\s*(?:-+>?|=+>|[–—→]>?)\s*-?[\d:]*\d:\d\d[.,]\d+(?:\s.*)?$")
_PUNCTUATION = re.compile(r"^[,.;:!?…)\]”’]+$")
_SENTENCE_END = re.compile(r"[.?!…][\"'”’)\]]*$")
_BRACKETED = r"(?:\[[^\[\]]*[^\[\]\s][^\[\]]*\]|\([^()]*[^()\s][^()]*\)|♪[^♪]*♪)"
_STAGE = re.compile(rf"^{_BRACKETED}(?:\s*{_BRACKETED})*$")
# `Name: text` at the start of a cue line, as subtitle files and transcripts write speaker labels.
LABEL = re.compile(r"^(?P<name>[^\W\d_][\w.'’ -]{0,48}?):[ \t]+(?P<text>\S.*)$")


class Cue(NamedTuple):
    """One timed piece of speech as a reader found it; `speaker` None continues the current turn."""

    text: str
    speaker: str | None
    start: float
    end: float
    line: int


def parse_timestamp(text: str) -> float:
    """Seconds from `HH:MM:SS.mmm`, `H:MM:SS.mmm` or `MM:SS.mmm`, with `.` or `,` before the milliseconds.

    Whisper writes one-digit hours and leaves out a zero hour; SRT uses a comma. Anything else
    (missing milliseconds, minutes or seconds over 59, a sign) raises ValueError.
    """
    match = _TIMESTAMP.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a timestamp like 00:01:02.500")
    hours = int(match.group("h") or 0)
    milliseconds = ((hours * 60 + int(match.group("m"))) * 60 + int(match.group("s"))) * 1000 + int(match.group("ms"))
    return milliseconds / 1000


def format_timestamp(seconds: float) -> str:
    """`HH:MM:SS.mmm`, for error messages that quote a time back."""
    milliseconds = round(seconds * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def is_timing_line(line: str) -> bool:
    """Whether a line is (or was evidently meant to be) a cue timing line `start --> end`."""
    return "-->" in line or bool(_TIMING_LIKE.match(line))


def parse_timing(line: str, example: str = "00:01:02.500 --> 00:01:05.000") -> tuple[float, float, str]:
    """Start, end and the rest of the line (cue settings) from a timing line.

    Raises ValueError with a message that says what is wrong and what to write instead.
    """
    match = _TIMING.match(line)
    if not match:
        raise ValueError(f"`{line.strip()}` is not a cue timing line; write it as `{example}`")
    times = []
    for part in ("start", "end"):
        value = match.group(part)
        if value.startswith("-"):
            raise ValueError(f"the {part} time {value} is negative; times count from 0 at the start of the recording")
        try:
            times.append(parse_timestamp(value))
        except ValueError:
            raise ValueError(f"the {part} time `{value}` in `{line.strip()}` is not a timestamp; write the line as "
                             f"`{example}` (hours may be left out)") from None
    start, end = times
    if end < start:
        raise ValueError(f"the cue ends ({format_timestamp(end)}) before it starts ({format_timestamp(start)}); "
                         "fix the times")
    return start, end, match.group("settings").strip()


def is_stage(text: str) -> bool:
    """A cue that is only a bracketed direction: `[laughs]`, `(Intro music: ...)`, `[MUSIC]`, `♪ ... ♪`."""
    return bool(_STAGE.match(text.strip()))


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.rstrip()))


def merge_cues(cues: Iterable[Cue | tuple[str, str | None, float, float, int]]) -> list[Segment]:
    """Paragraph segments from cues, in order.

    A paragraph ends at a speaker change, at a pause over PAUSE_SECONDS, at the first sentence end
    once it has PARAGRAPH_WORDS words, or before it would pass MAX_PARAGRAPH_WORDS. A cue without a
    speaker continues the current turn. A stage direction becomes its own segment and keeps the
    turn: the speaker before it carries on after it. A cue of punctuation alone (",", "?") joins
    the word before it without a space, as word-per-segment formats need.
    """
    segments: list[Segment] = []
    parts: list[str] = []
    words = 0
    first: Cue | None = None
    first_speaker: str | None = None  # the speaker of the paragraph being built
    speaker: str | None = None  # the current turn's speaker
    last_end = 0.0

    def flush() -> None:
        nonlocal parts, words, first
        if parts and first is not None:
            segments.append(Segment(" ".join(parts), speaker=first_speaker, line=first.line, start=first.start))
        parts, words, first = [], 0, None

    for raw in cues:
        cue = Cue(*raw)
        text = " ".join(cue.text.split())
        if not text:
            continue
        if is_stage(text):
            flush()
            segments.append(Segment(text, kind="stage", speaker=cue.speaker, line=cue.line, start=cue.start))
            continue
        cue_speaker = cue.speaker if cue.speaker is not None else speaker
        if parts and cue_speaker == first_speaker and _PUNCTUATION.match(text):
            # Word-per-segment formats may give punctuation a segment of its own: "word" "," -> "word,".
            parts[-1] += text
            last_end = max(last_end, cue.end)
            if words >= PARAGRAPH_WORDS and ends_sentence(text):
                flush()
            continue
        count = len(text.split())
        # Rounded: 5.2 - 3.2 is 2.0000000000000004, and a pause of exactly 2 s keeps the paragraph.
        pause = round(cue.start - last_end, 3)
        if parts and (cue_speaker != first_speaker or pause > PAUSE_SECONDS or words + count > MAX_PARAGRAPH_WORDS):
            flush()
        if first is None:
            first, first_speaker = cue, cue_speaker
        parts.append(text)
        words += count
        last_end = max(last_end, cue.end)
        speaker = cue_speaker
        if words >= PARAGRAPH_WORDS and ends_sentence(text):
            flush()
    flush()
    return segments

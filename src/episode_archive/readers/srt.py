"""SubRip subtitles (`.srt`): numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, then text.

Why a parser of our own rather than the `srt` library (tested with srt 3.5.3): it does accept a dot
before the milliseconds, but it reads a timestamp without an hour (`00:01,000`) as hours and minutes
(one minute, not one second) without complaint, and it gives no line numbers, which every segment and
error here needs. The rules it is tolerant about are kept: the cue number is optional, a blank line
inside a cue's text or a missing blank line between cues does not lose words.

Speaker labels: a `Name: text` line starts a turn, and the cues after it without a label continue it
(captioners label only the first cue of a turn). A label counts when it recurs in the file, or when
it is name-like (one to four capitalised words) and either the file is evidently turn-based or the
label is a full name: "Note: this was recorded live" said once stays a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..clean import NOT_SPEAKERS, name_like
from ..errors import ArchiveError
from ..model import Transcript
from .cues import LABEL, Cue, is_timing_line, merge_cues, parse_timing

_EXAMPLE = "00:01:02,500 --> 00:01:05,000"
# Formatting SubRip players understand: <i>, <b>, <u>, <s>, <font ...>, and ASS overrides like {\an8}.
_TAGS = re.compile(r"</?(?:i|b|u|s|font)\b[^<>]*>|\{\\[^{}]*\}", re.IGNORECASE)
_INDEX = re.compile(r"^\s*\d+\s*$")


def read(path: Path, source: str, text: str) -> Transcript:
    transcript = Transcript(path=path, source=source, format="srt")
    transcript.segments = merge_cues(parse_cues(path, text))
    return transcript


def parse_cues(path: Path, text: str) -> list[Cue]:
    """Every cue of the file, split where a speaker label starts a new turn inside one."""
    lines = text.removeprefix("\ufeff").split("\n")
    timings = [number for number, line in enumerate(lines) if is_timing_line(line)]
    if not timings:
        first = next((number for number, line in enumerate(lines) if line.strip()), 0)
        raise ArchiveError(path, first + 1, "no cue timing line found; an SRT cue is a number, a line like "
                                            f"`{_EXAMPLE}`, then its text")
    uses_index = timings[0] > 0 and bool(_INDEX.match(lines[timings[0] - 1]))
    before = timings[0] - 1 if uses_index else timings[0]
    stray = next((number for number in range(before) if lines[number].strip()), None)
    if stray is not None and lines[stray].startswith("WEBVTT"):
        raise ArchiveError(path, stray + 1, "this is a WebVTT file (it starts with WEBVTT); name it .vtt")
    if stray is not None:
        raise ArchiveError(path, stray + 1, "text before the first cue; an SRT file starts with a cue number and "
                                            f"a timing line like `{_EXAMPLE}`; remove the line or make it a cue")

    timed: list[tuple[float, float, list[tuple[int, str]]]] = []
    for position, number in enumerate(timings):
        try:
            start, end, _ = parse_timing(lines[number], _EXAMPLE)
        except ValueError as error:
            raise ArchiveError(path, number + 1, str(error)) from None
        stop = timings[position + 1] if position + 1 < len(timings) else len(lines)
        if uses_index and stop < len(lines) and stop - 1 > number and _INDEX.match(lines[stop - 1]):
            stop -= 1  # the next cue's number
        body = [(line_no + 1, " ".join(_TAGS.sub("", lines[line_no]).split())) for line_no in range(number + 1, stop)]
        timed.append((start, end, [(line_no, line) for line_no, line in body if line]))

    labels = _speaker_labels(line for _, _, body in timed for _, line in body)
    cues: list[Cue] = []
    for start, end, body in timed:
        pieces: list[tuple[str | None, list[str], int]] = []
        for line_no, line in body:
            label = LABEL.match(line)
            if label and label.group("name").strip().casefold() in labels:
                pieces.append((" ".join(label.group("name").split()), [label.group("text")], line_no))
            elif pieces:
                pieces[-1][1].append(line)
            else:
                pieces.append((None, [line], line_no))
        cues += [Cue(" ".join(texts), speaker, start, end, line_no) for speaker, texts, line_no in pieces]
    return cues


def _speaker_labels(lines: Iterable[str]) -> set[str]:
    """The casefolded labels that name speakers in this file (see the module docstring)."""
    spellings: dict[str, list[str]] = {}
    for match in map(LABEL.match, lines):
        if match:
            name = " ".join(match.group("name").split())
            spellings.setdefault(name.casefold(), []).append(name)
    candidates = {key: names for key, names in spellings.items() if key not in NOT_SPEAKERS}
    turn_based = any(len(names) >= 2 for names in candidates.values())
    return {key for key, names in candidates.items()
            if len(names) >= 2 or (name_like(names[0]) and (turn_based or len(names[0].split()) >= 2))}

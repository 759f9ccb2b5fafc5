"""JSON transcripts from speech recognition and podcast hosts.

- `whisper-json`: OpenAI Whisper's `{"text": ..., "segments": [{"start", "end", "text"}, ...]}`.
- `whisperx-json`: the same with `"speaker": "SPEAKER_00"` on segments (and optional `words`). Generic
  labels are kept as they are; the sidecar's `speaker_map` names them later.
- `podcasting-json`: Podcasting 2.0 `{"version": "1.0.0", "segments": [{"speaker", "startTime",
  "endTime", "body"}, ...]}`, often one word per segment.

All three go through `merge_cues`, so runs of one speaker become paragraphs. `.json` files are read
by `read`, which picks the variant from the content; metadata `format:` can force one.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import ArchiveError
from ..model import Transcript
from .cues import Cue, format_timestamp, merge_cues

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_EXPECTED = ('expected Whisper JSON {"text": ..., "segments": [{"start": 0.0, "end": 2.5, "text": "..."}]} '
             'or Podcasting 2.0 JSON {"version": "1.0.0", "segments": [{"speaker": "...", "startTime": 0.0, '
             '"endTime": 2.5, "body": "..."}]}')


def read(path: Path, source: str, text: str) -> Transcript:
    """Any JSON transcript: Podcasting 2.0 by its `startTime`/`body` keys, whisperX by its speakers."""
    data, lines = _load(path, text)
    segments = data["segments"]
    if any(isinstance(s, dict) and ("startTime" in s or "body" in s) for s in segments):
        return _podcasting(path, source, segments, lines)
    if any(isinstance(s, dict) and "speaker" in s for s in segments):
        return _whisper(path, source, segments, lines, "whisperx-json")
    return _whisper(path, source, segments, lines, "whisper-json")


def read_whisper(path: Path, source: str, text: str) -> Transcript:
    data, lines = _load(path, text)
    return _whisper(path, source, data["segments"], lines, "whisper-json")


def read_whisperx(path: Path, source: str, text: str) -> Transcript:
    data, lines = _load(path, text)
    return _whisper(path, source, data["segments"], lines, "whisperx-json")


def read_podcasting(path: Path, source: str, text: str) -> Transcript:
    data, lines = _load(path, text)
    return _podcasting(path, source, data["segments"], lines)


def _load(path: Path, text: str) -> tuple[dict[str, Any], list[int]]:
    """The parsed document, and the line each entry of its `segments` list starts on."""
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArchiveError(path, error.lineno, f"the file is not valid JSON ({error.msg}, column {error.colno}); "
                                               "if it was cut off, export or download it again") from None
    if not isinstance(data, dict):
        raise ArchiveError(path, 1, f"the JSON is a {type(data).__name__}, not an object with a `segments` list; "
                                    f"{_EXPECTED}")
    if not isinstance(data.get("segments"), list):
        keys = ", ".join(f"`{key}`" for key in list(data)[:8]) or "none"
        problem = "no `segments` list" if "segments" not in data else "`segments` that is not a list"
        raise ArchiveError(path, 1, f"the JSON has {problem} (its keys: {keys}); {_EXPECTED}")
    return data, _segment_lines(text)


def _segment_lines(text: str) -> list[int]:
    """Line numbers of the top-level `segments` entries, found with json's own decoder.

    `json.loads` keeps no positions, so the top-level object is walked once more with
    `raw_decode`, which returns where each value ends. Only called on text that parsed.
    """
    newlines = [match.start() for match in re.finditer("\n", text)]
    decoder = json.JSONDecoder()

    def skip(index: int) -> int:
        return _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]

    found: list[int] = []
    try:
        index = skip(0) + 1  # past "{"
        while text[skip(index)] != "}":
            key, index = decoder.raw_decode(text, skip(index))
            index = skip(skip(index) + 1)  # past ":"
            if key == "segments" and text[index] == "[":
                found = []
                index = skip(index + 1)
                while text[index] != "]":
                    found.append(bisect.bisect_left(newlines, index) + 1)
                    _, index = decoder.raw_decode(text, index)
                    index = skip(index)
                    if text[index] == ",":
                        index = skip(index + 1)
                index += 1
            else:
                _, index = decoder.raw_decode(text, index)
            index = skip(index)
            if text[index] == ",":
                index += 1
    except (ValueError, IndexError):
        return []
    return found


def _line(lines: list[int], index: int) -> int:
    return lines[index] if index < len(lines) else 1


def _seconds(path: Path, segment: dict[str, Any], key: str, index: int, line: int) -> float:
    value = segment.get(key)
    where = f"segments[{index}]"
    if value is None:
        raise ArchiveError(path, line, f"{where} has no `{key}`; give it the time in seconds, e.g. \"{key}\": 12.5")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArchiveError(path, line, f"{where}: `{key}` is {json.dumps(value)}, not a number of seconds; "
                                       f"write it as a number, e.g. \"{key}\": 12.5")
    if not math.isfinite(value):
        raise ArchiveError(path, line, f"{where}: `{key}` is {value}, not a time; the tool that wrote the file "
                                       "lost this segment's timing: fix or remove the segment")
    if value < 0:
        raise ArchiveError(path, line, f"{where}: `{key}` is {value}, a negative time; times count from 0 at the "
                                       "start of the recording")
    return float(value)


def _times(path: Path, segment: dict[str, Any], keys: tuple[str, str], index: int, line: int) -> tuple[float, float]:
    start = _seconds(path, segment, keys[0], index, line)
    end = _seconds(path, segment, keys[1], index, line)
    if end < start:
        raise ArchiveError(path, line, f"segments[{index}] ends ({format_timestamp(end)}) before it starts "
                                       f"({format_timestamp(start)}); fix `{keys[0]}` or `{keys[1]}`")
    return start, end


def _object(path: Path, segment: Any, index: int, line: int) -> dict[str, Any]:
    if not isinstance(segment, dict):
        raise ArchiveError(path, line, f"segments[{index}] is {json.dumps(segment)[:40]}, not an object; {_EXPECTED}")
    return segment


def _text(path: Path, value: Any, key: str, index: int, line: int) -> str:
    if not isinstance(value, str):
        raise ArchiveError(path, line, f"segments[{index}]: `{key}` is {json.dumps(value)[:40]}, not text")
    return value


def _speaker(path: Path, value: Any, index: int, line: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ArchiveError(path, line, f"segments[{index}]: `speaker` is {json.dumps(value)[:40]}, not a name")
    return " ".join(str(value).split()) or None


def _whisper(path: Path, source: str, segments: list[Any], lines: list[int], format_name: str) -> Transcript:
    cues = []
    for index, raw in enumerate(segments):
        line = _line(lines, index)
        segment = _object(path, raw, index, line)
        start, end = _times(path, segment, ("start", "end"), index, line)
        words = segment.get("words") if isinstance(segment.get("words"), list) else []
        words = [word for word in words if isinstance(word, dict)]
        if "text" in segment or not words:
            text = _text(path, segment.get("text", ""), "text", index, line)
        else:
            text = " ".join(str(word.get("word", "")).strip() for word in words)
        speaker = _speaker(path, segment.get("speaker"), index, line)
        if speaker is None and words:
            # whisperX leaves a segment unassigned when its words disagree; take the words' majority.
            votes = Counter(word["speaker"] for word in words if isinstance(word.get("speaker"), str))
            speaker = votes.most_common(1)[0][0] if votes else None
        cues.append(Cue(text, speaker, start, end, line))
    return Transcript(path=path, source=source, format=format_name, segments=merge_cues(cues))


def _podcasting(path: Path, source: str, segments: list[Any], lines: list[int]) -> Transcript:
    cues = []
    for index, raw in enumerate(segments):
        line = _line(lines, index)
        segment = _object(path, raw, index, line)
        start, end = _times(path, segment, ("startTime", "endTime"), index, line)
        text = _text(path, segment.get("body", ""), "body", index, line)
        cues.append(Cue(text, _speaker(path, segment.get("speaker"), index, line), start, end, line))
    return Transcript(path=path, source=source, format="podcasting-json", segments=merge_cues(cues))

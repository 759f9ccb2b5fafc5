"""Chapters: a timed outline of an episode, from metadata or a Podcasting 2.0 chapters file.

In metadata (front matter, sidecar):

    chapters:
      - {start: "00:00:00", title: "Welcome"}
      - {start: "00:12:30", title: "Reward hacking"}

or beside the transcript, `NAME.chapters.json` in the Podcasting 2.0 format
(`{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Welcome"}, ...]}`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .errors import ArchiveError
from .model import SourceField
from .names import visible_text
from .readers.cues import parse_timestamp
from .textio import read_text

CHAPTERS_SUFFIX = ".chapters.json"


def chapters_file(transcript: Path) -> Path:
    return transcript.with_name(transcript.name.rsplit(".", 1)[0] + CHAPTERS_SUFFIX)


def _start(value: Any, where: str, path: Path, line: int) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    if isinstance(value, str):
        try:
            return parse_timestamp(value if "." in value or "," in value else value + ".000")
        except ValueError:
            pass
    raise ArchiveError(path, line, f"{where}: {value!r} is not a start time; write seconds (754) or "
                                   "\"00:12:34\" (quoted)")


def _chapters(items: Any, path: Path, line: int, start_key: str) -> list[tuple[float, str]]:
    if not isinstance(items, list):
        raise ArchiveError(path, line, "chapters: expected a list of {start, title} entries")
    chapters = []
    for number, item in enumerate(items, 1):
        where = f"chapters[{number}]"
        if not isinstance(item, dict) or not isinstance(item.get("title"), str) or start_key not in item:
            raise ArchiveError(path, line, f"{where}: expected {{{start_key}: ..., title: \"...\"}}")
        title = visible_text(item["title"])
        if title:
            chapters.append((_start(item[start_key], where, path, line), title))
    for (earlier, _), (later, title) in zip(chapters, chapters[1:], strict=False):
        if later < earlier:
            raise ArchiveError(path, line, f"chapters: {title!r} starts before the chapter above it; "
                                           "list chapters in time order")
    return chapters


def to_chapters(field: SourceField, name: str) -> list[tuple[float, str]]:
    """The `chapters:` metadata field (the converter table's shape)."""
    return _chapters(field.value, field.path, field.line, "start")


def load_chapters_file(transcript: Path, episodes_dir: Path) -> list[tuple[float, str]] | None:
    path = chapters_file(transcript)
    if not path.is_file():
        return None
    try:
        data = json.loads(read_text(path, inside=episodes_dir))
    except json.JSONDecodeError as error:
        raise ArchiveError(path, error.lineno, f"the file is not valid JSON ({error.msg})") from None
    if not isinstance(data, dict) or "chapters" not in data:
        raise ArchiveError(path, 1, "expected a Podcasting 2.0 chapters file: {\"version\": ..., \"chapters\": [...]}")
    return _chapters(data["chapters"], path, 1, "startTime")

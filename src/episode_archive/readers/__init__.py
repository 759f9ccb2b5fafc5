"""Readers: one module per transcript format, all producing a `Transcript`.

A reader is a function `read(path, source, text) -> Transcript`. `FORMATS` maps a format name to its
reader; `detect_format` picks one from the file name, and metadata can force another (`format:`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import ArchiveError
from ..model import Transcript
from ..textio import read_text
from . import jsontranscript, markdown, plaintext, srt, webvtt

Reader = Callable[[Path, str, str], Transcript]

FORMATS: dict[str, Reader] = {
    "text": plaintext.read,
    "markdown": markdown.read,
    "webvtt": webvtt.read,
    "srt": srt.read,
    # `json` picks one of the three below from the content; metadata `format:` can force one.
    "json": jsontranscript.read,
    "whisper-json": jsontranscript.read_whisper,
    "whisperx-json": jsontranscript.read_whisperx,
    "podcasting-json": jsontranscript.read_podcasting,
}

EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".vtt": "webvtt",
    ".srt": "srt",
    # Every .json in episodes/ is read as a transcript: other JSON there (chapters) would be an error.
    ".json": "json",
}


def is_transcript(path: Path) -> bool:
    """Whether a file in episodes/ is a transcript (as opposed to a sidecar, catalogue or note)."""
    name = path.name.lower()
    # NAME.chapters.json beside a transcript is its Podcasting 2.0 chapters file, not another episode.
    return path.suffix.lower() in EXTENSIONS and name != "readme.md" and not name.endswith(".chapters.json")


def detect_format(path: Path) -> str:
    return EXTENSIONS[path.suffix.lower()]


def read_transcript(path: Path, source: str, forced_format: str | None = None,
                    encoding: str | None = None) -> Transcript:
    """Read one transcript file, by its detected format or the one metadata forces."""
    name = forced_format or detect_format(path)
    if name not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ArchiveError(path, 1, f"unknown format {name!r}; use one of: {known}")
    return FORMATS[name](path, source, read_text(path, encoding))

"""Plain narration text, as auto-transcription tools and scraped transcript pages give it.

Handles, in order: a header block of page chrome and the speaker's name before the narration;
spoken section markers ("Heading X", "Subheading X", or the marker alone with the text on the next
line); optional `Name: text` speaker labels; one sentence per line (reflowed later, in clean.py).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..clean import name_like
from ..model import Segment, SourceField, Transcript

_MARKERS = {"heading": 2, "subheading": 3}
_MARKER_LINE = re.compile(r"^(heading|subheading)\b[ \t:.-]*(.*)$", re.IGNORECASE)
_LABEL = re.compile(r"^\**(?P<name>[^\W\d_][\w.'’ -]{0,48}?)(?::\**|\**:)[ \t]+(?P<text>\S.*)$")
# Lines that transcript sites print around the text: navigation, section titles of the page itself.
_CHROME = re.compile(
    r"^(speaker\s*appearances(\s+over\s+time)?|podcast\s+appearances|appearances(\s+over\s+time)?|transcript|"
    r"show\s+notes|share|subscribe|listen(\s+now)?|download|back|home|menu|skip\s+to\s+content)$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…\"”’)]$")
HEADER_MAX_WORDS = 10
HEADING_MAX_WORDS = 16


def read(path: Path, source: str, text: str) -> Transcript:
    transcript = Transcript(path=path, source=source, format="text", labels_need_evidence=True)
    lines = text.split("\n")
    start = _read_header(lines, transcript)
    transcript.segments = _segments(lines, start)
    return transcript


def _letters_only(line: str) -> str:
    """The line's ASCII letters and spaces: what is left of chrome once mojibake and icons go."""
    kept = "".join(ch for ch in line if ch.isascii() and (ch.isalpha() or ch.isspace()))
    return " ".join(kept.split())


def looks_like_name(line: str) -> bool:
    """A full name on a line of its own: two to four capitalised words."""
    return len(line.split()) >= 2 and name_like(line)


def _is_header_line(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= HEADER_MAX_WORDS
        and not _SENTENCE_END.search(line)
        and not _MARKER_LINE.match(line)
        and not _LABEL.match(line)
    )


def _read_header(lines: list[str], transcript: Transcript) -> int:
    """Consume the leading block of short, unpunctuated lines; return the first body line index.

    A person's name there becomes a speaker candidate, a `Title: x` line the title; chrome and
    lines without letters are dropped (and remembered, so nothing disappears unreported).
    """
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    header_start = index
    while index < len(lines) and _is_header_line(lines[index].strip()):
        index += 1
    if index == header_start or index >= len(lines):
        # No body after the block: the short lines are the transcript itself.
        return header_start
    for number in range(header_start, index):
        line = unicodedata.normalize("NFC", lines[number].strip())
        line_no = number + 1
        letters = _letters_only(line)
        title_match = re.match(r"^title\s*:\s*(.+)$", line, re.IGNORECASE)
        if title_match and "title" not in transcript.header:
            transcript.header["title"] = SourceField(title_match.group(1).strip(), transcript.path, line_no)
        elif letters and _CHROME.match(letters):
            transcript.dropped_lines.append((line_no, line))
        elif letters != line and not looks_like_name(line):
            # Icons and mojibake (such as "๐ค" for a microphone emoji) mark page chrome.
            transcript.dropped_lines.append((line_no, line))
        elif looks_like_name(line) and "speakers" not in transcript.header:
            transcript.header["speakers"] = SourceField([line], transcript.path, line_no)
        elif "title" not in transcript.header:
            transcript.header["title"] = SourceField(line, transcript.path, line_no)
        else:
            transcript.dropped_lines.append((line_no, line))
    return index


def _segments(lines: list[str], start: int) -> list[Segment]:
    segments: list[Segment] = []
    block: list[str] = []
    block_line = 0
    block_speaker: str | None = None

    def flush() -> None:
        nonlocal block, block_speaker
        if block:
            segments.append(Segment("\n".join(block), speaker=block_speaker, line=block_line))
        block, block_speaker = [], None

    index = start
    while index < len(lines):
        line = lines[index].strip()
        line_no = index + 1
        index += 1
        if not line:
            flush()
            continue
        marker = _MARKER_LINE.match(line)
        if marker:
            level = _MARKERS[marker.group(1).lower()]
            heading = marker.group(2).strip()
            if not heading and index < len(lines) and _short_heading(lines[index].strip()):
                heading = lines[index].strip()
                index += 1
            if heading and _short_heading(heading):
                flush()
                segments.append(Segment(heading, kind="heading", level=level, line=line_no))
                continue
        label = _LABEL.match(line)
        if label:
            flush()
            block_speaker = label.group("name").strip()
            block, block_line = [label.group("text").strip()], line_no
            continue
        if not block:
            block_line = line_no
        block.append(line)
    flush()
    return segments


def _short_heading(text: str) -> bool:
    return 0 < len(text.split()) <= HEADING_MAX_WORDS and not text.endswith(".")

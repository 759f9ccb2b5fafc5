"""WebVTT captions (`.vtt`), as video platforms, meeting tools and Whisper write them.

Why a block parser of our own rather than webvtt-py (tested with webvtt-py 0.6.0): its lenient mode
accepts Whisper's timestamps without an hour (`05:06.740`) and with a one-digit hour (`1:22:35.240`),
but silently drops a cue whose timing line does not parse; its strict mode reports such a cue but
rejects one-digit hours; and neither tells on which line a cue or a problem is, which every segment
and error here needs. So the blocks are split here, by the same rules webvtt-py and the WebVTT spec
use: blocks end at a blank line, a `-->` line that cannot be the current block's timing line starts a
new block, and NOTE, STYLE and REGION blocks are skipped.

Cue text: `<v Name>` voice spans (closed or not) give the speaker, and a cue without one continues the
current turn; every other tag (`<c.yellow>`, `<i>`, `<b>`, karaoke `<00:00:01.000>`) is removed and its
text kept; character references (`&amp;`, `&lt;`, ...) are unescaped, since VTT escapes them.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..errors import ArchiveError
from ..model import Transcript
from .cues import Cue, is_timing_line, merge_cues, parse_timing

_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_SKIPPED_BLOCK = re.compile(r"^(?:NOTE(?:[ \t].*)?|STYLE[ \t]*|REGION[ \t]*)$")
_TAG = re.compile(r"<([^<>]*)>")
_VOICE = re.compile(r"^v(?:\.[^\s>]+)*(?:[ \t]+(?P<name>.*))?$", re.DOTALL)
_EXAMPLE = "00:01:02.500 --> 00:01:05.000"

Line = tuple[int, str]  # (line number, text)


def read(path: Path, source: str, text: str) -> Transcript:
    transcript = Transcript(path=path, source=source, format="webvtt")
    transcript.segments = merge_cues(parse_cues(path, text))
    return transcript


def parse_cues(path: Path, text: str) -> list[Cue]:
    """Every cue of the file, one per voice span, with the line its text is on."""
    lines = text.removeprefix("\ufeff").split("\n")
    if not _HEADER.match(lines[0].rstrip()):
        raise ArchiveError(path, 1, "a WebVTT file must start with the line `WEBVTT`; add it as the first line "
                                    "(or, for SubRip subtitles, name the file .srt)")
    cues: list[Cue] = []
    previous: tuple[float, float] | None = None
    for block in _blocks(lines):
        first_no, first = block[0]
        if _SKIPPED_BLOCK.match(first.strip()):
            continue
        if is_timing_line(first):
            timing, payload = block[0], block[1:]
        elif len(block) > 1 and is_timing_line(block[1][1]):
            timing, payload = block[1], block[2:]  # the first line is the cue's identifier
        elif previous is not None and not any(is_timing_line(line) for _, line in block):
            # A blank line inside a cue's text (invalid, but some editors write it): keep the words.
            cues += _voice_cues(block, *previous)
            continue
        else:
            bad = next(((no, line) for no, line in block if is_timing_line(line)), None)
            if bad is not None:
                raise ArchiveError(path, bad[0], f"`{bad[1].strip()}` is not where a cue timing line can be; "
                                                 "a cue is an optional identifier line, the timing line "
                                                 f"`{_EXAMPLE}`, then its text")
            raise ArchiveError(path, first_no, "this block is not a cue: a cue starts with a timing line like "
                                               f"`{_EXAMPLE}` (optionally after an identifier line); add one, "
                                               "or start the block with NOTE to keep it as a comment")
        line_no, line = timing
        try:
            start, end, _settings = parse_timing(line, _EXAMPLE)
        except ValueError as error:
            raise ArchiveError(path, line_no, str(error)) from None
        previous = (start, end)
        cues += _voice_cues(payload, start, end)
    return cues


def _blocks(lines: list[str]) -> list[list[Line]]:
    """Blocks after the header, split at blank lines and at a timing line that starts a new cue."""
    index = 1
    # The header block (metadata such as `Kind: captions`) ends at a blank line, or at a first cue
    # written without one.
    while index < len(lines) and lines[index].strip() and "-->" not in lines[index]:
        index += 1
    blocks: list[list[Line]] = []
    block: list[Line] = []
    for number in range(index, len(lines)):
        line = lines[number]
        if not line.strip():
            if block:
                blocks.append(block)
            block = []
            continue
        if block and "-->" in line and (len(block) > 1 or "-->" in block[0][1]):
            # A timing line inside a cue's text starts the next cue (a missing blank line).
            blocks.append(block)
            block = []
        block.append((number + 1, line))
    if block:
        blocks.append(block)
    return blocks


def _voice_cues(payload: list[Line], start: float, end: float) -> list[Cue]:
    """The cue's text split at voice changes: `<v Ann>Yes.</v> <v Bob>No.</v>` gives two cues."""
    pieces: list[list] = []  # [voice, [texts], line]
    voice: str | None = None
    for line_no, line in payload:
        position = 0
        for match in [*_TAG.finditer(line), None]:
            chunk = line[position:match.start()] if match else line[position:]
            if chunk:
                if not pieces or pieces[-1][0] != voice:
                    pieces.append([voice, [], line_no])
                pieces[-1][1].append(chunk)
            if match is None:
                break
            position = match.end()
            tag = match.group(1).strip()
            voice_tag = _VOICE.match(tag)
            if voice_tag:
                name = " ".join(html.unescape(voice_tag.group("name") or "").split())
                voice = name or None
            elif tag == "/v":
                voice = None
        if pieces:
            pieces[-1][1].append(" ")  # a line break in a cue is a space in the paragraph
    cues = []
    for piece_voice, texts, line_no in pieces:
        text = " ".join(html.unescape("".join(texts)).split())
        if text:
            cues.append(Cue(text, piece_voice, start, end, line_no))
    return cues

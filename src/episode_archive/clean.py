"""Cleaning: fix mojibake, decide which labels are speakers, and reflow lines into paragraphs.

Labels need evidence before they become people: a label that recurs in the transcript, or that
names a speaker the metadata already knows. "Note: this is..." said once stays a sentence.
"""

from __future__ import annotations

import dataclasses
import re

import ftfy

from .model import Segment, Transcript

PARAGRAPH_WORDS = 120
# Labels that introduce a remark, not a person.
NOT_SPEAKERS = frozenset({"note", "notes", "update", "edit", "example", "warning", "disclaimer", "summary",
                          "correction", "source", "sources", "link", "links", "tip", "ps", "p.s"})
# ftfy repairs mojibake; everything else it could do (uncurling quotes, unescaping HTML entities,
# changing widths) would alter what the speaker typed, so it stays off.
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization="NFC",
)


def fix_text(text: str) -> str:
    # With only mojibake repair and NFC on, ASCII text has nothing to fix, and most lines are ASCII.
    return text if text.isascii() else ftfy.fix_text(text, _FTFY)


_GENERIC_LABEL = re.compile(r"^(speaker[ _-]?(\d+|[a-z])|spk[ _-]?\d+|(unknown|unidentified|new|other)( speaker)?)$",
                            re.IGNORECASE)


def is_generic_label(name: str) -> bool:
    """Diarization labels (`SPEAKER_00`, `Speaker 1`, `Unknown`, `New Speaker`) name no person of their own."""
    return bool(_GENERIC_LABEL.match(name.strip()))


def clean(transcript: Transcript, known_speakers: list[str],
          speaker_map: dict[str, str] | None = None) -> Transcript:
    """Return the transcript with repaired text, resolved speaker labels and reflowed paragraphs.

    `speaker_map` (from a sidecar or the catalogue) renames labels such as SPEAKER_00 to people.
    """
    if transcript.markdown_body is not None:
        return dataclasses.replace(transcript, markdown_body=fix_text(transcript.markdown_body))
    mapping = {label.casefold(): name for label, name in (speaker_map or {}).items()}
    segments = [dataclasses.replace(s, text=fix_text(s.text),
                                    speaker=mapping.get(s.speaker.casefold(), s.speaker) if s.speaker else None)
                for s in transcript.segments]
    if transcript.labels_need_evidence:
        segments = _resolve_labels(segments, known_speakers + list(mapping.values()))
    return dataclasses.replace(transcript, segments=_reflow(segments))


def speaker_labels(transcript: Transcript) -> list[str]:
    """The speakers of a cleaned transcript's turns, in order of first appearance."""
    names: list[str] = []
    for segment in transcript.segments:
        if segment.speaker and segment.speaker not in names and not is_generic_label(segment.speaker):
            names.append(segment.speaker)
    return names


def _resolve_labels(segments: list[Segment], known_speakers: list[str]) -> list[Segment]:
    counts: dict[str, int] = {}
    for segment in segments:
        if segment.speaker:
            counts[segment.speaker.casefold()] = counts.get(segment.speaker.casefold(), 0) + 1
    known = {name.casefold(): name for name in known_speakers}
    # Once a transcript is evidently turn-based (some label recurs), a name-like label said once is a
    # guest with one turn; words like "Note" or "Update" still never become people.
    turn_based = any(count >= 2 for count in counts.values())
    resolved: list[Segment] = []
    current: str | None = None
    for segment in segments:
        if segment.kind == "heading":
            resolved.append(segment)
            continue
        label = segment.speaker
        if label is not None:
            key = label.casefold()
            if key in known:
                current = known[key]
            elif counts[key] >= 2 or (turn_based and name_like(label)):
                current = label
            else:
                # Not enough evidence: put the words back as they were written.
                resolved.append(dataclasses.replace(segment, text=f"{label}: {segment.text}", speaker=current))
                continue
            resolved.append(dataclasses.replace(segment, speaker=current))
        else:
            # An unlabelled paragraph continues the current speaker's turn.
            resolved.append(dataclasses.replace(segment, speaker=current))
    return resolved


# A word of a name; a comma may end one before a title ("Mireille B. Reece, Psy.D", "King, Jr.").
_NAME_WORD = re.compile(r"^[^\W\d_][\w.'’-]*,?$")


def name_like(label: str) -> bool:
    """One to four capitalised words, not a word such as "Note" that introduces a remark."""
    words = label.split()
    return (0 < len(words) <= 4 and all(_NAME_WORD.match(word) and word[0].isupper() for word in words)
            and label.casefold() not in NOT_SPEAKERS)


def _reflow(segments: list[Segment]) -> list[Segment]:
    """Join one-sentence-per-line blocks into paragraphs of about PARAGRAPH_WORDS words."""
    paragraphs: list[Segment] = []
    for segment in segments:
        if segment.kind != "text":
            paragraphs.append(segment)
            continue
        current: list[str] = []
        words = 0
        for line in segment.text.split("\n"):
            line = " ".join(line.split())
            if not line:
                continue
            current.append(line)
            words += len(line.split())
            if words >= PARAGRAPH_WORDS:
                paragraphs.append(dataclasses.replace(segment, text=" ".join(current)))
                current, words = [], 0
        if current:
            paragraphs.append(dataclasses.replace(segment, text=" ".join(current)))
    return paragraphs

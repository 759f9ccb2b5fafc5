"""Curated Markdown with YAML front matter: the body is Markdown by design and stays Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import frontmatter

from ..clean import name_like
from ..errors import ArchiveError
from ..model import SourceField, Transcript
from ..yamlio import load_mapping

_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$")
# "**Name:** text" or "**Name**: text" at the start of a paragraph: a speaker turn in curated transcripts.
BOLD_LABEL = re.compile(r"^\*\*(?P<name>[^*\n:]{1,60}?)(?::\*\*|\*\*:)[ \t]", re.MULTILINE)
# Labels transcripts use for breaks and cues, and question/answer roles: never people.
NOT_PEOPLE = frozenset({"break", "jingle", "intro", "outro", "music", "ad", "ads", "sponsor", "sponsors",
                        "transcript", "q", "a", "question", "answer", "audience", "host", "guest", "both", "all",
                        "everyone", "multiple", "crosstalk", "unknown"})


def read(path: Path, source: str, text: str) -> Transcript:
    transcript = Transcript(path=path, source=source, format="markdown")
    body = text
    body_first_line = 1
    if text.startswith("---\n") or text == "---":
        handler = frontmatter.YAMLHandler()
        try:
            front, body = handler.split(text)
        except ValueError:
            raise ArchiveError(path, 1, "front matter starts with `---` but is never closed; add a `---` line "
                                        "after the metadata") from None
        transcript.front_matter = load_mapping(front, path, first_line=1)
        body_first_line = text[: len(text) - len(body)].count("\n") + 1
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        h1 = _H1.match(lines[first].strip())
        if h1:
            # A leading H1 is the page title; the page renders its own, so keep one.
            transcript.header["title"] = SourceField(h1.group(1), path, body_first_line + first)
            body = "\n".join(lines[first + 1:]).strip("\n")
    transcript.markdown_body = body.strip("\n")
    transcript.turn_speakers = turn_speakers(transcript.markdown_body)
    return transcript


def turn_speakers(body: str) -> list[str]:
    """Names of the bold speaker labels in a Markdown body, in order of first appearance.

    A label counts when it names a person (one to four capitalised words) and is not a cue such as
    **Break:**; "Note:" and the like never count.
    """
    names: list[str] = []
    for match in BOLD_LABEL.finditer(body):
        name = " ".join(match.group("name").split())
        if name not in names and name_like(name) and name.casefold() not in NOT_PEOPLE:
            names.append(name)
    return names

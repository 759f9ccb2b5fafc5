"""Curated Markdown with YAML front matter: the body is Markdown by design and stays Markdown."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import frontmatter

from ..clean import is_generic_label, name_like
from ..errors import ArchiveError
from ..model import SourceField, Transcript
from ..names import name_key
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


# "Name: text", or "Name (Initials): text", at the start of a line: how many curated transcripts label
# turns. Unlike a bold label such a line may be prose ("Background: ..."), so it counts only with
# evidence (`plain_labels`).
PLAIN_LABEL = re.compile(r"^(?P<name>[^\W\d_][\w.'’-]*(?: [\w.'’-]+){0,4}?)"
                         r"(?: \((?P<short>[^\W\d_][\w.'’-]{0,7})\))?:(?=[ \t]|$)", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)


def plain_label_matches(body: str) -> Iterator[re.Match[str]]:
    """`PLAIN_LABEL` at line starts outside fenced code blocks."""
    fenced: list[tuple[int, int]] = []
    opened: re.Match[str] | None = None
    for fence in _FENCE.finditer(body):
        if opened is None:
            opened = fence
        elif fence.group(1) == opened.group(1):
            fenced.append((opened.start(), fence.end()))
            opened = None
    if opened is not None:
        fenced.append((opened.start(), len(body)))
    for match in PLAIN_LABEL.finditer(body):
        if not any(start <= match.start() < end for start, end in fenced):
            yield match


def label_name(match: re.Match[str]) -> str:
    """The name of a `BOLD_LABEL` or `PLAIN_LABEL` match, its spaces collapsed."""
    return " ".join(match.group("name").split())


def plain_labels(body: str, speakers: list[str], resolve: Callable[[str], str | None]) -> dict[str, str | None]:
    """The plain labels (`Name:`) of a curated body that start turns: each as written, to its speaker's
    name, or None for a turn label that names nobody the archive knows.

    A label names a speaker when it is one of the episode's `speakers` (any spelling of the name), a
    name the archive resolves (`resolve`: a people.yml name or alias, a speaker's first name), the
    initials an introduction gives one ("Aaron van Wirdum (AvW):" makes "AvW:" his), the initials of
    exactly one speaker ("SP:" for Sjors Provoost), or a full name that labels two turns or more. A
    single word that labels two turns or more ("Murch:", a nickname) starts turns but names nobody:
    people.yml can make it an alias. Anything else ("Background:", "Senator Black:" said once) is text.
    """
    found = [(label_name(match), match.group("short")) for match in plain_label_matches(body)]
    if not found:
        return {}
    known = {name_key(name): name for name in speakers}
    initials: dict[str, str | None] = {}
    for name in speakers:
        short = "".join(part[0] for part in name.split())
        initials[short] = None if short in initials else name
    counts = Counter(name for name, _ in found)
    nobody = ""  # a turn label, no person

    def speaker(name: str) -> str | None:
        if name_key(name) in known:
            return known[name_key(name)]
        if (resolved := resolve(name)) is not None:
            return resolved
        if name in initials or _looks_like_initials(name):
            return initials.get(name)  # None when two speakers share them, or no speaker has them
        if counts[name] >= 2 and name_like(name) and name.casefold() not in NOT_PEOPLE and not is_generic_label(name):
            return name if " " in name else nobody
        return None

    # Each label decided once (a long conversation repeats its few labels hundreds of times).
    decided = {name: speaker(name) for name in counts}
    labels: dict[str, str | None] = {}
    for name, short in dict.fromkeys(found):
        if short and decided[name]:
            labels.setdefault(short, decided[name])  # an introduction names the initials used from then on
    for name, named in decided.items():
        if name not in labels and named is not None:
            labels[name] = named or None
    return labels


def _looks_like_initials(label: str) -> bool:
    """"AvW", "SP", "AA": initials, never a person's name of their own."""
    return " " not in label and len(label) <= 4 and sum(char.isupper() for char in label) >= 2


def turn_speakers(body: str) -> list[str]:
    """Names of the bold speaker labels in a Markdown body, in order of first appearance.

    A label counts when it names a person (one to four capitalised words) and is not a cue such as
    **Break:**; "Note:" and the like never count.
    """
    names: list[str] = []
    for match in BOLD_LABEL.finditer(body):
        name = label_name(match)
        if name not in names and name_like(name) and name.casefold() not in NOT_PEOPLE:
            names.append(name)
    return names

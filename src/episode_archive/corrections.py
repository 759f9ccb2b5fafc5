"""The corrections glossary, `episodes/corrections.yml`: fixes for errors a transcriber makes again and again.

```yaml
# whole words or phrases, case-aware; per archive, or per show
corrections:
  Shorji: shogi
  agentic Reuters: agentic routers
shows:
  "Open Source Hour":
    get hub: GitHub
```

Speech-to-text tools mishear the same jargon in every episode ("Shorji" for "shogi"); fixing it once in
a glossary beats editing every transcript, and keeps the transcripts as the tool wrote them.

Rules, each chosen so that a correction can never damage text it was not written for:

- Whole words only: no letter, digit or underscore (in any script) may touch the match on either side,
  so `Shorji` never changes `Shorjis`, but does change `Shorji's` and `Shorji-style`. A space in a phrase
  matches any run of spaces or tabs with at most one line break, so a phrase wrapped across two lines of
  a Markdown paragraph is still found, but never one split by a blank line.
- Matching ignores case; the replacement follows the case of what was found: found exactly as the glossary
  writes the phrase, or in lower case -> the replacement as written; in CAPITALS -> the replacement in
  capitals; with a capital first letter where the glossary's phrase has none (a sentence start) -> the
  replacement with its first letter capitalised. Write a phrase in lower case unless it is a name.
- Leftmost, then longest: where phrases overlap, the one that starts first wins, and of those starting at
  the same place the longest (`pool request` beats `pool`).
- One pass: a replacement is never corrected again, so `A: B` and `B: C` do not chain.
- A show's own entries apply only to its episodes, and replace an archive-wide entry for the same phrase.
- URLs and e-mail addresses are never changed; in Markdown neither are code spans, fenced code blocks,
  raw HTML tags and comments, link targets, reference labels and attribute lists (`{#id}`). Indented code
  blocks are not recognised (telling them from an indented list paragraph needs a full parser): fence code.

Text must be NFC (as `clean.fix_text` leaves it): the glossary is NFC-normalised when read.
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import ArchiveError, Problem
from .model import SourceField, Transcript
from .textio import read_text
from .yamlio import load_mapping

CORRECTIONS_FILE = "corrections.yml"
_KEYS = ("corrections", "shows")
_SHAPE = ("corrections.yml has `corrections:` (wrong phrase: right phrase, e.g. `pool request: pull request`) "
          "and `shows:` (a show's name, then its own `wrong phrase: right phrase` lines)")

# A "word character" for the whole-word rule: Python's Unicode \w plus combining marks, so that a
# decomposed accent after a phrase still counts as part of the word.
_WORD = r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
# Between two words of a phrase: spaces or tabs with at most one line break (never a paragraph break).
_GAP = r"(?:[^\S\n]+\n?[^\S\n]*|\n[^\S\n]*)"
_SPACES = re.compile(r"\s+")

# Never corrected, in any text: a URL or an e-mail address names something, it does not transcribe speech.
_URL = r"(?<![\w@])(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"]*"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_PLAIN_PROTECTED = re.compile(f"{_URL}|{_EMAIL}", re.IGNORECASE)

# Never corrected in Markdown, besides URLs: what a reader does not see as prose, or what a link depends on.
_MARKDOWN_PROTECTED = re.compile(
    r"""
      (?<![`\\])(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`)   # `code span`, ``co`de``
    | <!--.*?-->                                                              # HTML comment
    | <(?P<raw>code|pre|script|style|kbd|samp)\b[^>]*>.*?</(?P=raw)\s*>       # raw HTML code
    | </?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>                                # an HTML tag and its attributes
    | <[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>                                 # <https://autolink>
    | <[^\s<>@]+@[^\s<>]+>                                                    # <mail@autolink>
    | \]\((?:[^()\s]|\([^()\s]*\))*                                           # ](link target
    | \]\[[^\]\n]*\]                                                          # ][reference label]
    | ^[ ]{0,3}(?:>[ ]?)*\[[^\]\n]+\]:[ \t]*\S+                               # [label]: definition
    | \{:?[ \t]*[#.][^}\n]*\}                                                 # {#attr .list}
    | """ + _URL + r"""
    | """ + _EMAIL + r"""
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE | re.IGNORECASE,
)
_FENCE_OPEN = re.compile(r"^[ \t>]*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_REFERENCE_DEFINITION = re.compile(r"^[ ]{0,3}(?:>[ ]?)*\[(?P<label>[^\]\n]+)\]:", re.MULTILINE)
_SHORTCUT_REFERENCE = re.compile(r"(?<![\]\\])\[(?P<label>[^\[\]\n]+)\](?!\(|:|\[[^\]])")


@dataclass(frozen=True)
class Correction:
    """One glossary entry: a misheard phrase, what to write instead, and where the entry is written."""

    phrase: str
    replacement: str
    show: str | None
    path: Path
    line: int

    @property
    def key(self) -> str:
        """The entry's name in the counters `apply` returns: the phrase, with its show for a show's entry.

        A show may correct a phrase the archive also corrects; the key keeps the two apart in a report.
        """
        return self.phrase if self.show is None else f"{self.phrase} [{self.show}]"

    @property
    def description(self) -> str:
        where = "" if self.show is None else f' (show "{self.show}")'
        return f"{self.phrase} -> {self.replacement}{where}"


@dataclass
class _Compiled:
    """One show's glossary as one regex: a trie of every phrase, so a text is scanned once."""

    pattern: re.Pattern[str] | None
    entries: dict[str, Correction]  # _match_key(phrase) -> entry


@dataclass
class Glossary:
    """Every correction in corrections.yml, archive-wide entries first, each scope in file order."""

    entries: list[Correction] = field(default_factory=list)
    path: Path | None = None
    _compiled: dict[str | None, _Compiled] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def shows(self) -> list[str]:
        """The shows that have entries of their own, as written in the glossary."""
        names: list[str] = []
        for entry in self.entries:
            if entry.show is not None and entry.show not in names:
                names.append(entry.show)
        return names

    def apply(self, text: str, show: str | None = None) -> tuple[str, Counter[str]]:
        """Correct plain text (a segment, a heading); URLs and e-mail addresses are left as they are.

        Returns the corrected text and how often each entry applied, by `Correction.key`.
        """
        compiled = self._for_show(show)
        counts: Counter[str] = Counter()
        if compiled.pattern is None or not text:
            return text, counts
        protected = _spans(_PLAIN_PROTECTED.finditer(text))
        return _substitute(compiled, text, protected, counts), counts

    def apply_markdown(self, body: str, show: str | None = None) -> tuple[str, Counter[str]]:
        """Correct a curated Markdown body, never touching code, raw HTML, link targets or URLs.

        Correcting inside a code block would change code a reader may copy; inside a link target or a
        reference label it would break the link.
        """
        compiled = self._for_show(show)
        counts: Counter[str] = Counter()
        if compiled.pattern is None or not body:
            return body, counts
        return _substitute(compiled, body, _markdown_protected(body), counts), counts

    def apply_transcript(self, transcript: Transcript, show: str | None = None) -> tuple[Transcript, Counter[str]]:
        """Correct a cleaned transcript: its Markdown body, or the text of every segment (never speaker labels).

        Call it after `clean.clean`, which repairs the text (NFC) and joins the lines of a paragraph, so a
        phrase split across two lines of the file is found.
        """
        counts: Counter[str] = Counter()
        if not self.entries:
            return transcript, counts
        if transcript.markdown_body is not None:
            body, counts = self.apply_markdown(transcript.markdown_body, show)
            return replace(transcript, markdown_body=body), counts
        segments = []
        for segment in transcript.segments:
            text, found = self.apply(segment.text, show)
            counts.update(found)
            segments.append(segment if not found else replace(segment, text=text))
        return replace(transcript, segments=segments), counts

    def report(self, counts: Mapping[str, Counter[str]] | Counter[str], root: Path | None = None) -> list[str]:
        """One line per entry, in glossary order: how often it applied and where, or that it never did.

        `counts` is either one file's (or the whole archive's) Counter from `apply`, or a mapping from each
        file (its path as it should be printed) to that file's Counter. Entries that never applied are
        listed with their line in corrections.yml (relative to `root` when given), so stale ones can go:
        `Shorji -> shogi: 1 (episodes/2026-02-25-sam-marks.txt)`,
        `pool request -> pull request: 3 (episodes/a.txt: 2, episodes/b.txt: 1)`,
        `cube control -> kubectl: never applied (episodes/corrections.yml:9)`.
        """
        per_file = _per_file(counts)
        lines = []
        for entry in self.entries:
            where = [(name, found[entry.key]) for name, found in per_file if found.get(entry.key)]
            total = sum(n for _, n in where)
            if not total:
                location = "corrections.yml" if self.path is None else _shown(entry.path, root)
                lines.append(f"{entry.description}: never applied ({location}:{entry.line})")
            elif len(where) == 1 and where[0][0]:
                lines.append(f"{entry.description}: {total} ({where[0][0]})")
            elif all(name for name, _ in where):
                files = ", ".join(f"{name}: {n}" for name, n in where)
                lines.append(f"{entry.description}: {total} ({files})")
            else:
                lines.append(f"{entry.description}: {total}")
        return lines

    def unknown_show_problems(self, known_shows: Iterable[str]) -> list[Problem]:
        """A show in the glossary that no episode has: a typo there silently disables its entries."""
        known = {_show_key(show) for show in known_shows}
        problems = []
        for show in self.shows:
            if _show_key(show) not in known:
                entry = next(e for e in self.entries if e.show == show)
                problems.append(Problem(entry.path, entry.line, f"show {show!r} has corrections but no episode "
                                                                 "of that show; check its name"))
        return problems

    def _for_show(self, show: str | None) -> _Compiled:
        key = None if show is None else _show_key(show)
        if key not in self._compiled:
            chosen: dict[str, Correction] = {}
            for entry in self.entries:
                if entry.show is None:
                    chosen.setdefault(_match_key(entry.phrase), entry)
            for entry in self.entries:
                if entry.show is not None and _show_key(entry.show) == key:
                    chosen[_match_key(entry.phrase)] = entry  # a show's own entry wins
            self._compiled[key] = _Compiled(_compile(list(chosen)) if chosen else None, chosen)
        return self._compiled[key]


def load_corrections(path: Path, episodes_dir: Path) -> Glossary:
    """Read corrections.yml if it exists; an absent file is an empty glossary.

    Every mistake is an `ArchiveError` naming the line and what to write, because a wrong entry would
    otherwise quietly never apply (or apply where it should not).
    """
    if not path.is_file():
        return Glossary([], path)
    fields = load_mapping(read_text(path, inside=episodes_dir), path)
    for name, source in fields.items():
        if name not in _KEYS:
            hint = (f"; to correct {name!r}, indent it under `corrections:`"
                    if isinstance(source.value, str) else "")
            raise ArchiveError(path, source.line, f"unknown key {name!r}{hint}; {_SHAPE}")
    entries: list[Correction] = []
    corrections = fields.get("corrections")
    if corrections is not None:
        entries.extend(_entries(corrections, "", None))
    shows = fields.get("shows")
    if shows is not None and shows.value is not None:
        if not isinstance(shows.value, dict):
            raise ArchiveError(path, shows.line, "shows: expected a show's name, then its corrections indented "
                                                 "below it, e.g.\nshows:\n  \"Open Source Hour\":\n    get hub: GitHub")
        seen: dict[str, tuple[str, int]] = {}
        for raw_show, value in shows.value.items():
            line, written = _key_line(shows, "", raw_show)
            show = _text(raw_show, path, line, "a show's name", written)
            if _show_key(show) in seen:
                first, first_line = seen[_show_key(show)]
                raise ArchiveError(path, line, f"show {show!r} is already listed as {first!r} (line {first_line}); "
                                               "merge their corrections under one name")
            seen[_show_key(show)] = (show, line)
            entries.extend(_entries(SourceField(value, path, line, shows.key_lines), raw_show, show))
    return Glossary(entries, path)


def _entries(source: SourceField, prefix: str, show: str | None) -> list[Correction]:
    """The `phrase: replacement` lines of one scope (the archive's, or one show's)."""
    path, value = source.path, source.value
    what = "corrections" if show is None else f"show {show!r}"
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ArchiveError(path, source.line, f"{what}: expected `wrong phrase: right phrase` lines indented "
                                              "below it, e.g. `pool request: pull request`")
    entries: list[Correction] = []
    seen: dict[str, Correction] = {}
    for raw_phrase, raw_replacement in value.items():
        line, written = _key_line(source, prefix, raw_phrase)
        phrase = _text(raw_phrase, path, line, "a phrase to correct", written)
        if not any(char.isalnum() for char in phrase):
            raise ArchiveError(path, line, f"{phrase!r} has no letter or digit; corrections are for words")
        if raw_replacement is None:
            raise ArchiveError(path, line, f"{phrase!r} has no replacement; write `{phrase}: right phrase`")
        if isinstance(raw_replacement, (dict, list)):
            raise ArchiveError(path, line, f"the replacement for {phrase!r} must be text, not a "
                                           f"{'mapping' if isinstance(raw_replacement, dict) else 'list'}; "
                                           f"write `{phrase}: right phrase`")
        replacement = _text(raw_replacement, path, line, f"the replacement for {phrase!r}")
        if replacement == phrase:
            raise ArchiveError(path, line, f"{phrase!r} is replaced by itself; remove the line")
        key = _match_key(phrase)
        if key in seen:
            first = seen[key]
            raise ArchiveError(path, line, f"{phrase!r} is already corrected on line {first.line} as "
                                           f"{first.phrase!r} (matching ignores case); keep one of them")
        entry = Correction(phrase, replacement, show, path, line)
        seen[key] = entry
        entries.append(entry)
    return entries


def _text(value: Any, path: Path, line: int, what: str, written: str | None = None) -> str:
    """NFC text with its whitespace collapsed, or an error saying how to quote it."""
    if not isinstance(value, str):
        if isinstance(value, bool):
            hint = " (YAML reads yes/no/on/off/true/false as true or false)"
        elif isinstance(value, (int, float)):
            hint = " (YAML reads it as a number)"
        else:
            hint = ""
        raise ArchiveError(path, line, f"{what} is not text: {value!r}{hint}; quote it: \"{written or value}\"")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        raise ArchiveError(path, line, f"{what} is empty; write the words, or remove the line")
    return text


def _key_line(source: SourceField, prefix: str, raw_key: Any) -> tuple[int, str]:
    """The file line of a nested key, from `SourceField.key_lines` (dotted paths of the keys as written,
    below the top-level key: `Shorji`, `Open Source Hour.get hub`).

    A key YAML turned into a bool or a number (`yes:`, `1:`) is found by reading each written key back.
    Returns the line and the key as written.
    """
    start = f"{prefix}." if prefix else ""
    line = source.key_lines.get(f"{start}{raw_key}")
    if line is not None and isinstance(raw_key, str):
        return line, raw_key
    for dotted, candidate in source.key_lines.items():
        if not dotted.startswith(start):
            continue
        written = dotted[len(start):]
        try:
            parsed = yaml.safe_load(written)
        except yaml.YAMLError:
            continue
        if type(parsed) is type(raw_key) and parsed == raw_key:
            return candidate, written
    return (line if line is not None else source.line), str(raw_key)


def _show_key(show: str) -> str:
    return " ".join(unicodedata.normalize("NFC", show).split()).casefold()


def _match_key(text: str) -> str:
    """What a phrase and a match of it share: words joined by one space, in lower case (as `re.I` compares)."""
    return " ".join(text.split()).lower()


def _compile(keys: list[str]) -> re.Pattern[str]:
    """One regex for a whole glossary: a trie of the phrases, so each position is tried once, not per entry.

    An alternation of 1,000 phrases would try every phrase at every word; the trie tries one branch per
    character. A phrase that ends where a longer one continues is an optional group, greedy, so the
    longest phrase is tried first and a shorter one is the fallback when the longer one does not end on
    a word boundary.
    """
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = True
    return re.compile(f"(?<!{_WORD})(?:{_trie_regex(trie)})(?!{_WORD})", re.IGNORECASE)


def _trie_regex(node: dict[str, Any]) -> str:
    branches = [(_GAP if char == " " else re.escape(char)) + _trie_regex(child)
                for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _substitute(compiled: _Compiled, text: str, protected: list[tuple[int, int]], counts: Counter[str]) -> str:
    assert compiled.pattern is not None
    starts = [start for start, _ in protected]

    def fix(match: re.Match[str]) -> str:
        found = match.group()
        if protected:
            index = bisect.bisect_right(starts, match.start()) - 1
            if (index >= 0 and protected[index][1] > match.start()) or (
                    index + 1 < len(protected) and protected[index + 1][0] < match.end()):
                return found
        entry = compiled.entries.get(_match_key(found)) or _fallback(compiled, found)
        if entry is None:
            return found
        counts[entry.key] += 1
        return _restyle(found, entry)

    return compiled.pattern.sub(fix, text)


def _fallback(compiled: _Compiled, found: str) -> Correction | None:
    """The entry for a match whose lower case differs from the phrase's (`re.I` also folds ſ to s, K to k)."""
    for key, entry in compiled.entries.items():
        if re.fullmatch(_GAP.join(re.escape(word) for word in key.split(" ")), found, re.IGNORECASE):
            return entry
    return None


def _restyle(found: str, entry: Correction) -> str:
    """The replacement in the case pattern of what was found, keeping line breaks inside the match."""
    replacement = entry.replacement
    words = " ".join(found.split())
    if words == entry.phrase or found == found.lower():
        styled = replacement
    elif found == found.upper() and sum(char.isupper() for char in found) >= 2:
        styled = replacement.upper()
    elif _first_letter(found).isupper() and not _first_letter(entry.phrase).isupper():
        styled = _capitalise(replacement)
    else:
        styled = replacement
    gaps = _SPACES.findall(found)
    if all(gap == " " for gap in gaps):
        return styled
    parts = styled.split(" ")
    if len(parts) != len(gaps) + 1:
        return styled
    return "".join(part + gap for part, gap in zip(parts, [*gaps, ""], strict=True))


def _first_letter(text: str) -> str:
    return next((char for char in text if char.isalpha()), "")


def _capitalise(text: str) -> str:
    """Upper-case the first letter only: `agentic routers` -> `Agentic routers`, `iOS` -> `IOS`."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1:]
    return text


def _spans(matches: Iterable[re.Match[str]]) -> list[tuple[int, int]]:
    return [match.span() for match in matches]


def _markdown_protected(body: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans of a Markdown body that corrections must not touch."""
    spans: list[tuple[int, int]] = []
    labels = {_match_key(m.group("label")) for m in _REFERENCE_DEFINITION.finditer(body)}
    position = 0
    for start, end in _fences(body):
        spans.extend(_inline_protected(body, position, start, labels))
        spans.append((start, end))
        position = end
    spans.extend(_inline_protected(body, position, len(body), labels))
    return _merge(spans)


def _inline_protected(body: str, start: int, end: int, labels: set[str]) -> list[tuple[int, int]]:
    """Protected spans between two fenced blocks (code spans never pair a backtick across a fence)."""
    if start >= end:
        return []
    part = body[start:end]
    spans = [(start + a, start + b) for a, b in _spans(_MARKDOWN_PROTECTED.finditer(part))]
    if labels:
        # `[label]` alone is a link when a definition names it: correcting the label would unlink it.
        spans.extend((start + m.start(), start + m.end()) for m in _SHORTCUT_REFERENCE.finditer(part)
                     if _match_key(m.group("label")) in labels)
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlaps joined, so one bisect finds whether a match touches any of them."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _fences(body: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks (``` or ~~~, also in lists and quotes); an unclosed fence runs to the end."""
    fences: list[tuple[int, int]] = []
    offset = 0
    opening: tuple[int, str] | None = None
    for line in body.splitlines(keepends=True):
        content = line.rstrip("\n")
        if opening is None:
            match = _FENCE_OPEN.match(content)
            if match and not (match.group("fence")[0] == "`" and "`" in match.group("info")):
                opening = (offset, match.group("fence"))
        else:
            start, fence = opening
            stripped = content.lstrip(" \t>").rstrip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fences.append((start, offset + len(content)))
                opening = None
        offset += len(line)
    if opening is not None:
        fences.append((opening[0], len(body)))
    return fences


def _per_file(counts: Mapping[str, Counter[str]] | Counter[str]) -> list[tuple[str, Counter[str]]]:
    """Normalise `report`'s input to (file, counter) pairs; an unnamed file is ""."""
    if counts and all(isinstance(value, Mapping) for value in counts.values()):
        return [(str(name), found) for name, found in counts.items()]  # type: ignore[misc]
    return [("", Counter(counts))]  # type: ignore[arg-type]


def _shown(path: Path, root: Path | None) -> str:
    return os.path.relpath(path, root) if root is not None else str(path)

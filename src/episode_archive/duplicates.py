"""One episode, two files: find transcripts that are copies of one recording and publish only one of them.

People drop in everything their tools produced: `talk.vtt` and `talk.srt` of one recording, Whisper runs
with several models (`talk_small.vtt`, `talk_large-v3.vtt`, `talk.en.vtt`), a `talk.txt` beside the
curated `talk.md`, or the same file under two names. Publishing each would give one episode several
pages (or a slug collision); instead one copy is kept and every other copy is reported, so the user
can delete it or say it is a different episode.

Two files are the same episode when, in the same folder, their names differ only by the extension and
known variant suffixes (a Whisper model `_tiny _base _small _medium _large _large-v3 _large-v3-turbo
_turbo`, after `_`, `-` or `.`, and a `.en` language or English-only model suffix; letter case never
matters), or when their bytes are identical (sha256) and neither has a sidecar or catalogue row.
Files whose explicit slugs (front matter, sidecar or catalogue `slug:`) differ are never the same
episode: a slug is the user saying "this is its own page".

Which copy is kept, first rule that differs wins (`PRECEDENCE`):

1. the format: curated Markdown (`.md` with front matter) > `.vtt` > `.srt` > `.json` > Markdown without
   front matter > `.txt`. Curated Markdown is what a person edited; subtitles carry timings and voices;
   plain text carries neither.
2. the Whisper model, within one format: the name without a model suffix (the name a person gave it)
   > large (newer version first: large-v3 > large-v2 > large) > turbo > medium > small > base > tiny.
3. an English-only model (`small.en`) over the multilingual one of the same size.
4. the plainer name (fewer variant suffixes), then the first in the order the paths were given.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter

from . import metadata
from .cache import FileDigests, code_digest
from .errors import ArchiveError, Problem
from .readers import EXTENSIONS
from .textio import MAX_TRANSCRIPT_BYTES, FolderFiles, read_text, relative_name
from .yamlio import load_mapping

PRECEDENCE = ("curated Markdown (.md with front matter)", ".vtt", ".srt", ".json", "Markdown without front matter",
              ".txt")
_FORMAT_RANK = {"webvtt": 1, "srt": 2, "json": 3, "text": 5}
_FORMAT_LABEL = {"webvtt": ".vtt", "srt": ".srt", "json": ".json", "text": ".txt"}
_MODEL = re.compile(r"[._-](?P<model>tiny|base|small|medium|large(?:-v(?P<version>\d+))?(?P<turbo>-turbo)?|turbo)$",
                    re.IGNORECASE)
_ENGLISH = re.compile(r"\.en$", re.IGNORECASE)
_MODEL_SIZE = {"tiny": 1, "base": 2, "small": 3, "medium": 4, "turbo": 5, "large": 6}
_NO_MODEL = 10  # a name without a model suffix outranks every model


@dataclass(frozen=True)
class Variant:
    """What a transcript's file name says about it: the episode's stem and the variant suffixes removed."""

    stem: str
    """The name without extension and variant suffixes (`talk` for `talk_large-v3.en.vtt`), case kept."""
    model: str | None
    """The Whisper model named by a suffix (`large-v3`, `small.en`), or None."""
    english: bool
    suffixes: int


def variant_of(path: Path) -> Variant:
    """Split a transcript's name into the episode's stem and its variant suffixes.

    The integrator can look for a shared sidecar at `path.with_name(variant_of(path).stem + ".yml")`.
    """
    stem = path.stem if path.suffix.lower() in EXTENSIONS else path.name
    model: str | None = None
    english = False
    suffixes = 0
    while True:
        english_match = _ENGLISH.search(stem)
        model_match = _MODEL.search(stem)
        if english_match and english_match.start() > 0:
            english = True
            stem = stem[:english_match.start()]
        elif model_match and model_match.start() > 0:
            if model is None:
                model = model_match.group("model").lower()
            stem = stem[:model_match.start()]
        else:
            break
        suffixes += 1
    if model is not None and english:
        model = f"{model}.en"
    return Variant(stem, model, english, suffixes)


@dataclass(frozen=True)
class _Candidate:
    path: Path
    index: int
    source: str
    variant: Variant
    format_rank: int
    format_label: str

    @property
    def model_rank(self) -> tuple[int, int]:
        model = self.variant.model
        if model is None:
            return (_NO_MODEL, 0)
        match = _MODEL.search(f"_{model.removesuffix('.en')}")
        assert match is not None
        size = "turbo" if match.group("turbo") else match.group("model").split("-")[0].lower()
        return (_MODEL_SIZE[size], int(match.group("version") or 0))

    @property
    def sort_key(self) -> tuple[int, tuple[int, int], bool, int, int]:
        """Smaller is kept: format, model (larger first), English-only first, plainer name, given order."""
        rank, version = self.model_rank
        return (self.format_rank, (-rank, -version), not (self.variant.english and self.variant.model is not None),
                self.variant.suffixes, self.index)


def find_duplicates(paths: list[Path], episodes_dir: Path, explicit_slugs: Mapping[Path, str] | None = None,
                    described: Collection[Path] = (),
                    folder: FolderFiles | None = None) -> tuple[list[Path], list[Problem]]:
    """Keep one transcript per episode; report every other copy as a Problem on its own path, line 1.

    Returns the kept paths in their given order. Files outside `episodes_dir` (through links) are compared
    by name only, never read: the loader refuses them with its own error. Identical bytes make files one
    episode only when neither is `described` by metadata of its own (a sidecar or catalogue row): two
    placeholder transcripts with their own titles and dates are two episodes. `folder`: the archive's files
    as the build's walk found them.
    """
    explicit = {path: slug.strip().casefold() for path, slug in (explicit_slugs or {}).items() if slug.strip()}
    folder = folder or FolderFiles(episodes_dir)
    inside = folder.inside
    candidates = [_candidate(path, index, episodes_dir, inside) for index, path in enumerate(paths)]

    # Union-find over "same name but for variant suffixes" and "same bytes".
    parent = list(range(len(candidates)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(group: list[int]) -> None:
        for other in group[1:]:
            parent[root(other)] = root(group[0])

    by_name: dict[tuple[str, str], list[int]] = {}
    for candidate in candidates:
        location = Path(candidate.source).parent.as_posix().casefold()
        by_name.setdefault((location, candidate.variant.stem.casefold()), []).append(candidate.index)
    digests = _digests(paths, folder)
    by_digest: dict[str, list[int]] = {}
    described_set = set(described)
    for index, digest in digests.items():
        if paths[index] not in described_set:
            by_digest.setdefault(digest, []).append(index)
    for group in [*by_name.values(), *by_digest.values()]:
        union(group)

    components: dict[int, list[_Candidate]] = {}
    for candidate in candidates:
        components.setdefault(root(candidate.index), []).append(candidate)

    dropped: dict[int, Problem] = {}
    for component in components.values():
        for group in _split_by_slug(component, explicit):
            if len(group) < 2:
                continue
            kept = min(group, key=lambda c: c.sort_key)
            for candidate in group:
                if candidate is not kept:
                    dropped[candidate.index] = _problem(candidate, kept, digests)
    kept_paths = [candidate.path for candidate in candidates if candidate.index not in dropped]
    return kept_paths, [dropped[index] for index in sorted(dropped)]


def read_explicit_slugs(paths: list[Path], episodes_dir: Path,
                        catalog: Mapping[str, Mapping[str, Any]] | None = None,
                        files: FileDigests | None = None, folder: FolderFiles | None = None) -> dict[Path, str]:
    """Each transcript's `slug:` as its metadata sets it: front matter, else sidecar, else catalogue row.

    Only what is needed before reading transcripts; a file whose metadata cannot be read has no explicit
    slug here, and the loader reports the error when it reads the episode. With `files`, a Markdown
    file's front matter is read only when its digest is not one the last build read (`FrontMatterSlugs`).
    `folder`: the archive's files as the build's walk found them.
    """
    slugs: dict[Path, str] = {}
    folder = folder or FolderFiles(episodes_dir)
    inside = folder.inside
    front_matter = FrontMatterSlugs(files) if files is not None else None
    for path in paths:
        source = _relative(path, episodes_dir)
        candidates: list[Any] = []
        if EXTENSIONS.get(path.suffix.lower()) == "markdown":
            candidates.append(front_matter.of(path, inside) if front_matter is not None
                              else _front_matter_slug(path, inside))
        sidecar: dict = {}
        if any(_sidecar_may_name_a_slug(path.with_suffix(suffix), folder) for suffix in (".yml", ".yaml")):
            try:
                sidecar = metadata.load_sidecar(path, episodes_dir)
            except ArchiveError:
                pass
        candidates.append(sidecar["slug"].value if "slug" in sidecar else None)
        row = (catalog or {}).get(source, {})
        field = row.get("slug")
        candidates.append(getattr(field, "value", field))
        slug = next((value for value in candidates if isinstance(value, str) and value.strip()), None)
        if slug is not None:
            slugs[path] = slug.strip()
    if front_matter is not None:
        front_matter.save()
    return slugs


class FrontMatterSlugs:
    """Markdown transcripts' front-matter `slug:` values by the file's digest (`cache.FileDigests`), kept
    between builds: reading every Markdown file's front matter costs a build a few hundredths of a second
    at 1,000 episodes, and a file whose stat is unchanged has the digest, so the slug, it had."""

    def __init__(self, files: FileDigests) -> None:
        self.files = files
        self.key = "front-matter-slugs-" + code_digest()
        last = files.cache.get(self.key)
        self.last: dict[str, Any] = last if isinstance(last, dict) else {}
        self.now: dict[str, Any] = {}

    def of(self, path: Path, inside: Callable[[Path], bool]) -> Any:
        if not inside(path):  # never read, never cached: the loader refuses it
            return None
        file_digest = self.files.of(path)
        if file_digest is None:
            return _front_matter_slug(path, inside)
        value = self.last[file_digest] if file_digest in self.last else _front_matter_slug(path, inside)
        self.now[file_digest] = value
        return value

    def save(self) -> None:
        self.files.cache.put_whole(self.key, self.now, unless=self.last)


def _sidecar_may_name_a_slug(sidecar: Path, folder: FolderFiles) -> bool:
    """`_may_name_a_slug` for a sidecar file; anything odd (a link out of the archive, a device, a huge
    file) is left to the loader, which reads it safely and reports it."""
    try:
        if (info := folder.stat(sidecar)) is None:
            return False
        if sidecar.is_symlink() or not folder.inside(sidecar) or info.st_size > MAX_TRANSCRIPT_BYTES:
            return True
        return _may_name_a_slug(sidecar.read_bytes())
    except OSError:
        return True


def _may_name_a_slug(data: bytes) -> bool:
    """Whether YAML could hold a `slug` key: it spells it, or escapes could (`"\\x73lug"`), or it is not
    UTF-8 (a UTF-16 sidecar). Parsing every sidecar on every build costs more than reading a cached episode."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"slug" in data or b"\\" in data


def _front_matter_slug(path: Path, inside: Callable[[Path], bool]) -> Any:
    if not inside(path):
        return None
    try:
        text = read_text(path)
    except (ArchiveError, OSError):
        return None
    if not text.startswith("---\n"):
        return None
    try:
        front_text, _ = frontmatter.YAMLHandler().split(text)  # as the Markdown reader splits it
        if not _may_name_a_slug(front_text.encode("utf-8")):
            return None
        front = load_mapping(front_text, path)
    except (ArchiveError, ValueError):
        return None
    return front["slug"].value if "slug" in front else None


def _candidate(path: Path, index: int, episodes_dir: Path, inside: Callable[[Path], bool]) -> _Candidate:
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt == "markdown":
        curated = _has_front_matter(path, inside)
        rank, label = (0, "curated Markdown") if curated else (4, "Markdown without front matter")
    else:
        rank, label = _FORMAT_RANK.get(fmt or "", 6), _FORMAT_LABEL.get(fmt or "", path.suffix or path.name)
    return _Candidate(path, index, _relative(path, episodes_dir), variant_of(path), rank, label)


def _relative(path: Path, episodes_dir: Path) -> str:
    try:
        return relative_name(path, episodes_dir)
    except ValueError:
        return path.as_posix()


def _has_front_matter(path: Path, inside: Callable[[Path], bool]) -> bool:
    """Whether a Markdown file starts with `---` (after a BOM): what makes it curated, as the reader sees it."""
    if not inside(path):
        return False
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
    except OSError:
        return False
    start = start.removeprefix(b"\xef\xbb\xbf")
    return start.startswith((b"---\n", b"---\r\n")) or start == b"---"


def _digests(paths: list[Path], folder: FolderFiles) -> dict[int, str]:
    """sha256 of files that share their size with another file: only those can be byte-identical.

    Empty or blank files are left out: the loader reports each of them as empty, which says more than
    "duplicate" would.
    """
    sizes: dict[int, list[int]] = {}
    for index, path in enumerate(paths):
        if not folder.inside(path) or (info := folder.stat(path)) is None:
            continue
        if 0 < info.st_size <= MAX_TRANSCRIPT_BYTES:
            sizes.setdefault(info.st_size, []).append(index)
    digests: dict[int, str] = {}
    for group in sizes.values():
        if len(group) < 2:
            continue
        for index in group:
            try:
                data = paths[index].read_bytes()
            except OSError:
                continue
            if data.strip():
                digests[index] = hashlib.sha256(data).hexdigest()
    return digests


def _split_by_slug(component: list[_Candidate], explicit: Mapping[Path, str]) -> list[list[_Candidate]]:
    """Files whose explicit slugs differ are different episodes.

    With one explicit slug in the group, files without one join it (a shared sidecar usually gives it);
    with several, each slug is its own group and the files without one form another.
    """
    groups: dict[str | None, list[_Candidate]] = {}
    for candidate in component:
        groups.setdefault(explicit.get(candidate.path), []).append(candidate)
    slugged = [slug for slug in groups if slug is not None]
    if len(slugged) == 1 and None in groups:
        groups[slugged[0]].extend(groups.pop(None))
    return list(groups.values())


def _problem(dropped: _Candidate, kept: _Candidate, digests: Mapping[int, str]) -> Problem:
    same_bytes = dropped.index in digests and digests.get(dropped.index) == digests.get(kept.index)
    how = " (identical content)" if same_bytes else ""
    return Problem(dropped.path, 1, f"same episode as {kept.source}{how}; this copy is not published "
                                    f"(precedence: {_reason(kept, dropped)}). Remove one of them, or give it "
                                    "its own slug")


def _reason(kept: _Candidate, dropped: _Candidate) -> str:
    """The first precedence rule that decided between the two, in words."""
    if kept.format_rank != dropped.format_rank:
        return f"{kept.format_label} over {dropped.format_label}"
    kept_model = kept.variant.model or "no model suffix"
    dropped_model = dropped.variant.model or "no model suffix"
    if kept.model_rank != dropped.model_rank:
        return f"same format, Whisper model {kept_model} over {dropped_model}"
    if kept.sort_key[2] != dropped.sort_key[2]:
        return f"same format and model size, English-only {kept_model} over {dropped_model}"
    if kept.variant.suffixes != dropped.variant.suffixes:
        return "same format and model, the plainer file name"
    return "same format and model, the first by file name"

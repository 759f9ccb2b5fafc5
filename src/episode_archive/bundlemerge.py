"""Merge the Pagefind bundles of an index made in parts into one bundle, as one Pagefind run writes it.

Pagefind holds every word position of every page it indexes until it writes its bundle: 1.6 GB at 1,000
long episodes. Indexing the site in parts bounds that; merging the parts' bundles afterwards gives the
reader one index, where a query loads one chunk per word instead of one per word and part.

The merge reads Pagefind's internal files, whose format is Pagefind 1.5's (pyproject pins it, and the
merge refuses another version): gzip-compressed, `pagefind_dcd` and then CBOR arrays (Pagefind's
`pagefind/src/index/`):

- `pagefind.<hash>.pf_meta`: [version, pages [[fragment hash, word count]], index chunks [[from, to,
  hash]], filters [[name, hash]], sorts [[name, [page number, ...]]], meta fields [name, ...]];
- `index/<hash>.pf_index`: [[[word, pages, variants], ...]]; a page is [page number, locations, meta
  locations], page numbers delta-coded within a word, meta locations marking a field by -(its id + 1);
  a variant (the word with other diacritics) is [form, pages];
- `filter/<hash>.pf_filter`: [name, [[value, [page number, ...]], ...]];
- `fragment/<hash>.pf_fragment`: one page's JSON, moved as it is.

Words are streamed from every part in word order, so the merge holds about one chunk per part at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import json
import multiprocessing
import os
import shutil
import signal
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

ENTRY_FILE = "pagefind-entry.json"
SIGNATURE = b"pagefind_dcd"
FORMAT_VERSION = "1.5."  # the Pagefind versions whose files this module reads and writes
# Pagefind's chunk size (`index_chunk_size`, which this variable of Pagefind's changes): a chunk ends once
# its words hold this many locations.
CHUNK_SIZE_VARIABLE = "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"
CHUNK_LOCATIONS = 20_000
_FOLDERS = ("index", "filter", "fragment")
# Decoding and encoding the index takes about 0.5 s per MB of its (compressed) chunks: worth a process
# of its own from this much on. At the end of a build MkDocs is done, and its core idle.
WORKER_BYTES = 4_000_000


class BundleFormatError(RuntimeError):
    """A part's bundle is not in the format this module knows."""


@dataclass
class _Part:
    """One part's index of one language: its folder and what its meta file says."""

    folder: Path
    version: str
    pages: list[list[Any]]
    chunks: list[list[str]]
    filters: list[list[str]]
    sorts: list[list[Any]]
    meta_fields: list[str]
    offset: int = 0  # the merged page number of this part's first page
    field_ids: list[int] | None = None  # this part's meta field id → the merged one, where they differ


def merge_bundles(bundle: Path, parts: list[Path], workers: int | None = None) -> None:
    """Merge the bundles in `parts` (the first of them is `bundle` itself) into `bundle`; the other
    parts' folders are removed. The words are merged by `workers` processes (by default one per core
    for every WORKER_BYTES of index), each over a range of words: a chunk then also ends where a range
    does, and the index is otherwise the same.

    A later part's pages must sort after an earlier part's by every sort of the index (the parts are
    runs of dates, and the date is the only sort): a sort is the parts' sorts one after another.
    """
    entries = [_read_entry(folder) for folder in parts]
    staging = bundle / ".merging"
    shutil.rmtree(staging, ignore_errors=True)
    merged_entry = dict(entries[0], languages={})
    for language in dict.fromkeys(language for entry in entries for language in entry["languages"]):
        held = [_read_part(folder, entry, language) for folder, entry in zip(parts, entries, strict=True)
                if language in entry["languages"]]
        described = next(entry["languages"][language] for entry in entries if language in entry["languages"])
        meta_name, page_count = _merge_language(staging, language, held, workers)
        merged_entry["languages"][language] = {**described, "hash": meta_name, "page_count": page_count}
    for name in _FOLDERS:
        shutil.rmtree(bundle / name, ignore_errors=True)
        if (staging / name).exists():
            os.replace(staging / name, bundle / name)
    for old in bundle.glob("pagefind.*.pf_meta"):
        old.unlink()
    for meta in staging.glob("pagefind.*.pf_meta"):
        os.replace(meta, bundle / meta.name)
    for folder in parts[1:]:  # the runtime of a language only a later part has
        for wasm in folder.glob("wasm.*.pagefind"):
            if not (bundle / wasm.name).exists():
                os.replace(wasm, bundle / wasm.name)
    shutil.rmtree(staging)
    for folder in parts:
        if folder != bundle:
            shutil.rmtree(folder)
    # Last, as Pagefind writes it: the entry names the merged index
    (bundle / ENTRY_FILE).write_text(json.dumps(merged_entry, ensure_ascii=False, separators=(",", ":")),
                                     encoding="utf-8")


def _read_entry(folder: Path) -> dict[str, Any]:
    path = folder / ENTRY_FILE
    entry = json.loads(path.read_text(encoding="utf-8"))
    version = str(entry.get("version", ""))
    if not version.startswith(FORMAT_VERSION):
        raise BundleFormatError(
            f"{path}: Pagefind {version or '(no version)'} wrote this bundle, and merging an index made in "
            f"parts needs Pagefind {FORMAT_VERSION}x. Install the version pyproject.toml names, or set "
            "search_part_mb: 0 to index in one part.")
    return entry


def _read_part(folder: Path, entry: dict[str, Any], language: str) -> _Part:
    path = folder / f"pagefind.{entry['languages'][language]['hash']}.pf_meta"
    meta = _read(path)
    if not (isinstance(meta, list) and len(meta) == 6 and all(len(page) == 2 for page in meta[1])):
        raise BundleFormatError(f"{path}: not the meta file of Pagefind {FORMAT_VERSION}x")
    return _Part(folder, *meta)


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise BundleFormatError(f"{path}: not a Pagefind index file (it lacks the {SIGNATURE.decode()} signature)")
    return cbor2.loads(data[len(SIGNATURE):])


def _encoded(value: Any) -> bytes:
    # Pagefind's level (flate2's default): files of its size, in half the time of gzip's default 9
    return gzip.compress(SIGNATURE + cbor2.dumps(value), compresslevel=6, mtime=0)


def _name(language: str, data: bytes, taken: set[str], length: int = 7) -> str:
    """A file name as Pagefind makes them: the language and the start of a content hash, made longer
    until no other file of the folder has it."""
    full = hashlib.sha256(data).hexdigest()
    while f"{language}_{full[:length]}" in taken:
        length += 1
    name = f"{language}_{full[:length]}"
    taken.add(name)
    return name


def _merge_language(staging: Path, language: str, parts: list[_Part], workers: int | None) -> tuple[str, int]:
    """Write one language's merged index into `staging`: the name of its meta file, its page count."""
    meta_fields = sorted({name for part in parts for name in part.meta_fields})
    offset = 0
    for part in parts:
        part.offset = offset
        offset += len(part.pages)
        field_ids = [meta_fields.index(name) for name in part.meta_fields]
        part.field_ids = field_ids if field_ids != list(range(len(field_ids))) else None
    pages = _move_fragments(staging / "fragment", language, parts)
    chunks = _merged_chunks(staging, language, parts, workers)
    _trim_chunk_bounds(chunks)
    filter_names: set[str] = set()
    filters = [[name, _write(staging / "filter", "pf_filter", language, [name, values], filter_names)]
               for name, values in _merged_filters(parts)]
    sorts = [[name, [page + part.offset for part in parts for page in _sort_of(part, name)]]
             for name in dict.fromkeys(name for part in parts for name, _pages in part.sorts)]
    meta = _encoded([parts[0].version, pages, chunks, filters, sorts, meta_fields])
    meta_name = _name(language, meta, set(), length=10)
    (staging / f"pagefind.{meta_name}.pf_meta").write_bytes(meta)
    return meta_name, len(pages)


def _write(folder: Path, suffix: str, language: str, value: Any, taken: set[str]) -> str:
    data = _encoded(value)
    name = _name(language, data, taken)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.{suffix}").write_bytes(data)
    return name


def _move_fragments(fragments: Path, language: str, parts: list[_Part]) -> list[list[Any]]:
    """The merged meta's pages, their fragments moved into `fragments`: a fragment named as one of an
    earlier part, but with other content, under a new name."""
    fragments.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}  # name → digest of the file's bytes
    pages = []
    for part in parts:
        names: dict[str, str] = {}  # the part's name of a fragment → its merged one
        for name, word_count in part.pages:
            if name not in names:  # pages with identical content share their fragment
                source = part.folder / "fragment" / f"{name}.pf_fragment"
                data = source.read_bytes()
                content = hashlib.sha256(data).hexdigest()
                merged_name = name if digests.get(name, content) == content else _name(language, data, set(digests))
                digests[merged_name] = content
                names[name] = merged_name
                os.replace(source, fragments / f"{merged_name}.pf_fragment")
            pages.append([names[name], word_count])
    return pages


def _merged_chunks(staging: Path, language: str, parts: list[_Part], workers: int | None) -> list[list[str]]:
    """Merge the parts' words into chunks in `staging/index`: [first word, last word, file name] each."""
    sizes = _chunk_sizes(parts)
    ranges = _word_ranges(sizes, workers or _worker_count(sizes))
    if len(ranges) == 1:
        return _merge_words(staging / "index", language, parts, None, None)
    folders = [staging / f"index-{at}" for at in range(len(ranges))]
    with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:  # leaving it ends the workers
        found = pool.starmap(_merge_words, [(folder, language, parts, low, high)
                                            for folder, (low, high) in zip(folders, ranges, strict=True)])
    (staging / "index").mkdir(parents=True, exist_ok=True)
    chunks: list[list[str]] = []
    taken: set[str] = set()
    for folder, range_chunks in zip(folders, found, strict=True):
        for chunk in range_chunks:  # a name two ranges' chunks share (a short hash alike) is made longer
            source = folder / f"{chunk[2]}.pf_index"
            chunk[2] = _name(language, source.read_bytes(), taken) if chunk[2] in taken else chunk[2]
            taken.add(chunk[2])
            os.replace(source, staging / "index" / f"{chunk[2]}.pf_index")
            chunks.append(chunk)
        folder.rmdir()
    return chunks


def _chunk_sizes(parts: list[_Part]) -> list[tuple[str, int]]:
    """Every part's chunks as (the word it starts at, its file's size), in word order."""
    return sorted((start, (part.folder / "index" / f"{name}.pf_index").stat().st_size)
                  for part in parts for start, _to, name in part.chunks)


def _worker_count(sizes: list[tuple[str, int]]) -> int:
    size = sum(chunk_size for _start, chunk_size in sizes)
    return max(1, min(len(os.sched_getaffinity(0)), 4, size // WORKER_BYTES))


def _word_ranges(starts: list[tuple[str, int]], count: int) -> list[tuple[str | None, str | None]]:
    """`count` ranges of words, [from, to) with None for no bound, over about equal shares of the index
    (`starts`: `_chunk_sizes`); the bounds are words where a part's chunk starts."""
    total = sum(size for _start, size in starts)
    bounds: list[str | None] = [None]
    filled = 0
    for start, size in starts:
        if len(bounds) < count and filled >= total * len(bounds) / count and (bounds[-1] or "") < start:
            bounds.append(start)
        filled += size
    return list(itertools.pairwise([*bounds, None]))


def _merge_words(folder: Path, language: str, parts: list[_Part], low: str | None, high: str | None) -> list[list[str]]:
    """Merge the words from `low` up to `high` into chunk files in `folder`."""
    chunks = []
    names: set[str] = set()
    for words in _chunked(_merged_words(parts, low, high)):
        chunks.append([words[0][0], words[-1][0], _write(folder, "pf_index", language, [words], names)])
    return chunks


def _words_of(part: _Part, index: int, low: str | None, high: str | None) -> Iterator[tuple[str, int, list[Any]]]:
    """A part's words from `low` up to `high`. A chunk's words are from its start up to the next chunk's
    start: Pagefind shortens a start only as far as it stays above the last word before it."""
    for at, (start, _to, name) in enumerate(part.chunks):
        following = part.chunks[at + 1][0] if at + 1 < len(part.chunks) else None
        if high is not None and start >= high:
            return
        if low is not None and following is not None and following <= low:
            continue
        for word in _read(part.folder / "index" / f"{name}.pf_index")[0]:
            if (low is None or word[0] >= low) and (high is None or word[0] < high):
                yield word[0], index, word


def _merged_words(parts: list[_Part], low: str | None, high: str | None) -> Iterator[list[Any]]:
    """Every word of the parts from `low` up to `high`, in word order, its pages those of all parts
    (page numbers delta-coded)."""
    streams = [_words_of(part, index, low, high) for index, part in enumerate(parts)]
    for word, held in itertools.groupby(heapq.merge(*streams, key=lambda item: item[:2]), key=lambda item: item[0]):
        pages: list[list[Any]] = []
        variants: dict[str, list[list[Any]]] = {}
        for _word, index, (_same, word_pages, word_variants) in held:
            part = parts[index]
            pages += _numbered(word_pages, part)
            for form, variant_pages in word_variants:
                variants.setdefault(form, []).extend(_numbered(variant_pages, part))
        yield [word, _delta_coded(pages), [[form, _delta_coded(found)] for form, found in variants.items()]]


def _numbered(pages: list[list[Any]], part: _Part) -> list[list[Any]]:
    """A part's pages of one word, changed to hold merged page numbers (no longer delta-coded)."""
    number = part.offset
    field_ids = part.field_ids
    for page in pages:
        number += page[0]
        page[0] = number
        if field_ids and page[2]:
            page[2] = [-field_ids[-at - 1] - 1 if at < 0 else at for at in page[2]]
    return pages


def _delta_coded(pages: list[list[Any]]) -> list[list[Any]]:
    last = 0
    for page in pages:
        page[0], last = page[0] - last, page[0]
    return pages


def _chunked(words: Iterable[list[Any]]) -> Iterator[list[list[Any]]]:
    """Words in chunks as Pagefind cuts them."""
    limit = int(os.environ.get(CHUNK_SIZE_VARIABLE) or CHUNK_LOCATIONS)
    chunk: list[list[Any]] = []
    size = 0
    for word in words:
        # Pagefind 1.5 counts the word's own pages, not its variants'
        size += sum(len(locations) + len(meta_locations) + 1 for _n, locations, meta_locations in word[1])
        chunk.append(word)
        if size >= limit:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _trim_chunk_bounds(chunks: list[list[str]]) -> None:
    """Shorten the words that bound neighbouring chunks to the prefixes that tell them apart, as Pagefind
    does: a query's last word, searched as a prefix, then loads every chunk it may continue into."""
    for before, after in itertools.pairwise(chunks):
        common = len(os.path.commonprefix([after[0], before[1]]))
        if before[1][:common + 1] >= before[0]:
            before[1] = before[1][:common + 1]
        after[0] = after[0][:common + 1]


def _merged_filters(parts: list[_Part]) -> list[tuple[str, list[list[Any]]]]:
    merged: dict[str, dict[str, list[int]]] = {}
    for part in parts:
        for name, file_hash in part.filters:
            _name_again, values = _read(part.folder / "filter" / f"{file_hash}.pf_filter")
            held = merged.setdefault(name, {})
            for value, pages in values:
                held.setdefault(value, []).extend(page + part.offset for page in pages)
    return [(name, [[value, pages] for value, pages in sorted(values.items())]) for name, values in merged.items()]


def _sort_of(part: _Part, name: str) -> list[int]:
    return next((pages for sort_name, pages in part.sorts if sort_name == name), [])


def main(arguments: list[str]) -> int:
    """`python -m episode_archive.bundlemerge BUNDLE PART...`: the build runs the merge in a process of
    its own, on another core than MkDocs' rendering, and stoppable as Pagefind's runs are."""
    bundle, *parts = (Path(argument) for argument in arguments)
    # Stopped (a newer build), it leaves through its `with` blocks, which end its worker processes too.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(1))
    try:
        merge_bundles(bundle, parts)
    except (BundleFormatError, OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

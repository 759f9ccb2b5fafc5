"""Search indexing in parts: how pages are split, and that the merged parts are the one index."""

from __future__ import annotations

import gzip
import itertools
import json
import random
import re
import subprocess
import time
from pathlib import Path

import cbor2
import pytest

from episode_archive.bundlemerge import CHUNK_SIZE_VARIABLE, BundleFormatError, merge_bundles
from episode_archive.search import (
    INDEXED,
    BackgroundPagefind,
    StagedSearchIndex,
    pagefind_command,
    plan_parts,
    run_pagefind,
)


def _pages(dates_and_sizes: list[tuple[str, int]]) -> dict[str, tuple[str, int]]:
    return {f"page-{n:03}/index.html": entry for n, entry in enumerate(dates_and_sizes)}


def test_an_index_within_one_part_is_not_split():
    pages = _pages([("2024-01-01", 400_000), ("2023-01-01", 500_000)])
    assert plan_parts(pages, 1.0) == [["page-001/index.html", "page-000/index.html"]]
    assert plan_parts(pages, 0) == [["page-001/index.html", "page-000/index.html"]]
    assert plan_parts({}, 1.0) == []


@pytest.mark.parametrize("seed", range(12))
def test_parts_are_runs_of_dates_of_about_equal_size(seed):
    rng = random.Random(seed)
    dates = [f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" for _ in range(300)]
    pages = _pages([(date, rng.randint(1_000, 90_000)) for date in dates])
    parts = plan_parts(pages, 2.0)
    total = sum(size for _date, size in pages.values())
    assert len(parts) == -(-total // 2_000_000)
    # Every page once, in date order (then by name), and no date on both sides of a cut.
    flat = [name for part in parts for name in part]
    assert flat == sorted(pages, key=lambda name: (pages[name][0], name))
    for before, after in itertools.pairwise(parts):
        assert pages[before[-1]][0] < pages[after[0]][0]
    # About equal: none more than one page's size (at most 90 KB) plus one date's pages off the mean.
    sizes = [sum(pages[name][1] for name in part) for part in parts]
    for size in sizes:
        assert abs(size - total / len(parts)) < 600_000, sizes


def test_one_date_larger_than_a_part_stays_whole():
    pages = _pages([("2024-05-05", 700_000)] * 5 + [("2024-06-06", 100_000)])
    parts = plan_parts(pages, 1.0)
    assert [len(part) for part in parts] == [5, 1]


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(b"pagefind_dcd")
    return cbor2.loads(data[12:])


def _index(bundle: Path) -> dict[str, object]:
    """What a Pagefind bundle holds, with pages named by their URL instead of their number (an index made
    in parts numbers its pages in another order than one Pagefind run over the whole site), and each
    page's record (its fragment)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    (language, described), = entry["languages"].items()
    version, pages, chunks, filters, sorts, fields = _read(bundle / f"pagefind.{described['hash']}.pf_meta")
    records = [json.loads(gzip.decompress((bundle / f"fragment/{name}.pf_fragment").read_bytes())[12:])
               for name, _word_count in pages]
    urls = [record["url"] for record in records]

    def located(postings):
        number, found = 0, {}
        for delta, locations, meta_locations in postings:
            number += delta
            found[urls[number]] = (locations, [fields[-at - 1] if at < 0 else at for at in meta_locations])
        return found

    words = {}
    for _from, _to, name in chunks:
        for word, postings, variants in _read(bundle / f"index/{name}.pf_index")[0]:
            words[word] = (located(postings), {form: located(found) for form, found in variants})
    filter_values = {}
    for name, file_hash in filters:
        filter_name, values = _read(bundle / f"filter/{file_hash}.pf_filter")
        assert filter_name == name
        filter_values[name] = {value: sorted(urls[n] for n in numbers) for value, numbers in values}
    return {"language": language, "version": version, "page_count": described["page_count"],
            "pages": sorted((urls[n], word_count) for n, (_name, word_count) in enumerate(pages)),
            "chunks": [(start, stop) for start, stop, _name in chunks], "words": words,
            "filters": filter_values, "sorts": {name: [urls[n] for n in numbers] for name, numbers in sorts},
            "records": {record["url"]: record for record in records},
            "parts": sorted(path.name for path in bundle.glob("part-*"))}


def _talk(n: int) -> tuple[str, str]:
    """A page to index: later talks have a meta field the earlier lack, whose name sorts before theirs, half
    the talks spell a word with a diacritic (Pagefind keeps it as a variant of the plain word), and each
    has words of its own, all over the alphabet."""
    date = f"20{10 + n // 12}-{1 + n % 12:02}-15"
    audience = f'<p data-pagefind-meta="audience">Weavers guild {n}</p>' if n >= 20 else ""
    names = " ".join(f"{'bcdfghjklmnpqrstvwz'[(n * 5 + k) % 19]}{'aeiou'[k % 5]}rn{n}" for k in range(12))
    content = (f'<article {INDEXED} data-pagefind-sort="date:{date}" data-pagefind-meta="date:{date}">'
               f"<h1>Talk {n}</h1>{audience}<p>Looms number {n} weave {'warp and weft ' * (20 + n)} {names} at the "
               f"{'café' if n % 2 else 'cafe'}.</p><span data-pagefind-filter=\"loom\">loom {n % 3}</span></article>")
    return f"episodes/talk-{n}/index.html", content


def _stage(site: Path, part_mb: float, pages: dict[str, str]) -> None:
    staged = StagedSearchIndex(part_mb)
    for dest, content in pages.items():
        staged.add(dest, content)
    staged.start(site, "en", None)
    for dest, content in pages.items():
        staged.check(dest, f'<html lang="en"><body>{content}</body></html>')
    staged.finish(site, None)


@pytest.fixture
def small_chunks(monkeypatch):
    """Pagefind's index chunks small (as at thousands of pages), for Pagefind's runs and the merge alike."""
    monkeypatch.setenv(CHUNK_SIZE_VARIABLE, "300")


def test_staged_pages_indexed_in_parts_are_one_index(tmp_path, small_chunks):
    pages = dict(_talk(n) for n in range(30))
    dated = {dest: (re.search(r"sort=\"date:([^\"]*)", content)[1], len(content)) for dest, content in pages.items()}
    assert len(plan_parts(dated, 0.002)) >= 3
    _stage(tmp_path / "one", 0, pages)
    _stage(tmp_path / "parts", 0.002, pages)  # about 2 KB per part
    one = _index(tmp_path / "one" / "pagefind")
    assert len(one["chunks"]) >= 5 and one["page_count"] == 30 and one["words"]["cafe"][1]
    assert one["words"]["guild"][0]["/episodes/talk-20/"][1] == ["audience", 1]
    assert _index(tmp_path / "parts" / "pagefind") == one
    assert (tmp_path / "parts/pagefind/pagefind.js").is_file()


def _site(root: Path, pages: dict[str, str]) -> Path:
    for dest, content in pages.items():
        path = root / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
                        f"<body><nav>Menu</nav>{content}</body></html>\n", encoding="utf-8")
    (root / "about/index.html").parent.mkdir(parents=True)
    (root / "about/index.html").write_text("<html><body><p>Not indexed.</p></body></html>")
    return root


def test_a_built_site_indexed_in_parts_is_indexed_as_staged_and_leaves_no_old_part(tmp_path, small_chunks):
    pages = dict(_talk(n) for n in range(30))
    _stage(tmp_path / "staged", 0, pages)
    site = _site(tmp_path / "site", pages)
    (site / "pagefind/part-99").mkdir(parents=True)  # from an earlier build with more parts
    run_pagefind(site, None, True, 0.002)
    # Parts are cut by the pages' file sizes here, by their content's when staged: the index is the same.
    assert _index(site / "pagefind") == _index(tmp_path / "staged" / "pagefind")
    assert not list((site / "pagefind").glob(".*"))
    # The site's pages are where they were, and only the bundle was written.
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "pagefind" not in p.parts) \
        == sorted([*pages, "about/index.html"])


def test_serve_indexes_in_parts_in_the_background(tmp_path):
    pages = dict(_talk(n) for n in range(30))
    site = _site(tmp_path / "site", pages)
    background = BackgroundPagefind()
    background.start(site, True, 0.002)
    entry = site / "pagefind/pagefind-entry.json"

    def merged() -> bool:  # the first part's bundle alone has fewer pages
        return entry.is_file() and json.loads(entry.read_text())["languages"]["en"]["page_count"] == 30

    deadline = time.monotonic() + 60
    while not merged() and time.monotonic() < deadline:
        time.sleep(0.05)
    background.stop()
    index = _index(site / "pagefind")
    assert index["page_count"] == 30 and not index["parts"]


def test_a_failed_part_fails_the_build_with_pagefind_s_words(tmp_path, monkeypatch):
    pages = dict(_talk(n) for n in range(30))
    site = _site(tmp_path / "site", pages)
    monkeypatch.setattr("episode_archive.search.pagefind_command",
                        lambda source, output, restrict: ["sh", "-c", "echo 'Error: no pages' >&2; exit 3"])
    with pytest.raises(RuntimeError, match=r"pagefind failed \(3\): Error: no pages"):
        run_pagefind(site, None, True, 0.002)


def _bundle(root: Path, pages: dict[str, str]) -> Path:
    """Pagefind's bundle of a site of these pages."""
    site = _site(root / "site", pages)
    subprocess.run(pagefind_command(site, root / "pagefind"), check=True)
    return root / "pagefind"


def _rewrite(path: Path, change) -> None:
    data = _read(path)
    change(data)
    path.write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps(data)))


def test_parts_with_fragments_of_one_name_keep_each_its_own(tmp_path):
    talks = [_talk(n) for n in range(6)]
    first = _bundle(tmp_path / "first", dict(talks[:3]))
    second = _bundle(tmp_path / "second", dict(talks[3:]))
    # Pagefind names a fragment by a short hash of its content: two parts can hold two names alike.
    (taken, _count), *_ = _read(next(first.glob("pagefind.*.pf_meta")))[1]
    second_meta = next(second.glob("pagefind.*.pf_meta"))
    (renamed, _count), *_ = _read(second_meta)[1]
    (second / f"fragment/{renamed}.pf_fragment").rename(second / f"fragment/{taken}.pf_fragment")
    _rewrite(second_meta, lambda meta: meta[1][0].__setitem__(0, taken))
    merge_bundles(first, [first, second])
    assert _index(first) == _index(_bundle(tmp_path / "one", dict(talks)))
    assert not second.exists()


def test_a_bundle_of_another_pagefind_version_is_not_merged(tmp_path):
    talks = [_talk(n) for n in range(4)]
    first = _bundle(tmp_path / "first", dict(talks[:2]))
    second = _bundle(tmp_path / "second", dict(talks[2:]))
    entry = second / "pagefind-entry.json"
    entry.write_text(entry.read_text().replace('"version":"1.5.', '"version":"1.9.'))
    with pytest.raises(BundleFormatError, match=r"second/pagefind/pagefind-entry.json: Pagefind 1\.9\..* "
                                                r"search_part_mb: 0"):
        merge_bundles(first, [first, second])


def test_words_merged_by_several_processes_are_the_same_index(tmp_path, small_chunks):
    talks = dict(_talk(n) for n in range(30))
    one = _index(_bundle(tmp_path / "one", talks))
    parts = [_bundle(tmp_path / f"part-{at}", dict(_talk(n) for n in range(at * 10, at * 10 + 10))) for at in range(3)]
    merge_bundles(parts[0], parts, workers=3)
    merged = _index(parts[0])
    # Each process cuts its range of words into chunks: only where the chunks end may differ.
    assert {**merged, "chunks": one["chunks"]} == one
    assert len(merged["chunks"]) >= len(one["chunks"])
    # A query finds a word in the chunk whose bounds hold it, as Pagefind looks it up.
    bundle_meta = _read(next(parts[0].glob("pagefind.*.pf_meta")))
    chunks = bundle_meta[2]
    for at, (start, stop, name) in enumerate(chunks):
        words = [word for word, _pages, _variants in _read(parts[0] / f"index/{name}.pf_index")[0]]
        assert words == sorted(words) and words[0].startswith(start) and words[-1].startswith(stop)
        if at + 1 < len(chunks):
            assert words[-1] < chunks[at + 1][0]

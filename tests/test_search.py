"""Search indexing in parts: how pages are split, and that the parts together are the one index."""

from __future__ import annotations

import gzip
import itertools
import json
import random
import time
from pathlib import Path

import pytest

from episode_archive.search import (
    INDEXED,
    PARTS_FILE,
    BackgroundPagefind,
    StagedSearchIndex,
    part_folder,
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


def _records(bundle: Path) -> dict[str, dict]:
    """Pagefind's record of each page in one part's bundle (a gzipped fragment: 12 bytes, then JSON)."""
    records = {}
    for fragment in (bundle / "fragment").iterdir():
        record = json.loads(gzip.decompress(fragment.read_bytes())[12:])
        records[record["url"]] = record
    return records


def _parts(bundle: Path) -> list[dict[str, dict]]:
    folders = json.loads((bundle / PARTS_FILE).read_text())["parts"]
    assert folders == [part_folder(index) for index in range(len(folders))]
    return [_records(bundle / folder) for folder in folders]


def _merged(parts: list[dict[str, dict]]) -> dict[str, dict]:
    """The records of all parts, checked to be runs of dates, oldest first, with no page twice."""
    merged = {url: record for part in parts for url, record in part.items()}
    assert sum(len(part) for part in parts) == len(merged)
    dates = [sorted(record["meta"]["date"] for record in part.values()) for part in parts]
    assert all(earlier[-1] < later[0] for earlier, later in itertools.pairwise(dates))
    return merged


def _talk(n: int) -> tuple[str, str]:
    date = f"20{10 + n // 12}-{1 + n % 12:02}-15"
    content = (f'<article {INDEXED} data-pagefind-sort="date:{date}" data-pagefind-meta="date:{date}">'
               f"<h1>Talk {n}</h1><p>Looms number {n} weave {'warp and weft ' * (20 + n)}.</p></article>")
    return f"episodes/talk-{n}/index.html", content


def _stage(site: Path, part_mb: float, pages: dict[str, str]) -> None:
    staged = StagedSearchIndex(part_mb)
    for dest, content in pages.items():
        staged.add(dest, content)
    staged.start(site, "en", None)
    for dest, content in pages.items():
        staged.check(dest, f'<html lang="en"><body>{content}</body></html>')
    staged.finish(site, None)


def test_staged_pages_indexed_in_parts_are_the_records_of_one_index(tmp_path):
    pages = dict(_talk(n) for n in range(30))
    _stage(tmp_path / "one", 0, pages)
    _stage(tmp_path / "parts", 0.002, pages)  # about 2 KB per part
    (one,) = _parts(tmp_path / "one" / "pagefind")
    parts = _parts(tmp_path / "parts" / "pagefind")
    assert len(parts) >= 3
    assert _merged(parts) == one
    # Only the first part's bundle is at the bundle's root: the others are in their folders.
    assert (tmp_path / "parts/pagefind/pagefind.js").is_file()
    assert not (tmp_path / "parts/pagefind/part-1/part-2").exists()


def _site(root: Path, pages: dict[str, str]) -> Path:
    for dest, content in pages.items():
        path = root / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
                        f"<body><nav>Menu</nav>{content}</body></html>\n", encoding="utf-8")
    (root / "about/index.html").parent.mkdir(parents=True)
    (root / "about/index.html").write_text("<html><body><p>Not indexed.</p></body></html>")
    return root


def test_a_built_site_indexed_in_parts_is_indexed_as_staged_and_leaves_no_old_part(tmp_path):
    pages = dict(_talk(n) for n in range(30))
    _stage(tmp_path / "staged", 0.002, pages)
    site = _site(tmp_path / "site", pages)
    (site / "pagefind/part-99").mkdir(parents=True)  # from an earlier build with more parts
    run_pagefind(site, None, True, 0.002)
    # Parts are cut by the pages' file sizes here, by their content's when staged: the records are the same.
    parts = _parts(site / "pagefind")
    assert len(parts) >= 3
    assert _merged(parts) == _merged(_parts(tmp_path / "staged" / "pagefind"))
    assert not (site / "pagefind/part-99").exists()
    # The site's pages are where they were, and only the bundle was written.
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "pagefind" not in p.parts) \
        == sorted([*pages, "about/index.html"])


def test_serve_indexes_in_parts_in_the_background(tmp_path):
    pages = dict(_talk(n) for n in range(30))
    site = _site(tmp_path / "site", pages)
    background = BackgroundPagefind()
    background.start(site, True, 0.002)
    deadline = time.monotonic() + 60
    while not (site / "pagefind" / PARTS_FILE).is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    background.stop()
    assert len(_parts(site / "pagefind")) >= 3


def test_a_failed_part_fails_the_build_with_pagefind_s_words(tmp_path, monkeypatch):
    pages = dict(_talk(n) for n in range(30))
    site = _site(tmp_path / "site", pages)
    monkeypatch.setattr("episode_archive.search.pagefind_command",
                        lambda source, output, restrict: ["sh", "-c", "echo 'Error: no pages' >&2; exit 3"])
    with pytest.raises(RuntimeError, match=r"pagefind failed \(3\): Error: no pages"):
        run_pagefind(site, None, True, 0.002)
    assert not (site / "pagefind" / PARTS_FILE).exists()

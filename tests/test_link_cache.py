"""Related talks and passage links on a rebuild: from the cache when nothing changed, and after one
edit exactly what a build without any cache gives, counting only the edited episode's words again."""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

import pytest

from episode_archive import archive, parallel, related, topics
from episode_archive.archive import load_archive
from episode_archive.cache import ArchiveCache, code_digest
from episode_archive.model import Archive
from episode_archive.options import Options
from episode_archive.passages import pairs_key
from helpers import write

SUBJECTS = {
    "bread": "sourdough starter levain hydration flour water crumb crust rye gluten proof oven dough loaf",
    "rust": "borrow checker lifetimes ownership compiler traits generics unsafe crate cargo macro async",
    "bees": "hive queen drones workers honey comb nectar pollen swarm beekeeper smoke frames brood",
}
FILLER = "and then we looked at how the whole thing works in practice with a few small examples".split()


def transcript(subject: str, seed: int) -> str:
    """Two long turns (each a passage) of one subject's words among common ones."""
    rng = random.Random(seed)
    words = SUBJECTS[subject].split()

    def turn() -> str:
        return " ".join(rng.choice(words) if rng.random() < 0.4 else rng.choice(FILLER) for _ in range(160)) + "."

    return f"Ann Lee: {turn()}\n\nBo Chen: {turn()}\n"


@pytest.fixture
def episodes_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "episodes"
    for number, subject in enumerate(["bread", "rust", "bees", "bread", "rust", "bees"]):
        stem = f"2024-0{number + 1}-0{number + 1}-{subject}-{number}"
        write(folder / f"{stem}.txt", transcript(subject, number))
        write(folder / f"{stem}.yml", "speakers: [Ann Lee, Bo Chen]\n")
    return folder


def links(result: Archive) -> tuple[dict, dict]:
    return ({slug: [(link.episode.slug, link.score, link.reason) for link in found]
             for slug, found in result.related.items()},
            {slug: {index: (link.target_episode.slug, link.anchor, link.score) for index, link in found.items()}
             for slug, found in result.passage_links.items()})


def load(episodes_dir: Path, cache: ArchiveCache | None) -> Archive:
    result, problems = load_archive(episodes_dir, Options(), cache)
    assert not problems
    return result


def test_the_fixture_links_talks_and_passages(episodes_dir, tmp_path):
    related, passages = links(load(episodes_dir, None))
    assert related["2024-01-01-bread-0"][0][0] == "2024-04-04-bread-3"
    assert passages, "passages of one subject link across episodes"


def test_links_come_from_the_cache_when_nothing_changed(episodes_dir, tmp_path, monkeypatch):
    cache = ArchiveCache(tmp_path / "cache")
    first = links(load(episodes_dir, cache))

    def no_work(*_args, **_kwargs):
        raise AssertionError("linked again although no episode changed")

    for name in ("find_related", "find_passage_links", "link_features"):
        monkeypatch.setattr(archive, name, no_work)
    assert links(load(episodes_dir, ArchiveCache(tmp_path / "cache"))) == first
    assert (tmp_path / "cache" / f"{pairs_key()}.pickle").exists(), "kept for the build after the next edit"


@pytest.mark.parametrize("edit, passages_change", [
    # A short turn is no passage: passage links read nothing new and come from the cache.
    (lambda text: text + "\nAnn Lee: One more sentence on sourdough hydration and the crumb.\n", False),
    # Inside a passage: its words and some idf change, so passages are compared again.
    (lambda text: text.replace("Ann Lee: ", "Ann Lee: sourdough hydration and the crumb ", 1), True),
], ids=["a turn added", "a passage changed"])
def test_after_one_edit_only_that_episode_is_counted_again_and_links_are_a_fresh_builds(
        episodes_dir, tmp_path, monkeypatch, caplog, edit, passages_change):
    load(episodes_dir, ArchiveCache(tmp_path / "cache"))
    edited = episodes_dir / "2024-02-02-rust-1.txt"
    edited.write_text(edit(edited.read_text()))
    caplog.set_level("INFO")
    counted = []
    features = archive.link_features

    def counting(episode):
        counted.append(episode.slug)
        return features(episode)

    monkeypatch.setattr(archive, "link_features", counting)
    numbered = []
    updated = related.WordingIndex.updated
    monkeypatch.setattr(related.WordingIndex, "updated", lambda index, samples: numbered.append(
        len(samples.keys() - index.rows.keys())) or updated(index, samples))
    rebuilt = load(episodes_dir, ArchiveCache(tmp_path / "cache"))
    assert counted == ["2024-02-02-rust-1"]
    assert numbered == [1], "the last build's wording index numbered the other samples' words"
    found = re.search(r"linked \d+ passages of 12 \((\d+) changed since the last build\)", caplog.text)
    if passages_change:
        assert found and int(found[1]) < 12, "the last build's pairs of passages served the rest"
    else:
        assert found is None, "passage links read nothing the edit changed"
    assert links(rebuilt) == links(load(episodes_dir, None))


@pytest.mark.parametrize("field, worked_out_again", [
    ("description: A talk on lifetimes.", set()),
    ('title: "Rust, retitled"', {"topics"}),  # a title leads the sample topics are extracted from
], ids=["description", "title"])
def test_an_edit_is_worked_out_again_only_by_the_steps_that_read_it(episodes_dir, tmp_path, monkeypatch,
                                                                    field, worked_out_again):
    load(episodes_dir, ArchiveCache(tmp_path / "cache"))
    write(episodes_dir / "2024-02-02-rust-1.yml", f"speakers: [Ann Lee, Bo Chen]\n{field}\n")
    steps = {"related": (archive, "find_related"), "passages": (archive, "find_passage_links"),
             "topics": (topics, "_common_phrases")}
    ran: set[str] = set()
    for step, (module, name) in steps.items():
        work = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *args, _work=work, _step=step: ran.add(_step) or _work(*args))
    rebuilt = load(episodes_dir, ArchiveCache(tmp_path / "cache"))
    assert ran == worked_out_again
    fresh = load(episodes_dir, None)
    assert links(rebuilt) == links(fresh)
    assert [(e.title, e.topics) for e in rebuilt.episodes] == [(e.title, e.topics) for e in fresh.episodes]


def test_a_metadata_change_that_linking_reads_is_no_cache_hit(episodes_dir, tmp_path):
    load(episodes_dir, ArchiveCache(tmp_path / "cache"))
    for stem in ("2024-03-03-bees-2", "2024-06-06-bees-5"):
        write(episodes_dir / f"{stem}.yml", "speakers: [Ann Lee, Bo Chen]\ntopics: [beekeeping]\n")
    rebuilt = load(episodes_dir, ArchiveCache(tmp_path / "cache"))
    assert links(rebuilt) == links(load(episodes_dir, None))
    assert links(rebuilt)[0]["2024-03-03-bees-2"][0][2] == "similar wording; topics: beekeeping"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="children are forked on Linux only")
def test_passage_links_and_wording_found_in_forked_children_are_the_same_and_cached(episodes_dir, tmp_path,
                                                                                    monkeypatch):
    alone = links(load(episodes_dir, None))
    monkeypatch.setattr(archive, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    finders, weighers = tmp_path / "finders", tmp_path / "weighers"

    def recording(work, into):
        def record(*args, **kwargs):
            with into.open("a") as out:
                out.write(f"{os.getpid()}\n")
            return work(*args, **kwargs)
        return record

    monkeypatch.setattr(archive, "find_passage_links", recording(archive.find_passage_links, finders))
    monkeypatch.setattr(archive, "weigh_wording", recording(archive.weigh_wording, weighers))
    seen = []
    result, problems = load_archive(episodes_dir, Options(), ArchiveCache(tmp_path / "cache"),
                                    meanwhile=lambda found: seen.append((dict(found.related), found.passage_links)))
    assert not problems
    for children in (finders, weighers):
        assert [int(pid) for pid in children.read_text().split()] != [os.getpid()]
        assert len(children.read_text().split()) == 1
    assert links(result) == alone
    assert seen == [({}, {})], "meanwhile ran once, before related talks and passage links"
    assert result.related and result.passage_links
    # The children's cache entries survived the parent's pruning, for the build after the next edit.
    assert (tmp_path / "cache" / f"{pairs_key()}.pickle").exists()
    assert (tmp_path / "cache" / f"wording-index-{code_digest()}.pickle").exists()

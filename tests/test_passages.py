"""Passage links: a passage links to the most similar passage of another episode, at its rendered anchor."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import markdown
import numpy as np
import pytest
from scipy import sparse

from episode_archive import passages
from episode_archive.model import Archive, Episode, Segment, Transcript
from episode_archive.options import Options
from episode_archive.passages import MIN_SCORE, episode_passages, find_passage_links
from episode_archive.render.pages import episode_page, paragraph_anchors
from episode_archive.tfidf import l2_normalize
from helpers import make_episode

SOURDOUGH_A = """Hydration is the weight of water divided by the weight of flour in a sourdough loaf. A dough at
sixty five percent hydration is stiff and easy to shape; at eighty percent it is slack, sticky and open crumb
follows. Whole wheat flour and rye flour absorb more water than white flour, so the same hydration feels
stiffer with them. Raise hydration slowly, five percent at a time, and use stretch and fold to build
gluten strength. A levain at one hundred percent hydration adds its own water and flour to the sums."""
SOURDOUGH_B = """We weighed the water and the flour for every sourdough loaf and worked out the hydration. At
seventy percent hydration the dough was easy to shape; at eighty percent hydration it turned slack and sticky,
but the crumb was open. Rye flour and whole wheat flour absorb more water, so the dough felt stiffer at the
same hydration. Stretch and fold builds the gluten of a slack dough. Count the levain's flour and water
in the hydration too."""
TRAVEL = """We took the night train from Lisbon to Porto and then a bus up the Douro valley. The terraces of
vines climb the hills on both sides of the river, and every village has a chapel painted blue and white.
Trains are cheap, buses are slow, and a rented bicycle is the best way to see the quintas along the river
road. In October the harvest is on and the hotels are full, so book ahead or stay in a guest house."""
KNIVES = """A kitchen knife stays sharp longer on an end grain cutting board than on glass or stone. Hone the
edge on a steel before each use and sharpen it on a whetstone a few times a year, holding a steady angle of
about fifteen degrees for Japanese blades and twenty for German ones. Wash the knife by hand and dry it at
once: a dishwasher dulls the edge and rusts carbon steel."""
MAINTAINERS = """The bus factor of an open source project is the number of maintainers who could disappear
before nobody can cut a release. Most libraries have a bus factor of one. Write down how to publish a
release, give a second person the keys to the package registry, and review their first releases with them.
Triage the issue tracker together once a month so that both know the open bugs and the roadmap. A
governance file that says who decides and how disagreements end saves arguments later, and a code of conduct
tells newcomers that they are welcome. Funding helps, but time matters more: a maintainer who burns out
takes the project's memory with them, so share the work before that happens and thank the people who
answer questions in the forum and fix the documentation."""


def sections(slug: str, title: str, parts: list[tuple[str, str]], timed: bool = False) -> Episode:
    segments: list[Segment] = []
    for heading, text in parts:
        segments.append(Segment(heading, kind="heading"))
        for sentence_group in text.split(". "):
            start = 30.0 * len(segments) if timed else None
            segments.append(Segment(sentence_group.replace("\n", " "), speaker="Ada Byron", start=start))
    transcript = Transcript(path=Path(f"/a/{slug}.txt"), source=f"{slug}.txt", format="text", segments=segments)
    return Episode(slug=slug, title=title, date=dt.date(2025, 1, 2), speakers=["Ada Byron"],
                   source=f"{slug}.txt", transcript=transcript)


def archive_of(episodes: list[Episode], enabled: bool = True) -> Archive:
    return Archive(episodes=episodes, people={}, topics={}, related={},
                   passage_links=find_passage_links(episodes, enabled))


def three_episodes() -> list[Episode]:
    bread_and_travel = sections("bread-and-travel", "Bread and travel",
                                [("The Douro by train", TRAVEL), ("Sourdough hydration", SOURDOUGH_A)])
    kitchen = sections("kitchen-notes", "Kitchen notes: knives & bread",
                       [("Knife care", KNIVES), ("How wet should dough be?", SOURDOUGH_B)], timed=True)
    # No headings: the long speaker turn is the passage.
    turn = Transcript(path=Path("/a/bus.txt"), source="bus.txt", format="text", segments=[
        Segment("Welcome.", speaker="Kenji Abernathy"),
        Segment(" ".join(MAINTAINERS.split()), speaker="Maren Castillo"),
        Segment("Thanks.", speaker="Kenji Abernathy")])
    bus = Episode(slug="bus-factor", title="The bus factor", date=dt.date(2025, 3, 4),
                  speakers=["Kenji Abernathy", "Maren Castillo"], source="bus.txt", transcript=turn)
    return [bread_and_travel, kitchen, bus]


def summary(links) -> dict:
    return {slug: {i: (link.target_episode.slug, link.anchor, link.score) for i, link in found.items()}
            for slug, found in links.items()}


def test_passages_are_sections_or_long_turns_with_their_rendered_anchors():
    bread, kitchen, bus = three_episodes()
    assert [(p.index, p.anchor) for p in episode_passages(bread)] == [(1, "p1"), (5, "p4")]
    kitchen_passages = episode_passages(kitchen)
    assert [p.index for p in kitchen_passages] == [1, 5]
    assert kitchen_passages[1].anchor == paragraph_anchors(kitchen.transcript)[5] == "t=00:02:30"
    assert [(p.index, p.anchor) for p in episode_passages(bus)] == [(1, "p2")]


def test_the_shared_subject_links_to_the_other_passage_and_the_unrelated_episode_gets_nothing():
    episodes = three_episodes()
    links = find_passage_links(episodes)
    assert set(links) == {"bread-and-travel", "kitchen-notes"}
    (index, link), = links["bread-and-travel"].items()
    assert index == 5  # the first paragraph under "Sourdough hydration"
    assert (link.target_episode.slug, link.anchor) == ("kitchen-notes", "t=00:02:30")
    assert link.score >= MIN_SCORE
    (index, link), = links["kitchen-notes"].items()
    assert (index, link.target_episode.slug, link.anchor) == (5, "bread-and-travel", "p4")
    assert "bus-factor" not in links


def test_the_link_is_rendered_after_the_passage_start_and_its_anchor_exists_on_the_target_page():
    episodes = three_episodes()
    archive = archive_of(episodes)
    page = episode_page(episodes[0], archive, Options())
    line = ("*Discussed elsewhere:* [Kitchen notes: knives &amp; bread](kitchen-notes.md#t=00:02:30)\n"
            "{: .ea-elsewhere }")
    assert line in page
    assert page.index("Sourdough hydration") < page.index(line) < page.index("stiffer with them")
    html = markdown.markdown(page.split("---\n", 2)[2], extensions=["attr_list", "md_in_html", "toc"])
    assert re.search(r'<p class="ea-elsewhere"><em>Discussed elsewhere:</em> '
                     r'<a href="kitchen-notes.md#t=00:02:30">Kitchen notes: knives &amp; bread</a></p>', html)
    target = markdown.markdown(episode_page(episodes[1], archive, Options()).split("---\n", 2)[2],
                               extensions=["attr_list", "md_in_html", "toc"])
    assert 'id="t=00:02:30"' in target
    assert "Discussed elsewhere" not in episode_page(episodes[2], archive, Options())


def test_deterministic_under_shuffled_input():
    expected = summary(find_passage_links(three_episodes()))
    for seed in range(5):
        episodes = three_episodes()
        random.Random(seed).shuffle(episodes)
        assert summary(find_passage_links(episodes)) == expected


def test_option_off_gives_no_links():
    episodes = three_episodes()
    assert find_passage_links(episodes, enabled=False) == {}
    archive = archive_of(episodes, enabled=False)
    assert all("Discussed elsewhere" not in episode_page(e, archive, Options()) for e in episodes)


def test_curated_markdown_neither_gets_nor_receives_links():
    bread, kitchen, bus = three_episodes()
    curated = make_episode("curated-bread", "2025-05-06", ["Ada Byron"],
                           text="## Sourdough hydration\n\n" + SOURDOUGH_B + "\n\n" + SOURDOUGH_A)
    assert episode_passages(curated) == []
    links = find_passage_links([bread, curated, bus])
    assert links == {}
    # With the timed episode back, the curated one changes nothing.
    with_curated = find_passage_links([bread, kitchen, curated, bus])
    assert summary(with_curated) == summary(find_passage_links([bread, kitchen, bus]))


@pytest.mark.parametrize("threshold", [MIN_SCORE, 0.2, 0.05])
def test_best_matches_are_the_full_products(monkeypatch, threshold):
    """Without computing every score, the same best scores and ties as the whole rounded product."""
    rng = np.random.default_rng(7)
    rows = sparse.random(300, 60, density=0.12, random_state=rng, format="csr")
    # Repeated rows in other episodes tie with each other to the last bit.
    matrix = l2_normalize(sparse.vstack([rows, rows[:40], rows[100:120]]).tocsr())
    sizes = rng.integers(1, 9, size=matrix.shape[0])
    owner = np.repeat(np.arange(len(sizes)), sizes)[:matrix.shape[0]]
    first = np.searchsorted(owner, owner, side="left")
    last = np.searchsorted(owner, owner, side="right")
    monkeypatch.setattr(passages, "MIN_SCORE", threshold)
    monkeypatch.setattr(passages, "_BLOCK", 64)  # several blocks, a triangle split across them

    expected = []
    scores = np.round((matrix @ matrix.T).toarray(), passages.SCORE_DIGITS)
    for row in range(matrix.shape[0]):
        scores[row, first[row]:last[row]] = -1.0
        best = scores[row].max()
        if best >= threshold:
            expected.append((row, float(best), list(np.flatnonzero(scores[row] == best))))
    assert any(len(tied) > 1 for _, _, tied in expected)
    assert passages._best_matches(matrix, *passages._near_pairs(matrix, first, last, None)) == expected

    # The next build: some rows change; the pairs between unchanged rows are taken from the last one.
    rows, columns, scores = passages._near_pairs(matrix, first, last, None)
    edited = matrix.tolil()
    changed = np.zeros(matrix.shape[0], dtype=bool)
    changed[[3, 77, 78, 200, 301]] = True
    for row in np.flatnonzero(changed):
        edited[row, rng.integers(0, 60, size=4)] = 0.5
    edited = l2_normalize(edited.tocsr())
    expected = passages._best_matches(edited, *passages._near_pairs(edited, first, last, None))
    kept = ~changed[rows] & ~changed[columns]
    known = (changed, (rows[kept], columns[kept], scores[kept]))
    assert passages._best_matches(edited, *passages._near_pairs(edited, first, last, known)) == expected

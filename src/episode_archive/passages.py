"""Passage links: "discussed elsewhere", from a passage to the most similar passage of another episode.

A passage is the text under a heading (until the next heading), or, in a transcript without headings,
a long speaker turn: consecutive paragraphs of one speaker with `MIN_TURN_WORDS` words or more (a turn
longer than `PASSAGE_WORDS` is cut at paragraphs into several passages). Its
anchor is its first paragraph's, exactly as the page renders it (render.pages.paragraph_anchors).
Curated Markdown episodes have no paragraph anchors: they neither get nor receive passage links.

Similarity is TF-IDF (sublinear tf, English stopwords, filler words and speakers' names removed,
`min_df=2`) over every passage's first `PASSAGE_WORDS` words, compared by cosine. Each passage keeps its
best passage in another episode when the cosine reaches `MIN_SCORE` and they share `MIN_SHARED_WORDS`
words (in a small archive few words are in two passages, and one shared word makes a high cosine);
each episode keeps its `PER_EPISODE` strongest, linking each target passage once. The best match per row comes from
blocks of sparse products, so memory stays at `_BLOCK` × passages however large the archive.

Deterministic: passages are sorted by (episode slug, segment index) before vectorising, scores are
rounded to `SCORE_DIGITS`, and ties go to the target slug, then the anchor.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .model import Episode
from .related import _keep_top_terms, speaker_words
from .render.pages import paragraph_anchors
from .tfidf import ENGLISH_STOP_WORDS, TermCounts, l2_normalize, term_counts, tfidf_matrix
from .topics import FILLER_WORDS, looks_english

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

MIN_TURN_WORDS = 120
"""A speaker turn this long (in a transcript without headings) is a passage."""
MIN_SECTION_WORDS = 40
"""Text under a heading shorter than this says too little to compare."""
PASSAGE_WORDS = 400
"""Words of each passage compared: a long section is compared by its opening."""
MIN_SCORE = 0.35
"""Cosine from which a link is shown. Measured on the demo (19 episodes; 19 passages in the 5 segment
transcripts with headings or long turns): the same narrow subject in two episodes (reward models and
reward hacking, "What a reward model actually rewards" and "Notes on reward hacking") scores 0.50; a
passage's best match on another subject of the same field (personas vs reward models) 0.22-0.25, across
fields (fermentation, maintainers vs alignment) at most 0.18. 0.35 sits between: only matches a reader
would agree with. On 300 synthetic episodes it links 138 of 2,775 passages."""
MIN_SHARED_WORDS = 5
"""Distinct words (of the compared vocabulary) two linked passages must have in common."""
PER_EPISODE = 5
"""At most this many passage links per episode: its strongest."""
SCORE_DIGITS = 4
MAX_FEATURES = 50000
TERMS_PER_PASSAGE = 100
"""Each passage is compared by its strongest terms (re-normalised): the common words this drops are
the ones with long postings that make the products slow, and they say little about the subject."""
_BLOCK = 256
_STOP_WORDS = ENGLISH_STOP_WORDS | FILLER_WORDS


@dataclass(frozen=True)
class PassageLink:
    """A passage's most similar passage in another episode: that episode and its first paragraph's anchor."""

    target_episode: Episode
    anchor: str
    score: float


@dataclass(frozen=True)
class Passage:
    episode: Episode
    index: int
    """The segment where the passage starts (its first paragraph)."""
    anchor: str
    text: str


def episode_passages(episode: Episode) -> list[Passage]:
    """The passages of one episode, in transcript order; none for curated Markdown."""
    transcript = episode.transcript
    if transcript.markdown_body is not None:
        return []
    segments = transcript.segments
    anchors = paragraph_anchors(transcript)
    # Runs of text paragraphs: under each heading, or, without headings, one speaker's turn.
    runs: list[list[int]] = []
    if any(segment.kind == "heading" for segment in segments):
        current: list[int] | None = None
        for index, segment in enumerate(segments):
            if segment.kind == "heading":
                current = []
                runs.append(current)
            elif segment.kind == "text" and current is not None:
                current.append(index)
        minimum = MIN_SECTION_WORDS
    else:
        # One speaker's consecutive paragraphs (an unlabelled monologue is one speaker's), cut at a
        # paragraph once a passage has PASSAGE_WORDS words, so a long talk is compared part by part.
        speaker: object = object()
        words = 0
        for index, segment in enumerate(segments):
            if segment.kind != "text":
                continue  # a stage direction neither ends nor belongs to a turn
            if segment.speaker != speaker or words >= PASSAGE_WORDS:
                runs.append([])
                speaker, words = segment.speaker, 0
            runs[-1].append(index)
            words += len(segment.text.split())
        minimum = MIN_TURN_WORDS
    passages = []
    for run in runs:
        words = [word for index in run for word in segments[index].text.split()]
        anchor = anchors[run[0]] if run else None
        if len(words) >= minimum and anchor is not None:
            passages.append(Passage(episode, run[0], anchor, " ".join(words[:PASSAGE_WORDS])))
    return passages


@dataclass(frozen=True)
class PassageWords:
    """What passage links read of one passage: where it starts, whether it is English, and its words."""

    index: int
    anchor: str
    english: bool
    words: TermCounts
    """Without stopwords; speakers' names go later, they are the whole archive's."""


def passage_words(episode: Episode) -> tuple[PassageWords, ...]:
    """One episode's share of the passage comparison: the slow part, so it is cached with the episode."""
    return tuple(PassageWords(p.index, p.anchor, True, term_counts(p.text, _STOP_WORDS)) if looks_english(p.text)
                 else PassageWords(p.index, p.anchor, False, TermCounts()) for p in episode_passages(episode))


def find_passage_links(episodes: list[Episode], enabled: bool = True,
                       words: Callable[[Episode], Sequence[PassageWords]] = passage_words,
                       ) -> dict[str, dict[int, PassageLink]]:
    """Episode slug to {segment index where a passage starts: its link}, for episodes with any.

    `words` gives each episode's passages (the archive passes the ones it cached with the episodes).
    """
    if not enabled:
        return {}
    started = time.perf_counter()
    passages = [(e, p) for e in sorted(episodes, key=lambda e: e.slug) for p in words(e) if p.english]
    if len({e.slug for e, _ in passages}) < 2:
        return {}
    matrix = tfidf_matrix([p.words for _, p in passages], speaker_words(episodes), min_df=2,
                          max_features=MAX_FEATURES, l2=True)
    if matrix is None:  # no word in two passages
        return {}
    matrix = l2_normalize(_keep_top_terms(matrix, TERMS_PER_PASSAGE))
    # Passages of one episode are a contiguous range of rows, up to (not including) last[row].
    slugs = [e.slug for e, _ in passages]
    last = np.zeros(len(passages), dtype=np.int64)
    start = 0
    for row in range(1, len(passages) + 1):
        if row == len(passages) or slugs[row] != slugs[start]:
            last[start:row] = row
            start = row

    candidates: dict[str, list[tuple[float, int, PassageLink]]] = {}
    for row, best, tied in _best_matches(matrix, last):
        column = min(tied, key=lambda c: (slugs[c], passages[c][1].anchor))
        if _shared_words(matrix, row, column) < MIN_SHARED_WORDS:
            continue
        target_episode, target = passages[column]
        candidates.setdefault(slugs[row], []).append(
            (best, passages[row][1].index, PassageLink(target_episode, target.anchor, best)))
    links: dict[str, dict[int, PassageLink]] = {}
    for slug, found in candidates.items():
        # Strongest first; a target passage is linked once per episode (from its best match), so five
        # sections of one talk do not all point at the same paragraph.
        chosen: dict[int, PassageLink] = {}
        targets: set[tuple[str, str]] = set()
        for _, index, link in sorted(found, key=lambda c: (-c[0], c[1])):
            target = (link.target_episode.slug, link.anchor)
            if target not in targets and len(chosen) < PER_EPISODE:
                chosen[index] = link
                targets.add(target)
        links[slug] = chosen
    log.info("linked %d passages of %d in %.2f s", sum(len(v) for v in links.values()), len(passages),
             time.perf_counter() - started)
    return links


def _best_matches(matrix: sparse.csr_matrix, last: np.ndarray) -> list[tuple[int, float, list[int]]]:
    """Each passage whose best score in another episode rounds to `MIN_SCORE` or more: its row, that
    score, and the rows that tie with it.

    The scores are those of `matrix @ matrix.T`, rounded to `SCORE_DIGITS`, without the whole product,
    which is most of the time here: one pass over the upper triangle (a score and its mirror differ
    only in the order of additions, by about 1e-16) keeps the few pairs that can reach `MIN_SCORE`,
    and the pairs within rounding of a row's best are multiplied again row by row, as the full
    product adds them up, so they are the very floats it gives.
    """
    count = matrix.shape[0]
    unit = 10.0 ** -SCORE_DIGITS
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, count, _BLOCK):
        stop = min(count, start + _BLOCK)
        block = matrix[start:stop] @ matrix[start:].T.tocsr()
        at = np.flatnonzero(block.data >= MIN_SCORE - unit)
        rows = np.searchsorted(block.indptr, at, side="right") - 1 + start
        columns = block.indices[at] + start
        # The upper triangle, and only pairs of two episodes (an episode's rows are contiguous).
        other = columns >= last[rows]
        found.append((rows[other], columns[other], block.data[at][other]))
    upper_rows, upper_columns, upper_scores = (np.concatenate([part[i] for part in found]) for i in range(3))
    rows = np.concatenate((upper_rows, upper_columns))
    columns = np.concatenate((upper_columns, upper_rows))
    scores = np.concatenate((upper_scores, upper_scores))
    best = np.full(count, -1.0)
    np.maximum.at(best, rows, scores)
    # A column ties with the best once both are rounded when it is within one unit of it.
    near = np.flatnonzero(scores >= best[rows] - 1.1 * unit)
    order = near[np.lexsort((columns[near], rows[near]))]
    rows, columns = rows[order], columns[order]

    matches = []
    bounds = np.append(np.flatnonzero(np.diff(rows, prepend=-1)), len(rows))  # each row's run of pairs
    for group in range(0, len(bounds) - 1, _BLOCK):
        runs = bounds[group:group + _BLOCK + 1]
        row_set, row_at = np.unique(rows[runs[0]:runs[-1]], return_inverse=True)
        column_set, column_at = np.unique(columns[runs[0]:runs[-1]], return_inverse=True)
        # Whole rows of the matrix against only the columns needed: each score adds the same products in
        # the same order as the full product.
        exact = np.round((matrix[row_set] @ matrix[column_set].T).toarray()[row_at, column_at], SCORE_DIGITS)
        for begin, end in zip(runs[:-1], runs[1:], strict=True):
            scored = exact[begin - runs[0]:end - runs[0]]
            top = float(scored.max())
            if top >= MIN_SCORE:
                tied = columns[begin:end][scored == top]
                matches.append((int(rows[begin]), top, [int(column) for column in tied]))
    return matches


def _shared_words(matrix, row: int, column: int) -> int:
    words = [matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]] for r in (row, column)]
    return len(np.intersect1d(words[0], words[1], assume_unique=True))

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
blocks of sparse products over half the pairs (a score and its mirror are one), keeping only the pairs
that can reach `MIN_SCORE`, so memory stays at `_BLOCK` × passages however large the archive; a rebuild
multiplies again only the passages whose vectors changed (`NearPairs`).

Deterministic: passages are sorted by (episode slug, segment index) before vectorising, scores are
rounded to `SCORE_DIGITS`, and ties go to the target slug, then the anchor.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .cache import ArchiveCache, code_digest
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
                       store: ArchiveCache | None = None) -> dict[str, dict[int, PassageLink]]:
    """Episode slug to {segment index where a passage starts: its link}, for episodes with any.

    `words` gives each episode's passages (the archive passes the ones it cached with the episodes);
    with a `store`, the pairs found are kept for the next build, which multiplies only the passages
    that changed.
    """
    if not enabled:
        return {}
    started = time.perf_counter()
    passages = [(e, p) for e in sorted(episodes, key=lambda e: e.slug) for p in words(e) if p.english]
    if len({e.slug for e, _ in passages}) < 2:
        return {}
    weighted = tfidf_matrix([p.words for _, p in passages], speaker_words(episodes), min_df=2,
                            max_features=MAX_FEATURES, l2=True)
    if weighted is None:  # no word in two passages
        return {}
    matrix, terms = weighted
    matrix = l2_normalize(_keep_top_terms(matrix, TERMS_PER_PASSAGE))
    # Passages of one episode are a contiguous range of rows: [first[row], last[row]).
    slugs = [e.slug for e, _ in passages]
    first = np.zeros(len(passages), dtype=np.int64)
    last = np.zeros(len(passages), dtype=np.int64)
    start = 0
    for row in range(1, len(passages) + 1):
        if row == len(passages) or slugs[row] != slugs[start]:
            first[start:row], last[start:row] = start, row
            start = row

    keys = [(e.slug, p.index) for e, p in passages]
    digests = _row_digests(matrix, terms)
    previous = store.get(pairs_key()) if store is not None else None
    known = _still_near(previous, keys, digests)
    near = _near_pairs(matrix, first, last, known)
    if store is not None:
        store.put(pairs_key(), NearPairs(keys, digests, *near))

    candidates: dict[str, list[tuple[float, int, PassageLink]]] = {}
    for row, best, tied in _best_matches(matrix, *near):
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
    log.info("linked %d passages of %d (%d changed since the last build) in %.2f s",
             sum(len(v) for v in links.values()), len(passages),
             len(passages) if known is None else int(known[0].sum()), time.perf_counter() - started)
    return links


def pairs_key() -> str:
    """The cache entry of the last build's `NearPairs` (for this code: its thresholds are in it)."""
    return "passage-pairs-" + code_digest()


@dataclass(frozen=True)
class NearPairs:
    """The pairs of passages of two episodes whose score can reach `MIN_SCORE`, kept for the next build.

    A passage is named by (episode slug, segment index) and its row's digest (terms and weights, in
    stored order): where both are unchanged, so is every score between two such rows, and the next build
    multiplies only the other rows. An edit moves the idf of the words whose document frequency it
    changes, so that is the passages with those words: 394 of 10,705 after a sentence added mid-way
    through one of 1,000 synthetic transcripts.
    """

    keys: list[tuple[str, int]]
    digests: list[bytes]
    rows: np.ndarray
    columns: np.ndarray
    scores: np.ndarray
    """Within about 1e-16 of the exact scores (the order of additions may differ): `_best_matches`
    scores again the pairs that count."""


_Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]


def _row_digests(matrix: sparse.csr_matrix, terms: list[str]) -> list[bytes]:
    """Each row's terms (by name: column numbers move when the vocabulary does) and weights, hashed."""
    names = np.frombuffer(b"".join(hashlib.blake2b(term.encode(), digest_size=8).digest() for term in terms),
                          dtype=np.uint64)[matrix.indices]
    return [hashlib.blake2b(names[begin:end].tobytes() + matrix.data[begin:end].tobytes(), digest_size=16).digest()
            for begin, end in zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True)]


def _still_near(previous: NearPairs | None, keys: list[tuple[str, int]],
                digests: list[bytes]) -> tuple[np.ndarray, _Pairs] | None:
    """The rows that changed since `previous`, and its pairs between rows that did not (renumbered)."""
    if not isinstance(previous, NearPairs):
        return None
    row_of = {key: row for row, key in enumerate(keys)}
    now = np.array([row_of.get(key, -1) for key in previous.keys], dtype=np.int64)
    same = [row >= 0 and digests[row] == digest for row, digest in zip(now, previous.digests, strict=True)]
    now[~np.array(same, dtype=bool)] = -1
    changed = np.ones(len(keys), dtype=bool)
    changed[now[now >= 0]] = False
    rows, columns = now[previous.rows], now[previous.columns]
    kept = (rows >= 0) & (columns >= 0)
    return changed, (rows[kept], columns[kept], previous.scores[kept])


def _near_pairs(matrix: sparse.csr_matrix, first: np.ndarray, last: np.ndarray,
                known: tuple[np.ndarray, _Pairs] | None) -> _Pairs:
    """Every pair of rows of two episodes, both ways round, whose score can round to `MIN_SCORE` or more:
    (rows, columns, scores within about 1e-16 of the full product's).

    Without `known` pairs, one pass over the upper triangle of `matrix @ matrix.T` (a score and its
    mirror differ only in the order of additions); with them, only the changed rows against all rows,
    unless so many changed that the triangle is the smaller product.
    """
    count = matrix.shape[0]
    low = MIN_SCORE - 10.0 ** -SCORE_DIGITS
    found: list[_Pairs] = []
    if known is None or 2 * int(known[0].sum()) > count:
        for start in range(0, count, _BLOCK):
            block = matrix[start:min(count, start + _BLOCK)] @ matrix[start:].T.tocsr()
            rows, columns, scores = _at_least(block, low)
            rows, columns = rows + start, columns + start
            # The upper triangle, and only pairs of two episodes (an episode's rows are contiguous).
            other = columns >= last[rows]
            found += [(rows[other], columns[other], scores[other]), (columns[other], rows[other], scores[other])]
    else:
        changed, kept = known
        found.append(kept)
        transposed = matrix.T.tocsr()
        changed_rows = np.flatnonzero(changed)
        for start in range(0, len(changed_rows), _BLOCK):
            block_rows = changed_rows[start:start + _BLOCK]
            rows, columns, scores = _at_least(matrix[block_rows] @ transposed, low)
            rows = block_rows[rows]
            other = (columns < first[rows]) | (columns >= last[rows])
            mirrored = other & ~changed[columns]  # a pair of two changed rows is found from both
            found += [(rows[other], columns[other], scores[other]),
                      (columns[mirrored], rows[mirrored], scores[mirrored])]
    return tuple(np.concatenate([part[i] for part in found]) for i in range(3))  # type: ignore[return-value]


def _at_least(block: sparse.csr_matrix, low: float) -> _Pairs:
    """The (row, column, value) of every entry of `block` from `low` up."""
    at = np.flatnonzero(block.data >= low)
    return np.searchsorted(block.indptr, at, side="right") - 1, block.indices[at], block.data[at]


def _best_matches(matrix: sparse.csr_matrix, rows: np.ndarray, columns: np.ndarray,
                  scores: np.ndarray) -> list[tuple[int, float, list[int]]]:
    """Each passage whose best score in another episode rounds to `MIN_SCORE` or more: its row, that
    score, and the rows that tie with it; from its near pairs (see `_near_pairs`).

    The scores are those of `matrix @ matrix.T`, rounded to `SCORE_DIGITS`, without the whole product,
    which is most of the time here: the pairs within rounding of a row's best are multiplied again, row
    by row as the full product adds them up, so they are the very floats it gives.
    """
    unit = 10.0 ** -SCORE_DIGITS
    best = np.full(matrix.shape[0], -1.0)
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

"""Related talks: one score from similar wording, shared speakers and shared topics, with its reason.

- Wording: TF-IDF (sublinear tf, English stopwords, speakers' names removed) over a sample of each
  transcript, each vector cut to its `TERMS_PER_EPISODE` strongest terms, compared by cosine. The cut
  keeps 10,000 episodes fast and keeps a long talk's rare asides from drowning its subject.
- Speakers and topics count by how rare they are, like idf: sharing a guest who appears twice in the
  archive says much, sharing the host of every episode says nothing. A speaker's rarity is measured in
  the whole archive and, for two episodes of one show, within that show, and the smaller one counts:
  the host of every episode of a small show never links that show's episodes on their own.
- A link needs `MIN_SCORE`; an unrelated talk is never shown just to fill the list.

Deterministic: episodes are sorted by slug before vectorising, scores are rounded to `SCORE_DIGITS`
before ranking, and ties go to the newer episode, then by slug. Adding an episode changes every idf a
little, so scores move in the last digits; rankings of episodes it is unrelated to stay the same unless
two candidates were nearly tied.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from .model import Episode, RelatedLink
from .names import name_key
from .slugs import make_slug
from .topics import FILLER_WORDS, looks_english, name_parts, sample_text

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

TEXT_SAMPLE_WORDS = 3000
"""Words of each transcript read for wording, in windows over the whole text (see topics.sample_text)."""
TEXT_SAMPLE_WINDOWS = 12
TERMS_PER_EPISODE = 200
SPEAKER_WEIGHT = 0.25
"""Score for sharing one rare speaker (a guest in two episodes)."""
TOPIC_WEIGHT = 0.15
"""Score for sharing one rare topic."""
MAX_SPEAKER_EVIDENCE = 2.0
MAX_TOPIC_EVIDENCE = 3.0
MIN_SCORE = 0.2
"""A rare shared speaker is enough; a rare shared topic needs some similar wording too."""
WORDING_MIN = 0.1
"""Cosine from which the reason says "similar wording"."""
SCORE_DIGITS = 4
_BLOCK = 512
FOREIGN_STOPWORD_LANGUAGES = ("de", "es", "fr", "it", "nl", "pt")
_TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_'’-]+\b"


def rarity(count: int, total: int) -> float:
    """How much sharing an item found in `count` of `total` episodes says, from 0 to 1.

    1 for an item in only two episodes (the fewest that can share it); 0 for one in every episode;
    log-scaled in between, like idf.
    """
    if count >= total or count < 1:
        return 0.0
    if count <= 2:
        return 1.0
    return max(0.0, min(1.0, math.log(total / count) / math.log(total / 2)))


def find_related(episodes: list[Episode], k: int) -> dict[str, list[RelatedLink]]:
    """Up to k related episodes per episode, best first; ties go to the newer, then by slug."""
    ordered = sorted(episodes, key=lambda e: e.slug)
    n = len(ordered)
    related: dict[str, list[RelatedLink]] = {e.slug: [] for e in ordered}
    if n < 2 or k <= 0:
        return related

    wording = _wording_vectors(ordered)
    speakers = _Items(ordered, lambda e: [name_key(name) for name in e.speakers], lambda e: list(e.speakers))
    topics = _Items(ordered, lambda e: [make_slug(topic) for topic in e.topics], lambda e: list(e.topics))
    show_of = [e.show.casefold() if e.show else None for e in ordered]
    within_show = _within_show_weights(speakers, show_of)
    # Sharing a speaker within one show counts their within-show weight when that is lower: the
    # archive-wide weight minus `corrections` on the (speaker, show) pairs both episodes have.
    pair_columns = sorted(within_show)
    pair_index = {pair: i for i, pair in enumerate(pair_columns)}
    pair_rows = [(row, pair_index[(key, show)]) for row, show in enumerate(show_of) if show is not None
                 for key in speakers.keys_of[row]]
    pairs = _binary(pair_rows, (n, len(pair_columns)))
    corrections = np.array([max(0.0, speakers.weights[speakers.index[key]] - within_show[(key, show)])
                            for key, show in pair_columns])

    dates = np.array([e.date.toordinal() for e in ordered])
    for start in range(0, n, _BLOCK):
        rows = slice(start, min(n, start + _BLOCK))
        text = (wording[rows] @ wording.T).toarray()
        shared_speakers = speakers.shared(rows) - (pairs[rows] @ sparse.diags(corrections) @ pairs.T).toarray()
        scores = (text + SPEAKER_WEIGHT * np.minimum(shared_speakers, MAX_SPEAKER_EVIDENCE)
                  + TOPIC_WEIGHT * np.minimum(topics.shared(rows), MAX_TOPIC_EVIDENCE))
        scores = np.round(scores, SCORE_DIGITS)
        for offset, row in enumerate(range(rows.start, rows.stop)):
            scores[offset, row] = -1.0
            candidates = np.flatnonzero(scores[offset] >= MIN_SCORE)
            # Best score first, then the newer episode, then the slug (the row order).
            order = np.lexsort((candidates, -dates[candidates], -scores[offset, candidates]))[:k]
            for column in candidates[order]:
                same_show = show_of[row] is not None and show_of[row] == show_of[column]

                def speaker_weight(key: str, row: int = row, same_show: bool = same_show) -> float:
                    weight = speakers.weights[speakers.index[key]]
                    return min(weight, within_show[(key, show_of[row])]) if same_show else weight

                reason = _reason(speakers.shared_names(row, column, speaker_weight), float(text[offset, column]),
                                 topics.shared_names(row, column, lambda key: topics.weights[topics.index[key]]))
                related[ordered[row].slug].append(
                    RelatedLink(ordered[column], float(scores[offset, column]), reason))
    return related


def _binary(cells: list[tuple[int, int]], shape: tuple[int, int]) -> sparse.csr_matrix:
    rows = [row for row, _ in cells]
    cols = [col for _, col in cells]
    return sparse.csr_matrix((np.ones(len(cells)), (rows, cols)), shape=shape)


class _Items:
    """Speakers or topics of every episode: keys, shown names, a binary matrix, a rarity weight each."""

    def __init__(self, episodes: list[Episode], keys: Callable[[Episode], list[str]],
                 names: Callable[[Episode], list[str]]) -> None:
        self.keys_of: list[list[str]] = []
        self.names_of: list[dict[str, str]] = []
        for episode in episodes:
            shown: dict[str, str] = {}
            for key, name in zip(keys(episode), names(episode), strict=True):
                shown.setdefault(key, name)
            self.keys_of.append(list(shown))
            self.names_of.append(shown)
        self.index = {key: i for i, key in enumerate(sorted({key for keys in self.keys_of for key in keys}))}
        self.matrix = _binary([(row, self.index[key]) for row, keys in enumerate(self.keys_of) for key in keys],
                              (len(episodes), len(self.index)))
        counts = np.asarray(self.matrix.sum(axis=0)).ravel()
        self.weights = np.array([rarity(int(count), len(episodes)) for count in counts], dtype=float)
        self._weighted_t = (sparse.diags(self.weights) @ self.matrix.T).tocsr()

    def shared(self, rows: slice) -> np.ndarray:
        """For each episode in `rows` and every episode: the summed weight of the items both have."""
        return (self.matrix[rows] @ self._weighted_t).toarray()

    def shared_names(self, row: int, column: int, weight: Callable[[str], float]) -> list[str]:
        """Shared items that count (weight above 0), named and ordered as the first episode gives them."""
        theirs = set(self.keys_of[column])
        return [self.names_of[row][key] for key in self.keys_of[row] if key in theirs and weight(key) > 0]


def _within_show_weights(speakers: _Items, show_of: list[str | None]) -> dict[tuple[str, str], float]:
    """Each speaker's rarity within each show they appear in.

    In a show of one or two episodes, a speaker of every episode counts 0 and any other 1.
    """
    show_sizes = Counter(show for show in show_of if show is not None)
    counts: Counter[tuple[str, str]] = Counter()
    for keys, show in zip(speakers.keys_of, show_of, strict=True):
        if show is not None:
            counts.update((key, show) for key in keys)
    return {(key, show): rarity(count, show_sizes[show]) for (key, show), count in counts.items()}


def _wording_vectors(episodes: list[Episode]) -> sparse.csr_matrix:
    """One unit vector per episode over its strongest TF-IDF terms; zero rows when there is no text."""
    texts = [sample_text(e.transcript.plain_text(), TEXT_SAMPLE_WORDS, TEXT_SAMPLE_WINDOWS) for e in episodes]
    # English stopwords mean nothing to a Spanish transcript: two of them would look alike for their
    # shared grammar. Such episodes link by speakers and topics only.
    english = [i for i, text in enumerate(texts) if looks_english(text)]
    names = {part for part in name_parts(n for e in episodes for n in e.speakers) if re.fullmatch(r"[^\W\d_]+", part)}
    stop_words = sorted(ENGLISH_STOP_WORDS | FILLER_WORDS | _foreign_stopwords() | names)
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words=stop_words, token_pattern=_TOKEN_PATTERN,
                                 min_df=2 if len(english) > 2 else 1, dtype=np.float64)
    if not english:
        return sparse.csr_matrix((len(episodes), 1))
    try:
        matrix = vectorizer.fit_transform([texts[i] for i in english]).tocsr()
    except ValueError:  # no term left: no text, or no word shared by two episodes
        return sparse.csr_matrix((len(episodes), 1))
    # Back to one row per episode, in order; other-language rows stay empty.
    placement = sparse.csr_matrix((np.ones(len(english)), (english, range(len(english)))),
                                  shape=(len(episodes), len(english)))
    return _keep_top_terms((placement @ matrix).tocsr(), TERMS_PER_EPISODE)


@lru_cache(maxsize=1)
def _foreign_stopwords() -> frozenset[str]:
    """Function words of other common languages (YAKE's lists): two translated talks on different
    subjects must not look alike for sharing "para", "los" and "una"."""
    words: set[str] = set()
    for language in FOREIGN_STOPWORD_LANGUAGES:
        listing = resources.files("yake").joinpath(f"core/StopwordsList/stopwords_{language}.txt")
        words.update(word.strip().lower() for word in listing.read_text("utf-8", errors="replace").splitlines())
    return frozenset(word for word in words if re.fullmatch(r"[^\W\d_]{2,}", word))


def _keep_top_terms(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    """Each row cut to its `keep` largest weights (ties to the lower term index), then L2-normalised."""
    matrix.sort_indices()
    data = matrix.data.copy()
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        row_data = data[start:end]
        if row_data.size > keep:
            dropped = np.lexsort((matrix.indices[start:end], -row_data))[keep:]
            row_data[dropped] = 0.0
        norm = float(np.sqrt(np.dot(row_data, row_data)))
        if norm:
            row_data /= norm
    trimmed = sparse.csr_matrix((data, matrix.indices.copy(), matrix.indptr.copy()), shape=matrix.shape)
    trimmed.eliminate_zeros()
    return trimmed


def _reason(speakers: list[str], text: float, topics: list[str]) -> str:
    """What a reader can check: the shared speakers and topics that counted, and similar wording."""
    parts = []
    if speakers:
        parts.append("shares speakers: " + ", ".join(speakers))
    if text >= WORDING_MIN or not (speakers or topics):
        parts.append("similar wording")
    if topics:
        parts.append("topics: " + ", ".join(topics))
    return "; ".join(parts)

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
before ranking, and ties go to the newer episode, then by slug. Stable, within limits: adding an
episode changes the TF-IDF idf of every word a little (about 1 / N), and speaker and topic weights a
little less, so a score can move by a few thousandths. A list then changes only where two candidates
round to neighbouring values or one sits at `MIN_SCORE`: on the 33 bitcoin transcripts, adding one
cooking episode left 31 of 33 lists as they were (on average over six such episodes).
"""

from __future__ import annotations

import bisect
import heapq
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from .model import Episode, RelatedLink
from .names import name_key
from .slugs import make_slug
from .tfidf import ENGLISH_STOP_WORDS, TermCounts, term_counts, weighted
from .topics import FILLER_WORDS, looks_english, name_parts, sample_text, yake_stopwords

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

TEXT_SAMPLE_WORDS = 3000
"""Words of each transcript read for wording, in windows over the whole text (see topics.sample_text)."""
TEXT_SAMPLE_WINDOWS = 12
TERMS_PER_EPISODE = 200
TEXT_WEIGHT = 1.6
"""Score per unit of cosine. On the bitcoin transcripts (one subject) the median pair has a cosine of
0.04, the top 5% above 0.13, talks on the same question 0.15-0.35: from 0.125 wording alone links."""
SPEAKER_WEIGHT = 0.25
"""Score for sharing one rare speaker (a guest in two episodes)."""
TOPIC_WEIGHT = 0.2
"""Score for sharing one rare topic that both episodes' metadata give."""
EXTRACTED_TOPIC_TRUST = 0.5
"""A shared topic counts half when both sides were extracted (and 0.71 when one side was)."""
MAX_SPEAKER_EVIDENCE = 2.0
MAX_TOPIC_EVIDENCE = 3.0
MIN_SCORE = 0.2
"""A rare shared speaker or given topic is enough; a shared extracted topic needs similar wording too."""
WORDING_MIN = 0.08
"""Cosine from which the reason says "similar wording" (the top 10% of pairs in one-subject archives)."""
SCORE_DIGITS = 2
"""Scores are ranked at this precision (then newer first): near-ties stay put when an episode is added."""
_BLOCK = 512
FOREIGN_STOPWORD_LANGUAGES = ("de", "es", "fr", "it", "nl", "pt")


@dataclass(frozen=True)
class WordingSample:
    """What wording similarity reads of one episode: whether its sample is English, and its words."""

    english: bool
    words: TermCounts
    """The sample's words without stopwords (speakers' names go later: they are the whole archive's)."""


def wording_sample(episode: Episode) -> WordingSample:
    """One episode's share of the wording comparison: the slow part, so it is cached with the episode."""
    text = sample_text(episode.transcript.plain_text(), TEXT_SAMPLE_WORDS, TEXT_SAMPLE_WINDOWS)
    if not looks_english(text):
        return WordingSample(False, TermCounts())
    return WordingSample(True, term_counts(text, _stop_words()))


def rarity(count: int, total: int) -> float:
    """How much sharing an item found in `count` of `total` episodes says, from 0 to 1.

    1 for an item in only two episodes (the fewest that can share it), 0 for one in every episode;
    in between an inverse frequency, 2 / count, scaled down as the item nears every episode. Not the
    log of idf: that depends on the archive's size, so adding any episode would move every weight;
    this one moves by about count / total² per added episode.
    """
    if count >= total or count < 2:
        return 0.0
    return min(1.0, 2 / count) * (total - count) / (total - 2)


def find_related(episodes: list[Episode], k: int,
                 wording: Callable[[Episode], WordingSample] = wording_sample,
                 vectors: sparse.csr_matrix | None = None) -> dict[str, list[RelatedLink]]:
    """Up to k related episodes per episode, best first; ties go to the newer, then by slug.

    `wording` gives each episode's sample (the archive passes the ones it cached with the episodes);
    `vectors`, what `wording_vectors` made of them, when it ran apart (they read no topics).
    """
    ordered = sorted(episodes, key=lambda e: e.slug)
    n = len(ordered)
    related: dict[str, list[RelatedLink]] = {e.slug: [] for e in ordered}
    if n < 2 or k <= 0:
        return related

    if vectors is None:
        vectors = wording_vectors(ordered, wording)
    speakers = _Items(ordered, lambda e: [name_key(name) for name in e.speakers], lambda e: list(e.speakers))
    topics = _Items(ordered, lambda e: [make_slug(topic) for topic in e.topics], lambda e: list(e.topics),
                    trust=[1.0 if e.given_topics else math.sqrt(EXTRACTED_TOPIC_TRUST) for e in ordered])
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

    # Each episode's place among the dates, newest first (episodes of one day share it).
    newest_first = np.unique(-np.array([e.date.toordinal() for e in ordered]), return_inverse=True)[1]
    for start in range(0, n, _BLOCK):
        rows = slice(start, min(n, start + _BLOCK))
        text = (vectors[rows] @ vectors.T).toarray()
        shared_speakers = speakers.shared(rows) - (pairs[rows] @ sparse.diags(corrections) @ pairs.T).toarray()
        scores = (TEXT_WEIGHT * text + SPEAKER_WEIGHT * np.minimum(shared_speakers, MAX_SPEAKER_EVIDENCE)
                  + TOPIC_WEIGHT * np.minimum(topics.shared(rows), MAX_TOPIC_EVIDENCE))
        scores = np.round(scores, SCORE_DIGITS)
        scores[np.arange(rows.stop - rows.start), np.arange(rows.start, rows.stop)] = -1.0
        offsets, columns = _best_k(scores, k, newest_first)
        for offset, column in zip(offsets.tolist(), columns.tolist(), strict=True):
            row = rows.start + offset
            show = show_of[row] if show_of[row] == show_of[column] else None
            # A shared speaker counts where their weight does, within the show when both are of one.
            shared_speakers = [name for key, name in speakers.common(row, column)
                               if (min(speakers.weight_of[key], within_show[(key, show)]) if show is not None
                                   else speakers.weight_of[key]) > 0]
            shared_topics = [name for key, name in topics.common(row, column) if topics.weight_of[key] > 0]
            reason = _reason(shared_speakers, float(text[offset, column]), shared_topics)
            related[ordered[row].slug].append(RelatedLink(ordered[column], float(scores[offset, column]), reason))
    return related


def _best_k(scores: np.ndarray, k: int, newest_first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's up to k columns scoring at least MIN_SCORE (rounded scores): best first, then the newer
    episode (`newest_first`: each column's place by date), then the lower column (the slug order). As
    (rows, columns), by row. Partitions each row on one integer key instead of sorting its candidates."""
    rows, n = scores.shape
    hundredths = np.rint(scores * 10 ** SCORE_DIGITS).astype(np.int64)
    # Smaller is better: the score's shortfall from the best, then the date's place, then the column.
    key = ((hundredths.max(initial=0) - hundredths) * n + newest_first) * n + np.arange(n)
    excluded = np.iinfo(np.int64).max
    key[scores < MIN_SCORE] = excluded
    top = np.argpartition(key, k, axis=1)[:, :k] if k < n else np.broadcast_to(np.arange(n), (rows, n))
    top = np.take_along_axis(top, np.argsort(np.take_along_axis(key, top, axis=1), axis=1), axis=1)
    kept = np.take_along_axis(key, top, axis=1) != excluded
    return np.nonzero(kept)[0], top[kept]


def _binary(cells: list[tuple[int, int]], shape: tuple[int, int]) -> sparse.csr_matrix:
    rows = [row for row, _ in cells]
    cols = [col for _, col in cells]
    return sparse.csr_matrix((np.ones(len(cells)), (rows, cols)), shape=shape)


class _Items:
    """Speakers or topics of every episode: keys, shown names, a binary matrix, a rarity weight each."""

    def __init__(self, episodes: list[Episode], keys: Callable[[Episode], list[str]],
                 names: Callable[[Episode], list[str]], trust: list[float] | None = None) -> None:
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
        self.weight_of = dict(zip(self.index, self.weights.tolist(), strict=True))
        """Each item's weight by key (a dict lookup: indexing numpy per name is slower)."""
        # A row's trust scales what it shares: two extracted topic lists agree by chance more often
        # than two lists a person wrote.
        trusted = sparse.diags(trust if trust is not None else np.ones(len(episodes))) @ self.matrix
        self._trusted = trusted.tocsr()
        self._weighted_t = (sparse.diags(self.weights) @ trusted.T).tocsr()

    def shared(self, rows: slice) -> np.ndarray:
        """For each episode in `rows` and every episode: the summed weight of the items both have."""
        return (self._trusted[rows] @ self._weighted_t).toarray()

    def common(self, row: int, column: int) -> list[tuple[str, str]]:
        """The items both episodes have (key, name), named and ordered as the first one gives them."""
        theirs = self.names_of[column]
        return [(key, name) for key, name in self.names_of[row].items() if key in theirs]


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


def wording_vectors(episodes: list[Episode], wording: Callable[[Episode], WordingSample]) -> sparse.csr_matrix:
    """`_wording_vectors` of the episodes in slug order, as `find_related` compares them."""
    return weigh_wording(episodes, wording, lambda episode: episode.slug)[0]


def weigh_wording(episodes: list[Episode], wording: Callable[[Episode], WordingSample],
                  key: Callable[[Episode], str],
                  index: WordingIndex | None = None) -> tuple[sparse.csr_matrix, WordingIndex]:
    """`wording_vectors`, numbering words with the `index` of an earlier build (samples by `key`, a
    digest of the sample): only samples it does not hold are looked up. Returns the index of these
    samples too, for the next build."""
    ordered = sorted(episodes, key=lambda e: e.slug)
    return _wording_vectors(ordered, [wording(e) for e in ordered], [key(e) for e in ordered],
                            index or WordingIndex())


class WordingIndex:
    """The words of the wording samples, numbered, with each sample's words as numbers and counts.

    Numbering two million words (a thousand samples) is most of what weighing them costs, and it
    depends on the samples alone: kept between builds, it makes an edit cost the edited sample's words.
    Words are numbered in code-point order among those the samples use, the order TF-IDF's columns
    take (`tfidf.tfidf_matrix`), and each sample holds its words in that order. A word added or gone
    between two others leaves that order as it was: only numbers move. So an index made anew and one
    kept through edits number the same samples' words alike, and their vectors are equal bit for bit.
    """

    def __init__(self, terms: list[str] | None = None, rows: dict[str, tuple[bytes, bytes]] | None = None) -> None:
        self.terms = terms or []
        """Every word some sample uses, in code-point order: a word's number is its place here."""
        self.rows = rows or {}
        """By sample key: its words' numbers (int32, ascending) and counts (uint32), as bytes."""

    def updated(self, samples: dict[str, TermCounts]) -> WordingIndex:
        """An index of exactly these samples (by key): the rows it holds, the others numbered now."""
        missing = {key: counts for key, counts in samples.items() if key not in self.rows}
        new_terms = sorted({term for counts in missing.values() for term in counts.terms}.difference(self.terms))
        terms = list(heapq.merge(self.terms, new_terms))
        # Each old number moves up by the new words sorted before it.
        places = np.searchsorted(np.array(new_terms, dtype=object), np.array(self.terms, dtype=object)) \
            if new_terms and self.terms else np.zeros(len(self.terms), dtype=np.int64)
        moved = np.arange(len(self.terms), dtype=np.int64) + places
        rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for key in samples.keys() - missing.keys():
            numbers, counts = self.row(key)
            rows[key] = (moved[numbers], counts)
        if missing:
            number = {term: place for place, term in enumerate(terms)}
            for key, counts in missing.items():
                numbers = np.fromiter(map(number.__getitem__, counts.terms), dtype=np.int64, count=len(counts.terms))
                order = np.argsort(numbers, kind="stable")
                rows[key] = (numbers[order], np.frombuffer(counts.counts, dtype="<u4")[order])
        # Words no sample uses any more go (an edited or deleted episode's words leave the cache).
        used = np.zeros(len(terms), dtype=bool)
        for numbers, _ in rows.values():
            used[numbers] = True
        if not used.all():
            renumber = np.cumsum(used) - 1
            terms = [term for term, kept in zip(terms, used.tolist(), strict=True) if kept]
            rows = {key: (renumber[numbers], counts) for key, (numbers, counts) in rows.items()}
        return WordingIndex(terms, {key: (numbers.astype(np.int32).tobytes(), counts.astype("<u4").tobytes())
                                    for key, (numbers, counts) in rows.items()})

    def row(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        numbers, counts = self.rows[key]
        return np.frombuffer(numbers, dtype=np.int32), np.frombuffer(counts, dtype="<u4")

    def numbers_of(self, words: Iterable[str]) -> list[int]:
        """The numbers of those of the words the index holds."""
        found = []
        for word in words:
            place = bisect.bisect_left(self.terms, word)
            if place < len(self.terms) and self.terms[place] == word:
                found.append(place)
        return found


def _wording_vectors(episodes: list[Episode], samples: list[WordingSample], keys: list[str],
                     index: WordingIndex) -> tuple[sparse.csr_matrix, WordingIndex]:
    """One TF-IDF vector per episode, cut to its strongest terms, scaled so that a dot product is a cosine.

    The norm is the full vector's: words only one episode uses share nothing, so they are dropped
    before the cut (the cut then keeps words that can link), but they still count in the length, so
    two short talks that share three common words do not look alike. Zero rows for no text.
    """
    # English stopwords mean nothing to a Spanish transcript: two of them would look alike for their
    # shared grammar. Such episodes link by speakers and topics only.
    english = [i for i, sample in enumerate(samples) if sample.english]
    empty = sparse.csr_matrix((len(episodes), 1))
    if len(english) < 2:
        return empty, WordingIndex()
    index = index.updated({keys[i]: samples[i].words for i in english})
    matrix = wording_tfidf(index, [keys[i] for i in english], speaker_words(episodes))
    if matrix is None:  # no words at all
        return empty, index
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    in_one = np.bincount(matrix.indices, minlength=matrix.shape[1])[matrix.indices] < 2
    matrix.data[in_one] = 0.0
    matrix = _keep_top_terms(matrix, TERMS_PER_EPISODE)
    matrix = sparse.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ matrix
    # Back to one row per episode, in order; other-language rows stay empty.
    placement = sparse.csr_matrix((np.ones(len(english)), (english, range(len(english)))),
                                  shape=(len(episodes), len(english)))
    return (placement @ matrix).tocsr(), index


def wording_tfidf(index: WordingIndex, keys: list[str], stop_words: frozenset[str]) -> sparse.csr_matrix | None:
    """TF-IDF of the samples (by key) as `tfidf.tfidf_matrix` weighs them, value for value, without
    `stop_words`; one column per word of the index (words no sample has stay empty columns), each row's
    words in column order. None when no word is left."""
    rows = [index.row(key) for key in keys]
    numbers = np.concatenate([row[0] for row in rows]).astype(np.int64)
    counts = np.concatenate([row[1] for row in rows]).astype(np.float64)
    owners = np.repeat(np.arange(len(keys), dtype=np.int64), [len(row[0]) for row in rows])
    stopped = np.zeros(len(index.terms), dtype=bool)
    stopped[index.numbers_of(stop_words)] = True
    kept = ~stopped[numbers]
    columns, counts, owners = numbers[kept], counts[kept], owners[kept]
    if not len(columns):
        return None
    return weighted(columns, counts, owners, len(keys), len(index.terms))


def speaker_words(episodes: list[Episode]) -> frozenset[str]:
    """Every speaker's name parts: a name says who talks, not what about (and speakers count apart)."""
    return frozenset(part for part in name_parts(n for e in episodes for n in e.speakers)
                     if re.fullmatch(r"[^\W\d_]+", part))


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return ENGLISH_STOP_WORDS | FILLER_WORDS | _foreign_stopwords()


@lru_cache(maxsize=1)
def _foreign_stopwords() -> frozenset[str]:
    """Function words of other common languages (YAKE's lists): two translated talks on different
    subjects must not look alike for sharing "para", "los" and "una"."""
    words = {word for language in FOREIGN_STOPWORD_LANGUAGES for word in yake_stopwords(language)}
    return frozenset(word for word in words if re.fullmatch(r"[^\W\d_]{2,}", word))


def _keep_top_terms(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    """Each row cut to its `keep` largest weights (ties to the lower term index); zeros removed."""
    data = matrix.data.copy()
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end - start > keep:
            dropped = np.lexsort((matrix.indices[start:end], -data[start:end]))[keep:]
            data[start + dropped] = 0.0
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

"""TF-IDF from word counts, to the bit what scikit-learn's `TfidfVectorizer` computes from the texts.

Related talks and passage links compare texts by TF-IDF. Counting a text's words is the slow part, and
it depends on that text alone, so it is done once per episode where the episode is loaded (and cached
with it); the corpus-wide part (vocabulary, idf, norms) is all that runs again when one transcript
changes. scikit-learn is not imported: it takes most of a second, every build.

The matrices equal `TfidfVectorizer(sublinear_tf=True, token_pattern=TOKEN_PATTERN, stop_words=...,
min_df=..., max_features=..., norm=..., dtype=np.float64).fit_transform(texts)` value for value and in
the order each row stores its terms (terms by first occurrence in the corpus), so sums over a row, and
so scores, come out the same (tests/test_tfidf.py checks both against scikit-learn).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_'’-]+\b"
"""A word: two or more letters, apostrophes and hyphens inside (not digits, not a lone letter)."""
_TOKEN = re.compile(TOKEN_PATTERN)

# scikit-learn's `ENGLISH_STOP_WORDS` (BSD-3-Clause; from the Glasgow Information Retrieval Group's
# list), copied so that counting words needs no scikit-learn. tests/test_tfidf.py checks it is unchanged.
ENGLISH_STOP_WORDS = frozenset("""
a about above across after afterwards again against all almost alone along already also although always am
among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at back
be became because become becomes becoming been before beforehand behind being below beside besides between
beyond bill both bottom but by call can cannot cant co con could couldnt cry de describe detail do done down
due during each eg eight either eleven else elsewhere empty enough etc even ever every everyone everything
everywhere except few fifteen fifty fill find fire first five for former formerly forty found four from front
full further get give go had has hasnt have he hence her here hereafter hereby herein hereupon hers herself
him himself his how however hundred i ie if in inc indeed interest into is it its itself keep last latter
latterly least less ltd made many may me meanwhile might mill mine more moreover most mostly move much must my
myself name namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of
off often on once one only onto or other others otherwise our ours ourselves out over own part per perhaps
please put rather re same see seem seemed seeming seems serious several she should show side since sincere six
sixty so some somehow someone something sometime sometimes somewhere still such system take ten than that the
their them themselves then thence there thereafter thereby therefore therein thereupon these they thick thin
third this those though three through throughout thru thus to together too top toward towards twelve twenty
two un under until up upon us very via was we well were what whatever when whence whenever where whereafter
whereas whereby wherein whereupon wherever whether which while whither who whoever whole whom whose why will
with within without would yet you your yours yourself yourselves
""".split())


@dataclass(frozen=True)
class TermCounts:
    """A text's words (lowercased, `TOKEN_PATTERN`, stopwords out) and their counts, in the order each
    word first occurs: the order the vectoriser meets them in, which decides how rows store terms.

    Packed (one string, one buffer): a thousand episodes hold over two million of these words, and
    the cache loads two objects an episode far faster than millions.
    """

    words: str = ""
    """The distinct words, one space between (a word never holds one)."""
    counts: bytes = b""
    """Each word's count, as little-endian uint32."""

    @property
    def terms(self) -> list[str]:
        return self.words.split()


def term_counts(text: str, stop_words: frozenset[str]) -> TermCounts:
    """What `TfidfVectorizer`'s analyser gives for `text`, counted."""
    counts = Counter(word for word in _TOKEN.findall(text.lower()) if word not in stop_words)
    return TermCounts(" ".join(counts), np.array(list(counts.values()), dtype="<u4").tobytes())


def tfidf_matrix(documents: Sequence[TermCounts], stop_words: frozenset[str] = frozenset(), min_df: int = 1,
                 max_features: int | None = None, l2: bool = False) -> tuple[sparse.csr_matrix, list[str]] | None:
    """Sublinear-tf, smooth-idf TF-IDF of the documents, one row each, columns in term order; and the
    term of each column.

    `stop_words` are dropped here as well (words that depend on the whole corpus, like every speaker's
    name); `min_df` and `max_features` keep terms as scikit-learn does, ties in `max_features` included
    (the same `argsort` on the same totals). None when no term is left (scikit-learn raises then).
    """
    lengths = np.array([len(document.counts) // 4 for document in documents], dtype=np.int64)
    # Every term by first occurrence in the corpus: the vectoriser's own numbering, which orders rows;
    # -1 for a stop word. A document at a time: all documents' words at once are millions of strings.
    number: dict[str, int] = {}
    seen: list[str] = []
    ranks_by_document = []
    for document in documents:
        terms = document.words.split()
        for new in dict.fromkeys(term for term in terms if term not in number):
            if new in stop_words:
                number[new] = -1
            else:
                number[new] = len(seen)
                seen.append(new)
        ranks_by_document.append(np.fromiter(map(number.__getitem__, terms), dtype=np.int32, count=len(terms)))
    if not seen:
        return None
    ranks = np.concatenate(ranks_by_document)
    counts = np.frombuffer(b"".join(document.counts for document in documents), dtype="<u4").astype(np.float64)
    rows = np.repeat(np.arange(len(documents), dtype=np.int32), lengths)
    kept = ranks >= 0
    ranks, counts, rows = ranks[kept], counts[kept], rows[kept]
    # Each row's terms by first occurrence in the corpus, as the vectoriser's `sort_indices` leaves them
    # (one sort of a combined key: a fifth of the time of `lexsort`).
    order = np.argsort(rows.astype(np.int64) * len(seen) + ranks)
    ranks, counts, rows = ranks[order], counts[order], rows[order]

    # Columns in term order: code-point order, as Python sorts strings.
    by_name = sorted(range(len(seen)), key=seen.__getitem__)
    column_of_rank = np.empty(len(seen), dtype=np.int32)
    column_of_rank[by_name] = np.arange(len(seen), dtype=np.int32)
    columns = column_of_rank[ranks]
    frequency = np.bincount(columns, minlength=len(seen))
    keep = frequency >= min_df
    if max_features is not None and keep.sum() > max_features:
        totals = np.bincount(columns, weights=counts, minlength=len(seen))
        strongest = np.zeros(len(seen), dtype=bool)
        strongest[np.flatnonzero(keep)[(-totals[keep]).argsort()[:max_features]]] = True
        keep = strongest
    if not keep.any():
        return None
    renumber = (np.cumsum(keep) - 1).astype(np.int32)
    inside = keep[columns]
    columns, counts, rows = renumber[columns[inside]], counts[inside], rows[inside]
    matrix = weighted(columns, counts, rows, len(documents), int(keep.sum()))
    return (l2_normalize(matrix) if l2 else matrix), [seen[by_name[column]] for column in np.flatnonzero(keep)]


def weighted(columns: np.ndarray, counts: np.ndarray, rows: np.ndarray, documents: int,
             width: int) -> sparse.csr_matrix:
    """The sublinear-tf, smooth-idf matrix of term counts (float64, changed in place) given by column
    and row, rows ascending: each row stores its terms in the order given."""
    df = np.bincount(columns, minlength=width).astype(np.float64)
    df += 1.0
    idf = np.full_like(df, fill_value=documents + 1)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    np.log(counts, out=counts)
    counts += 1.0
    counts *= idf[columns]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=documents))))
    return sparse.csr_matrix((counts, columns, indptr), shape=(documents, width))


def l2_normalize(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to length 1, in place; empty rows stay empty.

    As scikit-learn's `normalize` does it: each row's squares summed one after another in stored
    order (numpy's `sum` adds pairwise, which can differ in the last bit), then divided by the root.
    """
    lengths = np.diff(matrix.indptr)
    starts = matrix.indptr[:-1]
    sums = np.zeros(matrix.shape[0])
    # Position by position along every row at once: each row's sum grows left to right.
    for position in range(int(lengths.max(initial=0))):
        rows = np.flatnonzero(lengths > position)
        values = matrix.data[starts[rows] + position]
        sums[rows] += values * values
    norms = np.sqrt(sums)
    norms[norms == 0.0] = 1.0
    matrix.data /= np.repeat(norms, lengths)
    return matrix

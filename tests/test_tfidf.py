"""TF-IDF from cached word counts equals scikit-learn's, bit for bit and in each row's stored order."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from episode_archive.related import WordingIndex, wording_tfidf
from episode_archive.tfidf import ENGLISH_STOP_WORDS, TOKEN_PATTERN, l2_normalize, term_counts, tfidf_matrix

TEXTS = [
    "The sourdough starter needs flour and water; the starter doubles overnight. Rye flour ferments fast.",
    "Hydration: water over flour. A slack dough at eighty percent hydration, open crumb, sourdough tang.",
    "Rust's borrow checker rejects aliasing; lifetimes name how long a borrow lives. Borrow, don't copy.",
    "Lifetimes and the borrow checker again: Ann's compiler talk, with Ann Lee and Bo Chen, rye and water.",
    "Ann Lee: sourdough, compilers, rye, lifetimes, flour, water, borrow, crumb, starter, tang, hydration.",
    "Nothing shared here: zebras, quokkas, narwhals.",
    "",
]
STATIC = frozenset({"the", "and", "a", "over", "at", "with", "how", "long"})
NAMES = frozenset({"ann", "lee", "bo", "chen"})


def assert_identical(mine: sparse.csr_matrix, theirs: sparse.csr_matrix) -> None:
    assert mine.shape == theirs.shape
    assert np.array_equal(mine.indptr, theirs.indptr)
    assert np.array_equal(mine.indices, theirs.indices), "each row stores its terms in the same order"
    assert np.array_equal(mine.data, theirs.data), "the same floats, not merely close ones"


def test_the_stopword_list_is_scikit_learns():
    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS


@pytest.mark.parametrize("options", [
    {"norm": None},
    {"norm": "l2"},
    {"norm": "l2", "min_df": 2},
    # Fewer features than terms with df >= 2, so totals tie at the cut: the same terms must win.
    {"norm": "l2", "min_df": 2, "max_features": 5},
    {"norm": None, "max_features": 3},
])
def test_counts_give_scikit_learns_matrix(options):
    counts = [term_counts(text, STATIC) for text in TEXTS]
    mine, terms = tfidf_matrix(counts, NAMES, min_df=options.get("min_df", 1),
                               max_features=options.get("max_features"), l2=options["norm"] == "l2")
    vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=TOKEN_PATTERN, stop_words=sorted(STATIC | NAMES),
                                 dtype=np.float64, **options)
    assert_identical(mine, vectorizer.fit_transform(TEXTS).tocsr())
    assert terms == list(vectorizer.get_feature_names_out())


def test_renormalising_sums_in_stored_order_like_scikit_learn():
    matrix, _terms = tfidf_matrix([term_counts(text, STATIC) for text in TEXTS], NAMES, l2=True)
    matrix.data[::3] *= 0.37  # rows no longer of length 1
    assert_identical(l2_normalize(matrix.copy()), normalize(matrix))


def test_names_are_dropped_only_at_the_corpus_step():
    counts = term_counts(TEXTS[3], STATIC)
    assert "ann" in counts.terms, "per-text counts keep names: the archive's speakers are not known there"
    assert counts.terms.index("lifetimes") < counts.terms.index("borrow"), "words keep their first-seen order"
    assert dict(zip(counts.terms, np.frombuffer(counts.counts, dtype="<u4"), strict=True))["ann"] == 2


def test_no_words_left_gives_none():
    assert tfidf_matrix([term_counts("the and", STATIC), term_counts("", STATIC)]) is None
    assert tfidf_matrix([term_counts("ann lee", STATIC)], NAMES) is None
    assert tfidf_matrix([term_counts("zebra", STATIC), term_counts("quokka", STATIC)], min_df=2) is None


def test_wording_index_numbers_give_scikit_learns_values_with_a_column_for_every_word():
    index = WordingIndex().updated({str(i): term_counts(text, STATIC) for i, text in enumerate(TEXTS)})
    mine = wording_tfidf(index, [str(i) for i in range(len(TEXTS))], NAMES)
    vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=TOKEN_PATTERN, stop_words=sorted(STATIC | NAMES),
                                 dtype=np.float64, norm=None)
    theirs = vectorizer.fit_transform(TEXTS).toarray()
    terms = list(vectorizer.get_feature_names_out())
    assert index.terms == sorted(index.terms) and set(terms) | NAMES == set(index.terms)
    assert np.array_equal(mine.toarray()[:, [index.terms.index(term) for term in terms]], theirs)
    assert not mine[:, index.numbers_of(NAMES)].nnz, "speakers' names are columns no row fills"
    rows = zip(mine.indptr[:-1], mine.indptr[1:], strict=True)
    assert all(np.all(np.diff(mine.indices[start:end]) > 0) for start, end in rows), "words in column order"


def test_a_wording_index_kept_through_edits_numbers_words_as_one_made_anew():
    first = {str(i): term_counts(text, STATIC) for i, text in enumerate(TEXTS)}
    kept = WordingIndex().updated(first)
    # Keys are digests of the samples: one sample edited (with words before, between and after the
    # others'), one deleted, one new.
    edited = {**first, "0 edited": term_counts(TEXTS[0] + " Aardvark bakers, mmm, zymurgy.", STATIC),
              "7": term_counts("Quokkas again, and narwhals.", STATIC)}
    del edited["0"], edited["2"]
    kept = kept.updated(edited)
    fresh = WordingIndex().updated(edited)
    assert kept.terms == fresh.terms and kept.rows == fresh.rows
    assert "aliasing" not in kept.terms, "a deleted sample's own words leave the index"

"""Topics: given ones win; an episode without any gets a few key phrases of its own, found by YAKE.

YAKE (Campos et al., 2020) scores 1-2 word phrases from one text alone: how often and how early a
word appears, how spread it is, how many different neighbours it has. What it cannot know from one
text is what is common in *this* archive, so phrases prominent in more than half of the episodes
(a show's own subject, its recurring jokes) are dropped afterwards.

YAKE runs as yake-rust, a Rust port of the reference implementation (the same stopword lists, and on
the 56 talks of ../shared/corpus 97% of the same topics, six times faster than the Python one). It
still costs about 6 microseconds a word, 50 ms for an 8,000-word talk, so it reads `SAMPLE_WORDS` words
instead: the title, then the sentences, from anywhere in the talk, that carry its most frequent
content words and its title's words (`focus_sample`). With many episodes the work is spread over
forked worker processes, and results are cached in memory by transcript, so `mkdocs serve` pays once.

Never topics: English stopwords, podcast filler ("welcome to the show", sponsor reads), and any
speaker's name. Shown lowercase unless an acronym; "model" and "models" are one topic, spelled one
way across the archive. The optional `episodes/topics.yml` (see `topicsfile`) maps synonyms to
canonical names and hides topics, for given and extracted topics alike.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from yake_rust import Yake

from .cache import ArchiveCache, code_digest, digest
from .errors import Problem
from .model import Episode, Topic
from .parallel import PARALLEL_FROM, parallel_map
from .progress import NoProgress, Progress
from .slugs import make_slug
from .topicsfile import TOPICS_FILE, TopicVocabulary, topic_key

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

SAMPLE_WORDS = 400
"""Words of a long transcript that YAKE reads (see `focus_sample`); YAKE costs about 6 µs a word."""
FOCUS_TERMS = 60
YAKE_CANDIDATES = 40
MAX_PHRASE_WORDS = 2
MIN_OCCURRENCES = 2
"""A phrase said once in the sample is an aside, not a topic."""
COMMON_SHARE = 0.5
COMMON_MIN_EPISODES = 4
"""With at least this many episodes, a phrase in more than COMMON_SHARE of them is the archive's, not one talk's."""
MIN_ENGLISH_SHARE = 0.2
"""English prose is 40-55% stopwords; a sample under this share is another language and gets no topics."""
_CACHE_LIMIT = 20_000

# Said on every show; removed before extraction so that they form no phrase with their neighbours.
FILLER_PHRASES = (
    "welcome to the show", "welcome to the podcast", "welcome to the program", "welcome back", "welcome to",
    "today's episode", "this episode", "next episode", "last episode", "previous episode", "on today's show",
    "thanks for having me", "thank you for having me", "thanks for coming on", "thank you for coming on",
    "thanks for joining us", "thank you for joining us", "thanks for listening", "thank you for listening",
    "great to have you", "good to have you", "happy to be here", "glad to be here", "great question",
    "good question", "like and subscribe", "rate and review", "leave a review", "leave us a review",
    "hit subscribe", "subscribe to", "show notes", "link in the description", "links in the description",
    "brought to you by", "sponsored by", "our sponsor", "our sponsors", "promo code", "discount code",
    "use code", "free trial", "check out", "head over to", "go to", "you know", "i mean", "kind of",
    "sort of", "a lot", "a little bit", "at the end of the day",
)
# Words that are never a topic of one episode: conversation, the show itself, sponsor reads.
FILLER_WORDS = frozenset("""
actually alright anyway awesome basically bit cool episode episodes folks gonna great guest guests guy guys
hey host hosts speaker speakers interview listen listener listeners listening literally lot lots mhm okay
podcast podcasts pretty really right show shows sponsor sponsors sponsored sponsorship stuff subscribe
subscribed subscribers subscribing talk talked talking thing things today today's tonight uh um wanna
welcome yeah yep yes dot topic topics promo discount coupon patreon newsletter transcript transcripts transcribed
question questions answer answers time times year years day days week weeks month months minute minutes
kind sort way ways people person guy fact idea ideas lot example examples nice interesting sure
mean means meant said says saying tell told ask asked asking come coming comes came
get getting gets got make makes making made go going goes went gone know knows knew think thinking thought
see seeing seen look looking looked want wanted wants need needed needs
thank thanks laughs laughter crosstalk inaudible applause
""".split())

# Common words that are no topic on their own, though they may start or end one ("open source", "pull
# request"): verbs, adjectives, adverbs and vague nouns that YAKE's stopword list lacks.
WEAK_ALONE = frozenset("""
good bad big small huge able different important hard easy long short true point points part parts number
multiple represent represents deep alice bob carol
work working worked works start started starting call called calling
add added adding advance ahead allow anymore answer apply argue argument arguments assume aware away
basic begin believe benefit better big bigger born bring build building built buy care case cases certain
change changed check choose clear close complete complex concept consider considered correct cost costs
create created current deal decide decided define describe detail details difference difficult discuss
done early easier effect end ends enough entire especially exact exactly exist exists expect explain
extra fail fair fairly false famous fast figure final find finding fine fix focus follow form found free
full future general give gives giving goal goals group guess half hand happen happened happens happy
hear heard help high hold hope huge imagine immediately implement implemented improve include increase
instead involved issue issues job keep kept key kinds large later lead learn learned least leave left
level levels line lines list little live long longer lost love low main major man matter matters maybe
mention mentioned method middle mind miss model moment move moved name names natural necessary new nice
normal note notice obvious obviously old open option options order original outside own pay pick place
plan play possible power present pretty probably problem problems process prove provide pull pulled
push put quick quickly ready real realize reason reasons recent remember repeat require required rest
result results return run running safe same saw second seems send sense serious set short side sign
similar simple simply single size slow small solve solution solutions someone sort specific spend
standard stay step steps stop story strong suggest sum support supposed switch table takes taking
teach term terms test tests theory tiny top total tried true trust turn turned turns type types
understand unit useful usual valid value various version view wait watch whole wide win wish word words
worth write writing written wrong
""".split())
_URL = re.compile(r"(?:https?://|www\.)[^\s\"'<>()\[\]]+")
_DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|dev|edu|gov|co|uk|de|fm)\b(?:/\S*)?")
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_TIMESTAMP = re.compile(r"\\?\[\d{1,2}(?::\d{2}){1,2}\\?\]|\(\d{1,2}(?::\d{2}){1,2}\)|\b\d{1,2}:\d{2}(?::\d{2})?\b")
_STAGE = re.compile(r"\\?\[[^\]\n]{0,40}\\?\]")  # [laughs], [crosstalk], \[music\] (escaped in Markdown)
_HTML = re.compile(r"<[^<>\n]{0,300}>|&[a-z]{2,6};")
_MARKUP = re.compile(r"[*#>|`~\\]+|_{2,}")
# "Name:", "**Name:**", "Name [4:30]:" at the start of a line: a speaker turn, and the name is no topic.
_LABEL = re.compile(r"^[ \t\-*]*(?:\*\*)?([A-Z][\w.'’-]*(?:[ \t][A-Z][\w.'’-]*){0,3})(?:[ \t]\d{1,2})?(?:\*\*)?"
                    r"[ \t]*(?:\\?\[[^\]\n]{0,12}\\?\])?[ \t]*(?:\*\*)?:(?:\*\*)?", re.MULTILINE)
_FILLER = re.compile(r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in
                                         sorted(FILLER_PHRASES, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_SPONSOR = re.compile(r"\b(?:brought to you by|sponsored by|sponsors?|sponsorship|promo code|use code|discount code|"
                      r"coupon|free trial|percent off|% off)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W\d_][\w'-]*")
_PIECE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD_RUN = re.compile(r"\w+")
_PHRASE_WORD = re.compile(r"[^\W\d_][^\W_]*(?:-[^\W_]+)*")
_ACRONYM = re.compile(r"(?=(?:[^A-Z]*[A-Z]){2})[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*s?")


def yake_stopwords(language: str) -> set[str]:
    """One of the stopword lists YAKE ships (en, de, es, fr, ...)."""
    return {word.strip().lower() for word in Yake(language=language).stopwords if word.strip()}


def _load_stopwords() -> frozenset[str]:
    words = yake_stopwords("en")
    return frozenset(words | FILLER_WORDS | {w.replace("'", "’") for w in words})


STOPWORDS = _load_stopwords()
_cache: dict[str, tuple[str, list[tuple[str, str]]]] = {}


def name_parts(names: Iterable[str]) -> set[str]:
    """Every lowercase part of the names ("Sam Marks-Ray" gives sam, marks-ray, marks, ray)."""
    parts: set[str] = set()
    for name in names:
        for token in _TOKEN.findall(name.replace("’", "'").lower()):
            token = token.strip("'-")
            if token.endswith("'s"):
                token = token[:-2]
            parts.add(token)
            parts.update(piece for piece in token.split("-") if piece)
    return {part for part in parts if len(part) >= 2}


def sample_text(text: str, words: int, windows: int) -> str:
    """About `words` words of `text` in `windows` evenly spaced windows; the whole text when it is short.

    Works on characters (about six a word) so that an 8,000-word text is never split in full.
    """
    if len(text) <= words * 7:
        return text
    width = words * 6 // windows
    step = (len(text) - width) / (windows - 1)
    parts = []
    for index in range(windows):
        start = int(index * step)
        end = start + width
        # Start after a line break or a space, end before one, so that no word is cut.
        line_start = text.rfind("\n", max(0, start - 120), start)
        start = line_start + 1 if line_start >= 0 else text.find(" ", start) + 1
        cut = text.rfind(" ", start, end)
        parts.append(text[start:cut if cut > start else end])
    return "\n.\n".join(parts)


def focus_sample(text: str, excluded: Iterable[str] = (), words: int | None = None, title: str = "") -> str:
    """The sentences of a long text that carry its most frequent content words and its title's words,
    about `words` of them.

    On the bitcoin transcripts (33 talks of 450-13,000 words), the five topics from 400 focused words
    shared 42% with those from the whole text; 400 words in evenly spaced windows shared 25%, 1,000
    such words 41%. Cost per episode: 18 ms, 17 ms, 31 ms; the whole text 173 ms. The title counts
    because frequency alone favours a field's everyday words ("inputs", "outputs") over a talk's own
    subject ("mimblewimble"). Sentences keep their order; a short text is returned whole. About 4 ms
    for 8,000 words.
    """
    words = words or SAMPLE_WORDS
    if len(text) <= words * 7:
        return text
    skip = STOPWORDS | set(excluded)
    counts = Counter(_TOKEN.findall(text.lower()))
    top = [word for word, _ in counts.most_common() if len(word) > 2 and word not in skip][:FOCUS_TERMS]
    named = sorted({word for word in _TOKEN.findall(title.lower()) if len(word) > 2 and word not in skip})
    if not top:
        return sample_text(text, words, 8)
    # Split at sentence ends followed by a space and at line breaks: a URL's dots never cut a link.
    pieces = [piece for chunk in _PIECE_BREAK.split(text) for piece in _chop(chunk)]
    found = _hits_per_piece(top, named, pieces)
    scored: list[tuple[float, int, int]] = []
    for index, piece in enumerate(pieces):
        length = piece.count(" ") + 1
        if length >= 4:
            scored.append((-found[index] / math.sqrt(length), index, length))
    scored.sort()
    chosen: list[int] = []
    total = 0
    for _score, index, length in scored:
        if total >= words:
            break
        chosen.append(index)
        total += length
    return "\n".join(pieces[index].strip() for index in sorted(chosen))


def _hits_per_piece(top: list[str], named: list[str], pieces: list[str]) -> list[int]:
    """Per piece, how often the `top` words occur in it, plus twice how often the `named` ones do, as
    whole words (`\\bword\\b`, lowercased).

    A word of letters and digits alone matches exactly where a maximal run of word characters equals
    it, so counting runs in a set gives the regular expressions' count at about half their cost (and
    none is compiled per episode). Words with an apostrophe or hyphen ("self-custody") span several
    runs: for those the expressions run.
    """
    if all(_WORD_RUN.fullmatch(word) for word in (*top, *named)):
        wanted, titled = frozenset(top), frozenset(named)
        found = []
        for piece in pieces:
            runs = _WORD_RUN.findall(piece.lower())
            found.append(sum(map(wanted.__contains__, runs)) + 2 * sum(map(titled.__contains__, runs)))
        return found
    found = _matches_per_piece(_any_of(top), pieces)
    if named:
        found = [count + 2 * title for count, title in zip(found, _matches_per_piece(_any_of(named), pieces),
                                                             strict=True)]
    return found


def _matches_per_piece(pattern: re.Pattern[str], pieces: list[str]) -> list[int]:
    """How often `pattern` matches in each lowercased piece: one search over the pieces joined by line
    breaks (pieces hold none, and a line break is a word boundary), not one per piece."""
    lowered = [piece.lower() for piece in pieces]
    starts = list(itertools.accumulate((len(piece) + 1 for piece in lowered[:-1]), initial=0))
    counts = [0] * len(pieces)
    for match in pattern.finditer("\n".join(lowered)):
        counts[bisect.bisect_right(starts, match.start()) - 1] += 1
    return counts


def _any_of(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)) + r")\b")


def _chop(sentence: str, width: int = 400) -> list[str]:
    """Unpunctuated captions can run for pages: cut a long "sentence" into pieces at spaces."""
    pieces = []
    while len(sentence) > width:
        cut = sentence.rfind(" ", 0, width)
        cut = cut if cut > 0 else width
        pieces.append(sentence[:cut])
        sentence = sentence[cut:]
    return [*pieces, sentence]


def strip_markup(text: str) -> str:
    """Text without speaker labels, HTML, URLs, Markdown syntax, timestamps and stage directions."""
    text = text.replace("’", "'").replace("‘", "'")
    text = _LABEL.sub(" ", text)
    text = _HTML.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _DOMAIN.sub(" ", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _TIMESTAMP.sub(" . ", text)
    text = _STAGE.sub(" . ", text)
    return _MARKUP.sub(" ", text)


def remove_filler(text: str) -> str:
    """Sponsor reads and podcast filler out, replaced by sentence breaks so that their neighbours form no
    phrase. A sentence with a sponsor marker goes whole: the sponsor's name is no topic either."""
    parts = []
    end = 0
    for match in _SPONSOR.finditer(text):
        if match.start() < end:
            continue
        start = max(text.rfind(mark, end, match.start()) for mark in (".", "!", "?", "\n")) + 1
        parts.append(text[end:max(start, end)])
        stops = [found for mark in (".", "!", "?", "\n") if (found := text.find(mark, match.end())) >= 0]
        end = min(stops) + 1 if stops else len(text)
        parts.append(" . ")
    parts.append(text[end:])
    return _FILLER.sub(" . ", "".join(parts))


def clean_for_extraction(text: str) -> str:
    """A text as YAKE should read it: `strip_markup`, then `remove_filler`."""
    return remove_filler(strip_markup(text))


def speaker_labels(text: str) -> list[str]:
    """Names that start two or more lines as `Name:` turns; a heading like "Taproot: the basics" said
    once is no speaker."""
    found = Counter(match.group(1) for match in _LABEL.finditer(text.replace("’", "'")))
    return sorted(label for label, count in found.items() if count >= 2)


def _display(surface: str) -> str:
    """Lowercase, except acronyms (RLHF, LLMs) and the acronym words of a phrase."""
    return " ".join(word if _ACRONYM.fullmatch(word) else word.lower() for word in surface.split())


def _grams(tokens: list[str]) -> Counter[str]:
    counts = Counter(tokens)
    counts.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return counts


def _looks_like_adverb_or_participle(word: str) -> bool:
    """"fairly", "implemented", "excited": YAKE has no part-of-speech tags, the suffix is a fair guess."""
    if word.endswith("ly") and len(word) >= 6 and not word.endswith(("ply", "mily", "bly", "oly", "aly")):
        return True
    return word.endswith("ed") and len(word) >= 6 and not word.endswith(("eed", "ped", "bed"))


def _english_share(tokens: list[str]) -> float:
    return sum(map(STOPWORDS.__contains__, tokens)) / len(tokens) if tokens else 0.0


@functools.lru_cache(maxsize=4096)
def looks_english(text: str) -> bool:
    """Whether a text (or a sample of one) reads as English prose, by its share of English stopwords.

    Cached: related talks and passage links ask about the same texts.
    """
    return _english_share(list(map(str.lower, _TOKEN.findall(text)))) >= MIN_ENGLISH_SHARE


_Job = tuple[str, str, frozenset[str], bool]
"""A transcript's title and plain text, its speakers' name parts, and whether to run YAKE on it."""
_Read = tuple[str, list[tuple[str, str]]]
"""The cleaned sample of a transcript, and its key phrases (best first) when asked for."""


def read_samples(jobs: list[_Job], store: ArchiveCache | None = None,
                 progress: Progress | None = None) -> list[_Read]:
    """Sample, clean and (where asked) extract every transcript: from memory, from the on-disk cache
    (`store`, so a new `mkdocs build` process does not run YAKE again), or in worker processes when there
    are enough of them to pay for starting the workers."""
    # The code is part of the key, as for every cache entry: new extraction code never reads old results.
    keys = [hashlib.sha1("\0".join([code_digest(), title, text, *sorted(names), str(extract)]).encode("utf-8"))
            .hexdigest()
            for title, text, names, extract in jobs]
    if store is not None:
        for key in keys:
            if key not in _cache:
                stored = store.get(f"topics-{key}")
                if stored is not None:
                    _cache[key] = stored
            else:
                store.used.add(f"topics-{key}")
    missing = sorted({key: job for key, job in zip(keys, jobs, strict=True) if key not in _cache}.items())
    progress = progress or NoProgress()
    progress.stage("Extracting topics", len(missing))
    if missing:
        if len(_cache) + len(missing) > _CACHE_LIMIT:
            _cache.clear()
        for (key, _job), result in zip(missing, _run([job for _key, job in missing], progress.advance),
                                       strict=True):
            _cache[key] = result
            if store is not None:
                store.put(f"topics-{key}", result)
    return [_cache[key] for key in keys]


def _run(jobs: list[_Job], on_done: Callable[[int], None]) -> list[_Read]:
    """`_read` for every job, in order; in worker processes when there are many (sampling a long talk
    costs more than YAKE reading the sample)."""
    return parallel_map(_read, jobs, parallel_from=PARALLEL_FROM, on_done=on_done)


def _read(job: _Job) -> _Read:
    title, text, names, extract = job
    # The title leads the sample: YAKE weighs early words more, and a title names its subject.
    sample = clean_for_extraction(f"{title}.\n{focus_sample(text, names, title=title)}" if title else
                                  focus_sample(text, names))
    return sample, (_phrases(sample, names) if extract else [])


def _phrases(text: str, excluded: frozenset[str]) -> list[tuple[str, str]]:
    """YAKE on one sample; `excluded` words (speakers' names) act as stopwords, so they are not topics
    and never join their neighbours into a phrase ("Sam said" is no phrase)."""
    tokens = [token.lower() for token in _TOKEN.findall(text)]
    if _english_share(tokens) < MIN_ENGLISH_SHARE:
        return []
    counts = _grams(tokens)
    extractor = Yake(stopwords=set(STOPWORDS | excluded), ngrams=MAX_PHRASE_WORDS)
    phrases: list[tuple[str, str]] = []
    for surface, _score in extractor.get_n_best(text, n=YAKE_CANDIDATES):
        words = surface.split()
        if not words or len(words) > MAX_PHRASE_WORDS:
            continue
        if not all(_PHRASE_WORD.fullmatch(word) for word in words):
            continue  # numbers, contractions ("n't"), stray punctuation
        phrase = " ".join(words).lower()
        if any(word in STOPWORDS or word in excluded for word in phrase.split()):
            continue
        if sum(char.isalpha() for char in phrase) < 3 or counts[phrase] < MIN_OCCURRENCES:
            continue
        last = phrase.split()[-1]
        if (len(words) == 1 and phrase in WEAK_ALONE) or _looks_like_adverb_or_participle(last):
            continue  # "implemented", "fairly", "openssl implemented"
        phrases.append((_display(surface), phrase))
    return phrases


def _people(episode: Episode) -> list[str]:
    # `hosts` is filled by the people stage when it knows them; older episodes may lack the field.
    return [*episode.speakers, *getattr(episode, "hosts", [])]


def _job(episode: Episode, text: str, labels: list[str]) -> _Job:
    """What `_read` needs of an episode: its people and turn labels (as name parts, never its topics)
    are left out, and YAKE runs only when its topics are not given."""
    return episode.title, text, frozenset(name_parts([*_people(episode), *labels])), not episode.given_topics


@dataclass(frozen=True)
class TopicRead:
    """What topic extraction reads of one episode alone: the names that start its turns, the sample
    YAKE reads and the key phrases it found there. `read_for_topics` makes it where the episode is
    loaded (in the workers), and the cache keeps it with the episode; the choice across the archive
    runs afterwards, in `assign_topics`."""

    labels: list[str]
    sample: str | None
    """None where it was not read: an episode with given topics needs its sample only when other
    episodes' topics are extracted (phrases common in many samples are no topics, `_common_phrases`),
    and `assign_topics` reads the missing ones then."""
    phrases: list[tuple[str, str]]

    @functools.cached_property
    def digest(self) -> str:
        """Of all it holds: worked out where it is made (in the workers) and cached with it."""
        return digest(repr(self.labels), self.sample, repr(self.phrases))


def read_for_topics(episode: Episode, given_too: bool = True) -> TopicRead:
    """What topic extraction reads of the episode; the sample of an episode with given topics only
    `given_too`."""
    text = episode.transcript.plain_text()
    labels = speaker_labels(text)
    if episode.given_topics and not given_too:
        return TopicRead(labels, None, [])
    sample, phrases = _read(_job(episode, text, labels))
    return TopicRead(labels, sample, phrases)


def _resolve_given(topics: list[str], vocabulary: TopicVocabulary) -> list[str]:
    """Given topics through topics.yml; one of two spellings of one name goes ("RL" and "rl" once
    mapped), but nothing else: "C++" and "C#" stay two topics (and `topic_slug_problems` reports them)."""
    result: list[str] = []
    seen: set[str] = set()
    for topic in topics:
        name = vocabulary.resolve(topic)
        if name is None or _spelling(name) in seen:
            continue
        seen.add(_spelling(name))
        result.append(name)
    return result


def assign_topics(episodes: list[Episode], per_episode: int, vocabulary: TopicVocabulary | None = None,
                  store: ArchiveCache | None = None, progress: Progress | None = None,
                  reads: Mapping[str, TopicRead] | None = None) -> None:
    """Apply topics.yml to given topics; extract up to `per_episode` topics for every other episode.

    `reads` (by slug) are what the loading workers already read; the rest is read here. With a `store`,
    the choice comes from it when nothing it reads changed (`_assignment_key`); otherwise it is made
    again, with what the last choice found in the samples that did not change (`_TopicFacts`).
    """
    vocabulary = vocabulary or TopicVocabulary()
    for episode in episodes:
        if episode.given_topics:
            episode.topics = _resolve_given(episode.topics, vocabulary)
    needing = sorted((e for e in episodes if not e.given_topics), key=lambda e: e.slug)
    if not needing:
        return
    choice_key = _assignment_key(episodes, per_episode, vocabulary, reads or {}) if store is not None else None
    if store is not None and choice_key is not None and isinstance(assigned := store.get(choice_key), dict):
        for episode in needing:
            episode.topics = list(assigned[episode.slug])
        store.keep(_facts_key())  # for the choice after the next edit
        return

    # Every episode's speaker labels (turn names, never topics) and sample, read once.
    known = {e.slug: read for e in episodes if (read := (reads or {}).get(e.slug)) is not None}
    unread = [e for e in episodes if e.slug not in known or known[e.slug].sample is None]
    if unread:
        texts = {e.slug: e.transcript.plain_text() for e in unread}
        labels = {e.slug: known[e.slug].labels if e.slug in known else speaker_labels(texts[e.slug])
                  for e in unread}
        read = read_samples([_job(e, texts[e.slug], labels[e.slug]) for e in unread], store, progress)
        for e, (sample, phrases) in zip(unread, read, strict=True):
            known[e.slug] = TopicRead(labels[e.slug], sample, phrases)
    recurring_labels = [label for slug in sorted(known) for label in known[slug].labels]
    speakers = [name for e in episodes for name in _people(e)]
    everyone = set(speakers + recurring_labels)
    archive_names = name_parts(everyone)
    full_names = {" ".join(name.lower().split()) for name in everyone}
    names = digest(repr(sorted(archive_names)), repr(sorted(full_names)))
    previous = store.get(_facts_key()) if store is not None else None
    if not isinstance(previous, _TopicFacts):
        previous = None
    words = _SampleWords(known)
    candidates: dict[str, list[_Candidate]] = {}
    candidates_by_read: dict[str, list[_Candidate]] = {}
    for episode in needing:
        read = known[episode.slug]
        read_key = digest(read.digest, names)
        found = previous.candidates.get(read_key) if previous is not None else None
        if found is None:
            found = _candidates(read.phrases, words.cased(episode.slug), archive_names, full_names)
        candidates[episode.slug] = candidates_by_read[read_key] = found

    wanted = tuple(sorted({phrase for found in candidates.values() for _, phrase, _ in found}))
    present = _present_phrases(known, wanted, previous, words)
    common = _common_phrases(present, wanted, len(episodes))
    shown_forms = _shown_forms(episodes, candidates)
    for episode in needing:
        chosen: list[str] = []
        keys: set[str] = set()
        uses: Counter[str] = Counter()
        for _shown, phrase, phrase_key in candidates[episode.slug]:
            if phrase in common:
                continue
            name = vocabulary.resolve(shown_forms[phrase_key])
            if name is None:
                continue
            key = topic_key(name)
            key_words = set(key.split("-"))
            # "sourdough starter" after "sourdough" and "starter" adds nothing a reader needs, nor
            # does a third "merkle ..." after "merkle" and "merkle tree".
            if key in keys or all(uses[word] for word in key_words) or any(uses[word] >= 2 for word in key_words):
                continue
            chosen.append(name)
            keys.add(key)
            uses.update(key_words)
            if len(chosen) >= per_episode:
                break
        episode.topics = chosen
    if store is not None:
        store.put(_facts_key(), _TopicFacts(names, wanted, candidates_by_read,
                                            {read.digest: present[slug].tobytes() for slug, read in known.items()}))
    if store is not None and choice_key is not None:
        store.put(choice_key, {episode.slug: episode.topics for episode in needing})


def _assignment_key(episodes: list[Episode], per_episode: int, vocabulary: TopicVocabulary,
                    reads: Mapping[str, TopicRead]) -> str | None:
    """Everything `assign_topics` reads: each episode's slug, people, given topics and topic read (or,
    where it has none, its content key and title: then its text is read), topics.yml and the options.
    An edit that leaves all of those as they were (a description in a sidecar, a sentence outside the
    sampled text; not a title, which leads the sample) chooses no topic again. None where an episode
    has neither read nor content key."""
    parts = [code_digest(), str(per_episode), repr(sorted(vocabulary.canonical.items())),
             repr(sorted(vocabulary.ignored))]
    for episode in sorted(episodes, key=lambda e: e.slug):
        read = reads.get(episode.slug)
        if read is not None and read.sample is not None:
            text = read.digest
        elif episode.content_key is not None:
            text = digest(episode.content_key, episode.title)
        else:
            return None
        parts.append(digest(episode.slug, repr(_people(episode)), str(episode.given_topics),
                            repr(episode.topics) if episode.given_topics else "", text))
    return "topic-choice-" + digest(*parts)


_Candidate = tuple[str, str, str]
"""A phrase YAKE found that may become a topic: as shown, lowercase, and its `topic_key`."""


def _candidates(phrases: list[tuple[str, str]], sample_words: list[str], archive_names: set[str],
                full_names: set[str]) -> list[_Candidate]:
    """An episode's extracted phrases that name no one: not a speaker's full name, and no word that is
    a name part of someone in the archive and written as a name in this sample."""
    cased = Counter(sample_words)

    def is_name(word: str) -> bool:
        # Another speaker's name part, written as a name here: "Light" is a name, "light" a word.
        return word in archive_names and cased[word.capitalize()] + cased[word.upper()] >= cased[word]

    return [(shown, phrase, topic_key(phrase)) for shown, phrase in phrases
            if phrase not in full_names and not any(is_name(word) for word in phrase.split())]


class _SampleWords:
    """Each sample's words as `_TOKEN` finds them, found at most once and only where asked for."""

    def __init__(self, reads: Mapping[str, TopicRead]) -> None:
        self.reads = reads
        self._cased: dict[str, list[str]] = {}
        self._lower: dict[str, list[str]] = {}

    def cased(self, slug: str) -> list[str]:
        if slug not in self._cased:
            self._cased[slug] = _TOKEN.findall(self.reads[slug].sample or "")
        return self._cased[slug]

    def lower(self, slug: str) -> list[str]:
        if slug not in self._lower:
            self._lower[slug] = list(map(str.lower, self.cased(slug)))
        return self._lower[slug]


@dataclass
class _TopicFacts:
    """What one topic choice found in the samples, for the next to reuse (cached under `_facts_key`).

    After an edit only the edited episode's read differs: its sample's words are found again, every
    other sample's candidates come from here, and their phrases in `wanted` too; a phrase no sample
    offered before is looked for in the other samples, and only in those that hold its first word."""

    names: str
    """A digest of the archive's names, which decide which phrases name someone."""
    wanted: tuple[str, ...]
    """Every candidate phrase of that choice, sorted: what `present` was looked for."""
    candidates: dict[str, list[_Candidate]]
    """By the digest of an episode's topic read and `names`."""
    present: dict[str, bytes]
    """By the digest of a topic read: the places in `wanted` of the phrases its sample holds (ascending
    uint32): a thousand samples' sets of phrases as strings took longer to read and write than to use."""


def _facts_key() -> str:
    return "topic-facts-" + code_digest()


class _PhraseFinder:
    """Which of some one- and two-word phrases a sample's lowercase words hold (as `_grams` counts them):
    its words and only those word pairs that start as a wanted pair does, since making every pair of
    every sample is most of the time this takes."""

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = set(phrases)
        self.single_words = {phrase for phrase in phrases if " " not in phrase}
        self.pairs = phrases - self.single_words
        self.pair_starts = {phrase.split(" ", 1)[0] for phrase in self.pairs}

    def __call__(self, tokens: list[str]) -> frozenset[str]:
        present = self.single_words.intersection(tokens)
        if self.pairs:
            present.update(pair for first, second in zip(tokens, tokens[1:], strict=False)
                           if first in self.pair_starts and (pair := f"{first} {second}") in self.pairs)
        return frozenset(present)


def _present_phrases(reads: Mapping[str, TopicRead], wanted: tuple[str, ...], previous: _TopicFacts | None,
                     words: _SampleWords) -> dict[str, np.ndarray]:
    """By slug, the places in `wanted` (sorted) of the phrases each sample holds, ascending: where the last
    choice read the same sample, from `previous`, with the phrases it did not look for looked for now, in
    the samples that may hold one (`_may_hold`): a new phrase of the edited episode costs a search per
    sample, not its words."""
    place = {phrase: index for index, phrase in enumerate(wanted)}

    def places(phrases: Iterable[str]) -> np.ndarray:
        return np.array(sorted(place[phrase] for phrase in phrases), dtype=np.uint32)

    every = _PhraseFinder(wanted)
    added = frozenset(wanted).difference(previous.wanted) if previous is not None else frozenset(wanted)
    # The last choice's places moved to this one's; -1 for phrases no longer wanted. Both lists are
    # sorted, so places of phrases wanted in both keep their order.
    moved = np.array([place.get(phrase, -1) for phrase in previous.wanted], dtype=np.int64) \
        if previous is not None else np.zeros(0, dtype=np.int64)
    new = _PhraseFinder(added)
    may_hold = _may_hold(added)
    present: dict[str, np.ndarray] = {}
    for slug, read in reads.items():
        before = previous.present.get(read.digest) if previous is not None else None
        if before is None:
            present[slug] = places(every(words.lower(slug)))
            continue
        found = moved[np.frombuffer(before, dtype=np.uint32)]
        found = found[found >= 0]
        if added and may_hold(read.sample or ""):
            found = np.union1d(found, places(new(words.lower(slug))))
        present[slug] = found.astype(np.uint32)
    return present


def _may_hold(phrases: frozenset[str]) -> Callable[[str], bool]:
    r"""False only for a sample none of whose words (as `_TOKEN` finds them, lowercased) can begin one
    of the phrases. Such a word starts after no letter and ends before no [\w'-] character. For an ASCII
    word, lowercasing the whole sample leaves it and those neighbours as they were (only letters change,
    and each alone), so it stands alone in the lowercase sample. Non-ASCII phrases: every sample may."""
    if not all(phrase.isascii() for phrase in phrases):
        return lambda sample: True
    first_words = sorted({phrase.split(" ", 1)[0] for phrase in phrases}, key=lambda word: (-len(word), word))
    alone = re.compile(r"(?<![^\W\d_])(?:" + "|".join(map(re.escape, first_words)) + r")(?![\w'-])")
    return lambda sample: alone.search(sample.lower()) is not None


def _common_phrases(present: dict[str, np.ndarray], wanted: tuple[str, ...], total: int) -> set[str]:
    """Phrases present in more than COMMON_SHARE of all episodes' samples (`present`: places in `wanted`)."""
    if total < COMMON_MIN_EPISODES or not present:
        return set()
    presence = np.bincount(np.concatenate(list(present.values())), minlength=len(wanted))
    return {wanted[index] for index in np.flatnonzero(presence / total > COMMON_SHARE)}


def _shown_forms(episodes: list[Episode], candidates: dict[str, list[_Candidate]]) -> dict[str, str]:
    """One spelling per topic key across the archive, so "model" and "models" share one page.

    A spelling some episode's metadata gives wins; otherwise the commonest extracted one (then the
    shortest, then alphabetical, so the choice never depends on input order).
    """
    given = Counter((topic_key(topic), topic) for e in episodes if e.given_topics for topic in e.topics)
    extracted = Counter((key, shown) for phrases in candidates.values() for shown, _phrase, key in phrases)
    given_keys = {key for key, _ in given}
    best: dict[str, tuple[int, int, str]] = {}
    extracted_only = ((pair, count) for pair, count in extracted.items() if pair[0] not in given_keys)
    for (key, shown), count in itertools.chain(given.items(), extracted_only):
        rank = (-count, len(shown), shown)
        if key not in best or rank < best[key]:
            best[key] = rank
    return {key: best[key][2] for key in {key for key, _ in extracted}}


def topic_slug_problems(episodes: list[Episode], episodes_dir: Path) -> list[Problem]:
    """Two different topics on one page: "C++" and "C#" are both topics/c/. An error naming both.

    Spellings of one topic ("Bitcoin Core", "bitcoin-core", "Café", "cafe") share their page on purpose.
    """
    first: dict[str, tuple[str, Episode]] = {}
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    for episode in sorted(episodes, key=lambda e: e.sort_key):
        for name in episode.topics:
            slug = make_slug(name)
            owner = first.setdefault(slug, (name, episode))
            if _spelling(owner[0]) == _spelling(name) or (slug, _spelling(name)) in reported:
                continue
            reported.add((slug, _spelling(name)))
            problems.append(Problem(
                episodes_dir / episode.source, 1,
                f"topic {name!r} would share the page topics/{slug}/ with topic {owner[0]!r} of "
                f"{owner[1].source}; rename one, or make one a synonym of the other in episodes/{TOPICS_FILE}"))
    return problems


@functools.lru_cache(maxsize=65536)
def _spelling(name: str) -> str:
    """A topic name without case, accents or word separators: what two spellings of one topic share."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.split(r"[\s_\-.,'’]+", bare)).strip()


def collect_topics(episodes: list[Episode]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for episode in sorted(episodes, key=lambda e: e.sort_key):
        for name in episode.topics:
            slug = make_slug(name)
            topic = topics.setdefault(slug, Topic(name=name, slug=slug))
            if not topic.episodes or topic.episodes[-1] is not episode:
                topic.episodes.append(episode)
    return dict(sorted(topics.items()))

"""Topics: given ones win; an episode without any gets a few key phrases of its own, found by YAKE.

YAKE (Campos et al., 2020) scores 1-2 word phrases from one text alone: how often and how early a
word appears, how spread it is, how many different neighbours it has. What it cannot know from one
text is what is common in *this* archive, so phrases prominent in more than half of the episodes
(a show's own subject, its recurring jokes) are dropped afterwards.

YAKE costs about 22 microseconds a word here, 0.18 s for an 8,000-word talk, so 1,000 such episodes
would take three minutes: longer than MkDocs takes to render them. It reads a sample instead,
`SAMPLE_WORDS` words in `SAMPLE_WINDOWS` windows spread over the whole text, so a topic raised in
the last half hour still counts. Results are cached in memory by sample, so `mkdocs serve` pays once.

Never topics: English stopwords, podcast filler ("welcome to the show", sponsor reads), and any
speaker's name. The optional `episodes/topics.yml` (see `topicsfile`) maps synonyms to canonical
names and hides topics, for given and extracted topics alike.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable
from importlib import resources

import yake

from .model import Episode, Topic
from .slugs import make_slug
from .topicsfile import TopicVocabulary, topic_key

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

SAMPLE_WORDS = 1000
SAMPLE_WINDOWS = 8
YAKE_CANDIDATES = 40
MAX_PHRASE_WORDS = 2
MIN_OCCURRENCES = 2
"""A phrase said once in the sample is an aside, not a topic."""
COMMON_SHARE = 0.5
COMMON_MIN_EPISODES = 4
"""With at least this many episodes, a phrase in more than COMMON_SHARE of them is the archive's, not one talk's."""
MIN_ENGLISH_SHARE = 0.2
"""English prose is 40-55% stopwords; a sample under this share is another language and gets no topics."""
_CACHE_LIMIT = 50_000

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
hey host hosts speaker speakers interview listen listener listeners listening literally lot lots mhm okay podcast podcasts
pretty really right show shows sponsor sponsors sponsored sponsorship stuff subscribe subscribed subscribers
subscribing talk talked talking thing things today today's tonight uh um wanna welcome yeah yep yes
promo discount coupon patreon newsletter transcript transcripts transcribed
question questions answer answers time times year years day days week weeks month months minute minutes
kind sort way ways people person guy point points fact idea ideas part parts number lot example examples
good bad big small nice huge able different important interesting hard easy long short sure true
mean means meant said says saying tell told ask asked asking call called calling come coming comes came
get getting gets got make makes making made go going goes went gone know knows knew think thinking thought
see seeing seen look looking looked want wanted wants need needed needs start started starting work working
worked works thank thanks laughs laughter crosstalk inaudible applause
""".split())

# Common words that are no topic on their own, though they may start or end one ("open source", "pull
# request"): verbs, adjectives, adverbs and vague nouns that YAKE's stopword list lacks.
WEAK_ALONE = frozenset("""
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
_TOKEN = re.compile(r"[^\W\d_][\w'-]*")
_PHRASE_WORD = re.compile(r"[^\W\d_][^\W_]*(?:-[^\W_]+)*")
_ACRONYM = re.compile(r"(?=(?:[^A-Z]*[A-Z]){2})[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*s?")


def _load_stopwords() -> frozenset[str]:
    yake_list = resources.files("yake").joinpath("core/StopwordsList/stopwords_en.txt").read_text("utf-8")
    words = {w.strip().lower() for w in yake_list.splitlines() if w.strip()}
    return frozenset(words | FILLER_WORDS | {w.replace("'", "’") for w in words})


STOPWORDS = _load_stopwords()
_cache: dict[str, list[tuple[str, str]]] = {}


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


def sample_text(text: str, words: int | None = None, windows: int | None = None) -> str:
    """About `words` words of `text` in `windows` evenly spaced windows; the whole text when it is short.

    Works on characters (about six a word) so that an 8,000-word text is never split in full.
    """
    words = words or SAMPLE_WORDS
    windows = windows or SAMPLE_WINDOWS
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


def clean_for_extraction(text: str) -> tuple[str, list[str]]:
    """Text as YAKE should read it, and the speaker labels found (names, never topics)."""
    text = text.replace("’", "'").replace("‘", "'")
    labels = [match.group(1) for match in _LABEL.finditer(text)]
    text = _LABEL.sub(" ", text)
    text = _HTML.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _TIMESTAMP.sub(" . ", text)
    text = _STAGE.sub(" . ", text)
    text = _MARKUP.sub(" ", text)
    text = _FILLER.sub(" . ", text)
    return text, labels


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
    return sum(token in STOPWORDS for token in tokens) / len(tokens) if tokens else 0.0


def extract_phrases(text: str, excluded: set[str]) -> list[tuple[str, str]]:
    """Key phrases of one cleaned sample, best first, as (shown form, lowercase phrase).

    `excluded` words (speakers' names) act as stopwords, so they are not topics and never join
    their neighbours into a phrase ("Sam said" is no phrase).
    """
    cache_key = hashlib.sha1("\0".join([text, *sorted(excluded)]).encode("utf-8")).hexdigest()
    if cache_key in _cache:
        return _cache[cache_key]
    tokens = [token.lower() for token in _TOKEN.findall(text)]
    phrases: list[tuple[str, str]] = []
    if _english_share(tokens) >= MIN_ENGLISH_SHARE:
        counts = _grams(tokens)
        extractor = yake.KeywordExtractor(lan="en", n=MAX_PHRASE_WORDS, top=YAKE_CANDIDATES,
                                          stopwords=set(STOPWORDS | excluded))
        for surface, _score in extractor.extract_keywords(text):
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
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[cache_key] = phrases
    return phrases


def _people(episode: Episode) -> list[str]:
    # `hosts` is filled by the people stage when it knows them; older episodes may lack the field.
    return [*episode.speakers, *getattr(episode, "hosts", [])]


def _resolve_given(topics: list[str], vocabulary: TopicVocabulary) -> list[str]:
    result: list[str] = []
    keys: set[str] = set()
    for topic in topics:
        name = vocabulary.resolve(topic)
        if name is None or topic_key(name) in keys:
            continue
        keys.add(topic_key(name))
        result.append(name)
    return result


def assign_topics(episodes: list[Episode], per_episode: int, vocabulary: TopicVocabulary | None = None) -> None:
    """Apply topics.yml to given topics; extract up to `per_episode` topics for every other episode."""
    vocabulary = vocabulary or TopicVocabulary()
    for episode in episodes:
        if episode.given_topics:
            episode.topics = _resolve_given(episode.topics, vocabulary)
    needing = sorted((e for e in episodes if not e.given_topics), key=lambda e: e.slug)
    if not needing:
        return

    # Read every episode once: its sample, its speaker labels, the phrases present in it.
    samples: dict[str, str] = {}
    labels: dict[str, list[str]] = {}
    for episode in episodes:
        samples[episode.slug], labels[episode.slug] = clean_for_extraction(
            sample_text(episode.transcript.plain_text()))
    # A label is a speaker once it recurs; a heading like "Taproot: the basics" said once is not.
    for slug, found in labels.items():
        labels[slug] = sorted(label for label, count in Counter(found).items() if count >= 2)
    recurring_labels = [label for slug in sorted(labels) for label in labels[slug]]
    speakers = [name for e in episodes for name in _people(e)]
    archive_names = name_parts(speakers + recurring_labels)
    full_names = {" ".join(name.lower().split()) for name in speakers + recurring_labels}

    candidates: dict[str, list[tuple[str, str]]] = {}
    for episode in needing:
        own = name_parts([*_people(episode), *labels[episode.slug]])
        candidates[episode.slug] = [
            (shown, phrase) for shown, phrase in extract_phrases(samples[episode.slug], own)
            if phrase not in full_names and not any(word in archive_names for word in phrase.split())]

    common = _common_phrases(candidates, samples, len(episodes))
    shown_forms = _shown_forms(episodes, candidates, vocabulary)
    for episode in needing:
        chosen: list[str] = []
        keys: set[str] = set()
        uses: Counter[str] = Counter()
        for _shown, phrase in candidates[episode.slug]:
            if phrase in common:
                continue
            name = vocabulary.resolve(shown_forms[topic_key(phrase)])
            if name is None:
                continue
            key = topic_key(name)
            words = set(key.split("-"))
            # "sourdough starter" after "sourdough" and "starter" adds nothing a reader needs, nor
            # does a third "merkle ..." after "merkle" and "merkle tree".
            if key in keys or all(uses[word] for word in words) or any(uses[word] >= 2 for word in words):
                continue
            chosen.append(name)
            keys.add(key)
            uses.update(words)
            if len(chosen) >= per_episode:
                break
        episode.topics = chosen


def _common_phrases(candidates: dict[str, list[tuple[str, str]]], samples: dict[str, str], total: int) -> set[str]:
    """Candidate phrases present in more than COMMON_SHARE of all episodes' samples."""
    if total < COMMON_MIN_EPISODES:
        return set()
    wanted = {phrase for phrases in candidates.values() for _, phrase in phrases}
    presence: Counter[str] = Counter()
    for sample in samples.values():
        tokens = [token.lower() for token in _TOKEN.findall(sample)]
        presence.update(wanted.intersection(_grams(tokens)))
    return {phrase for phrase, count in presence.items() if count / total > COMMON_SHARE}


def _shown_forms(episodes: list[Episode], candidates: dict[str, list[tuple[str, str]]],
                 vocabulary: TopicVocabulary) -> dict[str, str]:
    """One spelling per topic key across the archive, so "model" and "models" share one page.

    A spelling some episode's metadata gives wins; otherwise the commonest extracted one (then the
    shortest, then alphabetical, so the choice never depends on input order).
    """
    given: dict[str, Counter[str]] = {}
    for episode in episodes:
        if episode.given_topics:
            for topic in episode.topics:
                given.setdefault(topic_key(topic), Counter())[topic] += 1
    extracted: dict[str, Counter[str]] = {}
    for phrases in candidates.values():
        for shown, phrase in phrases:
            extracted.setdefault(topic_key(phrase), Counter())[shown] += 1
    forms: dict[str, str] = {}
    for key, counter in extracted.items():
        source = given.get(key, counter)
        forms[key] = min(source.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]
    return forms


def collect_topics(episodes: list[Episode]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for episode in sorted(episodes, key=lambda e: e.sort_key):
        for name in episode.topics:
            slug = make_slug(name)
            topic = topics.setdefault(slug, Topic(name=name, slug=slug))
            if not topic.episodes or topic.episodes[-1] is not episode:
                topic.episodes.append(episode)
    return dict(sorted(topics.items()))

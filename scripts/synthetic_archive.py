#!/usr/bin/env python3
"""Write a realistic synthetic archive project, for benchmarks and scale tests.

    python3 scripts/synthetic_archive.py N OUT [--seed S]

OUT gets `mkdocs.yml` (the demo's theme, features, nav and markdown_extensions, without `site_url`;
plugins `tags`, `episode-archive`), `docs/index.md` (with the stats and latest markers),
`docs/about.md`, and `episodes/`: N transcripts of 3,000-15,000 words (mean about 8,000), in every
format the installed package reads (plain text with `Name: text` turns and Heading/Subheading
markers, Markdown with front matter, WebVTT, SRT, Whisper/whisperX/Podcasting 2.0 JSON), with
metadata from front matter, sidecar `.yml` files and `episodes/catalog.csv`, a `people.yml`
registry (hosts, aliases, bios), shows as folders or as metadata, and a weekly cadence per show.

Text: about 30 subjects, each with its own distinctive (made-up, technical-looking) terms and topic
phrases, mixed with shared English function words and common content words, so related talks and
extracted topics have signal. Speakers: a pool that grows with N (20 to 300) with a long-tailed
(Zipf-like) appearance distribution and a few hosts per show; look-alike names are never generated,
so `episode-archive check` passes.

Deterministic: the same N, seed and package formats give byte-identical files. The set of formats
is read from `episode_archive.readers.EXTENSIONS` when the package is importable (plain text and
Markdown otherwise), so an archive only ever contains what the package under test can read.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import io
import json
import random
import re
import shutil
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIN_WORDS, MAX_WORDS = 3000, 15000
LAST_DATE = dt.date(2026, 6, 30)

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

# English function and filler words, most frequent first (Zipf weights follow the order).
FUNCTION_WORDS = """
the and to of a that I it you is in we so was this for on but have be with like not they
what just there do are it's at as or if all can about think one from my that's know an
really because I'm don't more people then would some when out how which get them their
very your were had been who also right by up no he she his her our us well yeah will
actually kind sort mean these those into even much could did because over than only
where other any something lot way most many here thing things then again still both
through each why going much should might while though being does own same few every
sure maybe probably already never always often almost quite enough rather whether
""".split()

# Common English content words shared by every subject.
COMMON_WORDS = """
time work problem question part point idea case place world system group number fact
example result process reason order change level story data model way year week day
question answer team project paper book tool method approach step detail piece area
start end side kind value cost risk rule choice issue goal plan test version field
make take give find tell ask feel try leave call keep begin show hear play run move
live believe hold bring happen write provide sit stand lose pay meet include continue
learn lead understand watch follow stop create speak read allow add spend grow open
walk win offer remember consider appear buy wait serve die send expect build stay fall
cut reach remain suggest raise pass sell require report decide pull explain hope
develop carry break receive agree support hit produce eat cover catch draw choose
good new first last long great little own other old right big high different small
large next early young important few public bad same able simple clear hard easy
real best better true whole free full special certain strong possible likely local
late general specific particular recent single useful careful obvious strange small
basically honestly exactly certainly usually mostly slightly clearly simply directly
""".split()

# Onsets, vowels and codas for made-up words: pronounceable, clearly not English.
_ONSETS = ("b br bl c cr d dr f fl fr g gr gl h j k kl l m n p pr pl qu r s sc sk sl sm sn sp st str t tr v w z "
           "th sh ch").split()
_VOWELS = "a e i o u a e i o u a e ai ea ou".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "m", "nd", "rt", "st", "x", "ck", "nt", "rn", "th"]
_TECH_ENDINGS = ["ation", "ism", "ase", "ite", "ance", "ics", "ode", "ure", "ant", "ium", "ing", "er", "or",
                 "al", "ix", "on", "ex", "ene"]

SHOW_NAMES = ["Open Source Hour", "The Kitchen Table", "Alignment Readings", "Field Notes", "Deep Water Radio",
              "Night Shift", "Public Record", "The Long View", "Signal Path", "Small Batch", "Second Draft",
              "Ground Truth"]
FOLDER_SHOW_SHARE = 0.5

FIRST_NAMES = """
Ada Maren Tobias Odile Ruth Kenji Felix Sam Priya Amara Lucas Ingrid Mateo Yusuf Hana Aiko Bram Celia
Dmitri Elif Farah Gideon Helga Idris Jonas Kaveh Leila Malik Nadia Oskar Paloma Quentin Rosa Soren Tamsin
Ulla Viktor Wanjiru Xavier Yara Zeynep Anouk Beatriz Caspar Dalia Emeka Fiona Goran Hiroshi Imogen Jasper
Kalinda Lorcan Mireille Nikhil Orla Pavel Rania Stellan Thandiwe Umar Vesna Wilhelmina Yusra Zoltan Agnieszka
Bartholomew Chiamaka Desmond Esperanza Florian Graciela Hamish Isadora Jovana Kofi Lucinda Mattias Noor
Obinna Philippa Rafferty Saoirse Tariq Valentina Wren Ximena Yannick Zora Anselm Brigid Cosimo Delphine
Eamon Freya Gwendolyn Horatio Ines Joaquin Katya Leopold Marisol Niamh Octavia Peregrine Rufus Sabine
Thaddeus Ursula Vivienne Winston Yolanda Zebedee Anahita Bogdan Cordelia Dashiell Elodie Fitzgerald Guinevere
José Zoë Søren Ágnes Renée
""".split()

LAST_NAMES = """
Castillo Lindqvist Brenner Adeyemi Abernathy Ambrose Marks Okonkwo Varga Nakamura Petrov Haddad Silva
Kowalski Mbeki Fitzgerald Johansson Rahman Takahashi Moreau Oyelaran Novak Gallagher Esposito Halvorsen
Ibrahim Jankowski Kuznetsov Lindgren Mahlangu Nguyen Okafor Pellegrino Quispe Rosenberg Sato Thorvaldsen
Umarov Vasquez Whitfield Yamamoto Zielinski Achterberg Blackwood Cartwright Drummond Eriksen Farrowby
Grimaldi Hargreaves Iwasaki Jaramillo Kastellan Lachance Montgomery Nakashima Ostrowski Pemberton
Quarshie Ravensworth Szabo Tremaine Urquhart Valdivia Wexford Xiong Yardley Zamora Abiodun Bergstrom
Chakraborty Delacroix Etxeberria Falkenrath Gunawardena Holloway Ishikawa Jovanovic Kirkpatrick
Lombardi Macallister Nordqvist Oduya Papadopoulos Quennell Rutherford Sandoval Tanaka Underhill
Vlasenko Winterbourne Yeboah Zarate Amundsen Beauchamp Coutinho Dubrovsky Ekwueme Fontaine Gutierrez
Hakimi Ilunga Jorgensen Kaminski Lefebvre Morrissey Nwachukwu Ortega Pirelli Rasmussen Stavros
Müller Sørensen Núñez
""".split()

STAGE_CUES = ["[laughs]", "[laughter]", "[crosstalk]", "[music]", "[pause]"]
HEADING_PATTERNS = ["{A} and {B}", "Why {a} matters", "The {a} problem", "{A} in practice", "Getting {a} right",
                    "What {a} is for", "From {a} to {b}", "{A}, revisited", "Questions about {a}",
                    "The trouble with {a}"]
TITLE_PATTERNS = ["{A} and {B}", "Why {a} matters", "Notes on {a}", "{A} in practice", "A field guide to {a}",
                  "{Guest} on {a}", "Getting {a} right", "What we learned about {a}", "The case for {a}",
                  "{A}, revisited", "Against {a}", "{A} for beginners", "Inside {a}", "{A} at scale",
                  "How {a} works", "{A} after {b}"]


def _zipf_cum(count: int, exponent: float = 1.0, offset: float = 1.0) -> list[float]:
    """Cumulative weights 1/(rank+offset)^exponent for rng.choices(cum_weights=...)."""
    total, cum = 0.0, []
    for rank in range(count):
        total += 1.0 / (rank + offset) ** exponent
        cum.append(total)
    return cum


def _made_up_word(rng: random.Random, syllables: int, technical: bool) -> str:
    word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
    word += rng.choice(_TECH_ENDINGS) if technical and rng.random() < 0.5 else rng.choice(_CODAS)
    return word


def _ascii_key(name: str) -> str:
    """What the package compares names on (slug-like: ASCII, lowercase, spaces)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("ø", "o")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _look_alike(a: str, b: str) -> bool:
    try:
        from rapidfuzz import fuzz

        score = fuzz.ratio(a, b)
    except ImportError:  # pragma: no cover - rapidfuzz is a dependency of the package
        import difflib

        score = 100 * difflib.SequenceMatcher(None, a, b).ratio()
    return score >= 72  # the package warns from 80; keep well clear of it


@dataclass
class Pool:
    words: list[str]
    cum: list[float]


@dataclass
class Subject:
    name: str
    terms: Pool
    topics: list[str]
    topic_cum: list[float]


@dataclass
class Person:
    name: str
    aliases: list[str] = field(default_factory=list)
    bio: str | None = None
    role: str | None = None


@dataclass
class Show:
    name: str
    slug: str
    folder: bool
    hosts: list[Person]
    subjects: list[int]
    abbrev: str


@dataclass
class Plan:
    """One episode before it is written out."""

    number: int
    show: Show
    date: dt.date
    subject: int
    second: int
    speakers: list[Person]
    hosts: list[Person]
    words: int
    fmt: str  # txt, txt-solo, md, vtt, srt, whisper, whisperx, podcasting
    meta: str  # front, sidecar, catalog, both, none
    dated_name: bool
    given_topics: bool
    title: str = ""
    path: str = ""


class World:
    """Everything shared by the episodes: vocabulary, subjects, people, shows."""

    def __init__(self, n: int, seed: int) -> None:
        rng = random.Random(f"episode-archive-synthetic:{seed}:world")
        self.function = Pool(list(FUNCTION_WORDS), _zipf_cum(len(FUNCTION_WORDS), 0.9, 2.0))
        seen: set[str] = {w.lower() for w in FUNCTION_WORDS + COMMON_WORDS}

        def fresh(technical: bool) -> str:
            while True:
                word = _made_up_word(rng, rng.choice((1, 1, 2, 2, 2, 3)), technical)
                if 3 <= len(word) <= 12 and word not in seen:
                    seen.add(word)
                    return word

        # Real words first: they are the frequent ones, as in speech; made-up words fill the long tail.
        common = list(dict.fromkeys(COMMON_WORDS))
        rng.shuffle(common)
        shared = common + [fresh(False) for _ in range(1600)]
        self.shared = Pool(shared, _zipf_cum(len(shared), 1.0, 3.0))
        self.subjects: list[Subject] = []
        for index in range(30):
            terms = [fresh(True) for _ in range(rng.randint(250, 450))]
            topics = []
            for _ in range(rng.randint(6, 10)):
                if rng.random() < 0.45:
                    topic = terms[len(topics)]
                else:
                    topic = f"{terms[len(topics)]} {rng.choice(terms[:60] + COMMON_WORDS[:80])}"
                if topic not in topics:
                    topics.append(topic)
            self.subjects.append(Subject(name=f"subject-{index}", terms=Pool(terms, _zipf_cum(len(terms), 1.05, 2.0)),
                                         topics=topics, topic_cum=_zipf_cum(len(topics), 1.2, 1.0)))

        # People: a pool that grows with the archive; never two look-alike names.
        n_people = max(20, min(300, 20 + round(0.28 * n)))
        self.people: list[Person] = []
        keys: list[str] = []
        attempts = 0
        while len(self.people) < n_people and attempts < 100_000:
            attempts += 1
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            key = _ascii_key(name)
            if any(_look_alike(key, other) for other in keys):
                continue
            keys.append(key)
            self.people.append(Person(name=name))

        n_shows = min(8, 3 + round(5 * min(1.0, n / 1000)))
        names = rng.sample(SHOW_NAMES, n_shows)
        cursor = 0
        self.shows: list[Show] = []
        for index, name in enumerate(names):
            hosts = self.people[cursor:cursor + rng.choice((1, 2, 2, 3))]
            cursor += len(hosts)
            subjects = rng.sample(range(len(self.subjects)), rng.randint(4, 8))
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            abbrev = "".join(word[0] for word in name.split()).lower()
            self.shows.append(Show(name=name, slug=slug, folder=index % 2 == 0, hosts=list(hosts),
                                   subjects=subjects, abbrev=abbrev))
        for show in self.shows:
            for host in show.hosts:
                host.role = "host"
                host.bio = f"Host of {show.name}."
        self.hosts = self.people[:cursor]
        self.guests = self.people[cursor:]
        self.guest_cum = _zipf_cum(len(self.guests), 1.0, 3.0)
        # A few people are written two ways: "Last, First" and a short first name, as aliases.
        for person in rng.sample(self.people, max(2, len(self.people) // 25)):
            first, last = person.name.split(" ", 1)
            person.aliases.append(f"{last}, {first}")
        jobs = ("researcher", "engineer", "writer", "cook", "maintainer", "teacher")
        for person in self.guests[: max(3, len(self.guests) // 6)]:
            person.bio = person.bio or f"A recurring guest, {rng.choice(jobs)}."
            person.role = person.role or "guest"


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------

def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _title_words(rng: random.Random, subject: Subject) -> tuple[str, str]:
    a = rng.choices(subject.topics, cum_weights=subject.topic_cum)[0]
    b = rng.choices(subject.terms.words, cum_weights=subject.terms.cum)[0]
    return a, b


def _fill(pattern: str, a: str, b: str, guest: str = "") -> str:
    return pattern.format(A=_cap(a), B=b, a=a, b=b, Guest=guest)


def sentences(rng: random.Random, world: World, plan: Plan) -> list[str]:
    """About plan.words words of sentences: function words, shared words, and the episode's subjects."""
    primary, secondary = world.subjects[plan.subject], world.subjects[plan.second]
    # The episode dwells on a few of its subject's topics; they recur, as real topics do.
    focus = rng.sample(primary.topics, min(len(primary.topics), rng.randint(2, 4)))
    n = plan.words
    pools = [world.function, world.shared, primary.terms, secondary.terms]
    kinds = rng.choices(range(4), weights=(46, 32, 16, 6), k=n)
    counts = Counter(kinds)
    draws = [iter(rng.choices(pool.words, cum_weights=pool.cum, k=counts[i])) for i, pool in enumerate(pools)]
    stream = [next(draws[kind]) for kind in kinds]
    out: list[str] = []
    position = 0
    while position < n:
        length = min(n - position, 3 + int(rng.gammavariate(2.2, 5.5)))
        words = stream[position:position + length]
        position += length
        if length >= 6 and rng.random() < 0.22:
            phrase = rng.choice(focus) if rng.random() < 0.8 else rng.choice(primary.topics)
            words[rng.randrange(1, length - 1)] = phrase
        if length >= 8 and rng.random() < 0.3:
            spot = rng.randrange(2, length - 2)
            words[spot] += ","
        end = "?" if rng.random() < 0.09 else ("!" if rng.random() < 0.02 else ".")
        words[0] = _cap(words[0])
        out.append(" ".join(words) + end)
    return out


@dataclass
class Block:
    kind: str  # "turn", "heading", "stage"
    text: str = ""
    speaker: str | None = None
    lines: list[str] = field(default_factory=list)


def blocks(rng: random.Random, world: World, plan: Plan, headings: bool) -> list[Block]:
    """The episode as turns (one speaker's sentences), headings and stage directions."""
    body = sentences(rng, world, plan)
    host, guests = plan.hosts[0], [p for p in plan.speakers if p not in plan.hosts]
    others = [p for p in plan.speakers if p is not host]
    intro = [f"Welcome to {plan.show.name}.", f"I'm {host.name}."]
    if guests:
        intro.append("My guest today is " + " and ".join(g.name for g in guests) + ".")
    result: list[Block] = [Block("turn", speaker=host.name, lines=intro)]
    if guests:
        result.append(Block("turn", speaker=guests[0].name, lines=["Thanks for having me."]))
    subject = world.subjects[plan.subject]
    next_heading = rng.randint(300, 900)
    words_done = 0
    index = 0
    turn = 0
    while index < len(body):
        if headings and words_done >= next_heading:
            a, b = _title_words(rng, subject)
            result.append(Block("heading", text=_fill(rng.choice(HEADING_PATTERNS), a, b)))
            next_heading = words_done + rng.randint(900, 1800)
        if not others:
            speaker, target = host, rng.randint(120, 400)  # solo: one voice, long stretches
        elif turn % 2 == 0:
            speaker, target = host, rng.randint(10, 60)  # the host asks
        else:
            speaker, target = rng.choice(others), rng.randint(60, 450)
        turn += 1
        lines: list[str] = []
        count = 0
        while index < len(body) and count < target:
            lines.append(body[index])
            count += body[index].count(" ") + 1
            index += 1
        words_done += count
        result.append(Block("turn", speaker=speaker.name, lines=lines))
        if rng.random() < 0.04:
            result.append(Block("stage", text=rng.choice(STAGE_CUES)))
    result.append(Block("turn", speaker=host.name, lines=[f"Thanks for listening to {plan.show.name}."]))
    return result


def _spelling(rng: random.Random, person: Person) -> str:
    """Mostly the canonical name; sometimes an alias, as real transcripts mix spellings."""
    if person.aliases and rng.random() < 0.3:
        return rng.choice(person.aliases)
    return person.name


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------

def _ts(seconds: float, comma: bool = False, hours: bool = True) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    sep = "," if comma else "."
    if hours or h:
        return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"
    return f"{m:02d}:{s:02d}{sep}{ms:03d}"


def _chunks(words: list[str], rng: random.Random) -> list[list[str]]:
    out, i = [], 0
    while i < len(words):
        size = rng.randint(6, 14)
        out.append(words[i:i + size])
        i += size
    return out


def timed_cues(rng: random.Random, items: list[Block]) -> list[tuple[float, float, str | None, str, bool]]:
    """(start, end, speaker, text, first-of-turn) cues at about 2.6 words a second."""
    clock = rng.uniform(0.2, 1.5)
    cues = []
    rate = rng.uniform(2.2, 3.0)
    for block in items:
        if block.kind == "heading":
            continue
        if block.kind == "stage":
            cues.append((clock, clock + 1.2, None, block.text, False))
            clock += 1.4
            continue
        words = " ".join(block.lines).split()
        for position, chunk in enumerate(_chunks(words, rng)):
            duration = len(chunk) / rate
            cues.append((clock, clock + duration, block.speaker, " ".join(chunk), position == 0))
            clock += duration + rng.uniform(0.02, 0.25)
        clock += rng.uniform(0.2, 2.6)  # sometimes a pause long enough to start a paragraph
    return cues


def write_txt(rng: random.Random, plan: Plan, items: list[Block], solo_header: bool) -> str:
    out: list[str] = []
    if solo_header:
        # Scraped transcript pages: the speaker's name and page chrome above the text.
        out += [plan.speakers[0].name, "Podcast Appearances", ""]
    labelled = len(plan.speakers) > 1
    for block in items:
        if block.kind == "heading":
            if rng.random() < 0.5:
                out += ["Subheading", block.text]
            else:
                out += [f"Subheading {block.text}"]
            continue
        if block.kind == "stage":
            continue
        lines = list(block.lines)
        if labelled:
            name = block.speaker
            lines[0] = f"{name}: {lines[0]}"
        out += lines
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def write_md(rng: random.Random, plan: Plan, items: list[Block], front: dict) -> str:
    out = [_front_matter(front)]
    if rng.random() < 0.5:
        out += [f"# {plan.title}", ""]
    labelled = len(plan.speakers) > 1
    for block in items:
        if block.kind == "heading":
            out += [f"## {block.text}", ""]
        elif block.kind == "stage":
            out += [f"*{block.text}*", ""]
        else:
            paragraphs, current, count = [], [], 0
            for line in block.lines:
                current.append(line)
                count += line.count(" ") + 1
                if count >= 120:
                    paragraphs.append(" ".join(current))
                    current, count = [], 0
            if current:
                paragraphs.append(" ".join(current))
            for index, paragraph in enumerate(paragraphs):
                prefix = f"**{block.speaker}:** " if labelled and index == 0 else ""
                out += [prefix + paragraph, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def write_vtt(rng: random.Random, items: list[Block]) -> str:
    hours = rng.random() < 0.5
    out = ["WEBVTT", "Kind: captions", "Language: en", "",
           "NOTE", "Captions from an automatic transcription, with speaker names added by hand.", ""]
    cues = timed_cues(rng, items)
    for start, end, speaker, text, first in cues:
        out.append(f"{_ts(start, hours=hours)} --> {_ts(end, hours=hours)}")
        out.append(f"<v {speaker}>{text}" if first and speaker else text)
        out.append("")
    return "\n".join(out)


def write_srt(rng: random.Random, items: list[Block]) -> str:
    out = []
    for number, (start, end, speaker, text, first) in enumerate(timed_cues(rng, items), start=1):
        out += [str(number), f"{_ts(start, comma=True)} --> {_ts(end, comma=True)}",
                f"{speaker}: {text}" if first and speaker else text, ""]
    return "\n".join(out)


def write_json(rng: random.Random, items: list[Block], variant: str, labels: dict[str, str]) -> str:
    cues = timed_cues(rng, items)
    lines: list[str] = []
    dump = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    if variant == "podcasting":
        word_level = rng.random() < 0.25
        for start, end, speaker, text, _first in cues:
            speaker = speaker or lines_speaker(lines)
            if word_level:
                words = text.split()
                step = (end - start) / max(1, len(words))
                for i, word in enumerate(words):
                    lines.append(dump({"speaker": speaker, "startTime": round(start + i * step, 2),
                                       "endTime": round(start + (i + 1) * step - 0.04, 2), "body": word}))
            else:
                lines.append(dump({"speaker": speaker, "startTime": round(start, 2), "endTime": round(end, 2),
                                   "body": text}))
        return '{\n  "version": "1.0.0",\n  "segments": [\n    ' + ",\n    ".join(lines) + "\n  ]\n}\n"
    texts = []
    current = None
    for number, (start, end, speaker, text, _first) in enumerate(cues):
        segment: dict = {"id": number, "start": round(start, 2), "end": round(end, 2), "text": " " + text}
        if variant == "whisperx":
            current = labels.get(speaker, current) if speaker else current
            segment = {"start": round(start, 2), "end": round(end, 2), "text": " " + text,
                       "speaker": current or "SPEAKER_00"}
        texts.append(" " + text)
        lines.append(dump(segment))
    head = '{\n  "language": "en",\n'
    if variant == "whisper":
        head += f'  "text": {dump("".join(texts))},\n'
    return head + '  "segments": [\n    ' + ",\n    ".join(lines) + "\n  ]\n}\n"


def lines_speaker(lines: list[str]) -> str | None:
    """The speaker of the last Podcasting segment written (stage cues keep the turn)."""
    if not lines:
        return None
    return json.loads(lines[-1]).get("speaker")


def _yaml_value(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _yaml(fields: dict) -> str:
    """A small, fixed YAML writer: keys in order, strings double-quoted, lists as block lists."""
    out = []
    for key, value in fields.items():
        if value is None or value == [] or value == {}:
            continue
        if isinstance(value, list):
            out.append(f"{key}:")
            out += [f"  - {_yaml_value(item)}" for item in value]
        elif isinstance(value, dict):
            out.append(f"{key}:")
            out += [f"  {k}: {_yaml_value(v)}" for k, v in value.items()]
        else:
            out.append(f"{key}: {_yaml_value(value)}")
    return "\n".join(out) + "\n"


def _front_matter(fields: dict) -> str:
    return "---\n" + _yaml(fields) + "---\n"


def _duration(words: int) -> str:
    seconds = int(words / 2.6)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")


# ---------------------------------------------------------------------------------------------
# The archive
# ---------------------------------------------------------------------------------------------

def supported_formats() -> list[str]:
    """The episode formats this generator writes that the installed package reads."""
    try:
        from episode_archive.readers import EXTENSIONS, FORMATS
    except ImportError:
        return ["txt", "txt-solo", "md"]
    formats = []
    if ".txt" in EXTENSIONS:
        formats += ["txt", "txt-solo"]
    if ".md" in EXTENSIONS:
        formats.append("md")
    if ".vtt" in EXTENSIONS:
        formats.append("vtt")
    if ".srt" in EXTENSIONS:
        formats.append("srt")
    if ".json" in EXTENSIONS:
        formats += [name for name, key in (("whisper", "whisper-json"), ("whisperx", "whisperx-json"),
                                           ("podcasting", "podcasting-json")) if key in FORMATS]
    return formats


FORMAT_WEIGHTS = {"txt": 26, "txt-solo": 9, "md": 24, "vtt": 14, "srt": 10, "whisper": 6, "whisperx": 6,
                  "podcasting": 5}
EXTENSION = {"txt": ".txt", "txt-solo": ".txt", "md": ".md", "vtt": ".vtt", "srt": ".srt", "whisper": ".json",
             "whisperx": ".json", "podcasting": ".json"}


def plan_episodes(n: int, world: World, rng: random.Random, formats: list[str]) -> list[Plan]:
    show_weights = [1.0 / (rank + 1.5) for rank in range(len(world.shows))]
    counts = Counter(rng.choices(range(len(world.shows)), weights=show_weights, k=n))
    # The first episodes cycle through every format, so a small archive still has them all.
    first_formats = [f for f in ("txt", "md", "vtt", "srt") if f in formats]
    rest = [f for f in formats if f not in first_formats]
    rng.shuffle(rest)
    first_formats += rest
    plans: list[Plan] = []
    for show_index, show in enumerate(world.shows):
        date = dt.date(2013, 1, 7) + dt.timedelta(days=7 * rng.randint(0, 6 * 52) + rng.randint(0, 6))
        # Weekly, with season breaks (about 30% more time); a show with more episodes than weeks
        # before LAST_DATE publishes more often, so that no date lies in the future.
        needed_days = counts[show_index] * 7 * 1.3
        interval = min(7.0, max(1.0, (LAST_DATE - date).days / needed_days * 7)) if needed_days else 7.0
        until_break = rng.randint(20, 45)
        for number in range(1, counts[show_index] + 1):
            until_break -= 1
            if until_break <= 0:  # a season break
                date += dt.timedelta(days=round(7 * rng.randint(4, 14) * interval / 7))
                until_break = rng.randint(20, 45)
            date += dt.timedelta(days=round(interval))
            hosts = rng.sample(show.hosts, 2 if len(show.hosts) > 1 and rng.random() < 0.3 else 1)
            n_guests = rng.choices((0, 1, 2, 3), weights=(12, 63, 20, 5))[0]
            guests: list[Person] = []
            while len(guests) < n_guests:
                guest = world.guests[bisect.bisect_left(world.guest_cum, rng.random() * world.guest_cum[-1])]
                if rng.random() < 0.05:  # hosts of other shows guest now and then
                    guest = rng.choice(world.hosts)
                if guest not in guests and guest not in hosts:
                    guests.append(guest)
            fmt = rng.choices(formats, weights=[FORMAT_WEIGHTS[f] for f in formats])[0]
            speakers = hosts + guests
            if fmt == "txt-solo":
                speakers = hosts[:1]
            words = MIN_WORDS + int((MAX_WORDS - MIN_WORDS) * rng.betavariate(2.5, 3.5))
            subject = rng.choice(show.subjects)
            second = rng.choice(show.subjects) if rng.random() < 0.7 else rng.randrange(len(world.subjects))
            meta = _metadata_source(rng, fmt, show)
            plans.append(Plan(number=number, show=show, date=date, subject=subject, second=second,
                              speakers=speakers, hosts=hosts, words=words, fmt=fmt, meta=meta,
                              dated_name=meta == "none" or rng.random() < 0.85,
                              given_topics=meta != "none" and rng.random() < 0.55))
    plans.sort(key=lambda p: (p.date, p.show.name))
    for plan, fmt in zip(plans, first_formats, strict=False):
        plan.fmt = fmt
        if fmt == "txt-solo":
            plan.speakers = plan.hosts[:1]
        plan.meta = _metadata_source(rng, fmt, plan.show)
        plan.dated_name = plan.dated_name or plan.meta == "none"
        plan.given_topics = plan.given_topics and plan.meta != "none"
    return plans


def _metadata_source(rng: random.Random, fmt: str, show: Show) -> str:
    """Where an episode's metadata lives: front matter, a sidecar, the catalogue, both, or nowhere."""
    if fmt == "md":
        return "front"
    if fmt == "whisperx":
        return "sidecar"  # speaker_map needs a sidecar
    if fmt in ("whisper", "podcasting"):
        return rng.choice(("sidecar", "catalog", "both"))
    meta = rng.choices(("sidecar", "catalog", "both", "none"), weights=(35, 35, 10, 20))[0]
    # With no metadata the show comes from the folder; shows without a folder need it written down.
    return "catalog" if meta == "none" and not show.folder else meta


MKDOCS_FALLBACK = {
    "theme": {"name": "material",
              "features": ["navigation.prune", "navigation.indexes", "navigation.top", "toc.follow",
                           "search.highlight"]},
    "markdown_extensions": [{"toc": {"permalink": True}}, "tables", "attr_list", "md_in_html", "admonition"],
}
GENERATED_NAV = {"episodes/index.md", "speakers/index.md", "appearances/index.md", "topics/index.md", "shows/index.md"}


def mkdocs_yml(n: int, seed: int) -> str:
    """The demo's mkdocs.yml structure: its theme, nav and markdown_extensions, without site_url."""
    import yaml

    base = MKDOCS_FALLBACK
    demo = REPO / "mkdocs.yml"
    if demo.is_file():
        try:
            loaded = yaml.safe_load(demo.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and "theme" in loaded:
                base = loaded
        except yaml.YAMLError:
            pass
    nav = []
    for entry in base.get("nav") or [{"Home": "index.md"}, {"Episodes": "episodes/index.md"},
                                     {"Speakers": "speakers/index.md"}, {"Appearances": "appearances/index.md"},
                                     {"Topics": "topics/index.md"}, {"Shows": "shows/index.md"}, {"About": "about.md"}]:
        target = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(target, str) and (target in GENERATED_NAV or target in ("index.md", "about.md")):
            nav.append(entry)
    config = {
        "site_name": f"Synthetic archive ({n} episodes, seed {seed})",
        "site_description": "A synthetic archive generated by scripts/synthetic_archive.py for benchmarks.",
        "theme": base["theme"],
        "nav": nav,
        # As the demo: Pagefind search (the plugin's default), not Material's full-text index.
        "plugins": ["tags", {"episode-archive": {"episodes_dir": "episodes"}}],
        "markdown_extensions": base.get("markdown_extensions", MKDOCS_FALLBACK["markdown_extensions"]),
    }
    header = (f"# Generated by scripts/synthetic_archive.py {n} OUT --seed {seed}; "
              "the demo's settings without site_url.\n")
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=120)


def generate(n: int, out: Path, seed: int = 0, formats: list[str] | None = None) -> dict:
    """Write the archive project to `out` (replaced if it exists); return a summary."""
    started = time.perf_counter()
    formats = formats or supported_formats()
    world = World(n, seed)
    rng = random.Random(f"episode-archive-synthetic:{seed}:plan")
    plans = plan_episodes(n, world, rng, formats)
    if out.exists():
        shutil.rmtree(out)
    episodes_dir = out / "episodes"
    (out / "docs").mkdir(parents=True)
    episodes_dir.mkdir()
    files: dict[str, str] = {}
    files["mkdocs.yml"] = mkdocs_yml(n, seed)
    files["docs/index.md"] = (
        "# Synthetic archive\n\n"
        f"A generated archive of {n} episodes for benchmarks: made-up words, real structure.\n\n"
        "<!-- episode-archive:stats -->\n\n## Latest episodes\n\n<!-- episode-archive:latest -->\n")
    files["docs/about.md"] = ("# About\n\nEvery talk, person and show here is generated by "
                              "`scripts/synthetic_archive.py`; none of it is real.\n")
    files["episodes/README.md"] = "Transcripts go here, in any supported format; see the project README.\n"

    registry = {}
    for person in world.people:
        details = {k: v for k, v in (("role", person.role), ("aliases", person.aliases), ("bio", person.bio)) if v}
        if details:
            registry[person.name] = details
    people_lines = ["# The people registry: canonical names, roles, aliases, bios."]
    for name, details in registry.items():
        people_lines.append(f"{json.dumps(name, ensure_ascii=False)}:")
        people_lines += ["  " + line for line in _yaml(details).splitlines()]
    files["episodes/people.yml"] = "\n".join(people_lines) + "\n"

    catalog_rows: list[dict[str, str]] = []
    used_stems: set[str] = set()
    total_words = 0
    format_counts: Counter[str] = Counter()
    for plan in plans:
        erng = random.Random(f"episode-archive-synthetic:{seed}:episode:{plan.show.slug}:{plan.number}")
        subject = world.subjects[plan.subject]
        a, b = _title_words(erng, subject)
        guest_names = [p.name for p in plan.speakers if p not in plan.hosts]
        pattern = erng.choice([p for p in TITLE_PATTERNS if guest_names or "{Guest}" not in p])
        plan.title = _fill(pattern, a, b, guest_names[0] if guest_names else "")
        stem = _slugify(plan.title)
        prefix = plan.date.isoformat() if plan.dated_name else f"{plan.show.abbrev}-{plan.number:04d}"
        stem = f"{prefix}-{stem}"
        folder = f"{plan.show.slug}/" if plan.show.folder else ""
        while f"{folder}{stem}" in used_stems:  # the slug is the path without its extension
            stem += "-b"
        used_stems.add(f"{folder}{stem}")
        path = f"{folder}{stem}{EXTENSION[plan.fmt]}"
        plan.path = path
        format_counts[plan.fmt] += 1

        items = blocks(erng, world, plan, headings=plan.fmt in ("txt", "txt-solo", "md"))
        total_words += sum(len(" ".join(b.lines).split()) for b in items if b.kind == "turn")
        topics = []
        if plan.given_topics:
            topics = erng.sample(subject.topics, min(len(subject.topics), erng.randint(2, 4)))
        speaker_names = [_spelling(erng, p) for p in plan.speakers]
        fields: dict = {"title": plan.title, "date": plan.date, "speakers": speaker_names}
        if not plan.show.folder or erng.random() < 0.3:
            fields["show"] = plan.show.name
        if plan.meta in ("front", "sidecar", "both") and erng.random() < 0.4:
            fields["hosts"] = [p.name for p in plan.hosts]
        if topics:
            fields["topics"] = topics
        if erng.random() < 0.4:
            fields["description"] = _cap(" ".join(erng.choices(subject.terms.words, k=4) + ["and"] +
                                                  erng.choices(world.shared.words[:300], k=5))) + "."
        if erng.random() < 0.6:
            fields["audio"] = f"https://media.example.org/{plan.show.slug}/{_slugify(plan.title)}.mp3"
            fields["duration"] = _duration(plan.words)
        labels = {}
        if plan.fmt == "whisperx":
            labels = {p.name: f"SPEAKER_{i:02d}" for i, p in enumerate(plan.speakers)}
            fields["speaker_map"] = {label: name for name, label in labels.items()}

        if plan.fmt == "md":
            content = write_md(erng, plan, items, fields)
        elif plan.fmt in ("txt", "txt-solo"):
            # With no metadata, a one-voice text names its speaker the way scraped pages do: a header line.
            content = write_txt(erng, plan, items, solo_header=plan.meta == "none" and len(plan.speakers) == 1)
        elif plan.fmt == "vtt":
            content = write_vtt(erng, items)
        elif plan.fmt == "srt":
            content = write_srt(erng, items)
        else:
            content = write_json(erng, items, plan.fmt, labels)
        files[f"episodes/{path}"] = content

        if plan.meta in ("sidecar", "both"):
            sidecar = dict(fields)
            if plan.meta == "both":  # the catalogue carries the media fields, the sidecar the rest
                sidecar.pop("audio", None)
                sidecar.pop("duration", None)
            files[f"episodes/{path.rsplit('.', 1)[0]}.yml"] = _yaml(sidecar)
        if plan.meta in ("catalog", "both"):
            row = {"file": path}
            if plan.meta == "catalog":
                row.update(title=plan.title, date=plan.date.isoformat(), speakers=";".join(speaker_names),
                           show=fields.get("show", ""), topics=";".join(topics))
            row.update(audio=fields.get("audio", ""), duration=fields.get("duration", ""))
            catalog_rows.append(row)

    if catalog_rows:
        buffer = io.StringIO()
        columns = ["file", "title", "date", "speakers", "show", "topics", "audio", "duration"]
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in sorted(catalog_rows, key=lambda r: r["file"]):
            writer.writerow({column: row.get(column, "") for column in columns})
        files["episodes/catalog.csv"] = buffer.getvalue()

    total_bytes = 0
    for relative, content in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8")
        target.write_bytes(data)
        total_bytes += len(data)
    appearing = {p.name for plan in plans for p in plan.speakers}
    return {
        "episodes": len(plans),
        "words": total_words,
        "mean_words": round(total_words / len(plans)) if plans else 0,
        "speakers_in_pool": len(world.people),
        "speakers_appearing": len(appearing),
        "shows": len(world.shows),
        "formats": dict(sorted(format_counts.items())),
        "files": len(files),
        "bytes": total_bytes,
        "first_date": min(p.date for p in plans).isoformat() if plans else None,
        "last_date": max(p.date for p in plans).isoformat() if plans else None,
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of episodes")
    parser.add_argument("out", type=Path, help="project folder to write (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.out.exists() and any(args.out.iterdir()) and not (args.out / "mkdocs.yml").is_file():
        parser.error(f"{args.out} exists and is not an archive project; choose an empty or new folder")
    summary = generate(args.n, args.out, args.seed)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The corrections glossary: loading corrections.yml, whole-word case-aware replacement, Markdown safety, reports."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from episode_archive.corrections import Correction, Glossary, load_corrections
from episode_archive.errors import ArchiveError
from episode_archive.model import Segment, Transcript
from helpers import write

ROOT = Path(__file__).resolve().parent.parent

GLOSSARY = """\
# whole words or phrases, case-aware; per archive, or per show
corrections:
  Shorji: shogi
  agentic Reuters: agentic routers
  pool request: pull request
  pool: pond
shows:
  "Open Source Hour":
    get hub: GitHub
    pool request: merge request
"""


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    return load_corrections(write(tmp_path / "corrections.yml", GLOSSARY), tmp_path)


def entry(phrase: str, replacement: str, show: str | None = None, line: int = 2) -> Correction:
    return Correction(phrase, replacement, show, Path("corrections.yml"), line)


# --- loading ---------------------------------------------------------------------------------------------


def test_load_reads_archive_wide_then_show_entries_with_their_lines(glossary: Glossary, tmp_path: Path):
    assert [(e.phrase, e.replacement, e.show, e.line) for e in glossary.entries] == [
        ("Shorji", "shogi", None, 3),
        ("agentic Reuters", "agentic routers", None, 4),
        ("pool request", "pull request", None, 5),
        ("pool", "pond", None, 6),
        ("get hub", "GitHub", "Open Source Hour", 9),
        ("pool request", "merge request", "Open Source Hour", 10),
    ]
    assert glossary.shows == ["Open Source Hour"]
    assert glossary.path == tmp_path / "corrections.yml"


def test_a_missing_file_is_an_empty_glossary_that_changes_nothing(tmp_path: Path):
    glossary = load_corrections(tmp_path / "corrections.yml", tmp_path)
    assert len(glossary) == 0
    assert glossary.apply("Shorji", None) == ("Shorji", Counter())
    assert glossary.apply_markdown("`x` Shorji", "Any Show") == ("`x` Shorji", Counter())


def test_an_empty_file_and_empty_sections_are_an_empty_glossary(tmp_path: Path):
    assert len(load_corrections(write(tmp_path / "a.yml", "# nothing yet\n"), tmp_path)) == 0
    assert len(load_corrections(write(tmp_path / "b.yml", "corrections:\nshows:\n"), tmp_path)) == 0
    assert len(load_corrections(write(tmp_path / "c.yml", "shows:\n  Some Show:\n"), tmp_path)) == 0


def test_phrases_are_nfc_and_their_whitespace_is_collapsed(tmp_path: Path):
    path = write(tmp_path / "c.yml", 'corrections:\n  "  cafe\u0301   au lait ": "  café  crème "\n')
    [loaded] = load_corrections(path, tmp_path).entries
    assert (loaded.phrase, loaded.replacement) == ("café au lait", "café crème")


SHAPE = ("corrections.yml has `corrections:` (wrong phrase: right phrase, e.g. `pool request: pull request`) and "
         "`shows:` (a show's name, then its own `wrong phrase: right phrase` lines)")


@pytest.mark.parametrize(("text", "line", "message"), [
    ("Shorji: shogi\n", 1,
     f"unknown key 'Shorji'; to correct 'Shorji', indent it under `corrections:`; {SHAPE}"),
    ("corrections:\n  a: b\nglossary: {}\n", 3, f"unknown key 'glossary'; {SHAPE}"),
    ("corrections: [Shorji, shogi]\n", 1,
     "corrections: expected `wrong phrase: right phrase` lines indented below it, e.g. `pool request: pull request`"),
    ("corrections:\n  Shorji:\n", 2, "'Shorji' has no replacement; write `Shorji: right phrase`"),
    ("corrections:\n  ok: fine\n  yes: indeed\n", 3,
     'a phrase to correct is not text: True (YAML reads yes/no/on/off/true/false as true or false); quote it: "yes"'),
    ("corrections:\n  version: 12\n", 2,
     "the replacement for 'version' is not text: 12 (YAML reads it as a number); quote it: \"12\""),
    ("corrections:\n  a:\n    b: c\n", 2,
     "the replacement for 'a' must be text, not a mapping; write `a: right phrase`"),
    ("corrections:\n  a: '  '\n", 2, "the replacement for 'a' is empty; write the words, or remove the line"),
    ("corrections:\n  GitHub: GitHub\n", 2, "'GitHub' is replaced by itself; remove the line"),
    ("corrections:\n  '...': ellipsis\n", 2, "'...' has no letter or digit; corrections are for words"),
    ("corrections:\n  pool request: pull request\n  Pool  Request: pull request\n", 3,
     "'Pool Request' is already corrected on line 2 as 'pool request' (matching ignores case); keep one of them"),
    ("shows: [Open Source Hour]\n", 1,
     "shows: expected a show's name, then its corrections indented below it, e.g.\n"
     "shows:\n  \"Open Source Hour\":\n    get hub: GitHub"),
    ("shows:\n  Open Source Hour:\n    get hub: GitHub\n  open source hour:\n    x: y\n", 4,
     "show 'open source hour' is already listed as 'Open Source Hour' (line 2); "
     "merge their corrections under one name"),
    ("shows:\n  Open Source Hour: [get hub]\n", 2,
     "show 'Open Source Hour': expected `wrong phrase: right phrase` lines indented below it, e.g. "
     "`pool request: pull request`"),
    ("shows:\n  Open Source Hour:\n    fine: ok\n    off: on\n", 4,
     "shows.Open Source Hour.off: YAML reads on as true; quote it: off: \"on\""),
    ("shows:\n  Open Source Hour:\n    fine: ok\n    1: one\n", 4,
     'a phrase to correct is not text: 1 (YAML reads it as a number); quote it: "1"'),
    ("shows:\n  1984:\n    a: b\n", 2,
     'a show\'s name is not text: 1984 (YAML reads it as a number); quote it: "1984"'),
    ("corrections:\n  a: b\n  a: c\n", 3, "YAML: duplicate key 'a'; keep only one"),
])
def test_a_bad_shape_names_the_line_and_what_to_write(tmp_path: Path, text: str, line: int, message: str):
    path = write(tmp_path / "corrections.yml", text)
    with pytest.raises(ArchiveError) as error:
        load_corrections(path, tmp_path)
    problem = error.value.problem
    assert (problem.path, problem.line, problem.message) == (path, line, message)


def test_a_glossary_linked_from_outside_the_archive_is_refused(tmp_path: Path):
    outside = write(tmp_path / "outside" / "corrections.yml", "corrections:\n  a: b\n")
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    (episodes / "corrections.yml").symlink_to(outside)
    with pytest.raises(ArchiveError, match="outside"):
        load_corrections(episodes / "corrections.yml", episodes)


# --- whole words, case, precedence -----------------------------------------------------------------------


def test_only_whole_words_change(glossary: Glossary):
    text = "Shorji, Shorjis, Shorji's, Shorji-style, xShorji, Shorji_x, Shorji2, (Shorji)."
    assert glossary.apply(text, None) == (
        "shogi, Shorjis, shogi's, shogi-style, xShorji, Shorji_x, Shorji2, (shogi).", Counter({"Shorji": 4}))


def test_word_boundaries_are_unicode_aware():
    glossary = Glossary([entry("Shorji", "shogi"), entry("привет мир", "здравствуй мир")])
    text = "Shorjié éShorji Shorji\u0301 日本Shorji Привет мир, привет мирок."
    assert glossary.apply(text, None) == (
        "Shorjié éShorji Shorji\u0301 日本Shorji Здравствуй мир, привет мирок.", Counter({"привет мир": 1}))


def test_the_replacement_follows_the_case_of_what_was_found():
    glossary = Glossary([entry("agentic Reuters", "agentic routers"), entry("Shorji", "shogi"),
                         entry("get hub", "GitHub"), entry("cale penalty", "KL penalty")])
    text = ("agentic reuters. Agentic Reuters. AGENTIC REUTERS. agentic Reuters. aGENTIC reuters. "
            "Shorji. shorji. SHORJI. get hub. Get hub. GET HUB. Cale penalty.")
    assert glossary.apply(text, None)[0] == (
        "agentic routers. Agentic routers. AGENTIC ROUTERS. agentic routers. agentic routers. "
        "shogi. shogi. SHOGI. GitHub. GitHub. GITHUB. KL penalty.")


def test_a_show_entry_applies_only_to_that_show_and_wins_over_the_archive_entry(glossary: Glossary):
    text = "Open a pool request on get hub."
    assert glossary.apply(text, None) == ("Open a pull request on get hub.", Counter({"pool request": 1}))
    assert glossary.apply(text, "Alignment Readings") == ("Open a pull request on get hub.",
                                                          Counter({"pool request": 1}))
    assert glossary.apply(text, "Open Source Hour") == (
        "Open a merge request on GitHub.",
        Counter({"pool request [Open Source Hour]": 1, "get hub [Open Source Hour]": 1}))
    # Show names match as the metadata may write them: case and spacing do not matter.
    assert glossary.apply(text, "open source  hour")[0] == "Open a merge request on GitHub."


def test_the_longest_phrase_wins_and_a_shorter_one_is_the_fallback(glossary: Glossary):
    assert glossary.apply("a pool request, a pool, pool requests", None) == (
        "a pull request, a pond, pond requests", Counter({"pool request": 1, "pool": 2}))


def test_replacements_never_chain():
    glossary = Glossary([entry("alpha", "beta"), entry("beta", "gamma")])
    assert glossary.apply("alpha beta", None) == ("beta gamma", Counter({"alpha": 1, "beta": 1}))


def test_a_phrase_matches_across_one_line_break_and_keeps_it_but_never_across_a_paragraph(glossary: Glossary):
    assert glossary.apply("agentic\nReuters and agentic  Reuters", None)[0] == (
        "agentic\nrouters and agentic  routers")
    assert glossary.apply("agentic\n\nReuters", None) == ("agentic\n\nReuters", Counter())


def test_counts_are_per_entry(glossary: Glossary):
    _, counts = glossary.apply("Shorji and shorji; a pool request; SHORJI", None)
    assert counts == Counter({"Shorji": 3, "pool request": 1})


def test_urls_and_email_addresses_in_plain_text_never_change(glossary: Glossary):
    text = "Shorji at https://example.org/Shorji?q=Shorji, www.Shorji.org/pool or mail Shorji@example.org."
    assert glossary.apply(text, None) == (
        "shogi at https://example.org/Shorji?q=Shorji, www.Shorji.org/pool or mail Shorji@example.org.",
        Counter({"Shorji": 1}))


def _naive(entries: list[Correction], text: str) -> str:
    """The rules written the slow, obvious way: one alternation, longest phrase first, lower-case text."""
    ordered = sorted(entries, key=lambda e: -len(e.phrase))
    gap = r"(?:[^\S\n]+\n?[^\S\n]*|\n[^\S\n]*)"  # one run of spaces, at most one line break
    words = "|".join(gap.join(map(re.escape, e.phrase.split(" "))) for e in ordered)
    pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
    by_key = {e.phrase.lower(): e.replacement for e in entries}
    return pattern.sub(lambda m: by_key[" ".join(m.group().split()).lower()], text)


_PHRASES = st.lists(st.text("ab", min_size=1, max_size=2), min_size=1, max_size=3).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(_PHRASES, st.sampled_from(["X", "YZ"]), min_size=1, max_size=8),
       st.text("ab .\n", max_size=40))
def test_the_trie_regex_agrees_with_a_naive_alternation(table: dict[str, str], text: str):
    entries = []
    seen: set[str] = set()
    for phrase, replacement in table.items():
        if phrase.lower() not in seen:
            seen.add(phrase.lower())
            entries.append(entry(phrase, replacement))
    assert Glossary(entries).apply(text, None)[0] == _naive(entries, text)


@given(st.text(max_size=200))
def test_text_without_any_phrase_comes_back_unchanged(text: str):
    glossary = Glossary([entry("Shorji", "shogi"), entry("pool request", "pull request")])
    if "shorji" not in text.lower() and "pool" not in text.lower():
        assert glossary.apply(text, None) == (text, Counter())
        assert glossary.apply_markdown(text, None) == (text, Counter())


# --- Markdown --------------------------------------------------------------------------------------------


def test_markdown_code_links_html_and_urls_are_left_alone(glossary: Glossary):
    body = "\n".join([
        "Shorji in `Shorji` and ``a `Shorji` b`` and \\`Shorji\\`.",
        "",
        "```python",
        "Shorji = 1",
        "```",
        "",
        "  ~~~~",
        "  Shorji",
        "  ~~~~",
        "",
        "[Shorji](https://example.org/Shorji_(game) \"Shorji\") ![Shorji](img/Shorji.png)",
        "<https://Shorji.org> <Shorji@example.org> https://example.org/Shorji bare",
        "<a href=\"Shorji.html\" title=\"Shorji\">Shorji</a> <!-- Shorji --> <code>Shorji</code>",
        "## Shorji {#Shorji .Shorji}",
        "[Shorji][Shorji] and [Shorji] and [pool]",
        "",
        "[Shorji]: https://example.org/Shorji",
    ])
    expected = "\n".join([
        "shogi in `Shorji` and ``a `Shorji` b`` and \\`shogi\\`.",
        "",
        "```python",
        "Shorji = 1",
        "```",
        "",
        "  ~~~~",
        "  Shorji",
        "  ~~~~",
        "",
        "[shogi](https://example.org/Shorji_(game) \"shogi\") ![shogi](img/Shorji.png)",
        "<https://Shorji.org> <Shorji@example.org> https://example.org/Shorji bare",
        "<a href=\"Shorji.html\" title=\"Shorji\">shogi</a> <!-- Shorji --> <code>Shorji</code>",
        "## shogi {#Shorji .Shorji}",
        "[shogi][Shorji] and [Shorji] and [pond]",
        "",
        "[Shorji]: https://example.org/Shorji",
    ])
    assert glossary.apply_markdown(body, None) == (expected, Counter({"Shorji": 8, "pool": 1}))


def test_an_unclosed_fence_protects_the_rest_of_the_body(glossary: Glossary):
    assert glossary.apply_markdown("Shorji\n```\nShorji\n", None) == ("shogi\n```\nShorji\n", Counter({"Shorji": 1}))


def test_a_backtick_inside_a_fence_does_not_open_a_code_span_outside_it(glossary: Glossary):
    body = "```\na ` b\n```\n\nShorji `x` Shorji"
    assert glossary.apply_markdown(body, None)[0] == "```\na ` b\n```\n\nshogi `x` shogi"


def test_apply_transcript_corrects_segment_text_and_headings_but_not_speakers(glossary: Glossary):
    transcript = Transcript(path=Path("e.txt"), source="e.txt", format="text", segments=[
        Segment("Shorji openings", kind="heading"),
        Segment("We played Shorji.", speaker="Shorji"),
        Segment("Nothing here.", speaker="Ada"),
    ])
    corrected, counts = glossary.apply_transcript(transcript, None)
    assert [(s.kind, s.speaker, s.text) for s in corrected.segments] == [
        ("heading", None, "shogi openings"), ("text", "Shorji", "We played shogi."), ("text", "Ada", "Nothing here.")]
    assert corrected.segments[2] is transcript.segments[2]
    assert counts == Counter({"Shorji": 2})
    curated = Transcript(path=Path("e.md"), source="e.md", format="markdown", markdown_body="Shorji `Shorji`")
    corrected, counts = glossary.apply_transcript(curated, "Open Source Hour")
    assert (corrected.markdown_body, counts) == ("shogi `Shorji`", Counter({"Shorji": 1}))


# --- reports ---------------------------------------------------------------------------------------------


def test_report_lists_each_entry_per_file_and_the_ones_never_applied(glossary: Glossary, tmp_path: Path):
    counts = {
        "episodes/2026-02-25-sam-marks.txt": glossary.apply("Shorji and a pool request", None)[1],
        "episodes/2024-11-12-the-bus-factor.txt": glossary.apply("a pool request on get hub, Shorji",
                                                                 "Open Source Hour")[1],
        "episodes/empty.txt": Counter(),
    }
    assert glossary.report(counts, root=tmp_path) == [
        "Shorji -> shogi: 2 (episodes/2026-02-25-sam-marks.txt: 1, episodes/2024-11-12-the-bus-factor.txt: 1)",
        "agentic Reuters -> agentic routers: never applied (corrections.yml:4)",
        "pool request -> pull request: 1 (episodes/2026-02-25-sam-marks.txt)",
        "pool -> pond: never applied (corrections.yml:6)",
        'get hub -> GitHub (show "Open Source Hour"): 1 (episodes/2024-11-12-the-bus-factor.txt)',
        'pool request -> merge request (show "Open Source Hour"): 1 (episodes/2024-11-12-the-bus-factor.txt)',
    ]


def test_report_of_one_counter_gives_totals(glossary: Glossary, tmp_path: Path):
    _, counts = glossary.apply("Shorji, Shorji", None)
    assert glossary.report(counts, root=tmp_path)[:2] == [
        "Shorji -> shogi: 2", "agentic Reuters -> agentic routers: never applied (corrections.yml:4)"]
    assert glossary.report(Counter(), root=tmp_path)[0] == "Shorji -> shogi: never applied (corrections.yml:3)"


def test_a_show_no_episode_has_is_a_problem_on_its_first_entry(glossary: Glossary, tmp_path: Path):
    assert glossary.unknown_show_problems(["open source hour"]) == []
    [problem] = glossary.unknown_show_problems(["Alignment Readings"])
    assert problem.format(tmp_path) == ("corrections.yml:9: show 'Open Source Hour' has corrections but no episode "
                                        "of that show; check its name")


# --- the demo glossary -----------------------------------------------------------------------------------


DEMO = {
    "2026-02-25-sam-marks.txt": (None, {"Shorji": 1, "agentic Reuters": 1}),
    "2025-10-02-notes-on-reward-hacking.txt": ("Alignment Readings", {
        "reinforce meant learning": 1, "good hearts law": 1, "cale penalty": 1}),
    "2024-11-12-the-bus-factor.txt": ("Open Source Hour", {
        "sea eye pipeline [Open Source Hour]": 1, "pool request [Open Source Hour]": 1,
        "get hub [Open Source Hour]": 1, "such session note [Open Source Hour]": 1}),
}


def test_the_demo_glossary_fixes_the_demo_transcripts_and_nothing_else():
    episodes = ROOT / "episodes"
    glossary = load_corrections(episodes / "corrections.yml", episodes)
    for name, (show, expected) in DEMO.items():
        text = (episodes / name).read_text(encoding="utf-8")
        fixed, counts = glossary.apply(text, show)
        assert counts == Counter(expected), name
    text = (episodes / "2024-11-12-the-bus-factor.txt").read_text(encoding="utf-8")
    fixed, _ = glossary.apply(text, "Open Source Hour")
    assert "Fixing the CI pipeline when it breaks." in fixed
    assert "Writing a short succession note," in fixed
    # No other demo episode is touched, whatever its show.
    for path in sorted(episodes.iterdir()):
        if path.suffix in {".txt", ".md", ".vtt", ".srt", ".json"} and path.name not in DEMO:
            for show in (None, "Open Source Hour"):
                assert glossary.apply(path.read_text(encoding="utf-8"), show)[1] == Counter(), path.name


# --- speed -----------------------------------------------------------------------------------------------


def test_one_thousand_entries_on_eight_thousand_words_is_fast():
    """A complexity guard (one trie regex, not one regex per entry); the bound is deliberately loose."""
    rng = random.Random(7)
    syllables = ["ka", "ro", "mi", "tu", "sen", "dor", "la", "vi", "quo", "pel", "zan", "fi"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(3, 4)))

    phrases: set[str] = set()
    while len(phrases) < 1000:
        phrases.add(" ".join(word() for _ in range(rng.randint(1, 3))))
    ordered = sorted(phrases)
    glossary = Glossary([entry(phrase, f"fixed{index}", line=index + 2) for index, phrase in enumerate(ordered)])
    words: list[str] = []
    planted = 0
    while len(words) < 8000:
        if rng.random() < 0.02:
            words.extend(rng.choice(ordered).split())
            planted += 1
        else:
            words.append(rng.choice(["the", "model", "and", "a", "reward", "policy", "of", "to", "learning"]))
    text = " ".join(words)
    started = time.perf_counter()
    fixed, counts = glossary.apply(text, None)  # includes compiling the regex
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert sum(counts.values()) >= planted * 0.9  # adjacent planted phrases may join into a longer one
    assert "fixed" in fixed

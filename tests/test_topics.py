"""Topics: YAKE extraction on texts written here, the archive-wide filters, topics.yml, given topics."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from episode_archive import topics as topics_module
from episode_archive.archive import load_archive
from episode_archive.cache import ArchiveCache
from episode_archive.errors import ArchiveError
from episode_archive.options import Options
from episode_archive.slugs import make_slug
from episode_archive.topics import assign_topics, collect_topics, focus_sample, topic_slug_problems
from episode_archive.topicsfile import TopicVocabulary, load_topics_file, topic_key
from helpers import fork_from_two_items, make_episode, write

SOURDOUGH = """
Welcome to the show! I'm Odile Brenner, and today's episode is all about sourdough. Thanks for having me,
says our guest. This episode is brought to you by Crumbly Mills; use code BAKE for ten percent off.
Odile Brenner: A sourdough starter is flour and water that wild yeast and bacteria have moved into.
You feed the starter every day with fresh flour and water, and after a week the starter smells sour and
bubbly. Rye flour makes a lively starter; white flour makes a mild one.
Odile Brenner: When the starter doubles in four hours, it is ready to leaven a sourdough loaf. Mix flour,
water and salt, add a spoon of starter, and let the dough rest. Stretch and fold the dough every half hour.
A wet dough makes an open crumb. Shape the loaf, proof it in a basket overnight, and bake it in a hot
Dutch oven. The crust of a sourdough loaf should crackle as it cools.
Odile Brenner: If your sourdough is dense, the starter was too young or the dough proofed too short.
Keep some starter in the fridge between bakes and feed it flour the night before. Don't forget to
subscribe, and thanks for listening to the show today. Welcome back next week, Odile says goodbye.
"""
COMPILERS = """
Welcome to the show. Today Jo Park explains compilers. A compiler turns source code into machine code in
passes: the parser builds a syntax tree, the type checker walks the syntax tree, and the code generator
emits instructions. Register allocation decides which values live in registers. A good parser reports
errors with line numbers. The syntax tree is the compiler's central data structure; every pass of the
compiler reads the syntax tree or rewrites it. Optimising compilers inline functions and remove dead
code before register allocation. Thanks for listening, and subscribe for more episodes about compilers.
"""
GARDEN = """
Welcome to the show. Today Lena Voss talks about tomatoes in a small garden. Tomatoes need sun, deep
watering and a stake. Prune the side shoots of cordon tomatoes and leave bush tomatoes alone. Compost
feeds the soil, and mulch keeps the soil moist in July. Blight spreads in wet weather, so water the soil,
not the leaves. Pick the tomatoes when they colour and let them ripen on the windowsill. Thanks for
listening, and subscribe for more episodes about the garden.
"""
CYCLING = """
Welcome to the show. Today Ravi Nair rides through winter. Winter cycling needs lights, mudguards and
tyres with grip. A chain rusts fast in salted slush, so clean the chain and oil the chain every week.
Disc brakes stop better in rain than rim brakes. Wear layers, a windproof jacket and warm gloves, and
carry a spare inner tube and a pump. Thanks for listening, and subscribe for more episodes about cycling.
"""


def archive_of_four(**overrides):
    episodes = [
        make_episode("sourdough", "2024-01-01", ["Odile Brenner"], text=SOURDOUGH),
        make_episode("compilers", "2024-02-01", ["Jo Park"], text=COMPILERS),
        make_episode("garden", "2024-03-01", ["Lena Voss"], text=GARDEN),
        make_episode("cycling", "2024-04-01", ["Ravi Nair"], text=CYCLING),
    ]
    for episode in episodes:
        if episode.slug in overrides:
            episode.topics, episode.given_topics = list(overrides[episode.slug]), True
    return episodes


def words_of(topics: list[str]) -> set[str]:
    return {word for topic in topics for word in topic.lower().split()}


def test_a_talk_about_sourdough_gets_bread_words_not_filler_or_the_hosts_name():
    episodes = archive_of_four()
    assign_topics(episodes, per_episode=5)
    bread = episodes[0].topics
    assert {"sourdough", "starter", "flour"} <= words_of(bread), bread
    assert not {"today", "welcome", "show", "episode", "thanks", "subscribe", "odile", "brenner", "code",
                "crumbly", "mills"} & words_of(bread), bread
    assert 3 <= len(bread) <= 5
    assert {"compiler", "syntax tree"} & {topic_key(t).replace("-", " ") for t in episodes[1].topics}, episodes[1]
    assert "tomatoes" in episodes[2].topics and "chain" in episodes[3].topics


def test_filler_and_sponsor_reads_are_no_topics_even_when_no_other_episode_shares_them():
    # One episode: the archive-wide filter cannot help; the filler lists and the sponsor rule must.
    text = ("Welcome to the show! This episode is brought to you by Crumbly Mills; use code BAKE. Today's "
            "episode: sourdough.\nA sourdough starter is flour and water. Feed the starter flour daily. The "
            "sourdough starter doubles; mix flour, water, salt and starter into dough.\nThanks for having me. "
            "Subscribe to the show, rate and review the show, check out the show notes. Crumbly Mills sponsors "
            "this episode. Subscribe! Welcome back to the show next week, listeners.")
    episodes = [make_episode("bread", "2024-01-01", ["Odile Brenner"], text=text)]
    assign_topics(episodes, per_episode=8)
    assert {"sourdough", "starter", "flour"} <= set(episodes[0].topics)
    assert not {"show", "episode", "subscribe", "crumbly", "mills", "bake", "notes", "listeners", "welcome",
                "today"} & words_of(episodes[0].topics), episodes[0].topics


def test_topics_per_episode_caps_the_list():
    episodes = archive_of_four()
    assign_topics(episodes, per_episode=3)
    assert all(len(e.topics) <= 3 for e in episodes)
    assert len(episodes[0].topics) == 3


def test_speaker_names_are_never_topics_even_when_said_often():
    text = ("Marta: Hello. Marta Quist here with Paul Okafor about glaciers.\n"
            "Paul: Glaciers move. Paul has measured glaciers for years, and Marta has too.\n"
            "Marta: Glacier ice flows downhill. Meltwater lubricates the glacier bed, Paul says.\n"
            "Paul: Crevasses open where the glacier speeds up. Marta, Marta, Paul, Paul, Quist, Okafor.\n") * 3
    # Another episode names them too, as a conversation partner: archive speakers' names are no topic anywhere.
    other = "Marta Quist and Paul Okafor came by. Marta likes moraines, Paul likes moraines and eskers too. " * 4
    episodes = [make_episode("ice", "2024-01-01", ["Marta Quist", "Paul Okafor"], text=text),
                make_episode("visit", "2024-02-01", ["Ines Ruiz"], text=other)]
    assign_topics(episodes, per_episode=8)
    assert "glaciers" in episodes[0].topics or "glacier" in episodes[0].topics
    for episode in episodes:
        assert not {"marta", "paul", "quist", "okafor"} & words_of(episode.topics), episode.topics


def test_phrases_in_most_of_a_larger_archive_are_the_archives_not_one_talks():
    # "garden gnome" is said in every episode: with four or more episodes it is no topic of any.
    gnome = " The garden gnome watched. The garden gnome again, garden gnome everywhere."
    episodes = archive_of_four()
    for episode in episodes:
        episode.transcript.markdown_body += gnome
    assign_topics(episodes, per_episode=8)
    for episode in episodes:
        assert not {"gnome", "garden gnome"} & set(episode.topics), episode.topics
    # With three episodes the share proves nothing, so the filter is off.
    three = archive_of_four()[:3]
    for episode in three:
        episode.transcript.markdown_body += gnome * 3
    assign_topics(three, per_episode=8)
    assert any({"gnome", "garden gnome"} & set(e.topics) for e in three)


def test_case_is_normalised_and_acronyms_kept():
    text = ("Sourdough Baking with RLHF? No: Sourdough Baking is simple. RLHF trains chat models; sourdough "
            "trains patience. RLHF needs a reward model. Sourdough needs a starter. RLHF and sourdough.") * 3
    episodes = [make_episode("mixed", "2024-01-01", ["Ann Lee"], text=text)]
    assign_topics(episodes, per_episode=8)
    assert "RLHF" in episodes[0].topics
    assert all(t == t.lower() for t in episodes[0].topics if "RLHF" not in t)


def test_singular_and_plural_are_one_topic_with_one_spelling_across_the_archive():
    a = ("Language models predict tokens. Models learn from text. Large models, small models, models that "
         "reason. Every model has weights. Models everywhere, models all day.") * 2
    b = ("A model of the weather. The model says rain. This model is physical; a model of clouds and a "
         "model of wind. Models too.") * 2
    episodes = [make_episode("a", "2024-01-01", ["Ann Lee"], text=a),
                make_episode("b", "2024-02-01", ["Bo Yu"], text=b)]
    assign_topics(episodes, per_episode=5)
    keys = [[topic_key(t) for t in e.topics] for e in episodes]
    assert all(len(k) == len(set(k)) for k in keys), episodes[0].topics
    model_spellings = {t for e in episodes for t in e.topics if topic_key(t) == "model"}
    assert len(model_spellings) == 1, model_spellings
    assert "model" in set(keys[0]) & set(keys[1])


def test_given_topics_always_win_over_extraction():
    episodes = archive_of_four(sourdough=["Baking", "fermentation"])
    assign_topics(episodes, per_episode=5)
    assert episodes[0].topics == ["Baking", "fermentation"]
    assert episodes[1].topics  # the others are still extracted


def test_other_languages_get_no_extracted_topics():
    spanish = ("La masa madre necesita harina y agua todos los días. Cuando la masa madre burbujea, está lista "
               "para el pan. El pan de masa madre tiene una corteza que cruje.") * 4
    episodes = [make_episode("es", "2024-01-01", ["Ana Gil"], text=spanish)]
    assign_topics(episodes, per_episode=5)
    assert episodes[0].topics == []


def test_yake_reads_a_bounded_focused_sample_of_long_texts():
    long_text = "\n".join(f"Line {i} says filler words about nothing much at all, then stops." for i in range(900))
    long_text += "\nGlaciers and moraines and crevasses: the glacier story.\n" * 3
    sample = focus_sample(long_text, words=200)
    assert len(sample.split()) <= 200 + 60
    assert "Glaciers and moraines" in sample  # the sentences with the frequent content words are kept
    short = "A short text stays whole."
    assert focus_sample(short) == short


@pytest.mark.parametrize(("top", "named", "expected"), [
    # Words of word characters alone: counted as runs of them.
    (["bitcoin", "node", "café", "v2"], ["fees"], [5, 0, 7, 0, 2]),
    # An apostrophe or hyphen: counted by the expression, the longest word first.
    (["self-custody", "self", "custody", "don't"], [], [0, 5, 0, 0, 0]),
])
def test_focus_sample_counts_whole_words_as_the_expression_would(top, named, expected):
    pieces = ["Bitcoin's node, nodes and a NODE: bitcoin-node.", "Self-custody is self custody; don't, DON'T.",
              "Café cafés v2 v2.1 _node node_ fees fees.", "", "snake_case bitcoin2 Fees!"]
    expression = topics_module._matches_per_piece(topics_module._any_of(top), pieces)
    if named:
        titled = topics_module._matches_per_piece(topics_module._any_of(named), pieces)
        expression = [count + 2 * title for count, title in zip(expression, titled, strict=True)]
    assert expression == expected
    assert topics_module._hits_per_piece(top, named, pieces) == expected


# topics.yml ----------------------------------------------------------------------------------------

TOPICS_YML = """\
canonical:
  reinforcement learning: [RL, "reinforcement-learning"]
  bread: [sourdough, loaves]
  Compilers:
ignore:
  - chain
  - Interviews
"""


def test_synonyms_map_to_canonical_names_and_ignored_topics_disappear(tmp_path):
    vocabulary = load_topics_file(write(tmp_path / "topics.yml", TOPICS_YML))
    episodes = archive_of_four(garden=["rl", "Reinforcement-Learning", "INTERVIEWS", "compilers", "Soil"])
    assign_topics(episodes, per_episode=5, vocabulary=vocabulary)
    # Given topics: synonyms and case variants map to one canonical name, ignored ones go.
    assert episodes[2].topics == ["reinforcement learning", "Compilers", "Soil"]
    # Extracted topics too: "sourdough" becomes "bread", "chain" is never shown.
    assert "bread" in episodes[0].topics and "sourdough" not in episodes[0].topics
    assert "chain" not in episodes[3].topics
    topics = collect_topics(episodes)
    assert "reinforcement-learning" in topics and "rl" not in topics
    assert topics[make_slug("bread")].name == "bread"


def test_topic_slugs_are_the_slugs_of_canonical_names(tmp_path):
    vocabulary = load_topics_file(write(tmp_path / "topics.yml", "canonical:\n  Large Language Models: [LLM, LLMs]\n"))
    episodes = [make_episode("a", "2024-01-01", ["Ann Lee"], ["llms"]),
                make_episode("b", "2024-02-01", ["Bo Yu"], ["LLM"])]
    assign_topics(episodes, 5, vocabulary)
    assert list(collect_topics(episodes)) == ["large-language-models"]


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("- a\n- b\n", 1, "key: value"),
    ("canonical: [a, b]\n", 1, "canonical: expected"),
    ("canonical:\n  rl: 3\n", 2, "expected a list"),
    ("canonical:\n  rl:\n    - RLx\n    - yes\n", 4, "yes"),
    ("canonical:\n  a: [x]\n  b: [y, X]\n", 3, "same topic as"),
    ("canonical:\n  a: [x]\nignore: [b, X]\n", 3, "is ignored but also"),
    ("synonyms:\n  a: [b]\n", 1, "unknown key"),
    ("canonical:\n  a: [b\n", 3, "YAML"),
])
def test_a_bad_topics_file_is_an_error_with_its_line(tmp_path, text, line, fragment):
    path = write(tmp_path / "topics.yml", text)
    with pytest.raises(ArchiveError) as caught:
        load_topics_file(path)
    problem = caught.value.problem
    assert (problem.path, problem.line) == (path, line), problem.format()
    assert fragment in problem.message


def test_an_absent_or_empty_topics_file_means_no_rules(tmp_path):
    assert load_topics_file(tmp_path / "missing.yml") == TopicVocabulary()
    assert load_topics_file(write(tmp_path / "topics.yml", "")) == TopicVocabulary()
    assert load_topics_file(write(tmp_path / "t.yml", "canonical:\nignore:\n")) == TopicVocabulary()


def test_load_archive_applies_topics_yml_and_reports_its_errors(tmp_path):
    episodes_dir = tmp_path / "episodes"
    write(episodes_dir / "2024-01-01-bread.md", "---\nspeakers: [Odile Brenner]\n---\n" + SOURDOUGH)
    write(episodes_dir / "2024-02-01-given.md", "---\nspeakers: [Jo Park]\ntopics: [RL, Interviews]\n---\nText.\n")
    write(episodes_dir / "topics.yml", TOPICS_YML)
    archive, problems = load_archive(episodes_dir, Options())
    assert problems == []
    by_slug = {e.slug: e for e in archive.episodes}
    assert by_slug["2024-02-01-given"].topics == ["reinforcement learning"]
    assert "bread" in by_slug["2024-01-01-bread"].topics
    assert "reinforcement-learning" in archive.topics

    write(episodes_dir / "topics.yml", "canonical:\n  rl: 3\n")
    archive, problems = load_archive(episodes_dir, Options())
    assert [p.format(tmp_path) for p in problems] == [
        "episodes/topics.yml:2: synonyms of 'rl': expected a list of topics, e.g. [RL, reinforcement-learning]"]
    assert len(archive.episodes) == 2  # the episodes are still read; only the rules are missing


def test_extraction_results_are_cached_by_sample(monkeypatch):
    episodes = archive_of_four()
    assign_topics(episodes, per_episode=5)
    first = [list(e.topics) for e in episodes]

    def no_yake(*args, **kwargs):
        raise AssertionError("YAKE ran again for an unchanged text")

    monkeypatch.setattr(topics_module, "Yake", no_yake)
    again = archive_of_four()
    assign_topics(again, per_episode=5)
    assert [e.topics for e in again] == first


def _with_garden_text(text: str, speakers: tuple[str, ...] = ("Lena Voss",)):
    episodes = archive_of_four()
    episodes[2] = make_episode("garden", "2024-03-01", list(speakers), text=text)
    return episodes


def test_after_an_edit_only_the_edited_sample_is_read_again_and_the_choice_is_a_fresh_ones(tmp_path, monkeypatch):
    assign_topics(archive_of_four(), per_episode=5, store=ArchiveCache(tmp_path / "cache"))
    edited = GARDEN + "Zorblax mulch is new. Zorblax mulch feeds tomatoes, and zorblax mulch keeps the soil moist.\n"
    tokenised: set[str] = set()
    cased = topics_module._SampleWords.cased
    monkeypatch.setattr(topics_module._SampleWords, "cased",
                        lambda self, slug: tokenised.add(slug) or cased(self, slug))
    rebuilt = _with_garden_text(edited)
    assign_topics(rebuilt, per_episode=5, store=ArchiveCache(tmp_path / "cache"))
    assert tokenised == {"garden"}, "no other sample holds the new phrases' first words"
    assert any("zorblax" in topic.lower() for topic in rebuilt[2].topics)
    fresh = _with_garden_text(edited)
    assign_topics(fresh, per_episode=5)
    assert [e.topics for e in rebuilt] == [e.topics for e in fresh]


def test_new_names_in_the_archive_make_every_episode_choose_again_as_a_fresh_build(tmp_path, monkeypatch):
    # "Tomatoes" as a speaker's name part: written as a name in the samples that capitalise it.
    assign_topics(archive_of_four(), per_episode=5, store=ArchiveCache(tmp_path / "cache"))
    tokenised: set[str] = set()
    cased = topics_module._SampleWords.cased
    monkeypatch.setattr(topics_module._SampleWords, "cased",
                        lambda self, slug: tokenised.add(slug) or cased(self, slug))
    rebuilt = _with_garden_text(GARDEN, ("Lena Voss", "Tom Compost"))
    assign_topics(rebuilt, per_episode=5, store=ArchiveCache(tmp_path / "cache"))
    assert tokenised == {"sourdough", "compilers", "garden", "cycling"}
    fresh = _with_garden_text(GARDEN, ("Lena Voss", "Tom Compost"))
    assign_topics(fresh, per_episode=5)
    assert [e.topics for e in rebuilt] == [e.topics for e in fresh]


def test_phrases_no_sample_offered_before_are_looked_for_in_the_samples_kept_from_the_last_choice():
    samples = {"one": "Disc brakes in winter rain.", "two": "Winter cycling, winter tyres.", "three": "Rye flour."}
    reads = {slug: topics_module.TopicRead([], sample, []) for slug, sample in samples.items()}
    words = topics_module._SampleWords(reads)
    before = ("disc brakes", "rye")
    last = topics_module._TopicFacts("names", before, {}, {
        read.digest: places.tobytes()
        for (slug, places), read in zip(topics_module._present_phrases(reads, before, None, words).items(),
                                        reads.values(), strict=True)})
    wanted = ("rye", "winter", "winter tyres")  # "disc brakes" is wanted no more, two phrases are new
    present = topics_module._present_phrases(reads, wanted, last, words)
    fresh = topics_module._present_phrases(reads, wanted, None, topics_module._SampleWords(reads))
    assert {slug: places.tolist() for slug, places in present.items()} == \
        {slug: places.tolist() for slug, places in fresh.items()}
    assert {slug: {wanted[place] for place in places} for slug, places in present.items()} == \
        {"one": {"winter"}, "two": {"winter", "winter tyres"}, "three": {"rye"}}


@pytest.mark.parametrize("sample", [
    "Qua gort.", "aqua qua", "9qua", "_qua", "'qua'", "qua's", "quality", "qua-bar", "QUA!", "\u212aey key",
    "İqua", "naïve café", "ΣΟΦΟΣ qua", "mulch-qua", "xqua qua-",
])
def test_a_sample_may_hold_every_phrase_its_words_hold(sample):
    lowered = [word.lower() for word in topics_module._TOKEN.findall(sample)]
    for phrase in ("qua", "qua gort", "key", "café", "naïve café", "bar", "mulch"):
        held = topics_module._PhraseFinder({phrase})(lowered)
        if held:
            assert topics_module._may_hold(frozenset({phrase}))(sample), (sample, phrase)


def test_a_sample_whose_words_only_contain_a_new_phrase_need_not_be_read():
    may_hold = topics_module._may_hold(frozenset({"qua", "qua gort"}))
    assert not may_hold("The quality of aqua, quasi-quark.")
    assert may_hold("Sine qua non.")


def test_two_different_topics_on_one_page_are_an_error_naming_both(tmp_path):
    episodes = [make_episode("cpp", "2024-01-01", ["Ann Lee"], ["C++", "Bitcoin Core"]),
                make_episode("csharp", "2024-02-01", ["Bo Yu"], ["C#", "bitcoin-core", "Café"]),
                make_episode("again", "2024-03-01", ["Cat Oz"], ["c#", "cafe"])]
    problems = topic_slug_problems(episodes, tmp_path)
    assert [(p.path.name, p.line) for p in problems] == [("csharp.md", 1)]
    assert "'C#'" in problems[0].message and "'C++'" in problems[0].message and "topics/c/" in problems[0].message


def test_a_topics_file_linking_out_of_the_archive_is_refused(tmp_path):
    outside = write(tmp_path / "elsewhere.yml", "ignore: [secret]\n")
    episodes_dir = tmp_path / "episodes"
    episodes_dir.mkdir()
    (episodes_dir / "topics.yml").symlink_to(outside)
    with pytest.raises(ArchiveError, match="outside"):
        load_topics_file(episodes_dir / "topics.yml", inside=episodes_dir)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes are forked on Linux only")
def test_worker_processes_give_the_same_topics_as_one_process(monkeypatch):
    topics_module._cache.clear()
    serial = archive_of_four()
    assign_topics(serial, per_episode=5)

    started = fork_from_two_items(monkeypatch, topics_module)
    topics_module._cache.clear()
    parallel = archive_of_four()
    assign_topics(parallel, per_episode=5)
    assert started == [2]
    assert [e.topics for e in parallel] == [e.topics for e in serial]


def test_given_topics_lose_only_repeated_spellings():
    episodes = [make_episode("a", "2024-01-01", ["Ann Lee"], ["C++", "C#", "Bitcoin Core", "bitcoin-core", "models"])]
    assign_topics(episodes, 5)
    assert episodes[0].topics == ["C++", "C#", "Bitcoin Core", "models"]
    assert [p.message.split(" would")[0] for p in topic_slug_problems(episodes, Path("/archive"))] == ["topic 'C#'"]


def _read_samples_while_loading(tmp_path: Path, episodes: dict[str, str]) -> dict[str, str | None]:
    """Each episode's topic sample as loading read it (None: left for `assign_topics`), by file name."""
    from episode_archive.archive import _load_all, find_transcripts
    from episode_archive.corrections import Glossary
    from episode_archive.people import Resolver
    from episode_archive.progress import NoProgress

    folder = tmp_path / "episodes"
    for name, topics in episodes.items():
        write(folder / f"{name}.txt", "Sourdough starters and rye breads need patience and warm kitchens.\n" * 20)
        write(folder / f"{name}.yml", f"speakers: [Ann Lee]\n{topics}")
    loaded = _load_all(find_transcripts(folder), folder, {}, Resolver([]), Glossary(), None, None, "test",
                       NoProgress())
    return {source.removesuffix(".txt"): read.sample for source, read in loaded.topic_reads.items()}


def test_samples_of_episodes_with_given_topics_are_read_while_loading_once_any_episode_needs_extraction(tmp_path):
    samples = _read_samples_while_loading(tmp_path / "mixed", {
        "2024-01-01-given": "topics: [bread]\n", "2024-01-02-extracted": "", "2024-01-03-given": "topics: [rye]\n"})
    # The first was read before any episode needed extraction: assign_topics reads its sample.
    assert samples["2024-01-01-given"] is None
    assert "Sourdough starters" in samples["2024-01-02-extracted"]
    assert "Sourdough starters" in samples["2024-01-03-given"]

    samples = _read_samples_while_loading(tmp_path / "given", {
        "2024-01-01-given": "topics: [bread]\n", "2024-01-02-given": "topics: [rye]\n"})
    assert samples == {"2024-01-01-given": None, "2024-01-02-given": None}

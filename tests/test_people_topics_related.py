from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from episode_archive.model import Episode, Transcript
from episode_archive.related import find_related
from episode_archive.topics import assign_topics, collect_topics


def episode(slug, date, speakers, topics=(), text=""):
    transcript = Transcript(path=Path(slug), source=slug, format="markdown", markdown_body=text)
    return Episode(slug=slug, title=slug.title(), date=dt.date.fromisoformat(date), speakers=list(speakers),
                   source=slug, transcript=transcript, topics=list(topics), given_topics=bool(topics))


def small_archive():
    return [
        episode("rl-one", "2023-01-10", ["Ada Byron"], ["reinforcement learning", "reward models"]),
        episode("rl-two", "2024-03-05", ["Ben Cole"], ["reinforcement learning", "reward models"]),
        episode("bread", "2024-03-06", ["Cy Dunn"], ["sourdough"]),
        episode("ada-again", "2024-03-20", ["ada byron", "Cy Dunn"], ["interviews"]),
    ]


def test_related_links_prefer_shared_subjects_and_never_pad_with_unrelated_talks():
    related = find_related(small_archive(), k=5)
    assert [link.episode.slug for link in related["rl-one"]] == ["rl-two", "ada-again"]
    assert related["rl-one"][0].reason == "topics: reinforcement learning, reward models"
    assert related["rl-one"][1].reason == "shares speakers: Ada Byron"
    assert [link.episode.slug for link in related["bread"]] == ["ada-again"]
    assert "rl-one" not in [link.episode.slug for link in related["bread"]]


def test_related_links_do_not_depend_on_input_order():
    episodes = small_archive()
    def summary(related):
        return {slug: [(link.episode.slug, link.reason) for link in links] for slug, links in related.items()}

    expected = summary(find_related(episodes, 3))
    for seed in range(5):
        shuffled = episodes[:]
        random.Random(seed).shuffle(shuffled)
        assert summary(find_related(shuffled, 3)) == expected


def test_fallback_topics_are_distinctive_words_not_filler_or_speaker_names():
    bread = ("Welcome to the show, today we talk about sourdough. Odile Brenner here. The sourdough starter "
             "needs flour and water; feed the starter daily. Flour, water, salt: sourdough bread is patient. "
             "Today the starter smells of yoghurt, which is a good sign for the sourdough.")
    other = "Welcome to the show, today we talk about compilers and parsers. Compilers parse. Today again."
    episodes = [episode("bread", "2024-01-01", ["Odile Brenner"], text=bread),
                episode("compilers", "2024-02-01", ["Jo Park"], text=other),
                episode("given", "2024-03-01", ["Jo Park"], ["kept as given"], text=bread)]
    assign_topics(episodes, per_episode=3)
    assert episodes[0].topics[:2] == ["sourdough", "starter"]
    assert not {"today", "welcome", "show", "odile", "brenner"} & set(episodes[0].topics)
    assert episodes[2].topics == ["kept as given"]
    assert sorted(collect_topics(episodes)) == sorted({"sourdough", "starter", "kept-as-given",
                                                       *[t.replace(" ", "-") for t in episodes[1].topics],
                                                       *[t for t in episodes[0].topics]})

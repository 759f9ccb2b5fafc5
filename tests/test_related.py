"""Related talks: ranking with known answers, reasons, determinism, stability, and rare-speaker weighting."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from episode_archive.related import MIN_SCORE, find_related, rarity
from helpers import make_episode

REWARD_A = """
Reward models score the answers of a language model, and reinforcement learning pushes the policy towards
answers the reward model prefers. A reward model is trained on human preference pairs: two answers, one
preferred. The policy learns to please the reward model, not the humans, so reward hacking appears: long
answers, flattery, confident tone. We measured reward hacking by comparing reward model scores with fresh
human preference labels. Regularising the policy towards the base model with a KL penalty limits reward
hacking, and so does an ensemble of reward models trained on different preference data.
"""
REWARD_B = """
Reward hacking is what happens when the policy finds answers the reward model scores highly that humans
would not prefer. Our reward model was trained on preference pairs from annotators; after reinforcement
learning the policy wrote longer answers and the reward model loved them. Human preference labels on the
new answers disagreed. A KL penalty to the base model slowed the reward hacking; retraining the reward
model on the policy's own answers fixed most of it. Reward models need fresh preference data as the
policy changes.
"""
INTERP_A = """
Interpretability opens the network: we read the activations of a language model feature by feature.
Sparse autoencoders split the activations into features that fire on one concept each, a feature for
French text, a feature for code, a feature for deception. Attribution graphs trace how features in one
layer cause features in the next layer. Steering a feature changes the behaviour of the model, which
tests whether the feature means what we think. Interpretability tools need features humans can name.
"""
INTERP_B = """
Sparse autoencoders learn a dictionary of features from the activations of a model layer. Each feature
should be interpretable: it fires on one concept. We checked features by steering: clamp the feature
high and watch the model talk about the concept. Dead features never fire; dense features fire on
everything and mean nothing. Feature splitting appears when the dictionary grows. Attribution across
layers shows circuits of features. Interpretability of large models depends on good sparse autoencoders.
"""
BREAD = """
A sourdough starter is flour and water colonised by wild yeast. Feed the starter daily with flour. When
the starter doubles, mix the dough: flour, water, salt and starter. Stretch and fold the dough, shape
the loaf, proof it overnight in a cold fridge and bake it in a hot oven. A dense loaf means a weak
starter or a short proof. Rye flour wakes a sluggish starter. The crust should crackle as the loaf cools.
"""
SALAD = """
A summer tomato salad needs ripe tomatoes, salt and time. Slice the tomatoes, salt them and let them
weep for ten minutes. Add torn basil, red onion soaked in vinegar, and good olive oil. Bread soaks up
the tomato water, so add stale bread cubes for a panzanella. Never refrigerate tomatoes: the cold kills
their flavour. Serve the salad at room temperature with more olive oil and flaky salt.
"""
CYCLING = """
Winter cycling needs lights, mudguards and tyres with grip. Salt from the roads rusts a chain quickly,
so clean the chain and oil the chain every week. Disc brakes stop better than rim brakes in rain and
slush. Wear layers, a windproof jacket and warm gloves, and carry a spare inner tube and a pump. Ride
slower on ice, brake before corners, and keep the tyre pressure a little lower for grip.
"""
STARS = """
Finding galaxies with a small telescope starts with dark skies far from city lights. Let your eyes adapt
for twenty minutes. Star hop from bright stars to faint galaxies with a chart. The Andromeda galaxy is
visible without a telescope on a dark night; through the telescope its core glows like a smudge. Use
averted vision for faint galaxies, and a low magnification eyepiece for a wide field of stars.
"""
TAXES = """
Filing taxes as a freelancer means tracking invoices and expenses all year. Keep receipts for equipment,
software and travel; deductible expenses lower taxable income. Set aside a share of every invoice for
income tax and pay estimated taxes each quarter to avoid penalties. A separate bank account for the
business keeps the records clean, and an accountant pays for herself at filing time.
"""
KNITTING = """
Knitting socks starts with a gauge swatch: knit a square, wash it, and count stitches per inch. Cast on
with a stretchy cast on, knit the cuff in ribbing, then the leg. The heel flap and gusset shape the heel;
turning the heel takes short rows of decreases. Knit the foot, then decrease for the toe and graft the
stitches with the kitchener stitch. Wool with some nylon makes socks that last.
"""


def ai_archive():
    return [
        make_episode("reward-a", "2024-01-10", ["Ada Byron"], text=REWARD_A),
        make_episode("reward-b", "2024-05-02", ["Ben Cole"], text=REWARD_B),
        make_episode("interp-a", "2024-02-20", ["Cy Dunn"], text=INTERP_A),
        make_episode("interp-b", "2024-07-14", ["Dee Eng"], text=INTERP_B),
    ]


def mixed_archive():
    return [*ai_archive(),
            make_episode("bread", "2024-03-03", ["Eve Fox"], text=BREAD),
            make_episode("salad", "2024-08-08", ["Fay Gill"], text=SALAD)]


def slugs(related, slug):
    return [link.episode.slug for link in related[slug]]


def summary(related):
    return {slug: [(link.episode.slug, link.score, link.reason) for link in links]
            for slug, links in sorted(related.items())}


def test_two_talks_on_one_subject_link_to_each_other_and_never_to_the_cooking_talk():
    related = find_related(mixed_archive(), k=5)
    assert slugs(related, "reward-a")[0] == "reward-b"
    assert slugs(related, "reward-b")[0] == "reward-a"
    assert slugs(related, "interp-a")[0] == "interp-b"
    assert slugs(related, "interp-b")[0] == "interp-a"
    for ai in ("reward-a", "reward-b", "interp-a", "interp-b"):
        assert not {"bread", "salad"} & set(slugs(related, ai)), related[ai]
    for food in ("bread", "salad"):
        assert not {"reward-a", "reward-b", "interp-a", "interp-b"} & set(slugs(related, food))


def test_an_unrelated_talk_is_never_shown_to_fill_the_list():
    episodes = [*ai_archive(), make_episode("cycling", "2024-09-09", ["Gus Hale"], text=CYCLING)]
    related = find_related(episodes, k=10)
    assert related["cycling"] == []
    assert all(link.score >= MIN_SCORE for links in related.values() for link in links)
    assert all(len(links) <= 1 for links in find_related(episodes, k=1).values())


def test_reasons_name_shared_speakers_topics_and_similar_wording():
    episodes = [
        make_episode("personas-1", "2024-01-01", ["Sam Marks", "Ada Byron"], ["post-training", "personas"],
                     text=KNITTING),
        make_episode("personas-2", "2024-02-01", ["Sam Marks"], ["personas", "post-training", "evals"], text=TAXES),
        make_episode("bread", "2024-03-01", ["Eve Fox"], ["bread"], text=BREAD),
        make_episode("more-bread", "2024-04-01", ["Fay Gill"], ["bread"], text=BREAD.replace("loaf", "boule")),
        make_episode("stars", "2024-05-01", ["Gus Hale"], text=STARS),
        make_episode("cycling", "2024-06-01", ["Hal Ives"], text=CYCLING),
    ]
    related = find_related(episodes, k=5)
    # Speakers then topics, each in the order the first episode gives them.
    assert [(link.episode.slug, link.reason) for link in related["personas-1"]] == [
        ("personas-2", "shares speakers: Sam Marks; topics: post-training, personas")]
    assert [(link.episode.slug, link.reason) for link in related["personas-2"]] == [
        ("personas-1", "shares speakers: Sam Marks; topics: personas, post-training")]
    assert [link.reason for link in related["bread"]] == ["similar wording; topics: bread"]
    # Only text in common: "similar wording" alone.
    wording = find_related([make_episode("a", "2024-01-01", ["Ann Lee"], text=BREAD),
                            make_episode("b", "2024-02-01", ["Bo Yu"], text=BREAD + " Also rye."),
                            make_episode("c", "2024-03-01", ["Cat Oz"], text=STARS)], k=5)
    assert [(link.episode.slug, link.reason) for link in wording["a"]] == [("b", "similar wording")]


def test_same_links_in_the_same_order_whatever_the_input_order():
    episodes = mixed_archive() + [make_episode("cycling", "2024-09-09", ["Ada Byron"], text=CYCLING)]
    expected = summary(find_related(episodes, 3))
    for seed in range(6):
        shuffled = episodes[:]
        random.Random(seed).shuffle(shuffled)
        assert summary(find_related(shuffled, 3)) == expected


def test_ties_go_to_the_newer_episode_then_the_slug():
    shared = ["looms", "punch cards", "engines"]
    episodes = [make_episode("x", "2024-01-01", ["Ann Lee"], shared),
                make_episode("older", "2023-01-01", ["Bo Yu"], shared),
                make_episode("newer-b", "2025-01-01", ["Cat Oz"], shared),
                make_episode("newer-a", "2025-01-01", ["Dan Po"], shared),
                *[make_episode(f"filler-{i}", "2022-01-01", [f"Eli Q{i}"], [f"other {i}"]) for i in range(20)]]
    related = find_related(episodes, 5)
    assert slugs(related, "x") == ["newer-a", "newer-b", "older"]
    assert len({link.score for link in related["x"]}) == 1


_SUBPROCESS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from test_related import mixed_archive, summary
from episode_archive.related import find_related
from episode_archive.topics import assign_topics
episodes = mixed_archive()
assign_topics(episodes, 5)
print(json.dumps({"topics": {e.slug: e.topics for e in episodes}, "links": summary(find_related(episodes, 3))}))
"""


def test_same_links_under_another_hash_seed():
    tests_dir = str(Path(__file__).resolve().parent)
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _SUBPROCESS, tests_dir], env=env, capture_output=True,
                              text=True, check=True, timeout=120)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    result = json.loads(outputs[0])
    assert result["links"]["reward-a"][0][0] == "reward-b"
    assert "sparse autoencoders" in result["topics"]["interp-b"] or "features" in result["topics"]["interp-b"]


def test_adding_an_unrelated_episode_leaves_the_other_lists_alone():
    ai = [*ai_archive(),
          make_episode("reward-c", "2024-09-01", ["Ada Byron"], text=REWARD_A + REWARD_B),
          make_episode("interp-c", "2024-10-01", ["Ben Cole"], text=INTERP_B + " Features and circuits.")]
    before = find_related(ai, 5)
    after = find_related([*ai, make_episode("bread", "2024-11-01", ["Eve Fox"], text=BREAD)], 5)
    for episode in ai:
        assert slugs(after, episode.slug) == slugs(before, episode.slug), episode.slug
    assert slugs(after, "bread") == []


def test_a_host_in_every_episode_of_a_show_does_not_make_them_related():
    host = "Hana Host"
    show = [make_episode(slug, f"2024-0{i + 1}-01", [host, guest], text=text, show="Odd Jobs")
            for i, (slug, guest, text) in enumerate([
                ("taxes", "Ian Jay", TAXES), ("knitting", "Kim Lo", KNITTING), ("stars", "Max Ng", STARS),
                ("cycling", "Ola Pi", CYCLING), ("salad", "Rae Su", SALAD)])]
    related = find_related(show, 5)
    assert all(links == [] for links in related.values()), summary(related)

    # In an archive where the host is rare overall (one show among many), the show's episodes still
    # do not link on the host alone; a guest who appears twice does link.
    others = [make_episode(f"other-{i}", "2023-01-01", [f"Guest Number{i}"], text=f"Unrelated words {i}.")
              for i in range(30)]
    show.append(make_episode("taxes-again", "2024-07-01", [host, "Ian Jay"], text=KNITTING, show="Odd Jobs"))
    related = find_related(show + others, 5)
    assert slugs(related, "taxes") == ["taxes-again"]
    assert related["taxes"][0].reason.startswith("shares speakers: Ian Jay")
    assert host not in related["taxes"][0].reason
    assert slugs(related, "stars") == [] and slugs(related, "knitting") == ["taxes-again"]


def test_rarity_is_one_for_a_pair_and_zero_for_everyone():
    assert rarity(2, 100) == 1.0
    assert rarity(100, 100) == 0.0
    assert 0 < rarity(30, 100) < rarity(10, 100) < 1
    assert rarity(1, 1) == 0.0


def test_episodes_without_text_or_with_one_episode_do_not_break():
    assert find_related([make_episode("a", "2024-01-01", ["Ann Lee"])], 5) == {"a": []}
    empty = [make_episode(s, "2024-01-01", ["Ann Lee" if s == "a" else "Bo Yu"]) for s in "abc"]
    related = find_related(empty, 5)
    assert related["a"] == [] and [link.reason for link in related["b"]] == ["shares speakers: Bo Yu"]
    assert find_related(mixed_archive(), 0) == {e.slug: [] for e in mixed_archive()}


@pytest.mark.parametrize("seed", range(20))
def test_each_rows_best_k_are_those_sorting_its_candidates_would_give(seed):
    from episode_archive.related import SCORE_DIGITS, _best_k

    rng = np.random.default_rng(seed)
    rows, n, k = int(rng.integers(1, 8)), int(rng.integers(2, 40)), int(rng.integers(1, 12))
    # Few distinct scores and dates: ties everywhere, which the key must break as sorting does.
    scores = np.round(rng.choice([-1.0, 0.1, 0.2, 0.25, 0.3, 0.31, 0.9, 2.4], size=(rows, n)), SCORE_DIGITS)
    dates = rng.choice([737000, 737001, 737500], size=n)
    newest_first = np.unique(-dates, return_inverse=True)[1]
    got_rows, got_columns = _best_k(scores, k, newest_first)
    expected = [(row, column) for row in range(rows) for column in sorted(
        (column for column in range(n) if scores[row, column] >= MIN_SCORE),
        key=lambda column, row=row: (-scores[row, column], -dates[column], column))[:k]]
    assert list(zip(got_rows.tolist(), got_columns.tolist(), strict=True)) == expected

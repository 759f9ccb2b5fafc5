"""Topics: given ones win; episodes without any get a few distinctive words of their own.

The automatic fallback scores words by how often the episode uses them against how many episodes
use them at all (tf-idf), so words every talk shares never become topics.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .model import Episode, Topic
from .slugs import make_slug

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W\d_]|[^\W\d_]")
MIN_WORD_LENGTH = 4
COMMON_SHARE = 0.5
STOPWORDS = frozenset("""
a about above after again against all almost also although always am among an and another any anyone
anything are around as at be because been before being below between both but by can cannot could did
do does doing done down during each either else enough even ever every everyone everything few first
for from further get gets getting give given go goes going gone good got gotten great had has have
having he her here hers herself him himself his how however i if in into is isn it its itself just
keep kind know known last least less let lets like likely little lot lots made make makes making many
may maybe me might mine more most mostly much must my myself need needs never new next no nobody none
nor not nothing now of off often oh ok okay on once one only onto or other others otherwise our ours
ourselves out over own part people perhaps put quite rather really right said same say saying says see
seem seems several shall she should show since so some somebody someone something sometimes somewhat
still such sure take than that the their theirs them themselves then there these they thing things
think this those though through thus to today together too took toward towards try trying two under
until up upon us use used uses using very via want wants was way ways we well went were what whatever
when where whether which while who whole whom whose why will with within without would yeah yes yet
you your yours yourself yourselves actually basically literally pretty stuff guess mean means talk
talking talked episode episodes podcast welcome thanks thank listening listeners show shows today's
i'm you're we're they're it's that's there's don't doesn't didn't can't won't isn't aren't wasn't
i've you've we've they've i'd you'd we'd i'll you'll we'll let's here's what's gonna wanna kinda
sort example question questions point points time times year years back look looking different
important interesting course true fact also because called goes come comes coming better best
""".split())


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def assign_topics(episodes: list[Episode], per_episode: int) -> None:
    """Fill in topics for episodes whose metadata gives none."""
    needing = [e for e in episodes if not e.topics]
    if not needing:
        return
    counts = {e.slug: Counter(_words(e.transcript.plain_text())) for e in episodes}
    document_frequency: Counter[str] = Counter()
    for counter in counts.values():
        document_frequency.update(counter.keys())
    total = len(episodes)
    for episode in needing:
        excluded = {part.lower() for name in episode.speakers for part in name.split()}
        scored: list[tuple[float, str]] = []
        for word, count in counts[episode.slug].items():
            if len(word) < MIN_WORD_LENGTH or word in STOPWORDS or word in excluded or "'" in word:
                continue
            share = document_frequency[word] / total
            if total >= 4 and share > COMMON_SHARE:
                continue
            idf = math.log((1 + total) / (1 + document_frequency[word])) + 1
            scored.append((count * idf, word))
        scored.sort(key=lambda item: (-item[0], item[1]))
        episode.topics = [word for score, word in scored[:per_episode] if score > 1]


def collect_topics(episodes: list[Episode]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for episode in sorted(episodes, key=lambda e: e.sort_key):
        for name in episode.topics:
            slug = make_slug(name)
            topic = topics.setdefault(slug, Topic(name=name, slug=slug))
            if not topic.episodes or topic.episodes[-1] is not episode:
                topic.episodes.append(episode)
    return dict(sorted(topics.items()))

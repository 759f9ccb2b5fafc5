"""Related talks: for now, episodes that share speakers or topics, each link with its reason."""

from __future__ import annotations

from .model import Episode, RelatedLink
from .people import person_slug
from .slugs import make_slug

# A shared host is weaker evidence of a shared subject than two shared topics.
SPEAKER_WEIGHT = 1.5
TOPIC_WEIGHT = 1.0
MIN_SCORE = 1.0


def find_related(episodes: list[Episode], k: int) -> dict[str, list[RelatedLink]]:
    """Up to k related episodes per episode, best first; ties go to the newer, then by slug."""
    speakers = {e.slug: {person_slug(n): n for n in e.speakers} for e in episodes}
    topics = {e.slug: {make_slug(t): t for t in e.topics} for e in episodes}
    related: dict[str, list[RelatedLink]] = {}
    for episode in episodes:
        candidates: list[RelatedLink] = []
        for other in episodes:
            if other is episode:
                continue
            shared_speakers = sorted(speakers[episode.slug].keys() & speakers[other.slug].keys())
            shared_topics = sorted(topics[episode.slug].keys() & topics[other.slug].keys())
            score = SPEAKER_WEIGHT * len(shared_speakers) + TOPIC_WEIGHT * len(shared_topics)
            if score < MIN_SCORE:
                continue
            reasons = []
            if shared_speakers:
                reasons.append("shares speakers: " + ", ".join(speakers[episode.slug][s] for s in shared_speakers))
            if shared_topics:
                reasons.append("topics: " + ", ".join(topics[episode.slug][t] for t in shared_topics))
            candidates.append(RelatedLink(other, score, "; ".join(reasons)))
        candidates.sort(key=lambda link: (-link.score, -link.episode.date.toordinal(), link.episode.slug))
        related[episode.slug] = candidates[:k]
    return related

"""The optional topics file, `episodes/topics.yml`: canonical topic names, their synonyms, topics to hide.

```yaml
canonical:
  reinforcement learning: [RL, reinforcement-learning]
  large language models: [LLM, LLMs]
  bitcoin core:            # no synonyms: fixes the spelling of "Bitcoin Core", "bitcoin-core"
ignore: [podcast, interview]
```

The rules apply to given and extracted topics alike. Names are matched on `topic_key`: case,
punctuation, hyphens and a plural `s` never matter, so `RL`, `rl` and `RLs` are one synonym. A topic's
URL is the slug of its canonical name, so adding a synonym never moves a page that already exists
under the canonical name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import ArchiveError
from .slugs import make_slug
from .textio import read_text
from .yamlio import load_mapping

TOPICS_FILE = "topics.yml"
_KEYS = ("canonical", "ignore")


def _singular(word: str) -> str:
    """A crude English singular, only ever used inside keys (never shown), so "models" meets "model"."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    return word[:-1]


@lru_cache(maxsize=65536)
def topic_key(name: str) -> str:
    """The identity of a topic name: its slug with each word made singular.

    "Reward Models", "reward-model" and "reward models" share one key; the key is never a URL.
    """
    slug = make_slug(unicodedata.normalize("NFKC", name).casefold())
    return "-".join(_word_key(part) for part in slug.split("-"))


def _word_key(word: str) -> str:
    # A final "e" goes too, so that "tomatoes" meets "tomato", "houses" "house" and "shoes" "shoe".
    word = _singular(word)
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


@dataclass
class TopicVocabulary:
    """What topics.yml says: every known key to its canonical name, and the keys never to show."""

    canonical: dict[str, str] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)

    def resolve(self, name: str) -> str | None:
        """The name to show for a topic: its canonical name, itself, or None when it is ignored."""
        key = topic_key(name)
        if key in self.ignored:
            return None
        return self.canonical.get(key, name)


def load_topics_file(path: Path, inside: Path | None = None) -> TopicVocabulary:
    """Read topics.yml if it exists; an absent file means no rules. With `inside`, a link out of that
    folder is refused, as for every file the archive reads."""
    if not path.is_file():
        return TopicVocabulary()
    if inside is not None and not path.resolve().is_relative_to(inside.resolve()):
        raise ArchiveError(path, 1, f"is a link to {path.resolve()}, outside {inside}; copy the file into the "
                                    "archive instead (links out of it are never followed)")
    text = read_text(path)
    fields = load_mapping(text, path)  # syntax, duplicate keys and the top-level shape, with lines
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    nodes = {key.value: value for key, value in root.value} if isinstance(root, yaml.MappingNode) else {}
    vocabulary = TopicVocabulary()
    owners: dict[str, tuple[str, int]] = {}  # key -> (what claimed it, line), to report conflicts

    def claim(key: str, what: str, line: int) -> None:
        if key in owners:
            first, first_line = owners[key]
            raise ArchiveError(path, line, f"{what} is the same topic as {first} (line {first_line}); "
                                           "keep only one of them")
        owners[key] = (what, line)

    for name, source in fields.items():
        if name not in _KEYS:
            raise ArchiveError(path, source.line, f"unknown key {name!r}; topics.yml has `canonical:` "
                                                  "(topic: [synonyms]) and `ignore:` (a list of topics)")
    canonical = fields.get("canonical")
    if canonical is not None and canonical.value is not None:
        node = nodes["canonical"]
        if not isinstance(canonical.value, dict) or not isinstance(node, yaml.MappingNode):
            raise ArchiveError(path, canonical.line, "canonical: expected `topic name: [synonyms]` lines, e.g. "
                                                     "`reinforcement learning: [RL, reinforcement-learning]`")
        for (key_node, value_node), (raw_name, raw_synonyms) in zip(node.value, canonical.value.items(),
                                                                   strict=True):
            line = key_node.start_mark.line + 1
            name = _text(raw_name, path, line, "a canonical topic name")
            claim(topic_key(name), f"canonical topic {name!r}", line)
            vocabulary.canonical[topic_key(name)] = name
            for synonym, synonym_line in _text_items(raw_synonyms, value_node, path, line, f"synonyms of {name!r}"):
                key = topic_key(synonym)
                if vocabulary.canonical.get(key) == name:
                    continue  # "LLM: [llm]", or "[LLM, LLMs]": one key said twice for one name
                claim(key, f"synonym {synonym!r} of {name!r}", synonym_line)
                vocabulary.canonical[key] = name
    ignore = fields.get("ignore")
    if ignore is not None and ignore.value is not None:
        for topic, line in _text_items(ignore.value, nodes["ignore"], path, ignore.line, "ignore"):
            key = topic_key(topic)
            if key in owners and key not in vocabulary.ignored:
                what, first_line = owners[key]
                raise ArchiveError(path, line, f"{topic!r} is ignored but also {what} (line {first_line}); "
                                               "remove one of them")
            owners.setdefault(key, (f"ignored {topic!r}", line))
            vocabulary.ignored.add(key)
    return vocabulary


def _text(value: Any, path: Path, line: int, what: str) -> str:
    if not isinstance(value, str):
        hint = " (YAML reads yes/no/on/off as booleans and bare digits as numbers)" \
            if isinstance(value, (bool, int, float)) else ""
        raise ArchiveError(path, line, f"{what} {value!r} is not text{hint}; quote it: \"{value}\"")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        raise ArchiveError(path, line, f"{what} is empty; write a topic name")
    return text


def _text_items(value: Any, node: yaml.Node, path: Path, line: int, what: str) -> list[tuple[str, int]]:
    """A list of topic names (or one name, or nothing) with the line of each."""
    if value is None:
        return []
    if isinstance(value, str):
        return [(_text(value, path, node.start_mark.line + 1, what), node.start_mark.line + 1)]
    if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
        raise ArchiveError(path, line, f"{what}: expected a list of topics, e.g. [RL, reinforcement-learning]")
    items = []
    for item, item_node in zip(value, node.value, strict=True):
        item_line = item_node.start_mark.line + 1
        items.append((_text(item, path, item_line, f"{what}: item"), item_line))
    return items

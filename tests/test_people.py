"""People: one identity per speaker; look-alikes are reported, never merged."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from episode_archive.archive import load_archive
from episode_archive.errors import ArchiveError
from episode_archive.names import name_key
from episode_archive.options import Options
from episode_archive.people import Resolver, collect_people, load_registry, look_alike_problems
from episode_archive.render.pages import episode_page
from helpers import make_episode, write


@pytest.mark.parametrize("spelling", ["Sam Marks", "SAM MARKS", "Marks, Sam", "  sam   marks ", "Ｓａｍ Ｍａｒｋｓ"])
def test_spellings_of_one_name_share_a_key(spelling):
    assert name_key(spelling) == "sam marks"


def test_nfc_and_nfd_forms_are_one_person():
    nfc = unicodedata.normalize("NFC", "Zoë Ångström")
    nfd = unicodedata.normalize("NFD", "Zoë Ångström")
    assert nfc != nfd
    people, _, warnings = collect_people([make_episode("a", "2024-01-01", [nfc]),
                                          make_episode("b", "2024-02-01", [nfd])])
    assert len(people) == 1 and not warnings
    assert len(next(iter(people.values())).episodes) == 2


def test_cyrillic_look_alike_is_never_merged_and_is_reported():
    latin, cyrillic = "Alice Park", "\u0410lice Park"  # Cyrillic capital A
    people, index, warnings = collect_people([make_episode("a", "2024-01-01", [latin] * 1),
                                              make_episode("b", "2024-02-01", [latin]),
                                              make_episode("c", "2024-03-01", [cyrillic])])
    assert sorted(people) == ["alice-park", "alice-park-2"]
    assert people["alice-park"].name == latin and people["alice-park-2"].name == cyrillic
    assert len(warnings) == 1 and "would share the URL speakers/alice-park/" in warnings[0].message
    assert index[name_key(cyrillic)] == "alice-park-2"


def test_a_near_miss_spelling_is_suggested_as_an_alias_not_merged():
    people, _, _ = collect_people([make_episode("a", "2024-01-01", ["Sam Marks"]),
                                   make_episode("b", "2024-02-01", ["Sam Marks"]),
                                   make_episode("c", "2024-03-01", ["Sam Marx"]),
                                   make_episode("d", "2024-03-02", ["Jo Park"])])
    assert sorted(people) == ["jo-park", "sam-marks", "sam-marx"]
    problems = look_alike_problems(people, Resolver([]))
    assert len(problems) == 1
    assert "'Sam Marx' looks like 'Sam Marks'" in problems[0].message
    assert "add 'Sam Marx' to the aliases of 'Sam Marks'" in problems[0].message
    assert problems[0].path.name == "c.md"


def registry(tmp_path, text):
    return Resolver(load_registry(write(tmp_path / "people.yml", text)), tmp_path / "people.yml")


def test_registry_aliases_roles_bios_and_slugs(tmp_path):
    resolver = registry(tmp_path, """
Sam Marks:
  slug: sam
  aliases: ["Samuel Marks", "S. Marks"]
  role: guest
  bio: Researcher.
  links:
    site: https://example.org/sam
Jonas Berg:
  role: host
""")
    episodes = [make_episode("a", "2024-01-01", [resolver.canonical("samuel marks")]),
                make_episode("b", "2024-02-01", [resolver.canonical("S. Marks"), "Jonas Berg"])]
    people, index, warnings = collect_people(episodes, resolver)
    assert sorted(people) == ["jonas-berg", "sam"]
    sam = people["sam"]
    assert (sam.name, sam.role, sam.bio, sam.links) == ("Sam Marks", "guest", "Researcher.",
                                                         {"site": "https://example.org/sam"})
    assert len(sam.episodes) == 2
    # Both registered: the maintainer decided, so no look-alike suggestion between them.
    assert look_alike_problems(people, resolver) == []


def test_registry_errors_name_the_line(tmp_path):
    with pytest.raises(ArchiveError, match="names both") as error:
        registry(tmp_path, "Ann Lee:\n  aliases: [A. Lee]\nAnna Lee:\n  aliases: [a. lee]\n")
    assert error.value.problem.line == 3
    with pytest.raises(ArchiveError, match="unknown field 'twitter'"):
        registry(tmp_path, "Ann Lee:\n  twitter: x\n")
    with pytest.raises(ArchiveError, match="http"):
        registry(tmp_path, "Ann Lee:\n  links:\n    site: javascript:alert(1)\n")


def test_first_name_labels_resolve_when_unambiguous(tmp_path):
    resolver = registry(tmp_path, "Jonas Berg:\n  role: host\nJonas Lind:\n  role: guest\n")
    assert resolver.first_name("Jonas", ["Jonas Berg", "Mia Holt"]) == "Jonas Berg"
    assert resolver.first_name("Jonas", ["Mia Holt"]) == "Jonas Berg"  # the only host called Jonas
    assert resolver.first_name("Jonas", ["Jonas Berg", "Jonas Lind"]) is None
    assert resolver.first_name("Mia", ["Jonas Berg"]) is None


def test_first_name_turns_in_a_transcript_link_to_the_full_person(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "2024-05-01-chat.txt", "Jonas: Welcome.\n\nMia: Thanks.\n\nJonas: Let us begin.\n")
    write(episodes / "2024-05-01-chat.yml", "speakers: [Jonas Berg, Mia Holt]\n")
    archive, problems = load_archive(episodes, Options())
    assert problems == []
    assert sorted(archive.people) == ["jonas-berg", "mia-holt"]
    assert [s.speaker for s in archive.episodes[0].transcript.segments] == ["Jonas Berg", "Mia Holt", "Jonas Berg"]


def test_plain_turn_labels_in_curated_markdown_link_to_their_speakers(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "2021-04-23-update.md",
          "---\nspeakers: [Aaron van Wirdum, Sjors Provoost]\n---\nSlides: https://example.org/slides\n\n"
          "Aaron van Wirdum (AvW): Live from Utrecht.\n\nSP: Hello.\n\nAvW: Sjors, today we have a lot.\n\n"
          "Jonas: I came late.\n\n```\nAvW: in code\n```\n")
    write(episodes / "people.yml", "Jonas Berg:\n  role: host\n")
    archive, problems = load_archive(episodes, Options())
    assert problems == []
    episode = archive.episodes[0]
    assert episode.speakers == ["Aaron van Wirdum", "Sjors Provoost", "Jonas Berg"]
    body = episode_page(episode, archive, Options()).split("---\n", 2)[2]
    assert "**[Aaron van Wirdum](../speakers/aaron-van-wirdum.md) (AvW):** Live" in body
    assert '**[SP](../speakers/sjors-provoost.md "Sjors Provoost"):** Hello.' in body
    assert '**[AvW](../speakers/aaron-van-wirdum.md "Aaron van Wirdum"):** Sjors' in body
    assert '**[Jonas](../speakers/jonas-berg.md "Jonas Berg"):** I came late.' in body
    assert "Slides: https://example.org/slides" in body and "```\nAvW: in code\n```" in body


def test_hosts_from_episode_metadata_and_people_table_dates(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "2023-01-01-one.md", "---\nspeakers: [Jonas Berg, Mia Holt]\nhosts: [Jonas Berg]\n---\nx\n")
    write(episodes / "2024-06-01-two.md", "---\nspeakers: [jonas berg]\n---\ny\n")
    archive, problems = load_archive(episodes, Options())
    assert problems == []
    jonas = archive.people["jonas-berg"]
    assert (jonas.first, jonas.last) == (dt.date(2023, 1, 1), dt.date(2024, 6, 1))
    assert jonas.spellings == {"Jonas Berg": 1, "jonas berg": 1}
    assert archive.person_for("JONAS BERG") is jonas


def test_people_yml_is_parsed_once_per_text_and_its_errors_are_never_kept(tmp_path, monkeypatch):
    from episode_archive import people
    from episode_archive.cache import ArchiveCache

    root = tmp_path / "episodes"
    path = write(root / "people.yml", "Sam Marks:\n  aliases: [Marks]\n")
    cache = ArchiveCache(tmp_path / "cache")
    assert people.load_resolver(path, root, cache).canonical("marks") == "Sam Marks"
    parsed: list[str] = []
    parse = people.parse_registry
    monkeypatch.setattr(people, "parse_registry", lambda text, where: parsed.append(text) or parse(text, where))
    assert people.load_resolver(path, root, cache).canonical("marks") == "Sam Marks"
    assert parsed == []  # the same text: taken from the cache
    write(path, "Sam Marks:\n  aliases: [Marks, S. Marks]\n")
    assert people.load_resolver(path, root, cache).canonical("S. Marks") == "Sam Marks"
    assert len(parsed) == 1
    write(path, "Sam Marks:\n  colour: blue\n")
    for _ in range(2):
        with pytest.raises(ArchiveError, match="unknown field 'colour'"):
            people.load_resolver(path, root, cache)
    # A link out of the archive is refused before its text is looked up, even when that text is cached.
    outside = write(tmp_path / "elsewhere" / "people.yml", "Sam Marks:\n  aliases: [Marks, S. Marks]\n")
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(ArchiveError, match="outside"):
        people.load_resolver(path, root, cache)

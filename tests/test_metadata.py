import datetime as dt
from pathlib import Path

import pytest

from episode_archive.archive import load_archive, load_episode
from episode_archive.errors import ArchiveError
from episode_archive.metadata import derived_from_path, load_catalog, parse_date
from episode_archive.model import SourceField
from episode_archive.options import Options
from helpers import write


def field(value):
    return SourceField(value, Path("m.yml"), 4)


@pytest.mark.parametrize("value, expected", [
    ("2026-02-25", dt.date(2026, 2, 25)),
    (dt.date(2026, 2, 25), dt.date(2026, 2, 25)),
    ("25 February 2026", dt.date(2026, 2, 25)),
    ("February 25, 2026", dt.date(2026, 2, 25)),
])
def test_dates_that_are_complete_and_unambiguous(value, expected):
    assert parse_date(field(value)) == expected


@pytest.mark.parametrize("value, message", [
    ("02/03/2026", "ambiguous"),
    ("February 2026", "lacks"),
    ("25 February", "lacks"),
    ("2024-02-30", "not a real date"),
    ("soon", "not a date"),
    (20260225, "not a date"),
])
def test_dates_that_are_guesses_are_errors(value, message):
    with pytest.raises(ArchiveError, match=message) as error:
        parse_date(field(value))
    assert error.value.problem.line == 4
    assert "YYYY-MM-DD" in error.value.problem.message


def test_file_name_gives_date_and_title():
    assert derived_from_path(Path("2026-02-25-some-title.txt")) == (dt.date(2026, 2, 25), "Some title")
    assert derived_from_path(Path("no-date.md")) == (None, "No date")


def test_precedence_front_matter_then_sidecar_then_catalog_then_derived(tmp_path):
    episodes = tmp_path / "episodes"
    path = write(episodes / "2020-01-01-derived.md",
                 "---\ntitle: From front matter\n---\nBody text here.\n")
    write(episodes / "2020-01-01-derived.yml", "title: From sidecar\nshow: Sidecar Show\nspeakers: [Side Car]\n")
    write(episodes / "catalog.csv",
          "file,title,show,speakers,topics,date\n"
          "2020-01-01-derived.md,From catalog,Catalog Show,Cat A;Cat B,one;two,2021-05-06\n")
    episode = load_episode(path, episodes, load_catalog(episodes))
    assert episode.title == "From front matter"
    assert episode.show == "Sidecar Show"
    assert episode.speakers == ["Side Car"]
    assert episode.topics == ["one", "two"]
    assert episode.date == dt.date(2021, 5, 6)


def test_yaml_type_mistakes_say_to_quote(tmp_path):
    episodes = tmp_path / "episodes"
    path = write(episodes / "2020-01-01-x.txt", "Some words here.")
    write(episodes / "2020-01-01-x.yml", "speakers:\n  - NO\ntitle: yes\n")
    with pytest.raises(ArchiveError, match="quote it") as error:
        load_episode(path, episodes, {})
    assert error.value.problem.path.name == "2020-01-01-x.yml"


def test_catalog_row_for_a_missing_file_names_the_row(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "catalog.csv", "file,title\nthere.txt,Fine\nmissing.txt,Nope\n")
    write(episodes / "there.txt", "x")
    with pytest.raises(ArchiveError, match="missing.txt") as error:
        load_catalog(episodes)
    assert error.value.problem.line == 3


def test_every_problem_is_reported_in_one_pass(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "no-date.txt", "Ada Byron\nWords spoken here.")
    write(episodes / "2020-01-01-nobody.txt", "Words spoken here by nobody in particular.")
    write(episodes / "2020-01-02-good.md", "---\nspeakers: [Ada Byron]\n---\nFine.\n")
    archive, problems = load_archive(episodes, Options())
    assert sorted(p.path.name for p in problems) == ["2020-01-01-nobody.txt", "no-date.txt"]
    assert [e.slug for e in archive.episodes] == ["2020-01-02-good"]


def test_slug_collision_names_both_sources(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "2020-01-01-a.md", "---\nspeakers: [A B]\nslug: same\n---\nx\n")
    write(episodes / "2020-01-02-b.md", "---\nspeakers: [A B]\nslug: same\n---\ny\n")
    archive, problems = load_archive(episodes, Options())
    assert len(archive.episodes) == 1
    assert len(problems) == 1
    assert "2020-01-01-a.md" in problems[0].message and problems[0].path.name == "2020-01-02-b.md"


def test_reserved_slug_is_refused(tmp_path):
    episodes = tmp_path / "episodes"
    write(episodes / "2020-01-01-a.md", "---\nspeakers: [A B]\nslug: index\n---\nx\n")
    _, problems = load_archive(episodes, Options())
    assert "reserved" in problems[0].message

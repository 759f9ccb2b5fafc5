"""The real transcripts in ../shared/corpus (Bitcoin Transcripts, Changelog), used as a user would.

Skipped when ../shared is absent: the corpus is not part of the project.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from episode_archive.archive import find_transcripts, load_archive
from episode_archive.cli import main
from episode_archive.project import load_project
from helpers import broken_links

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not (CORPUS / "bitcointranscripts").is_dir(), reason="../shared/corpus is absent")


def test_the_corpus_becomes_a_strict_site_once_the_missing_dates_are_given(tmp_path):
    project = tmp_path / "corpus"
    assert main(["new", str(project)]) == 0
    episodes = project / "episodes"
    for part in ("bitcointranscripts", "changelog"):
        shutil.copytree(CORPUS / part, episodes / part)
    transcripts = find_transcripts(episodes)

    archive, problems = load_archive(episodes, load_project(project).options)
    # Every file is an episode, or a problem that names it and asks for the one thing missing: a date.
    assert {p.path for p in problems} | {episodes / e.source for e in archive.episodes} == set(transcripts)
    assert problems and all(p.message.startswith("no date") for p in problems)
    people = {name.casefold() for name in archive.people}
    # Cues and remarks at line starts ("Slides: <url>", "Rationale:") are never people, nor are one-word
    # turn labels the metadata does not know ("Murch:", a nickname; "Senator:").
    assert not people & {"break", "note", "notes", "q", "a", "speaker", "unknown", "slides", "rationale", "tema",
                         "diapositivas", "emcee", "avw", "sp", "aa", "murch", "john", "senator"}

    # The dates a user would add (made up here), one catalogue row per undated file.
    rows = [f"{p.path.relative_to(episodes).as_posix()},{dt.date(2020, 1, 1) + dt.timedelta(days=7 * i)}"
            for i, p in enumerate(sorted(problems, key=lambda p: p.path))]
    (episodes / "catalog.csv").write_text("file,date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    archive, problems = load_archive(episodes, load_project(project).options)
    assert not problems and len(archive.episodes) == len(transcripts)
    # Real identity questions in the corpus, reported, not merged: the same guest written two ways, and
    # a host's name misspelt in one transcript's turn labels.
    warned = " ".join(warning.message for warning in archive.warnings)
    assert "'Mireille Reece, PsyD'" in warned and "'Mark Erhart'" in warned and len(archive.warnings) == 2
    (episodes / "people.yml").write_text('"Mireille B. Reece, Psy.D":\n  aliases: ["Mireille Reece, PsyD"]\n'
                                         '"Mark Erhardt":\n  aliases: ["Mark Erhart", "Murch"]\n', encoding="utf-8")

    site = project / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True,
                      plugins=["tags", {"episode-archive": {"search": "material"}}]))
    assert len(list((site / "episodes").glob("*/index.html"))) == len(transcripts)
    assert not broken_links(site)
    # Plain "Name:" turn labels link to the speaker, initials an introduction gave ("AvW") too.
    taproot = (site / "episodes/taproot-activation-update/index.html").read_text(encoding="utf-8")
    assert '<strong><a href="../../speakers/aaron-van-wirdum/" title="Aaron van Wirdum">AvW</a>:</strong>' in taproot
    assert '<strong><a href="../../speakers/sjors-provoost/">Sjors Provoost</a> (SP):</strong>' in taproot
    # A nickname the metadata does not know starts turns in bold; once people.yml makes it an alias, it links.
    slp = (site / "episodes/2021-11-16-pieter-wuille-andrew-poelstra-andrew-chow-mark-erhardt/index.html").read_text(
        encoding="utf-8")
    assert '<strong><a href="../../speakers/mark-erhardt/" title="Mark Erhardt">Murch</a>:</strong>' in slp
    chaincode = (site / "episodes/2020-01-28-pieter-wuille-part1/index.html").read_text(encoding="utf-8")
    assert "<strong>John:</strong>" in chaincode

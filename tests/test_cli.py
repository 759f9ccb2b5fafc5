from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from episode_archive.cli import EXPORT_MARKER, main
from helpers import write


def mkdocs_build_strict(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=project,
                          capture_output=True, text=True, env=env)


def test_new_project_builds_strict_when_empty_and_with_one_file(tmp_path):
    project = tmp_path / "my-archive"
    assert main(["new", str(project)]) == 0
    result = mkdocs_build_strict(project)
    assert result.returncode == 0, result.stderr
    assert (project / "site/episodes/index.html").is_file()
    assert not (project / "site/episodes/README").exists()

    write(project / "episodes/2026-02-25-first-talk.txt", "Jo Example\nHello and welcome.\nThat is all.\n")
    result = mkdocs_build_strict(project)
    assert result.returncode == 0, result.stderr
    assert "Hello and welcome." in (project / "site/episodes/2026-02-25-first-talk/index.html").read_text()
    assert (project / "site/speakers/jo-example/index.html").is_file()

    # Once an episode names a show, the nav's commented-out Shows entry is what to uncomment.
    config = project / "mkdocs.yml"
    assert "  # - Shows: shows/index.md\n" in config.read_text()
    config.write_text(config.read_text().replace("  # - Shows: shows/index.md\n", "  - Shows: shows/index.md\n"))
    write(project / "episodes/2026-02-25-first-talk.yml", "show: Example Hour\n")
    result = mkdocs_build_strict(project)
    assert result.returncode == 0, result.stderr
    assert re.search(r'<a href="shows/" class="md-nav__link">\s*<span class="md-ellipsis">\s*Shows',
                     (project / "site/index.html").read_text())


def test_new_refuses_a_folder_with_files(tmp_path):
    write(tmp_path / "taken/keep.txt", "mine")
    assert main(["new", str(tmp_path / "taken")]) == 1
    assert (tmp_path / "taken/keep.txt").read_text() == "mine"


def test_check_is_clean_on_the_tiny_archive(tiny_project, capsys):
    assert main(["check", "--project", str(tiny_project)]) == 0


def test_check_lists_every_problem_as_path_line_message(tiny_project, capsys, monkeypatch):
    write(tiny_project / "episodes/2024-02-02-bad.md", "---\ntitle: Episode 3: The Return\n---\ntext\n")
    write(tiny_project / "episodes/undated.txt", "Ada Byron\nHello.")
    monkeypatch.chdir(tiny_project)
    assert main(["check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("episodes/2024-02-02-bad.md:2: title: YAML: mapping values") or \
        lines[0].startswith("episodes/2024-02-02-bad.md:2: YAML: mapping values")
    assert lines[1].startswith("episodes/undated.txt:1: no date")
    assert len(lines) == 2


def test_export_writes_the_pages_the_plugin_builds(tiny_project, tmp_path):
    out = tmp_path / "out"
    assert main(["export", "--project", str(tiny_project), "--out", str(out)]) == 0
    exported = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert "episodes/2024-01-05-counting-machines.md" in exported
    assert "speakers/ada-byron.md" in exported and "appearances/index.md" in exported
    assert "index.md" in exported  # the home page, with its markers filled in
    assert "episode-archive:latest" not in (out / "index.md").read_text()
    page = (out / "episodes/2024-01-05-counting-machines.md").read_text()
    assert page.startswith("---\ntitle: 'Counting machines: a history'\ndate: 2024-01-05\n")
    assert "source: 2024-01-05-counting-machines.txt" in page


def test_export_replaces_a_previous_export_and_drops_deleted_episodes(tiny_project, tmp_path):
    out = tmp_path / "out"
    assert main(["export", "--project", str(tiny_project), "--out", str(out)]) == 0
    (tiny_project / "episodes/2025-06-30-curated.md").unlink()
    assert main(["export", "--project", str(tiny_project), "--out", str(out)]) == 0
    assert not (out / "episodes/2025-06-30-curated.md").exists()
    assert (out / EXPORT_MARKER).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_refuses_a_folder_that_is_not_an_export(tiny_project, tmp_path):
    write(tmp_path / "precious/notes.md", "keep me")
    assert main(["export", "--project", str(tiny_project), "--out", str(tmp_path / "precious")]) == 1
    assert (tmp_path / "precious/notes.md").read_text() == "keep me"


def test_export_into_the_docs_folder_is_refused(tiny_project):
    assert main(["export", "--project", str(tiny_project), "--out", str(tiny_project / "docs/generated")]) == 1
    assert not (tiny_project / "docs/generated").exists()


@pytest.mark.parametrize("interrupt_after", [1, 5])
def test_an_interrupted_export_leaves_the_old_output(tiny_project, tmp_path, monkeypatch, interrupt_after):
    out = tmp_path / "out"
    assert main(["export", "--project", str(tiny_project), "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = {"n": 0}
    real_write_text = Path.write_text

    def failing_write_text(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > interrupt_after:
            raise KeyboardInterrupt
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing_write_text)
    with pytest.raises(KeyboardInterrupt):
        main(["export", "--project", str(tiny_project), "--out", str(out)])
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out", "tiny"] or sorted(p.name for p in tmp_path.iterdir()) \
        == ["out", "tiny"]


class _Recorder:
    def __init__(self):
        self.stages: list[list] = []

    def stage(self, description, total):
        self.stages.append([description, total, 0])

    def advance(self, count=1):
        self.stages[-1][2] += count


def test_reading_an_archive_reports_each_stage_to_its_end(tiny_project):
    from episode_archive.archive import load_archive
    from episode_archive.project import load_project

    # An episode without topics, read after those with given topics: their samples, which its extraction
    # needs, are read in a stage of their own.
    write(tiny_project / "episodes/2025-09-01-looms-again.yml", 'speakers: ["Ada Byron"]\n')
    write(tiny_project / "episodes/2025-09-01-looms-again.txt", "Looms read punched cards, and cards drive looms.\n")
    project = load_project(tiny_project)
    recorder = _Recorder()
    load_archive(project.episodes_dir, project.options, None, recorder)
    assert [stage[0] for stage in recorder.stages] == [
        "Reading transcripts", "Extracting topics", "Linking related talks and passages"]
    assert recorder.stages[0][1] == 4
    assert all(done == total for _description, total, done in recorder.stages), recorder.stages


def test_parallel_work_reports_each_result(monkeypatch):
    from episode_archive.parallel import parallel_map

    done = []
    assert parallel_map(abs, [-3, 1, -2], parallel_from=1, on_done=done.append) == [3, 1, 2]
    assert sum(done) == 3


def test_check_shows_progress_bars_on_a_terminal_only(tiny_project, capsys):
    import io

    from rich.console import Console

    from episode_archive.cli import ProgressBar

    screen = io.StringIO()
    threads = threading.active_count()
    with ProgressBar(Console(file=screen, force_terminal=True, width=100)) as progress:
        # No refresh thread: with one, this process would read and render without forked workers.
        assert threading.active_count() == threads
        progress.stage("Reading transcripts", 3)
        progress.advance(2)
        progress.stage("Linking related talks and passages", 1)
    assert "Reading transcripts" in screen.getvalue() and "3/3" in screen.getvalue()
    # Not a terminal (as here): `check` prints its results and nothing else.
    assert main(["check", "--project", str(tiny_project)]) == 0
    assert capsys.readouterr().err.strip().startswith("ok: 3 episodes")

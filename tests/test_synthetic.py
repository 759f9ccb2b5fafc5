"""The synthetic archive generator (scripts/synthetic_archive.py): deterministic, and a clean archive.

Fast on purpose (a few seconds): five episodes. The benchmarks (scripts/bench.py) use the same
generator at 100-3,000 episodes; no test here measures time.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from episode_archive.archive import load_archive
from episode_archive.cli import main as cli_main
from episode_archive.project import load_project

ROOT = Path(__file__).resolve().parent.parent
N = 5


def _script(name: str):
    """scripts/ is not a package: load a script as a module (registered, as dataclasses need)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _generator():
    return _script("synthetic_archive")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synthetic") / "archive"
    summary = _generator().generate(N, out, seed=7)
    return out, summary


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(generated, tmp_path):
    first, _ = generated
    generator = _generator()
    generator.generate(N, tmp_path / "again", seed=7)
    generator.generate(N, tmp_path / "other", seed=8)
    files = snapshot(first)
    assert files == snapshot(tmp_path / "again")
    other = snapshot(tmp_path / "other")
    assert other != files
    assert {p for p in other if p.startswith("episodes/")} != {p for p in files if p.startswith("episodes/")}


def test_the_project_has_the_expected_shape(generated):
    out, summary = generated
    assert (out / "mkdocs.yml").is_file()
    config = yaml.safe_load((out / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "site_url" not in config
    plugins = [next(iter(p)) if isinstance(p, dict) else p for p in config["plugins"]]
    assert plugins == ["tags", "episode-archive"]
    home = (out / "docs" / "index.md").read_text(encoding="utf-8")
    assert "<!-- episode-archive:stats -->" in home and "<!-- episode-archive:latest -->" in home
    assert summary["episodes"] == N
    # Long transcripts, as real talks are: 3,000 to 15,000 words each.
    assert 3000 * N <= summary["words"] <= 15000 * N
    # Five episodes already mix formats: the first ones cycle through plain text, Markdown, VTT, SRT.
    suffixes = {p.suffix for p in (out / "episodes").rglob("*") if p.is_file() and p.name != "README.md"}
    assert {".txt", ".md"} <= suffixes
    assert len(suffixes - {".yml", ".csv"}) >= 3


def test_the_archive_loads_without_problems(generated):
    out, _ = generated
    project = load_project(out)
    archive, problems = load_archive(project.episodes_dir, project.options)
    assert problems == []
    assert archive.warnings == []
    assert len(archive.episodes) == N
    assert all(episode.speakers for episode in archive.episodes)


def test_check_passes(generated, capsys):
    out, _ = generated
    assert cli_main(["check", "--project", str(out)]) == 0


def test_the_benchs_generation_step_runs_from_an_empty_cache_and_after_an_edit(generated, tmp_path):
    """The bench measures its generation step with a script of its own: it must keep running as the
    package changes (a broken one would only show in the next bench run)."""
    out, _ = generated
    archive = tmp_path / "archive"
    shutil.copytree(out, archive)
    bench = _script("bench")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def generation() -> dict:
        done = subprocess.run([sys.executable, "-c", bench._GENERATION, str(archive)], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    cold = generation()
    assert (cold["episodes"], cold["problems"], cold["warnings"]) == (N, 0, 0)
    # Episode, speaker, topic, show and index pages, and at least a plain-text download per episode.
    assert cold["pages"] > N + cold["people"] + cold["topics"] and cold["downloads"] >= N
    edited = bench.edit_one_transcript(archive)
    assert bench.WARM_SENTENCE in (archive / edited).read_text(encoding="utf-8")
    counts = ("episodes", "pages", "downloads", "problems", "warnings")
    after = generation()
    assert {key: after[key] for key in counts} == {key: cold[key] for key in counts}

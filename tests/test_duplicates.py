"""Duplicate transcripts: one recording as .vtt and .srt, Whisper model variants, copies under other names."""

from __future__ import annotations

from pathlib import Path

import pytest

from episode_archive import duplicates, metadata
from episode_archive.cache import ArchiveCache, FileDigests
from episode_archive.duplicates import Variant, find_duplicates, read_explicit_slugs, variant_of
from helpers import write

VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nHello from the {name}.\n"
SRT = "1\n00:00:00,000 --> 00:00:02,000\nHello from the {name}.\n"
JSON = '{{"text": "Hello from the {name}.", "segments": []}}\n'
CURATED = "---\ntitle: Talk\n---\nHello from the {name}.\n"
BODIES = {".vtt": VTT, ".srt": SRT, ".json": JSON, ".md": CURATED}


def tree(root: Path, *names: str) -> list[Path]:
    """Files with distinct contents (so only their names can make them duplicates), in the given order."""
    paths = []
    for name in names:
        body = BODIES.get(Path(name).suffix, "Hello from the {name}.\n")
        paths.append(write(root / name, body.format(name=name)))
    return paths


def run(root: Path, paths: list[Path], **kwargs) -> tuple[list[str], list[str]]:
    kept, problems = find_duplicates(paths, root, **kwargs)
    return [p.relative_to(root).as_posix() for p in kept], [p.format(root) for p in problems]


def message(dropped: str, kept: str, reason: str, how: str = "") -> str:
    return (f"{dropped}:1: same episode as {kept}{how}; this copy is not published (precedence: {reason}). "
            "Remove one of them, or give it its own slug")


def test_a_vtt_and_an_srt_of_one_recording_keep_the_vtt(tmp_path: Path):
    paths = tree(tmp_path, "2024-01-01-talk.srt", "2024-01-01-talk.vtt")
    assert run(tmp_path, paths) == (
        ["2024-01-01-talk.vtt"],
        [message("2024-01-01-talk.srt", "2024-01-01-talk.vtt", ".vtt over .srt")])


@pytest.mark.parametrize(("winner", "loser", "reason"), [
    ("talk.md", "talk.vtt", "curated Markdown over .vtt"),
    ("talk.vtt", "talk.srt", ".vtt over .srt"),
    ("talk.srt", "talk.json", ".srt over .json"),
    ("talk.json", "talk.markdown", ".json over Markdown without front matter"),
    ("talk.json", "talk.txt", ".json over .txt"),
])
def test_format_precedence(tmp_path: Path, winner: str, loser: str, reason: str):
    if loser.endswith(".markdown"):
        paths = [write(tmp_path / loser, "Hello, plain Markdown.\n"), *tree(tmp_path, winner)]
    else:
        paths = tree(tmp_path, loser, winner)
    assert run(tmp_path, paths) == ([winner], [message(loser, winner, reason)])


def test_markdown_without_front_matter_ranks_above_text_only(tmp_path: Path):
    paths = [write(tmp_path / "talk.txt", "plain\n"), write(tmp_path / "talk.md", "# Talk\n\nplain Markdown\n")]
    assert run(tmp_path, paths) == (
        ["talk.md"], [message("talk.txt", "talk.md", "Markdown without front matter over .txt")])
    curated = write(tmp_path / "talk.md", "\ufeff---\ntitle: Talk\n---\nbody\n")
    assert run(tmp_path, [paths[0], curated])[1] == [message("talk.txt", "talk.md", "curated Markdown over .txt")]


def test_the_larger_whisper_model_wins_within_one_format(tmp_path: Path):
    paths = tree(tmp_path, "talk_tiny.vtt", "talk_base.vtt", "talk_small.vtt", "talk-medium.vtt", "talk_large.vtt",
                 "talk_large-v3.vtt", "talk_large-v2.vtt", "talk_turbo.vtt")
    kept, problems = run(tmp_path, paths)
    assert kept == ["talk_large-v3.vtt"]
    assert problems == [
        message("talk_tiny.vtt", "talk_large-v3.vtt", "same format, Whisper model large-v3 over tiny"),
        message("talk_base.vtt", "talk_large-v3.vtt", "same format, Whisper model large-v3 over base"),
        message("talk_small.vtt", "talk_large-v3.vtt", "same format, Whisper model large-v3 over small"),
        message("talk-medium.vtt", "talk_large-v3.vtt", "same format, Whisper model large-v3 over medium"),
        message("talk_large.vtt", "talk_large-v3.vtt", "same format, Whisper model large-v3 over large"),
        message("talk_large-v2.vtt", "talk_large-v3.vtt", "same format, Whisper model large-v3 over large-v2"),
        message("talk_turbo.vtt", "talk_large-v3.vtt", "same format, Whisper model large-v3 over turbo"),
    ]


def test_format_beats_model_size(tmp_path: Path):
    paths = tree(tmp_path, "talk_large.txt", "talk_tiny.vtt")
    assert run(tmp_path, paths) == (
        ["talk_tiny.vtt"], [message("talk_large.txt", "talk_tiny.vtt", ".vtt over .txt")])


def test_medium_beats_small_and_turbo_beats_medium(tmp_path: Path):
    assert run(tmp_path, tree(tmp_path, "a_small.srt", "a_medium.srt"))[0] == ["a_medium.srt"]
    assert run(tmp_path, tree(tmp_path, "b_medium.srt", "b_large-v3-turbo.srt"))[0] == ["b_large-v3-turbo.srt"]


def test_a_name_without_model_suffix_wins_and_english_only_beats_multilingual(tmp_path: Path):
    assert run(tmp_path, tree(tmp_path, "a_large.vtt", "a.vtt")) == (
        ["a.vtt"], [message("a_large.vtt", "a.vtt", "same format, Whisper model no model suffix over large")])
    assert run(tmp_path, tree(tmp_path, "b_small.vtt", "b_small.en.vtt")) == (
        ["b_small.en.vtt"],
        [message("b_small.vtt", "b_small.en.vtt", "same format and model size, English-only small.en over small")])
    assert run(tmp_path, tree(tmp_path, "c.en.vtt", "c.vtt")) == (
        ["c.vtt"], [message("c.en.vtt", "c.vtt", "same format and model, the plainer file name")])


def test_names_compare_without_case_but_only_within_one_folder(tmp_path: Path):
    assert run(tmp_path, tree(tmp_path, "Talk.VTT", "talk.srt"))[0] == ["Talk.VTT"]
    paths = tree(tmp_path, "show-a/2024-01-01-pilot.txt", "show-b/2024-01-01-pilot.txt")
    assert run(tmp_path, paths) == (["show-a/2024-01-01-pilot.txt", "show-b/2024-01-01-pilot.txt"], [])


def test_different_episodes_are_left_alone_and_order_is_kept(tmp_path: Path):
    paths = tree(tmp_path, "c.txt", "a.txt", "b_small.txt", "b.vtt", "small.txt", "base.txt")
    assert run(tmp_path, paths) == (
        ["c.txt", "a.txt", "b.vtt", "small.txt", "base.txt"],
        [message("b_small.txt", "b.vtt", ".vtt over .txt")])


def test_differing_explicit_slugs_mean_different_episodes(tmp_path: Path):
    vtt, srt, txt = tree(tmp_path, "talk.vtt", "talk.srt", "talk.txt")
    assert run(tmp_path, [vtt, srt], explicit_slugs={vtt: "part-one", srt: "part-two"}) == (
        ["talk.vtt", "talk.srt"], [])
    # One slug for the group (a shared sidecar): still one episode; case does not matter.
    assert run(tmp_path, [vtt, srt], explicit_slugs={vtt: "talk", srt: "Talk "})[0] == ["talk.vtt"]
    assert run(tmp_path, [vtt, srt, txt], explicit_slugs={srt: "talk"}) == (
        ["talk.vtt"],
        [message("talk.srt", "talk.vtt", ".vtt over .srt"), message("talk.txt", "talk.vtt", ".vtt over .txt")])
    # Several slugs: each is its own episode, and the files without a slug are one more.
    assert run(tmp_path, [vtt, srt, txt], explicit_slugs={vtt: "one", srt: "two"}) == (
        ["talk.vtt", "talk.srt", "talk.txt"], [])


def test_identical_bytes_under_different_names_are_one_episode(tmp_path: Path):
    a = write(tmp_path / "2024-01-01-a.txt", "Same words.\n")
    b = write(tmp_path / "2024-01-01-b.txt", "Same words.\n")
    c = write(tmp_path / "2024-01-01-c.txt", "Other words\n")  # same size, other bytes
    md = write(tmp_path / "sub/notes.md", "Same words.\n")
    assert run(tmp_path, [b, a, c, md]) == (
        ["2024-01-01-c.txt", "sub/notes.md"],
        [message("2024-01-01-b.txt", "sub/notes.md", "Markdown without front matter over .txt",
                 " (identical content)"),
         message("2024-01-01-a.txt", "sub/notes.md", "Markdown without front matter over .txt",
                 " (identical content)")])
    assert run(tmp_path, [b, a]) == (
        ["2024-01-01-b.txt"],
        [message("2024-01-01-a.txt", "2024-01-01-b.txt", "same format and model, the first by file name",
                 " (identical content)")])
    assert run(tmp_path, [a, b], explicit_slugs={a: "first-airing", b: "rerun"})[0] == [
        "2024-01-01-a.txt", "2024-01-01-b.txt"]


def test_blank_files_are_not_content_duplicates(tmp_path: Path):
    paths = [write(tmp_path / "a.txt", "\n\n"), write(tmp_path / "b.txt", "\n\n")]
    assert run(tmp_path, paths) == (["a.txt", "b.txt"], [])


def test_files_linked_from_outside_are_never_read(tmp_path: Path):
    episodes = tmp_path / "episodes"
    inside = write(episodes / "a.txt", "Same words.\n")
    outside = write(tmp_path / "secret.txt", "Same words.\n")
    link = episodes / "b.txt"
    link.symlink_to(outside)
    assert run(episodes, [inside, link]) == (["a.txt", "b.txt"], [])


def test_variant_of_splits_off_model_and_language_suffixes():
    assert variant_of(Path("talk_large-v3-turbo.en.vtt")) == Variant("talk", "large-v3-turbo.en", True, 2)
    assert variant_of(Path("Talk_Small.EN.srt")) == Variant("Talk", "small.en", True, 2)
    assert variant_of(Path("talk.en.vtt")) == Variant("talk", None, True, 1)
    assert variant_of(Path("talk-medium.txt")) == Variant("talk", "medium", False, 1)
    assert variant_of(Path("small.txt")) == Variant("small", None, False, 0)
    assert variant_of(Path("2024-01-01-the-bus-factor.txt")) == Variant("2024-01-01-the-bus-factor", None, False, 0)


def test_front_matter_slugs_are_read_again_only_from_files_that_changed(tmp_path: Path, monkeypatch):
    episodes = tmp_path / "episodes"
    first = write(episodes / "a.md", "---\nslug: first\n---\nbody\n")
    other = write(episodes / "b.md", "---\ntitle: No slug\n---\nbody\n")
    outside = write(tmp_path / "elsewhere.md", "---\nslug: first\n---\nbody\n")

    def build() -> dict[Path, str]:
        files = FileDigests(ArchiveCache(tmp_path / "cache"))
        found = read_explicit_slugs([first, other], episodes, files=files)
        files.save()
        return found

    assert build() == {first: "first"}
    read = []
    front_matter_slug = duplicates._front_matter_slug
    monkeypatch.setattr(duplicates, "_front_matter_slug",
                        lambda path, inside: read.append(path.name) or front_matter_slug(path, inside))
    assert build() == {first: "first"}
    assert read == [], "unchanged files: their slugs come from the last build"
    write(first, "---\nslug: second\n---\nbody\n")
    assert build() == {first: "second"}
    assert read == ["a.md"]
    first.unlink()
    first.symlink_to(outside)  # bytes the cache knows, outside the archive: never taken
    assert build() == {}


def test_read_explicit_slugs_front_matter_then_sidecar_then_catalogue(tmp_path: Path):
    md = write(tmp_path / "a.md", "---\nslug: from-front-matter\n---\nbody\n")
    write(tmp_path / "a.yml", "slug: from-sidecar-a\n")
    vtt = write(tmp_path / "b.vtt", VTT.format(name="b"))
    write(tmp_path / "b.yml", "slug: from-sidecar\n")
    txt = write(tmp_path / "c.txt", "words\n")
    plain = write(tmp_path / "d.txt", "words too\n")
    broken = write(tmp_path / "e.md", "---\nslug: [unclosed\n---\nbody\n")
    write(tmp_path / "catalog.csv", "file,slug\nb.vtt,from-catalogue-b\nc.txt,from-catalogue\n")
    catalog = metadata.load_catalog(tmp_path)
    assert read_explicit_slugs([md, vtt, txt, plain, broken], tmp_path, catalog) == {
        md: "from-front-matter", vtt: "from-sidecar", txt: "from-catalogue"}
    assert read_explicit_slugs([txt], tmp_path) == {}

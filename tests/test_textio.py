import codecs
from pathlib import Path

import pytest

from episode_archive.errors import ArchiveError
from episode_archive.textio import FolderFiles, inside_check, read_text, relative_name


@pytest.mark.parametrize("data", [
    b"one\ntwo",
    codecs.BOM_UTF8 + b"one\ntwo",
    b"one\r\ntwo",
    b"one\rtwo",
    codecs.BOM_UTF16_LE + "one\ntwo".encode("utf-16-le"),
    codecs.BOM_UTF16_BE + "one\ntwo".encode("utf-16-be"),
])
def test_encodings_and_line_ends(tmp_path, data):
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    assert read_text(path) == "one\ntwo"


def test_non_utf8_names_line_and_byte(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"fine\nalso fine\ncaf\xe9\n")
    with pytest.raises(ArchiveError) as error:
        read_text(path)
    assert error.value.problem.line == 3
    assert "0xe9" in error.value.problem.message
    assert "encoding" in error.value.problem.message


def test_declared_encoding_is_used(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("café".encode("cp1252"))
    assert read_text(path, "cp1252") == "café"


def test_nul_bytes_are_refused(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"a\nb\x00c")
    with pytest.raises(ArchiveError, match="NUL") as error:
        read_text(path)
    assert error.value.problem.line == 2


def test_inside_check_agrees_with_resolving_each_path(tmp_path):
    root = tmp_path / "episodes"
    (root / "talks").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    (root / "talks" / "plain.txt").write_text("x")
    (root / "in-link.txt").symlink_to(root / "talks" / "plain.txt")
    (root / "out-link.txt").symlink_to(outside / "secret.txt")
    (root / "linked-folder").symlink_to(outside, target_is_directory=True)
    (root / "back-inside").symlink_to(root / "talks", target_is_directory=True)
    (tmp_path / "episodes-old").mkdir()
    (tmp_path / "episodes-old" / "plain.txt").write_text("x")
    (root / "sibling-link.txt").symlink_to(tmp_path / "episodes-old" / "plain.txt")
    paths = [root / "talks" / "plain.txt", root / "in-link.txt", root / "out-link.txt",
             root / "linked-folder" / "secret.txt", root / "back-inside" / "plain.txt",
             root / "talks" / ".." / "..", root / "missing.txt", root / "sibling-link.txt",
             tmp_path / "episodes-old" / "plain.txt", root / "talks" / ".."]
    inside = inside_check(root)
    assert [inside(path) for path in paths] == [path.resolve().is_relative_to(root.resolve()) for path in paths]
    assert [inside(path) for path in paths] == [True, True, False, False, True, False, True, False, False, True]


@pytest.mark.parametrize("path, root", [
    ("/a/episodes/talks/x.txt", "/a/episodes"), ("/a/episodes/x.txt", "/a/episodes"), ("/x.txt", "/"),
    ("episodes/talks/x.txt", "episodes"), ("/a/episodes-old/x.txt", "/a/episodes"), ("/a/episodes", "/a/episodes"),
])
def test_relative_name_is_pathlibs(path, root):
    try:
        expected = Path(path).relative_to(Path(root)).as_posix()
    except ValueError:
        with pytest.raises(ValueError):
            relative_name(Path(path), Path(root))
        return
    assert relative_name(Path(path), Path(root)) == expected


def _tree_with_links(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "episodes", tmp_path / "outside"
    (root / "talks" / "2024").mkdir(parents=True)
    (root / ".drafts").mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("s")
    for name in ("talks/plain.txt", "talks/plain.yml", "talks/2024/deep.vtt", ".drafts/draft.txt", "catalog.csv"):
        (root / name).write_text(name)
    (root / "talks" / "folder.yml").mkdir()  # a folder named like a sidecar is no sidecar
    (root / "in-link.txt").symlink_to(root / "talks" / "plain.txt")
    (root / "out-link.txt").symlink_to(outside / "secret.txt")
    (root / "broken.txt").symlink_to(root / "nowhere.txt")
    (root / "linked-folder").symlink_to(outside, target_is_directory=True)
    (root / "back-inside").symlink_to(root / "talks", target_is_directory=True)
    return root, outside


@pytest.mark.parametrize("spelled", ["plain", "dot-slash", "trailing-slash", "current-folder"])
def test_folder_files_are_what_rglob_and_stat_find(tmp_path, monkeypatch, spelled):
    root, outside = _tree_with_links(tmp_path)
    if spelled == "current-folder":
        monkeypatch.chdir(root)
        root = Path(".")
    elif spelled != "plain":
        monkeypatch.chdir(tmp_path)
        root = Path("./episodes") if spelled == "dot-slash" else Path("episodes/")
    folder = FolderFiles(root)
    found = folder.paths()
    assert found == sorted(path for path in root.rglob("*") if path.is_file())
    assert {path.name for path in found} == {"plain.txt", "plain.yml", "deep.vtt", "draft.txt", "catalog.csv",
                                             "in-link.txt", "out-link.txt"}
    asked = [*found, root / "talks" / "folder.yml", root / "talks" / "plain.yaml", root / "broken.txt",
             root / "linked-folder" / "secret.txt", root / "back-inside" / "plain.txt", root / "talks",
             outside / "secret.txt", tmp_path / "missing" / "x.txt"]
    for path in asked:
        assert folder.is_file(path) == path.is_file(), path
        if path.is_file():
            assert folder.stat(path) == path.stat(), path
    inside = inside_check(root)
    assert [folder.inside(path) for path in asked] == [inside(path) for path in asked]
    assert not folder.inside(root / "out-link.txt") and not folder.inside(root / "linked-folder" / "secret.txt")


def test_folder_files_see_the_folder_as_it_was_walked(tmp_path):
    root, _ = _tree_with_links(tmp_path)
    folder = FolderFiles(root)
    (root / "talks" / "plain.yaml").write_text("added after the walk")
    (root / "talks" / "plain.yml").unlink()
    assert not folder.is_file(root / "talks" / "plain.yaml")  # the next build's walk sees it
    assert folder.is_file(root / "talks" / "plain.yml")
    assert FolderFiles(root).is_file(root / "talks" / "plain.yaml")

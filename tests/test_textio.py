import codecs
from pathlib import Path

import pytest

from episode_archive.errors import ArchiveError
from episode_archive.textio import inside_check, read_text, relative_name


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

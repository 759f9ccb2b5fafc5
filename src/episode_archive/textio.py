"""Bytes to text, with errors that point at the exact line and byte."""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable
from pathlib import Path

from .errors import ArchiveError

# Checked before reading, so one huge file cannot exhaust memory.
MAX_TRANSCRIPT_BYTES = 50 * 1024 * 1024


def ensure_inside(path: Path, root: Path) -> None:
    """A link may point anywhere; the archive reads only what is inside its own folder."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise ArchiveError(path, 1, f"is a link to {path.resolve()}, outside {root}; copy the file into the "
                                    "archive instead (links out of it are never followed)")


def inside_check(root: Path) -> Callable[[Path], bool]:
    """A test of whether a path resolves inside `root`, as `path.resolve().is_relative_to(root.resolve())`
    but with one `lstat` per path that is no link: each folder is resolved once. Resolving a thousand
    transcripts one by one costs 0.06 s of every build. Make one per pass over the archive: a folder
    replaced by a link later is seen by the next one."""
    real_root = os.path.realpath(root)
    # Both sides are resolved, absolute and normalised, so "inside" is a prefix that ends at a separator.
    prefix = real_root if real_root.endswith(os.sep) else real_root + os.sep
    real_folders: dict[str, str] = {}

    def inside(path: Path) -> bool:
        name = path.name
        if not name or name in {".", ".."} or os.path.islink(path):
            real = os.path.realpath(path)
        else:
            folder = os.fspath(path.parent)
            if folder not in real_folders:
                real_folders[folder] = os.path.realpath(folder)
            real = os.path.join(real_folders[folder], name)
        return real == real_root or real.startswith(prefix)
    return inside


class FolderFiles:
    """Every file under a folder, found by one walk, with its stat: a build asks of each transcript
    whether its sidecars and chapters file exist, how large it is, whether it is inside the archive and
    what its stat is, several times over. Asked of the file system, that is about ten system calls per
    transcript (most of them failing) and 0.05 s at 1,000 episodes; here it is a lookup.

    A link to a file is a file, with its target's stat (as `Path.is_file` and `os.stat` see it); links to
    folders are not followed, as `Path.rglob` does not follow them. Made once per build: a file added
    later is seen by the next. A path in a folder the walk did not enter is asked of the file system."""

    def __init__(self, folder: Path) -> None:
        root = os.fspath(Path(folder))  # normalised as the paths made from it are
        self._inside = inside_check(folder)
        self._stats: dict[str, os.stat_result] = {}
        self._plain: set[str] = set()
        """Files that are no links, in folders entered without following a link: inside the folder."""
        self._folders: set[str] = set()
        pending = [root]
        while pending:
            current = pending.pop()
            try:
                entries = os.scandir(current)
            except OSError:
                continue
            self._folders.add(current)
            with entries:
                for entry in entries:
                    # Spelled as pathlib spells the path: "./name" is "name" there.
                    name = entry.name if current == "." else entry.path
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            pending.append(name)
                        elif entry.is_file():
                            self._stats[name] = entry.stat()
                            if not entry.is_symlink():
                                self._plain.add(name)
                    except OSError:  # gone or unreadable since the folder was listed: not a file here
                        continue

    def paths(self) -> list[Path]:
        """Every file found, sorted as `sorted(folder.rglob("*"))` sorts them: by their parts, case folded
        where the system's paths are (pathlib's own comparison of a thousand paths costs 0.01 s)."""
        return [Path(name) for name in sorted(self._stats, key=lambda name: os.path.normcase(name).split(os.sep))]

    def stat(self, path: Path | str) -> os.stat_result | None:
        """The file's stat (a link's target's), or None when it is no file (missing, a folder)."""
        name = os.fspath(path)
        if (known := self._stats.get(name)) is not None or os.path.dirname(name) in self._folders:
            return known
        try:
            info = os.stat(name)
        except OSError:
            return None
        return info if stat.S_ISREG(info.st_mode) else None

    def is_file(self, path: Path | str) -> bool:
        return self.stat(path) is not None

    def inside(self, path: Path) -> bool:
        """`inside_check(folder)(path)`, without a system call for a file the walk found that is no link."""
        return os.fspath(path) in self._plain or self._inside(path)


def relative_name(path: Path, root: Path) -> str:
    """`path.relative_to(root).as_posix()`, by string for a path found under `root` (pathlib parses
    both paths again on every call: a tenth of a second per pass over a thousand files)."""
    name, base = os.fspath(path), os.fspath(root)
    if name.startswith(base + os.sep) and base and not base.endswith(os.sep):
        return name[len(base) + 1:].replace(os.sep, "/")
    return path.relative_to(root).as_posix()


def read_text(path: Path, encoding: str | None = None, inside: Path | None = None) -> str:
    """Read a text file as str with universal newlines.

    UTF-8 (with or without BOM) and UTF-16 with BOM are recognised; anything else is an error
    naming the line and byte, unless the caller passes the file's `encoding` (from metadata).
    With `inside`, a file that resolves outside that folder (through a link) is refused.
    """
    if inside is not None:
        ensure_inside(path, inside)
    size = path.stat().st_size
    if size > MAX_TRANSCRIPT_BYTES:
        raise ArchiveError(
            path, 1, f"file is {size // (1024 * 1024)} MB, over the {MAX_TRANSCRIPT_BYTES // (1024 * 1024)} MB "
            "limit for one transcript; split it into several episodes"
        )
    data = path.read_bytes()
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as error:
            raise ArchiveError(path, 1, f"cannot decode as {encoding!r}: {error}") from None
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ArchiveError(
                path, line,
                f"byte 0x{data[error.start]:02x} at offset {error.start} is not UTF-8; save the file as UTF-8, "
                "or give its encoding in a sidecar (encoding: cp1252)",
            ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ArchiveError(path, line, "the file contains NUL bytes; it is not a text transcript")
    return text.replace("\r\n", "\n").replace("\r", "\n")

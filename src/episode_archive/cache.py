"""A content-addressed cache: an unchanged episode is not read, cleaned or topic-extracted again.

A loaded episode is keyed by everything that shapes it: the tool's own code, the transcript's bytes,
its sidecar's bytes, its catalogue row, the people registry and the corrections glossary. Change any of
those and the key changes, so a stale value is never used. Files are hashed again only when their stat
changed (`FileDigests`). Values of which a build has one per episode (loaded episodes, episode pages,
downloads) are map entries (`put_map`): one file to read, and after an edit only what was made again
is written. A build (the plugin) deletes the entries it did not use once its pages are made, and a map
entry drops the values of deleted episodes, so they leave nothing behind; `check` and `export` add
entries but delete none, so running them costs the next build nothing. Corpus-wide steps (topic
choice, related talks, passage links) run again whenever what each reads changed. Later stages keep
entries here too, keyed the same way: related talks and passage links, the generated pages
(render.pages), transcript downloads (publish), pages as MkDocs converted them (pageconvert) and the
last search bundle (search).

The cache lives in the user's cache folder (`$XDG_CACHE_HOME/episode-archive/<project>/`, by default
`~/.cache/...`), not in the project: a build writes nothing outside its site folder. The `cache_dir`
option puts it elsewhere. It holds pickles that only this tool writes.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import importlib.metadata
import logging
import os
import pickle
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

from .textio import FolderFiles

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

_code_digest: str | None = None


def code_digest() -> str:
    """A digest of the package's own source: new code never reads an old code's entries."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256()
        package = Path(str(files(__package__)))
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
        _code_digest = digest.hexdigest()
    return _code_digest


_installed_digest: str | None = None


def installed_digest() -> str:
    """A digest of this package's code, Python's version and every installed distribution's version: what
    is made with other libraries (pages converted by Markdown and its extensions) is not reused after
    an upgrade."""
    global _installed_digest
    if _installed_digest is None:
        installed = sorted(f"{dist.name}=={dist.version}" for dist in importlib.metadata.distributions())
        _installed_digest = digest(code_digest(), sys.version, *installed)
    return _installed_digest


def default_cache_dir(project_root: Path) -> Path:
    """One folder per project under the user's cache folder, so pruning never touches another project."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "episode-archive" / hashlib.sha256(str(project_root.resolve()).encode()).hexdigest()[:16]


def cache_for(project_root: Path, enabled: bool, cache_dir: str | None,
              memo: BuildMemo | None = None) -> ArchiveCache | None:
    """The project's cache, or None when it is off or its folder cannot be written: a cache only saves
    time, so a read-only or misplaced cache folder costs speed, never the build."""
    if not enabled:
        return None
    directory = project_root / cache_dir if cache_dir else default_cache_dir(project_root)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(directory))
    except OSError as error:
        log.info("Cache folder %s cannot be written (%s): building without a cache. Set the plugin's "
                 "cache_dir (or XDG_CACHE_HOME) to a writable folder, or cache: false to say so.",
                 directory, error.strerror or error)
        return None
    return ArchiveCache(directory, memo)


def digest(*parts: bytes | str | None) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = b"\x00none" if part is None else part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


SETTLED_SECONDS = 2.0
"""A file changed this recently when it was hashed may change again within the same timestamp tick
(coarse on some file systems) and keep its stat: its digest is not reused."""


class FileDigests:
    """sha256 of files by path, reused from the last build while a file's stat (size, mtime, ctime,
    inode, device) is what it was then, so an unchanged archive's transcripts (80 MB at 1,000 episodes)
    are not read again just to learn they are unchanged. Any write changes ctime, which no tool can set
    back, and a file still changing when it was hashed is hashed again next time (`SETTLED_SECONDS`)."""

    def __init__(self, cache: ArchiveCache, folder: FolderFiles | None = None) -> None:
        self.cache = cache
        self.folder = folder
        """The build's walk of the archive folder, asked for stats instead of the file system."""
        self.key = "file-digests-" + code_digest()
        self.last: dict[str, tuple[tuple[int, ...], str]] = cache.get(self.key) or {}
        self.now: dict[str, tuple[tuple[int, ...], str]] = {}

    def of(self, path: Path | str) -> str | None:
        """The file's digest, or None when it cannot be read (missing, a folder)."""
        name = os.fspath(path)
        if self.folder is not None:
            if (info := self.folder.stat(path)) is None:
                return None
        else:
            try:
                info = os.stat(name)
            except OSError:
                return None
        stat = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
        known = self.last.get(name)
        if known is not None and known[0] == stat:
            self.now[name] = known
            return known[1]
        data = file_bytes(Path(name))
        if data is None:
            return None
        hexdigest = hashlib.sha256(data).hexdigest()
        if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > SETTLED_SECONDS * 1e9:
            self.now[name] = (stat, hexdigest)
        return hexdigest

    def save(self) -> None:
        """Keep the digests of the files asked about in this build, for the next."""
        self.cache.put_whole(self.key, self.now, unless=self.last)


class BuildMemo:
    """What one build made, by a digest of everything it was made from, for the next build in the same
    process: `mkdocs serve` builds again after every edit, and most pages and downloads are then as they
    were. A build reads the last build's values (`get`) and keeps what it used or made (`put`) for the
    next; `next_build()` starts one. A key names its value for good, so a failed build leaves nothing
    wrong behind."""

    def __init__(self) -> None:
        self.last: dict[str, Any] = {}
        self.made: dict[str, Any] = {}

    def next_build(self) -> None:
        self.last, self.made = self.made or self.last, {}

    def get(self, key: str) -> Any | None:
        value = self.last.get(key)
        if value is not None:
            self.made[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.made[key] = value


_RECENT = "-recent"
"""A map entry's second file: the values made since its base file was written."""
_MIN_RECENT = 16
"""However small the archive, this many values may go to the second file before the base is rewritten."""


class ArchiveCache:
    """Pickled values by key in one folder; `prune()` removes what this build did not use.

    With a `memo` (`mkdocs serve`), values read or written are also kept in memory for the next build:
    unpickling a thousand episodes is most of what reading the archive again costs. A value from the
    cache is shared with that memo, so callers change copies of it, never the value.
    """

    def __init__(self, directory: Path, memo: BuildMemo | None = None) -> None:
        self.directory = directory
        self.memo = memo
        self.used: set[str] = set()
        self._maps: dict[str, tuple[dict[str, tuple[str, Any]], set[str]]] = {}
        """Each map entry as `get_map` read it, with the keys its base file holds."""

    def get(self, key: str) -> Any | None:
        self.used.add(key)
        remembered = self.memo.get(key) if self.memo is not None else None
        if remembered is not None:
            return remembered
        value = self._read(key)
        if value is not None and self.memo is not None:
            self.memo.put(key, value)
        return value

    def _read(self, key: str) -> Any | None:
        path = self.directory / f"{key}.pickle"
        collecting = gc.isenabled()
        # Unpickling a thousand episodes makes about a hundred thousand containers, none of them garbage:
        # the cycle collector would walk them over and over while they are made (half the time it takes).
        gc.disable()
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception as error:  # a truncated or foreign file: treat as a miss, rewrite it
            log.debug("cache entry %s unreadable (%s)", path, error)
            return None
        finally:
            if collecting:
                gc.enable()
        return value

    def keep(self, key: str, value: Any | None = None) -> None:
        """Keep an entry through `prune()` without reading it: this build has no use for it, the next may
        (`value`: what another process wrote there, for the memo)."""
        self.used.add(key)
        if value is not None and self.memo is not None:
            self.memo.put(key, value)

    def put(self, key: str, value: Any) -> None:
        """Write atomically: a build killed mid-write leaves no half entry behind. A write that fails
        (a full disk, the folder removed meanwhile) leaves the entry out: the next build makes it again."""
        self.used.add(key)
        if self.memo is not None:
            self.memo.put(key, value)
        temporary = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.directory / f"{key}.pickle")
        except BaseException as error:
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
            if not isinstance(error, OSError):
                raise
            log.debug("cache entry %s not written (%s)", key, error)

    def put_whole(self, key: str, value: Any, unless: Any | None = None) -> None:
        """`put` for an entry each build writes whole (every page, every download). With a memo (`mkdocs
        serve`) it is kept in memory only: writing tens of megabytes after every edit would cost each
        rebuild a noticeable part of its time. The file an earlier build wrote stays, and what it holds is
        keyed by what each value was made from, so a later build still takes the unchanged ones. A value
        equal to `unless` (what the entry held) is only kept, not written again."""
        if self.memo is not None or (unless is not None and value == unless):
            self.keep(key, value)
        else:
            self.put(key, value)

    def get_map(self, key: str) -> dict[str, tuple[str, Any]]:
        """A map entry (`put_map`): each value by the digest of what it was made from, with its owner
        (the episode it belongs to). Empty when there is none."""
        self.used.update((key, key + _RECENT))
        if self.memo is not None and (remembered := self.memo.get(key)) is not None:
            return remembered
        base = self._read(key)
        merged = dict(base) if isinstance(base, dict) else {}
        base_keys = set(merged)
        if (recent := self._read(key + _RECENT)) is not None and isinstance(recent, dict):
            merged.update(recent)
        self._maps[key] = (merged, base_keys)
        return merged

    def put_map(self, key: str, values: dict[str, tuple[str, Any]]) -> None:
        """Store every value this build used or made, by key, each with its owner.

        A build after one edit changes a few values of thousands (pages, downloads), so only those made
        since the base file was written go to disk, in a small second file: rewriting 60-80 MB costs
        such a build a tenth of a second per entry. The base is written again once that file holds a
        twentieth of the values, or when a value's owner is gone: a deleted episode's text does not stay
        in the cache. Until then the base keeps the replaced values of edited episodes. With a memo
        (`mkdocs serve`) the values are kept in memory only, as `put_whole` does."""
        # Popped: what was read must not outlive the build's use of it (page chunks are let go page by page).
        on_disk = self._maps.pop(key, None)
        if self.memo is not None:
            self.keep(key, values)
            self.used.add(key + _RECENT)
            return
        if on_disk is not None:
            merged, base_keys = on_disk
            owners = {owner for owner, _ in values.values()}
            recent = {name: value for name, value in values.items() if name not in base_keys}
            if (all(merged[name][0] in owners for name in merged.keys() - values.keys())
                    and len(recent) <= max(_MIN_RECENT, len(values) // 20)):
                self.used.add(key)
                if recent.keys() != merged.keys() - base_keys:
                    self.put(key + _RECENT, recent)
                self.used.add(key + _RECENT)
                return
        self.put(key, values)
        try:
            (self.directory / f"{key}{_RECENT}.pickle").unlink(missing_ok=True)
        except OSError:  # left for prune: what it holds is keyed by what it was made from
            pass

    def prune(self) -> int:
        """Delete entries this build did not use (deleted or changed episodes) and stray temp files."""
        removed = 0
        if not self.directory.is_dir():
            return removed
        for path in self.directory.iterdir():
            if path.suffix in {".pickle", ".tmp"} and path.stem not in self.used:
                try:
                    path.unlink(missing_ok=True)
                except OSError:  # left for the next build's prune
                    continue
                removed += 1
        return removed

"""Full-text search with Pagefind: index markup for pages, and the indexing run after a build.

Pagefind splits its index into chunks that a reader's browser loads per query, so search stays
small at thousands of episodes (Material's own index is the whole text of every page in one file).
Only pages that carry `data-pagefind-body` are indexed: episodes, speakers and topics. Filters
(speaker, topic, show, year, kind) and a date sort key ride along as hidden elements.

Pagefind holds the whole index in memory while it builds it, about 28 MB per MB of page content (1.65 GB
for 1,000 episodes of 8,000 words). A large archive is therefore indexed in parts, one Pagefind run after
another, each over the pages of a run of dates, and the parts' bundles (the first in `pagefind/`, the others
in `pagefind/part-N/` meanwhile) are then merged into one (bundlemerge.py): a reader's query loads what it
would from one Pagefind run over the whole site.
"""

from __future__ import annotations

import importlib.metadata
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .cache import ArchiveCache, code_digest, digest
from .model import Episode, Person, Topic
from .options import Options
from .render.markup import escape_html

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

SEARCH_PAGE = "search/index.md"
BUNDLE_DIR = "pagefind"
# Permalink anchors, tag chips, the byline, the player and related talks are not the transcript.
EXCLUDE_SELECTORS = ".headerlink, .md-tags, .ea-meta, .ea-related, audio"
# Pagefind reads nothing outside the indexed element, not even a title, image or filter in the theme's
# header or footer: what it indexes is then page content alone (see StagedSearchIndex).
ROOT_SELECTOR = "[data-pagefind-body]"
INDEXED = "data-pagefind-body"
PART_MB = Options.search_part_mb
_SORT_DATE = re.compile(r'data-pagefind-sort="date:([^"]*)"')
_SORT_DATE_BYTES = re.compile(_SORT_DATE.pattern.encode())


def _filters(pairs: list[tuple[str, str]]) -> str:
    spans = "".join(f'<span data-pagefind-filter="{escape_html(key)}">{escape_html(value)}</span>'
                    for key, value in pairs)
    return f'<div hidden data-pagefind-ignore>{spans}</div>'


def episode_index_markup(html: str, episode: Episode) -> str:
    pairs = [("kind", "episode"), ("year", str(episode.date.year))]
    pairs += [("speaker", name) for name in episode.speakers]
    pairs += [("topic", name) for name in episode.topics]
    if episode.show:
        pairs.append(("show", episode.show))
    date = episode.date.isoformat()
    return (f'<div data-pagefind-body data-pagefind-sort="date:{date}" data-pagefind-meta="date:{date}">'
            f'{html}{_filters(pairs)}</div>')


def person_index_markup(html: str, person: Person) -> str:
    pairs = [("kind", "speaker"), ("speaker", person.name)]
    date = person.last.isoformat()
    return (f'<div data-pagefind-body data-pagefind-sort="date:{date}" data-pagefind-meta="date:{date}">'
            f'{html}{_filters(pairs)}</div>')


def topic_index_markup(html: str, topic: Topic) -> str:
    date = topic.episodes[-1].date.isoformat()
    return (f'<div data-pagefind-body data-pagefind-sort="date:{date}">'
            f'{html}{_filters([("kind", "topic"), ("topic", topic.name)])}</div>')


def search_page(scripts_from_page: str) -> str:
    """The search page: a form that works as a plain GET, enhanced by the script into live results."""
    return f"""---
title: Search
---

# Search

<div class="ea-search" id="ea-search" data-bundle="{scripts_from_page}{BUNDLE_DIR}/">
<form class="ea-search__form" role="search" action="" method="get">
<label for="ea-search-q">Search the transcripts</label>
<input id="ea-search-q" type="search" name="q" autocomplete="off" placeholder="A phrase, a name, a topic">
<button type="submit">Search</button>
</form>
<div class="ea-search__filters" aria-label="Filters"></div>
<p class="ea-search__status" role="status" aria-live="polite"></p>
<ol class="ea-search__results"></ol>
<p class="ea-search__more" hidden><button type="button">More results</button></p>
</div>

<noscript>Search runs in your browser and needs JavaScript. The <a href="../episodes/">episode list</a>,
<a href="../speakers/">speakers</a> and <a href="../topics/">topics</a> work without it.</noscript>

<script type="module" src="{scripts_from_page}assets/episode-archive-search.js"></script>
"""


def pagefind_command(site_dir: Path, output: Path | None = None, restrict: bool = True) -> list[str]:
    """Pagefind's command line; `restrict` to what is inside `data-pagefind-body` (only when some page has
    it: without, Pagefind finds no page at all, where by default it indexes every page)."""
    where = ["--output-path", str(output)] if output else ["--output-subdir", BUNDLE_DIR]
    root = ["--root-selector", ROOT_SELECTOR] if restrict else []
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), *where, *root,
            "--exclude-selectors", EXCLUDE_SELECTORS, "--silent"]


def bundle_cache_key() -> str:
    """The cache entry holding the last bundle and the digest of the HTML it was built from (for this
    code, as every entry: the bundle would be valid anyway, but the cache's promise stays simple)."""
    return "pagefind-bundle-" + code_digest()


def run_pagefind(site_dir: Path, cache: ArchiveCache | None = None, restrict: bool = True,
                 part_mb: float = PART_MB) -> None:
    """Index the built site; the bundle lands in site/pagefind/.

    Pagefind reads nothing but the site's HTML files: when the pages it indexes are byte for byte those
    of the build that made the cached bundle (a rebuild after editing a hand-written page, or after no
    change), that bundle is written back instead, which takes a fraction of a second instead of
    Pagefind's 10 s at 1,000 episodes.
    """
    started = time.perf_counter()
    pages, html_digest = _indexed_site_pages(site_dir, restrict, part_mb, digested=cache is not None)
    if _reuse_bundle(site_dir, cache, html_digest):
        log.info("episode-archive: search index unchanged (no indexed page changed), reused in %.2f s",
                 time.perf_counter() - started)
        return
    runs = PagefindRuns.of_site(site_dir, pages, restrict, part_mb)
    runs.start()
    runs.wait()
    _keep_bundle(site_dir, cache, html_digest)
    log.info("episode-archive: search index built with Pagefind in %.2f s%s", time.perf_counter() - started,
             runs.described())


def plan_parts(pages: Mapping[str, tuple[str, int]], part_mb: float) -> list[list[str]]:
    """Split the indexed pages (site path → (sort date, content size)) into the parts Pagefind indexes.

    Parts follow the date sort, so that the merged index's date sort is the parts' one after another; a cut
    falls only between two dates, so pages of one date are never split (a date with more content than a
    part makes a larger part). The parts are about equal, each at most `part_mb` MB where the dates allow.
    """
    order = sorted(pages, key=lambda name: (pages[name][0], name))
    total = sum(size for _date, size in pages.values())
    limit = part_mb * 1_000_000
    if part_mb <= 0 or total <= limit:
        return [order] if order else []
    count = math.ceil(total / limit)
    parts: list[list[str]] = [[]]
    filled = 0
    for name in order:
        date, size = pages[name]
        if (parts[-1] and filled >= total * len(parts) / count
                and date != pages[parts[-1][-1]][0] and len(parts) < count):
            parts.append([])
        parts[-1].append(name)
        filled += size
    return parts


def part_folder(index: int) -> str:
    """Where a part's bundle is until the merge, relative to the first part's (the bundle folder itself)."""
    return f"part-{index}/" if index else ""


class PagefindRuns:
    """Pagefind over each part of the index in turn, in a thread, so that MkDocs can go on meanwhile.

    Each run is one folder of pages to index and the folder of its part's bundle. Once all succeeded,
    the parts' bundles are merged into the first, in a process of its own like Pagefind's runs (the merge
    is Python, and would otherwise take turns with MkDocs' rendering). `stop` ends an unfinished run and
    starts no further one.
    """

    def __init__(self, bundle: Path, runs: list[tuple[Path, Path]], restrict: bool,
                 scratch: tempfile.TemporaryDirectory[str] | None = None) -> None:
        self.bundle = bundle
        self.runs = runs
        self.restrict = restrict
        self.error = ""
        self._scratch = scratch
        self._process: subprocess.Popen[str] | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run_all, name="episode-archive-pagefind", daemon=True)

    @classmethod
    def of_site(cls, site_dir: Path, pages: Mapping[str, tuple[str, int]], restrict: bool,
                part_mb: float) -> PagefindRuns:
        """Runs over a built site: one over the site itself, or, in parts, each over a scratch folder
        holding links to (or copies of) its part's pages."""
        bundle = site_dir / BUNDLE_DIR
        parts = plan_parts(pages, part_mb) if restrict else []
        if len(parts) <= 1:
            return cls(bundle, [(site_dir, bundle)], restrict)
        scratch = tempfile.TemporaryDirectory(prefix="episode-archive-search-")
        runs = []
        for index, names in enumerate(parts):
            root = Path(scratch.name) / f"part-{index}"
            for name in names:
                _link_or_copy(site_dir / name, root / name)
            runs.append((root, bundle / part_folder(index)))
        return cls(bundle, runs, restrict, scratch)

    def start(self) -> None:
        shutil.rmtree(self.bundle, ignore_errors=True)  # no part of an earlier index may stay
        self._thread.start()

    def described(self) -> str:
        return f", in {len(self.runs)} parts one after another, merged" if len(self.runs) > 1 else ""

    def _run_all(self) -> None:
        commands = [(pagefind_command(source, output, self.restrict), "pagefind") for source, output in self.runs]
        if len(self.runs) > 1:
            parts = [str(output) for _source, output in self.runs]
            commands.append(([sys.executable, "-m", "episode_archive.bundlemerge", str(self.bundle), *parts],
                             "merging the search index's parts"))
        try:
            for command, what in commands:
                with self._lock:
                    if self._stopped:
                        return
                    self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                     text=True)
                process = self._process
                printed, _ = process.communicate()
                if process.returncode != 0:
                    if not self._stopped:
                        self.error = f"{what} failed ({process.returncode}): {printed.strip()}"
                    return
        except OSError as error:
            self.error = f"pagefind could not run: {error}"

    @property
    def stopped(self) -> bool:
        return self._stopped

    def wait(self) -> None:
        """Wait for every run; raise if one failed."""
        if self._thread.ident is not None:
            self._thread.join()
        self._cleanup()
        if self.error:
            raise RuntimeError(self.error)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            _stop(self._process)
        if self._thread.ident is not None:
            self._thread.join()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or no hard links there
        shutil.copyfile(source, target)


def _reuse_bundle(site_dir: Path, cache: ArchiveCache | None, bundle_digest: str | None) -> bool:
    """Write the cached bundle into the site if it was made from what `bundle_digest` stands for."""
    stored = cache.get(bundle_cache_key()) if cache is not None else None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == bundle_digest):
        return False
    shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)  # parts of a stopped run must not stay
    for relative, data in stored[1].items():
        target = site_dir / BUNDLE_DIR / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return True


def _keep_bundle(site_dir: Path, cache: ArchiveCache | None, bundle_digest: str | None) -> None:
    if cache is not None and bundle_digest is not None:
        bundle = site_dir / BUNDLE_DIR
        cache.put(bundle_cache_key(), (bundle_digest, {path.relative_to(bundle).as_posix(): path.read_bytes()
                                                     for path in sorted(bundle.rglob("*")) if path.is_file()}))


_HTML_LANG = re.compile(r'<html\b[^>]*?\blang="([^"]*)"')


class StagedSearchIndex:
    """`mkdocs build`: Pagefind indexes the pages while MkDocs writes the site, not after it.

    Pagefind reads only what is inside `data-pagefind-body` (ROOT_SELECTOR), and that is page content.
    The plugin's own pages, which are the indexed ones, are converted right after the navigation is
    built (`pageconvert`), and every page is converted before MkDocs writes any (`on_env`). Each page's
    content is written as a minimal document at the page's path in a scratch folder, and Pagefind
    indexes that folder while MkDocs carries on, on the core MkDocs leaves idle. What MkDocs then
    makes of each page is checked: an indexed page's content, after every plugin's `on_page_content`,
    must be what was staged, and its written page must hold it byte for byte, in the staged language.
    No other page may carry `data-pagefind-body`. If one fails (another plugin edited an indexed page,
    or a theme marks pages itself), the built site is indexed after the build instead, as `run_pagefind`
    always did. Either way the bundle is the same.
    """

    def __init__(self, part_mb: float = PART_MB) -> None:
        self.part_mb = part_mb
        self.contents: dict[str, str] = {}
        """Page path in the site → its content, for pages with indexed content."""
        self.checked: set[str] = set()
        self.language = ""
        self.mismatch = ""
        self.reused = False
        self.started = False
        self.bundle_digest: str | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._runs: PagefindRuns | None = None
        self._started_at = 0.0
        self._writing: ThreadPoolExecutor | None = None
        self._written: list[Future[None]] = []
        self._pid = os.getpid()

    def add(self, dest_uri: str, content: str) -> None:
        """A page's content: staged before `start`; after it (the plugin's pages, converted early),
        the content every plugin left, which must be what was staged."""
        if not self.started:
            if INDEXED in content:
                self.contents[dest_uri] = content
        elif not self.mismatch:
            staged = self.contents.get(dest_uri)
            if staged is None and INDEXED in content:
                self.mismatch = f"{dest_uri} has indexed content that was not known early"
            elif staged is not None and staged is not content and staged != content:
                self.mismatch = f"another plugin changed the indexed part of {dest_uri}"

    def prepare(self, language: str) -> None:
        """Make the scratch folder, so that `write` can be called, also from forked workers."""
        self.language = language
        self._scratch = tempfile.TemporaryDirectory(prefix="episode-archive-search-")

    def write(self, dest_uri: str, content: str) -> None:
        """Stage one page's content as a document of its own (nothing for a page without indexed content).

        In the build's process the file is written from a few threads: writing a thousand files waits on a
        disk busy with the site (2.7-3.6 s at 1,000 episodes), not on the GIL. A forked worker writes it
        at once. `start` waits for the threads and ends them.
        """
        if INDEXED not in content or self._scratch is None:
            return
        if os.getpid() != self._pid:
            self._write_now(dest_uri, content)
            return
        if self._writing is None:
            self._writing = ThreadPoolExecutor(max_workers=4, thread_name_prefix="episode-archive-stage")
        self._written.append(self._writing.submit(self._write_now, dest_uri, content))

    def _write_now(self, dest_uri: str, content: str) -> None:
        assert self._scratch is not None
        path = Path(self._scratch.name) / dest_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<!DOCTYPE html>\n<html lang="{self.language}"><head><meta charset="utf-8"></head>'
                        f"<body>{content}</body></html>\n", encoding="utf-8")

    def start(self, site_dir: Path, language: str, cache: ArchiveCache | None) -> None:
        """Index the staged contents in a Pagefind process (or take the cached bundle made from them)."""
        self._written_all()
        self._started_at = time.perf_counter()
        self.started = True
        names = sorted(self.contents)
        self.bundle_digest = digest(*_how_pagefind_runs(True, self.part_mb), language,
                                    *(part for name in names for part in (name, self.contents[name])))
        if _reuse_bundle(site_dir, cache, self.bundle_digest):
            self.reused = True
            return
        if self._scratch is None:  # not prepared before conversion (the pages are staged at on_env)
            self.prepare(language)
        assert self._scratch is not None
        root = Path(self._scratch.name)
        for name in names:
            if not (root / name).is_file():  # not written yet (by the workers that converted it)
                self.write(name, self.contents[name])
        self._written_all()
        bundle = site_dir / BUNDLE_DIR
        parts = plan_parts({name: (_sort_date(content), len(content)) for name, content in self.contents.items()},
                           self.part_mb)
        runs = [(root, bundle)]
        if len(parts) > 1:  # each part's pages move to a folder of their own (renaming within the scratch;
            runs = []       # MkDocs publishes no path that starts with a dot, so no page is in the way)
            for index, part in enumerate(parts):
                for name in part:
                    target = root / f".part-{index}" / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(root / name, target)
                runs.append((root / f".part-{index}", bundle / part_folder(index)))
        self._runs = PagefindRuns(bundle, runs, restrict=True)
        self._runs.start()

    def check(self, dest_uri: str, output: str) -> None:
        """One written page: does it hold exactly what was staged for it?"""
        if self.mismatch:
            return
        content = self.contents.get(dest_uri)
        if content is None:
            if INDEXED in output:
                self.mismatch = f"{dest_uri} carries {INDEXED} outside its page content"
            return
        found = _HTML_LANG.search(output, 0, 4000)
        if content not in output or output.count(INDEXED) != content.count(INDEXED):
            self.mismatch = f"the indexed part of {dest_uri} changed after it was rendered"
        elif (found.group(1) if found else "") != self.language:
            self.mismatch = f"{dest_uri} is in language {found.group(1) if found else 'unset'!r}, not {self.language!r}"
        else:
            self.checked.add(dest_uri)

    def finish(self, site_dir: Path, cache: ArchiveCache | None) -> None:
        """Wait for Pagefind; index the built site instead if any page did not match what was staged."""
        try:
            if not self.mismatch and self.checked != set(self.contents):
                self.mismatch = f"{len(set(self.contents) - self.checked)} indexed page(s) were not written"
            if self.mismatch:
                self.stop()
                log.info("episode-archive: indexing the built site for search (%s)", self.mismatch)
                run_pagefind(site_dir, cache, part_mb=self.part_mb)
                return
            if self.reused:
                log.info("episode-archive: search index unchanged (no indexed page changed), reused")
                return
            assert self._runs is not None
            self._runs.wait()
            _keep_bundle(site_dir, cache, self.bundle_digest)
            log.info("episode-archive: search index built with Pagefind in %.2f s%s, while MkDocs wrote the pages",
                     time.perf_counter() - self._started_at, self._runs.described())
        finally:
            self.stop()

    def _written_all(self) -> None:
        """Wait for the staged files (a failed write raises here) and end the writing threads."""
        if self._writing is not None:
            self._writing.shutdown(wait=True)
            self._writing = None
        written, self._written = self._written, []
        for write in written:
            write.result()

    def stop(self) -> None:
        if self._writing is not None:
            self._writing.shutdown(wait=True, cancel_futures=True)
            self._writing, self._written = None, []
        if self._runs is not None:
            self._runs.stop()
            self._runs = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


def _indexed_site_pages(site_dir: Path, restrict: bool, part_mb: float,
                        digested: bool = True) -> tuple[dict[str, tuple[str, int]], str | None]:
    """The pages Pagefind indexes in a built site (path → (sort date, size)), and (when `digested`, else
    None) the digest of what its bundle is made from: how it is run, and the HTML files it indexes.

    Once any page carries `data-pagefind-body`, Pagefind indexes those pages only, so the other pages
    count by name alone (a hand-written page can change without a new index); without any, every page.
    """
    pages = []  # (name, carries data-pagefind-body, digest of the bytes): one file in memory at a time
    indexed: dict[str, tuple[str, int]] = {}
    for path in sorted(site_dir.rglob("*.html")):
        relative = path.relative_to(site_dir)
        if relative.parts[0] != BUNDLE_DIR:
            data = path.read_bytes()
            body = INDEXED.encode() in data
            pages.append((relative.as_posix(), body, digest(data) if digested else ""))
            if body:
                found = _SORT_DATE_BYTES.search(data)
                indexed[relative.as_posix()] = (found.group(1).decode(errors="replace") if found else "", len(data))
    if not digested:
        return indexed, None
    any_body = any(body for _name, body, _digest in pages)
    parts: list[bytes | str] = _how_pagefind_runs(restrict, part_mb)
    for name, body, page_digest in pages:
        parts += [name, page_digest if body or not any_body else ""]
    return indexed, digest(*parts)


def _how_pagefind_runs(restrict: bool, part_mb: float) -> list[bytes | str]:
    """The start of a bundle's digest: Pagefind's version and the options it runs with."""
    try:
        version = importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return [version, repr((EXCLUDE_SELECTORS, restrict and ROOT_SELECTOR, BUNDLE_DIR, part_mb))]


def _sort_date(content: str) -> str:
    found = _SORT_DATE.search(content)
    return found.group(1) if found else ""


def _stop(process: subprocess.Popen[str] | None) -> None:
    """End an unfinished Pagefind run or merge (a newer build, or the build failed)."""
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait()


class BackgroundPagefind:
    """`mkdocs serve`: Pagefind indexes the site after each build without holding up the reload.

    At 1,000 episodes indexing takes about as long as MkDocs' rendering; while writing, search shows
    no results and the pages are already up to date. A newer build stops an unfinished run.
    """

    def __init__(self) -> None:
        self._runs: PagefindRuns | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, site_dir: Path, restrict: bool = True, part_mb: float = PART_MB) -> None:
        self.stop()
        stopped = self._stopped = threading.Event()
        started = time.perf_counter()

        def index() -> None:
            try:
                pages, _digest = _indexed_site_pages(site_dir, restrict, part_mb, digested=False)
            except OSError as error:  # the site went away: a newer build, or the server stopped
                if not stopped.is_set():
                    log.error("episode-archive: the site could not be read for search: %s", error)
                return
            with self._lock:
                if stopped.is_set():
                    return
                runs = self._runs = PagefindRuns.of_site(site_dir, pages, restrict, part_mb)
                runs.start()
            try:
                runs.wait()
            except RuntimeError as error:
                if not runs.stopped:  # not stopped by a newer build
                    log.error("episode-archive: %s", error)
                return
            if not runs.stopped:
                log.info("episode-archive: search index built with Pagefind in the background in %.2f s%s",
                         time.perf_counter() - started, runs.described())

        self._thread = threading.Thread(target=index, name="episode-archive-pagefind-background", daemon=True)
        self._thread.start()
        log.info("episode-archive: indexing for search in the background (search is back in a few seconds)")

    def stop(self) -> None:
        """End the indexing, and its threads: the next build forks its workers only without them."""
        with self._lock:
            self._stopped.set()
            runs, self._runs = self._runs, None
        if runs is not None:
            runs.stop()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

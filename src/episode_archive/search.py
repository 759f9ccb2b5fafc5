"""Full-text search with Pagefind: index markup for pages, and the indexing run after a build.

Pagefind splits its index into chunks that a reader's browser loads per query, so search stays
small at thousands of episodes (Material's own index is the whole text of every page in one file).
Only pages that carry `data-pagefind-body` are indexed: episodes, speakers and topics. Filters
(speaker, topic, show, year, kind) and a date sort key ride along as hidden elements.
"""

from __future__ import annotations

import importlib.metadata
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

from .cache import ArchiveCache, code_digest, digest
from .model import Episode, Person, Topic
from .render.markup import escape_html

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

SEARCH_PAGE = "search/index.md"
BUNDLE_DIR = "pagefind"
# Permalink anchors, tag chips, the byline, the player and related talks are not the transcript.
EXCLUDE_SELECTORS = ".headerlink, .md-tags, .ea-meta, .ea-related, audio"


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


def _pagefind_command(site_dir: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", BUNDLE_DIR,
            "--exclude-selectors", EXCLUDE_SELECTORS, "--silent"]


def bundle_cache_key() -> str:
    """The cache entry holding the last bundle and the digest of the HTML it was built from (for this
    code, as every entry: the bundle would be valid anyway, but the cache's promise stays simple)."""
    return "pagefind-bundle-" + code_digest()


def run_pagefind(site_dir: Path, cache: ArchiveCache | None = None) -> None:
    """Index the built site; the bundle lands in site/pagefind/.

    Pagefind reads nothing but the site's HTML files: when the pages it indexes are byte for byte those
    of the build that made the cached bundle (a rebuild after editing a hand-written page, or after no
    change), that bundle is written back instead, which takes a fraction of a second instead of
    Pagefind's 10 s at 1,000 episodes.
    """
    started = time.perf_counter()
    html_digest = _site_html_digest(site_dir) if cache is not None else None
    stored = cache.get(bundle_cache_key()) if cache is not None else None
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == html_digest:
        for relative, data in stored[1].items():
            target = site_dir / BUNDLE_DIR / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        log.info("episode-archive: search index unchanged (no indexed page changed), reused in %.2f s",
                 time.perf_counter() - started)
        return
    result = subprocess.run(_pagefind_command(site_dir), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pagefind failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    if cache is not None:
        bundle = site_dir / BUNDLE_DIR
        cache.put(bundle_cache_key(), (html_digest, {path.relative_to(bundle).as_posix(): path.read_bytes()
                                                   for path in sorted(bundle.rglob("*")) if path.is_file()}))
    log.info("episode-archive: search index built with Pagefind in %.2f s", time.perf_counter() - started)


def _site_html_digest(site_dir: Path) -> str:
    """What Pagefind's bundle is made from: how it is run, and the HTML files it indexes.

    Once any page carries `data-pagefind-body`, Pagefind indexes those pages only, so the other pages
    count by name alone (a hand-written page can change without a new index); without any, every page.
    """
    pages = []  # (name, carries data-pagefind-body, digest of the bytes): one file in memory at a time
    for path in sorted(site_dir.rglob("*.html")):
        relative = path.relative_to(site_dir)
        if relative.parts[0] != BUNDLE_DIR:
            data = path.read_bytes()
            pages.append((relative.as_posix(), b"data-pagefind-body" in data, digest(data)))
    any_body = any(body for _name, body, _digest in pages)
    parts: list[bytes | str] = [_pagefind_version(), repr((EXCLUDE_SELECTORS, BUNDLE_DIR))]
    for name, body, page_digest in pages:
        parts += [name, page_digest if body or not any_body else ""]
    return digest(*parts)


def _pagefind_version() -> str:
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class BackgroundPagefind:
    """`mkdocs serve`: Pagefind indexes the site after each build without holding up the reload.

    At 1,000 episodes indexing takes about as long as MkDocs' rendering; while writing, search shows
    no results and the pages are already up to date. A newer build stops an unfinished run.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def start(self, site_dir: Path) -> None:
        self.stop()
        started = time.perf_counter()
        process = subprocess.Popen(_pagefind_command(site_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        self._process = process

        def report() -> None:
            output, _ = process.communicate()
            if process.returncode == 0:
                log.info("episode-archive: search index built with Pagefind in the background in %.2f s",
                         time.perf_counter() - started)
            elif process.returncode > 0:  # not stopped by a newer build
                log.error("episode-archive: Pagefind failed (%d): %s", process.returncode, output.strip())

        threading.Thread(target=report, daemon=True).start()
        log.info("episode-archive: indexing for search in the background (search is back in a few seconds)")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait()
        self._process = None

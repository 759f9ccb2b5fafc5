"""The plugin's pages converted from Markdown to HTML across cores, before MkDocs' own pass.

MkDocs converts every page on one core, after the navigation is built (`_populate_page`). Nearly all
of an archive's pages are the plugin's own (episodes, speakers, topics), so `convert_pages` converts
those in forked worker processes first, with MkDocs' own `Page.render`: the same extensions, link
rewriting, table of contents and anchors. The plugin then hands MkDocs an empty body for each page
whose Markdown reached the end of `on_page_markdown` unchanged, and puts back the HTML, the table of
contents and the anchors in `on_page_content`. A page another plugin changed is converted by MkDocs
as usual.

Knowing the pages' HTML this early is also what lets Pagefind index them while MkDocs writes the site.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents
from mkdocs.utils import meta

from .cache import ArchiveCache, BuildMemo, code_digest, digest, file_bytes, installed_digest
from .parallel import PARALLEL_FROM, LogMessage, captured_mkdocs_log, log_again, parallel_map

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


@dataclass
class ConvertedPage:
    markdown_digest: str
    """The digest of the Markdown that was converted (the file's, without front matter), to compare with
    what MkDocs is about to convert (not the Markdown: a copy of every page's would come back from the
    workers)."""
    content: str
    """The HTML, finished by the plugin's `finish` (as its on_page_content would)."""
    toc: TableOfContents
    present_anchor_ids: set[str]
    links_to_anchors: dict[str, dict[str, str]] | None
    """As `Page.links_to_anchors`, keyed by the linked file's src_uri (Files do not cross processes)."""
    messages: list[LogMessage]
    """What MkDocs logged while converting (a link to a missing page), to log again in the build's
    process, where `--strict` counts warnings."""
    unfinished: str | None = None
    """The HTML before `finish`, when asked for (`convert_remembered` keeps it for the next build)."""

    def restore(self, page: Page, files: Files) -> str:
        """Give `page` what MkDocs' conversion would have given it; return the HTML."""
        log_again(self.messages)
        page.toc = self.toc
        page.present_anchor_ids = self.present_anchor_ids
        if self.links_to_anchors is not None:
            linked = {files.get_file_from_path(src): links for src, links in self.links_to_anchors.items()}
            page.links_to_anchors = {file: links for file, links in linked.items() if file is not None}
        return self.content


CONVERT_IN_WORKERS_FROM = PARALLEL_FROM
"""Fewer pages than this are converted here: starting workers would cost more."""

_job: tuple[MkDocsConfig, Files, dict[str, Page], Callable[[str, str], str], bool] | None = None
"""What the forked workers convert: set before forking, read in the workers."""


def _convert(src_uri: str) -> ConvertedPage:
    assert _job is not None
    config, files, pages, finish, keep_unfinished = _job
    page = pages[src_uri]
    try:
        # Nothing printed or counted here: `restore` logs it in the build.
        with captured_mkdocs_log() as messages:
            page.markdown, _meta = meta.get_data(page.file.content_string)
            page.render(config, files)
            content = finish(src_uri, page.content or "")
        links = page.links_to_anchors
        return ConvertedPage(
            digest(page.markdown), content, page.toc, page.present_anchor_ids or set(),
            None if links is None else {file.src_uri: dict(found) for file, found in links.items()}, messages,
            (page.content or "") if keep_unfinished else None)
    finally:
        # Without workers this was MkDocs' own page: leave it as MkDocs expects to find it.
        page.markdown, page.content, page.toc, page.present_anchor_ids = None, None, [], None  # type: ignore[assignment]
        page.links_to_anchors = None


def convert_pages(files_to_convert: list[File], config: MkDocsConfig, files: Files,
                  finish: Callable[[str, str], str], in_workers: bool = True,
                  keep_unfinished: bool = False) -> dict[str, ConvertedPage]:
    """Each file's page converted, then `finish(src_uri, html)`ed, by src_uri (in forked workers when
    `parallel_map` can and `in_workers`; with `keep_unfinished`, the HTML before `finish` too)."""
    global _job
    pages = {}
    for file in files_to_convert:
        # As MkDocs makes pages outside the navigation when it reads them: one Page per file.
        pages[file.src_uri] = file.page if file.page is not None else Page(None, file, config)
    _job = (config, files, pages, finish, keep_unfinished)
    try:
        names = sorted(pages)
        parallel_from = CONVERT_IN_WORKERS_FROM if in_workers else len(names) + 1
        return dict(zip(names, parallel_map(_convert, names, parallel_from=parallel_from), strict=True))
    finally:
        _job = None


def converted_pages_key() -> str:
    """The cache entry holding the last build's conversions (`convert_remembered`), for the next build."""
    return "converted-pages-" + code_digest()


def cached_conversions(cache: ArchiveCache) -> dict[str, Any]:
    """The last build's conversions, as `convert_remembered` made them, or none. A build writes them as
    soon as it has converted its pages: other plugins may still change a page's table of contents."""
    stored = cache.get(converted_pages_key())
    return stored if isinstance(stored, dict) else {}


def conversion_digest(config: MkDocsConfig, config_file_digest: str) -> str:
    """What MkDocs' conversion of a page depends on besides its Markdown and the site's files: the
    settings (`config_file_digest`, of mkdocs.yml, and the Markdown extensions as plugins and hooks left
    them), the installed libraries, and the source of hooks and of any Markdown extension that is a
    module of the project's own rather than an installed library."""
    # Settings may hold functions (a `slugify`), whose repr names an address that differs every run.
    settings = re.sub(r" at 0x[0-9a-fA-F]+", "", repr((config.markdown_extensions, config.mdx_configs)))
    sources = [file_bytes(Path(module.__file__)) for module in (config.hooks or {}).values()
               if getattr(module, "__file__", None)]
    for extension in config.markdown_extensions:
        name = extension if isinstance(extension, str) else type(extension).__module__
        try:
            spec = importlib.util.find_spec(name.partition(":")[0])
        except (ImportError, ValueError):
            spec = None
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        if origin is not None and not {"site-packages", "dist-packages"} & set(origin.parts):
            sources.append(file_bytes(origin))  # none for a built-in module: versions stand for it
    return digest(config_file_digest, settings, installed_digest(), *sources)


def convert_remembered(files_to_convert: list[File], config: MkDocsConfig, files: Files,
                       finish: Callable[[str, str], str], memo: BuildMemo, token: str,
                       config_digest: str, in_workers: bool = False) -> dict[str, ConvertedPage]:
    """As `convert_pages`, remembering: a page whose Markdown, the site's settings and software
    (`config_digest`) and the site's files and URLs (which its links resolve to) are what they were when
    an earlier build converted it is taken from `memo` (the last build's in `mkdocs serve`; the cache's
    otherwise). Only MkDocs' conversion is remembered: `finish` runs on every page. `token` is the build's
    placeholder token (bodies.PrerenderedBodies), new in every build: what is remembered is split at it.
    The rest is converted here, or in workers with `in_workers` (never from `mkdocs serve`'s threads)."""
    started = time.perf_counter()
    layout = digest(config_digest, *(f"{file.src_uri}\0{file.url}" for file in files))
    converted: dict[str, ConvertedPage] = {}
    keys: dict[str, str] = {}
    missing: list[File] = []
    remembered: list[tuple[File, str, Any]] = []
    for file in files_to_convert:
        markdown, _meta = meta.get_data(file.content_string)
        key = digest("converted", layout, file.src_uri, *markdown.split(token))
        made = memo.get(key)
        if made is None:
            keys[file.src_uri] = key
            missing.append(file)
        else:
            remembered.append((file, markdown, made))
    # Converted first: `finish` may start threads here (search.StagedSearchIndex), and workers are
    # forked only while this process has no other thread.
    for src, page in convert_pages(missing, config, files, finish, in_workers, keep_unfinished=True).items():
        assert page.unfinished is not None
        memo.put(keys[src], (page.unfinished.split(token), page.toc, page.present_anchor_ids,
                             page.links_to_anchors, page.messages))
        page.unfinished = None
        converted[src] = page
    for file, markdown, (pieces, toc, anchors, links, messages) in remembered:
        converted[file.src_uri] = ConvertedPage(digest(markdown), finish(file.src_uri, token.join(pieces)), toc,
                                                set(anchors), links, list(messages))
    log.info("episode-archive: converted %d pages to HTML in %.2f s (%d more as the last build converted them)",
             len(missing), time.perf_counter() - started, len(files_to_convert) - len(missing))
    return converted

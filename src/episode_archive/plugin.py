"""The MkDocs plugin: glue only. Reads the archive, hands MkDocs virtual pages, fills home markers.

Nothing is written into docs/: every page is a `File.generated` virtual file. Episode, speaker and
topic pages are kept out of the navigation (`NOT_IN_NAV`) so that each page's HTML does not grow
with the archive; readers reach them through the index pages.
"""

from __future__ import annotations

import html as htmllib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, Environment, TemplateNotFound
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.pages import Page

from .archive import load_archive
from .cache import ArchiveCache, BuildMemo, cache_for, digest, file_bytes
from .model import Archive, Episode
from .options import Options
from .pageconvert import (
    ConvertedPage,
    cached_conversions,
    conversion_digest,
    convert_pages,
    convert_remembered,
    converted_pages_key,
)
from .parallel import return_freed_memory
from .publish import Published, publish, site_feed_links
from .render import HOME_MARKERS, expand_markers
from .render.pages import (
    APPEARANCES,
    EPISODES_INDEX,
    SPEAKERS_INDEX,
    TOPICS_INDEX,
    PrerenderedBodies,
    archive_pages,
    episode_pages,
    episode_src,
    topic_src,
)
from .render.shows import SHOWS_INDEX
from .sanitize import sanitize_html
from .search import (
    SEARCH_PAGE,
    BackgroundPagefind,
    StagedSearchIndex,
    bundle_cache_key,
    episode_index_markup,
    person_index_markup,
    run_pagefind,
    search_page,
    topic_index_markup,
)
from .slugs import make_slug
from .stylesheet import SCRIPT, SCRIPT_PATH, SEARCH_SCRIPT, SEARCH_SCRIPT_PATH, STYLESHEET, STYLESHEET_PATH

log = logging.getLogger(f"mkdocs.plugins.{__name__}")
DIRTY_SERVE_FROM = 200
"""Archives from this size hear about `mkdocs serve --dirty` when served without it."""
_IN_NAV = {EPISODES_INDEX, SPEAKERS_INDEX, TOPICS_INDEX, APPEARANCES, SHOWS_INDEX}


@dataclass(frozen=True)
class TopicChip:
    """What Material's tags partial reads from each entry of the `tags` context variable."""

    name: str
    url: str
    hidden: bool = False


SEARCH_BOX_TEMPLATE = "partials/episode-archive-search.html"
SEARCH_BOX = """{% if episode_archive_search_url and "material/search" not in config.plugins %}
<form class="ea-header-search" action="{{ episode_archive_search_url | url }}" method="get" role="search">
  <input class="ea-header-search__input" type="search" name="q" placeholder="Search"
         aria-label="Search the transcripts" autocomplete="off">
</form>
{% endif %}"""
_MATERIAL_SEARCH = '{% if "material/search" in config.plugins %}'


def with_search_box(header: str) -> str | None:
    """Material's header with our search form where its own search would be; None if that moved."""
    if _MATERIAL_SEARCH not in header:
        return None
    return header.replace(_MATERIAL_SEARCH, '{% include "' + SEARCH_BOX_TEMPLATE + '" %}' + _MATERIAL_SEARCH, 1)


class GeneratedPage(File):
    """A generated page that `mkdocs serve --dirty` renders again only when it changed since the last build.

    MkDocs re-renders every generated file in a dirty build (it has no file time to compare); an
    archive of 1,000 episodes would then cost a full render per edit. The plugin lives through a
    serve session, so it remembers what each page was built from: its Markdown, transcript HTML, head
    snippet and the config.
    """

    unchanged = False

    def is_modified(self) -> bool:
        return not (self.unchanged and os.path.isfile(self.abs_dest_path))


RETURN_MEMORY_EVERY_PAGES = 100


def _written_now(config: MkDocsConfig, src_uri: str, content: str) -> File:
    """A generated file MkDocs copies rather than renders (a download, a feed, the stylesheet), written to
    the site now, with the written copy as its source (which MkDocs then leaves where it is).

    MkDocs would hold the text until it copies static files, after every page is read: at 1,000 episodes,
    over 100 MB of transcript downloads that the forked workers converting pages would share.
    """
    written = File.generated(config, src_uri, content=content)
    set_exclusions([written], config)
    if not written.inclusion.is_included():  # `exclude_docs` or `draft_docs` name it: MkDocs' to leave out
        return written
    written.copy_file()
    return File.generated(config, src_uri, abs_src_path=written.abs_dest_path, inclusion=written.inclusion)


class EpisodeArchiveConfig(Config):
    episodes_dir = c.Type(str, default=Options.episodes_dir)
    """Folder with the transcripts, relative to mkdocs.yml."""
    people_file = c.Type(str, default=Options.people_file)
    """The people registry, relative to the episodes folder."""
    latest_count = c.Type(int, default=Options.latest_count)
    """How many episodes `<!-- episode-archive:latest -->` lists."""
    chart_speakers = c.Type(int, default=Options.chart_speakers)
    """Rows in the appearances chart (the most frequent speakers)."""
    related_count = c.Type(int, default=Options.related_count)
    """At most this many related talks per episode."""
    passage_links = c.Type(bool, default=Options.passage_links)
    """'Discussed elsewhere' links from a passage to the most similar passage of another episode."""
    topics_per_episode = c.Type(int, default=Options.topics_per_episode)
    """Topics extracted for an episode whose metadata gives none."""
    cache = c.Type(bool, default=Options.cache)
    """Keep read and extracted episodes between builds (content-addressed, so never stale)."""
    cache_dir = c.Optional(c.Type(str))
    """Where the cache lives, relative to mkdocs.yml; by default in the user's cache folder."""
    downloads = c.Type(bool, default=Options.downloads)
    """Publish each transcript for download (original, plain text, WebVTT/SRT/JSON for timed ones)."""
    search = c.Choice(("pagefind", "material"), default=Options.search)
    """`pagefind` (scales to thousands of episodes) or `material` (Material's search plugin)."""
    search_part_mb = c.Type((int, float), default=Options.search_part_mb)
    """Pagefind indexes the pages in parts of about this many MB of content, one after another; 0: one."""


def options_from(config: EpisodeArchiveConfig, mkdocs_config: MkDocsConfig) -> Options:
    return Options(
        episodes_dir=config.episodes_dir,
        people_file=config.people_file,
        latest_count=config.latest_count,
        chart_speakers=config.chart_speakers,
        related_count=config.related_count,
        passage_links=config.passage_links,
        topics_per_episode=config.topics_per_episode,
        cache=config.cache,
        cache_dir=config.cache_dir,
        downloads=config.downloads,
        search=config.search,
        search_part_mb=float(config.search_part_mb),
        feeds=bool(mkdocs_config.site_url),
        use_directory_urls=mkdocs_config.use_directory_urls,
    )


def _site_language(config: MkDocsConfig) -> str:
    """The `lang` of the theme's pages: Material's `language`, MkDocs' own theme's `locale`."""
    return str(config.theme.get("language") or config.theme.get("locale") or "en")


class EpisodeArchivePlugin(BasePlugin[EpisodeArchiveConfig]):
    def __init__(self) -> None:
        self.options = Options()
        self.episodes_dir = Path(Options.episodes_dir)
        self.archive: Archive | None = None
        self.archive_pages: dict[str, Episode] = {}
        self.files: Files | None = None
        self.published = Published()
        self.cache: ArchiveCache | None = None
        self.bodies = PrerenderedBodies()
        self.background_search: BackgroundPagefind | None = None
        self.converted: dict[str, ConvertedPage] = {}
        """Generated pages converted to HTML in on_nav, by src_uri, until MkDocs reaches them."""
        self.handed_empty: set[str] = set()
        self.filled = 0
        """Generated pages MkDocs has converted (or taken converted) in this build."""
        self.staged_search: StagedSearchIndex | None = None
        self.dirty = False
        self.suggest_dirty = False
        self.memo = BuildMemo()
        """What the last build read and made (episodes, their pages and downloads), for the next build
        of `mkdocs serve`."""
        self.built_from: dict[str, str] = {}
        """Page source → digest of what its last successful build was made from (serve --dirty)."""
        self.building_from: dict[str, str] = {}
        self.config_digest = ""

    @property
    def _serve_memo(self) -> BuildMemo | None:
        """The memo, while `mkdocs serve` builds again in one process (what one build read and made, the
        next takes from memory); none for a single build."""
        return self.memo if self.background_search is not None else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.options = options_from(self.config, config)
        project_dir = Path(config.config_file_path or ".").resolve().parent
        self.episodes_dir = project_dir / self.options.episodes_dir
        self.cache = cache_for(project_dir, self.options.cache, self.options.cache_dir, self._serve_memo)
        if STYLESHEET_PATH not in config.extra_css:
            config.extra_css.append(STYLESHEET_PATH)
        if SCRIPT_PATH not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(SCRIPT_PATH)
        # Paragraph anchors are attribute lists; page sections are Markdown inside <div>s.
        for extension in ("attr_list", "md_in_html"):
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        if self.options.search == "pagefind" and "material/search" in config.plugins:
            log.info("episode-archive: Pagefind search is on; remove `- search` from plugins to skip "
                     "Material's full-text index, which every reader would download")
        return config

    def _search_box(self, env: Environment) -> Environment:
        if self.options.search == "pagefind":
            try:
                header, _, _ = env.loader.get_source(env, "partials/header.html")
            except TemplateNotFound:  # not Material
                header = ""
            patched = with_search_box(header)
            if patched is None:
                log.warning("episode-archive: the theme's header (Material's partials/header.html) has no place "
                            "for the search box; the search page is still at search/")
            else:
                env.loader = ChoiceLoader([DictLoader({"partials/header.html": patched,
                                                       SEARCH_BOX_TEMPLATE: SEARCH_BOX}), env.loader])
                env.globals["episode_archive_search_url"] = self.files.get_file_from_path(SEARCH_PAGE).url
        return env

    @event_priority(100)  # before other plugins read the page: they see the whole page, not placeholders
    def _fill_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.archive is None or not page.file.generated_by:
            return html
        src = page.file.src_uri
        converted = self.converted.pop(src, None)
        if src in self.handed_empty:
            # Converted in on_nav; MkDocs converted an empty body in its place.
            self.handed_empty.discard(src)
            assert converted is not None
            html = converted.restore(page, files)
        else:
            html = self._page_html(src, html)
        self.bodies.done(src)
        self.filled += 1
        if self.filled % RETURN_MEMORY_EVERY_PAGES == 0:
            return_freed_memory()  # what the finished pages' conversions and transcript bodies held
        return html

    def _finish_converted(self, src: str, html: str) -> str:
        """In the workers: the page as `_fill_page_content` makes it, staged for search."""
        html = self._page_html(src, html)
        if self.staged_search is not None and self.files is not None:
            self.staged_search.write(self.files.get_file_from_path(src).dest_uri, html)
        return html

    def _page_html(self, src: str, html: str) -> str:
        """Sanitise episode pages (curated Markdown may hold raw HTML), add the transcript paragraphs and
        lists of episodes rendered in on_files (escaped by construction, so after sanitising), mark pages
        for Pagefind."""
        html = self.bodies.fill(src, sanitize_html(html) if src in self.archive_pages else html)
        if self.options.search != "pagefind":
            return html
        if src in self.archive_pages:
            return episode_index_markup(html, self.archive_pages[src])
        kind, _, slug = src.removesuffix(".md").partition("/")
        if kind == "speakers" and slug in self.archive.people:
            return person_index_markup(html, self.archive.people[slug])
        if kind == "topics" and slug in self.archive.topics:
            return topic_index_markup(html, self.archive.topics[slug])
        return html

    @event_priority(-100)  # the content as every plugin left it
    def _stage_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.staged_search is not None:
            self.staged_search.add(page.file.dest_uri, html)
        return html

    on_page_content = CombinedEvent(_fill_page_content, _stage_page_content)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Plugins of `mkdocs serve` live for the whole session; its builds index search in the background.
        self.background_search = BackgroundPagefind() if command == "serve" else None
        self.suggest_dirty = command == "serve" and not dirty
        self.dirty = dirty

    def on_pre_build(self, config: MkDocsConfig) -> None:
        # MkDocs empties the site folder next: the previous build's indexing is out of date anyway.
        if self.background_search is not None:
            self.background_search.stop()
        # A dirty build converts only changed pages, so only a full build knows every page's content early.
        staged = self.options.search == "pagefind" and not self.dirty and self.background_search is None
        self.staged_search = StagedSearchIndex(self.options.search_part_mb) if staged else None

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        if self.staged_search is not None and not self.staged_search.started:
            # Every page's content is converted; MkDocs writes the pages next.
            self.staged_search.start(Path(config.site_dir), _site_language(config), self.cache)
        return self._search_box(env)

    def on_build_error(self, *, error: Exception) -> None:
        if self.staged_search is not None:
            self.staged_search.stop()
        self.converted, self.handed_empty = {}, set()

    def on_shutdown(self) -> None:
        if self.background_search is not None:
            self.background_search.stop()
        self.background_search = None
        self.suggest_dirty = False
        self.dirty = False
        self.built_from = {}
        self.memo = BuildMemo()

    def on_post_build(self, config: MkDocsConfig) -> None:
        self.built_from = self.building_from
        if self.options.search == "pagefind":
            try:
                # The archive's pages are indexed; without any, Pagefind indexes every page.
                restrict = self.archive is not None and bool(self.archive.episodes)
                if self.background_search is not None:
                    self.background_search.start(Path(config.site_dir), restrict, self.options.search_part_mb)
                elif self.staged_search is not None:
                    self.staged_search.finish(Path(config.site_dir), self.cache)
                else:
                    run_pagefind(Path(config.site_dir), self.cache, restrict, self.options.search_part_mb)
            except (OSError, RuntimeError) as error:
                raise PluginError(f"episode-archive: building the search index failed: {error}") from None

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.cache is not None:
            # Read after the pages are made, when what this build did not use is pruned.
            self.cache.keep(bundle_cache_key())
            self.cache.keep(converted_pages_key())
        self.converted, self.handed_empty, self.filled = {}, set(), 0
        self.memo.next_build()
        self.bodies = PrerenderedBodies.keeping_token(self.cache, config.use_directory_urls)
        pages: dict[str, str] = {}
        rendering = 0.0

        def meanwhile(archive: Archive) -> None:
            # While related talks and passage links are found: what reads neither (beside their children).
            nonlocal rendering
            started = time.perf_counter()
            pages.update(archive_pages(archive, self.options, self.bodies, self.cache))
            self.published = publish(archive, self.options, self.episodes_dir, config.site_url, config.site_name,
                                     self.cache)
            rendering += time.perf_counter() - started

        archive, problems = load_archive(self.episodes_dir, self.options, self.cache, meanwhile=meanwhile)
        if problems:
            root = self.episodes_dir.parent
            listing = "\n".join(problem.format(root) for problem in problems)
            raise PluginError(f"episode-archive found {len(problems)} problem(s); fix them (or run "
                              f"`episode-archive check`) and build again:\n{listing}")
        for warning in archive.warnings:
            log.warning(warning.format(self.episodes_dir.parent))
        started = time.perf_counter()
        pages.update(episode_pages(archive, self.options, self.bodies, self.cache))
        if self.cache is not None:
            self.cache.prune()
        pages[STYLESHEET_PATH] = STYLESHEET
        pages[SCRIPT_PATH] = SCRIPT
        if self.options.search == "pagefind":
            pages[SEARCH_PAGE] = search_page("../")
            pages[SEARCH_SCRIPT_PATH] = SEARCH_SCRIPT
        if not config.site_url:
            log.info("episode-archive: set site_url in mkdocs.yml to publish feeds and JSON-LD")
        generated = {**pages, **self.published.files}
        for src_uri in [*generated, *self.published.copies]:
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(
                    f"docs/{src_uri} is a hand-written page where episode-archive generates one; "
                    "rename or move it (the plugin never replaces your pages)")
        # A changed mkdocs.yml (theme, nav, extensions) may change every page.
        self.config_digest = config_digest = digest(
            file_bytes(Path(config.config_file_path)) if config.config_file_path else None)
        self.building_from = {}
        for src_uri, content in generated.items():
            if not src_uri.endswith(".md"):
                files.append(_written_now(config, src_uri, content))
                continue
            inclusion = InclusionLevel.UNDEFINED if src_uri in _IN_NAV else InclusionLevel.NOT_IN_NAV
            file = GeneratedPage.generated(config, src_uri, content=content, inclusion=inclusion)
            # Only `mkdocs serve --dirty` builds again in one process and skips what did not change
            # (MkDocs asks `is_modified` in dirty builds only). The placeholders' token is new in every
            # build; what the page shows is not.
            made_from = "" if self.background_search is None or not self.dirty else digest(
                config_digest, content.replace(self.bodies.token, ""), *self.bodies.chunks.get(src_uri, ()),
                self.published.head.get(src_uri))
            self.building_from[src_uri] = made_from
            file.unchanged = bool(made_from) and self.built_from.get(src_uri) == made_from
            files.append(file)
        for src_uri, source in self.published.copies.items():
            files.append(File.generated(config, src_uri, abs_src_path=str(source)))
        generated.clear()
        self.published = Published(head=self.published.head)  # the texts are written
        self._point_edit_links(files, archive, config)
        for file in files.documentation_pages():
            # `mkdocs serve --dirty` renders a hand-written page only when its file changed; one with
            # markers (the home page) shows the archive, which may have changed without it.
            if not file.generated_by and any(marker in file.content_string for marker in HOME_MARKERS):
                file.is_modified = lambda: True  # type: ignore[method-assign]
        log.info("episode-archive: rendered %d pages in %.2f s", len(pages), rendering + time.perf_counter() - started)
        if self.suggest_dirty and len(archive.episodes) >= DIRTY_SERVE_FROM:
            self.suggest_dirty = False
            log.info("episode-archive: `mkdocs serve --dirty` renders again only the pages an edit changes; "
                     "with %d episodes that makes rebuilds several times faster", len(archive.episodes))
        self.archive = archive
        self.archive_pages = {episode_src(episode): episode for episode in archive.episodes}
        if not archive.episodes:
            self.staged_search = None  # no page has indexed content: Pagefind reads the whole built pages
        self.files = files
        return_freed_memory()  # reading and rendering the archive left a heap of garbage
        return files

    def _point_edit_links(self, files: Files, archive: Archive, config: MkDocsConfig) -> None:
        """Material's edit button on an episode opens its transcript under episodes/, not a generated page."""
        if not config.repo_url or not config.edit_uri:
            return
        docs_dir = Path(config.docs_dir)
        for episode in archive.episodes:
            file = files.get_file_from_path(episode_src(episode))
            if file is not None:
                file.edit_uri = Path(os.path.relpath(self.episodes_dir / episode.source, docs_dir)).as_posix()

    def _add_head_links(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Feeds, JSON-LD and Open Graph tags go in the page's <head>."""
        head = self.published.head.get(page.file.src_uri) if page.file.generated_by else None
        if page.is_homepage and self.options.feeds:
            head = (head or "") + site_feed_links(config.site_name)
        if not head:
            return output
        # Head links are written from the site root; a page's URL depth is how far up the root is.
        depth = page.url.count("/")
        prefix = "../" * depth if depth else "./"
        return output.replace("</head>", head.replace("@SITE@", prefix) + "</head>", 1)

    @event_priority(-100)  # the page as every plugin left it, as it is written
    def _check_staged_search(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if self.staged_search is not None:
            self.staged_search.check(page.file.dest_uri, output)
        return output

    on_post_page = CombinedEvent(_add_head_links, _check_staged_search)

    @event_priority(-50)  # after Material's tags plugin, whose chips would link to a tags listing
    def on_page_context(self, context: Any, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        """Episode pages show their topics as Material tag chips linking to the topic pages."""
        if self.archive is None or not page.file.generated_by:
            return context
        episode = self.archive_pages.get(page.file.src_uri)
        if episode is not None and episode.topics:
            chips = []
            for name in episode.topics:
                target = self.files.get_file_from_path(topic_src(make_slug(name))) if self.files else None
                if target is not None:
                    chips.append(TopicChip(name=htmllib.escape(name, quote=True), url=target.url))
            context["tags"] = chips
        return context

    def _escape_meta_and_expand_markers(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.archive is None:
            return markdown
        if page.file.generated_by:
            # Material prints meta values into <title>, the header and meta tags without escaping;
            # the Markdown keeps them as written (export), the theme gets them as HTML text.
            for key in ("title", "description"):
                if isinstance(page.meta.get(key), str):
                    page.meta[key] = htmllib.escape(page.meta[key], quote=True)
            if isinstance(page.meta.get("tags"), list):
                page.meta["tags"] = [htmllib.escape(str(tag), quote=True) for tag in page.meta["tags"]]
            return markdown
        return expand_markers(markdown, page.file.src_uri, self.archive, self.options)

    @event_priority(-100)  # the Markdown as every plugin left it
    def _hand_over_converted(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A page converted in on_nav from this very Markdown gets an empty body to convert instead."""
        converted = self.converted.get(page.file.src_uri)
        if converted is None or converted.markdown_digest != digest(markdown):
            return markdown
        self.handed_empty.add(page.file.src_uri)
        return ""

    on_page_markdown = CombinedEvent(_escape_meta_and_expand_markers, _hand_over_converted)

    def on_nav(self, nav: Any, config: MkDocsConfig, files: Files) -> Any:
        """Convert the generated pages to HTML on every core, and start indexing them for search.

        `mkdocs serve` converts here, in its own process (no workers forked from its threads), only the
        pages an edit changed; with `--dirty`, MkDocs converts those itself.
        """
        if self.archive is None or self.dirty:
            return nav
        ours = [file for src in self.building_from if (file := files.get_file_from_path(src)) is not None]
        if self.background_search is not None:
            # `mkdocs serve` (all pages, after an edit): what the edit left as it was, as last converted;
            # in its first build, as the last `mkdocs build` converted it.
            if not self.memo.last and self.cache is not None:
                self.memo.last.update(cached_conversions(self.cache))
            self.converted = convert_remembered(ours, config, files, self._finish_converted, self.memo,
                                                self.bodies.token, conversion_digest(config, self.config_digest))
            return nav
        language = _site_language(config)
        if self.staged_search is not None:
            self.staged_search.prepare(language)
        if self.cache is not None:
            # A page whose Markdown an edit left as it was is not converted again.
            conversions = BuildMemo()
            conversions.last = cached_conversions(self.cache)
            self.converted = convert_remembered(ours, config, files, self._finish_converted, conversions,
                                                self.bodies.token, conversion_digest(config, self.config_digest),
                                                in_workers=True)
            self.cache.put(converted_pages_key(), conversions.made)  # now: see cached_conversions
        else:
            started = time.perf_counter()
            self.converted = convert_pages(ours, config, files, self._finish_converted)
            log.info("episode-archive: converted %d pages to HTML in %.2f s", len(self.converted),
                     time.perf_counter() - started)
        if self.staged_search is not None:
            for src, converted in self.converted.items():
                self.staged_search.add(files.get_file_from_path(src).dest_uri, converted.content)
            self.staged_search.start(Path(config.site_dir), language, self.cache)
        return_freed_memory()  # converted pages arrived pickled; Pagefind now runs beside this process
        return nav

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        # `mkdocs serve` watches docs/ only; transcripts live beside it.
        if self.episodes_dir.is_dir():
            server.watch(str(self.episodes_dir))
        return server

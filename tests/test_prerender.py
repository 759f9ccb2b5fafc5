"""The plugin renders transcript paragraphs to HTML itself; readers must get what MkDocs would render."""

from __future__ import annotations

import html
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

import episode_archive.plugin as plugin_module
import episode_archive.render.pages as pages_module
from episode_archive.archive import load_archive
from episode_archive.project import load_project
from episode_archive.render.pages import PrerenderedBodies, episode_page, episode_pages, episode_src
from helpers import fork_from_two_items

ROOT = Path(__file__).resolve().parent.parent


class _Tokens(HTMLParser):
    """An HTML document as tags with sorted attributes and text with entities resolved and spaces collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tokens.append(("start", tag, tuple(sorted((k, html.unescape(v or "")) for k, v in attrs))))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            self.tokens.append(("text", text))


def _article(page: Path) -> list[tuple]:
    text = page.read_text(encoding="utf-8")
    start = text.index("<article")
    parser = _Tokens()
    parser.feed(text[start:text.index("</article>", start)])
    return parser.tokens


def _build_demo(tmp_path: Path, name: str) -> Path:
    project = tmp_path / name
    project.mkdir()
    for part in ("docs", "episodes"):
        shutil.copytree(ROOT / part, project / part)
    shutil.copyfile(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    # Material's search: the comparison is about the pages; Pagefind would only add its index.
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"), strict=True,
                         plugins=["tags", {"episode-archive": {"episodes_dir": "episodes", "search": "material",
                                                               "cache": False}}])
    build(config)
    return project / "site"


def test_prerendered_transcripts_and_lists_read_exactly_as_markdown_would_render_them(tmp_path, monkeypatch):
    fast = _build_demo(tmp_path, "fast")
    # The same build with every transcript and list of episodes handed to MkDocs as Markdown.
    episode_pages, archive_pages = plugin_module.episode_pages, plugin_module.archive_pages
    monkeypatch.setattr(plugin_module, "episode_pages", lambda archive, options, bodies=None, cache=None:
                        episode_pages(archive, options))
    monkeypatch.setattr(plugin_module, "archive_pages", lambda archive, options, bodies=None, cache=None:
                        archive_pages(archive, options))
    markdown = _build_demo(tmp_path, "markdown")

    # Speaker and topic pages and the episode index: lists of episodes, speakers and topics.
    lists = sorted(p.relative_to(fast) for folder in ("speakers", "topics")
                   for p in (fast / folder).glob("*/index.html"))
    lists.append(Path("episodes/index.html"))
    assert len(lists) >= 20
    for page in lists:
        fast_text = (fast / page).read_text(encoding="utf-8")
        assert "eabody" not in fast_text and "<li>" in fast_text, page
        assert _article(fast / page) == _article(markdown / page), page

    pages = sorted(p.relative_to(fast) for p in (fast / "episodes").glob("*/index.html"))
    assert len(pages) >= 19
    compared = 0
    for page in pages:
        fast_text = (fast / page).read_text(encoding="utf-8")
        assert "eabody" not in fast_text, page
        assert _article(fast / page) == _article(markdown / page), page
        compared += "ea-anchor" in fast_text or "ea-time" in fast_text
    # Plain, timed, speaker-labelled and passage-linked transcripts were all among them.
    assert compared >= 10
    texts = "".join((fast / page).read_text(encoding="utf-8") for page in pages)
    for feature in ('class="ea-elsewhere"', 'class="ea-speaker"', 'class="ea-time"', "<em>"):
        assert feature in texts, feature


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes are forked on Linux only")
def test_episode_pages_made_in_forked_workers_equal_those_made_in_the_build_process(monkeypatch):
    project = load_project(ROOT)
    archive, problems = load_archive(project.episodes_dir, project.options)
    assert not problems and len(archive.episodes) > 2
    here_bodies = PrerenderedBodies()
    here = {episode_src(e): episode_page(e, archive, project.options, here_bodies) for e in archive.episodes}
    here_markdown = {episode_src(e): episode_page(e, archive, project.options) for e in archive.episodes}

    pools = fork_from_two_items(monkeypatch, pages_module)
    forked_bodies = PrerenderedBodies(token=here_bodies.token)
    forked = episode_pages(archive, project.options, forked_bodies)
    assert pools == [2]
    assert forked == here
    assert forked_bodies.chunks == here_bodies.chunks
    assert any(here_bodies.chunks.values())
    assert episode_pages(archive, project.options) == here_markdown
    assert pools == [2, 2]


def test_the_placeholder_token_is_kept_in_the_cache_and_pages_from_it_keep_theirs(tmp_path):
    from episode_archive.cache import ArchiveCache, code_digest

    project = load_project(ROOT)
    assert PrerenderedBodies().token != PrerenderedBodies().token  # without a cache: new in every build
    cache = ArchiveCache(tmp_path / "cache")
    first_bodies = PrerenderedBodies.keeping_token(cache)
    archive, _ = load_archive(project.episodes_dir, project.options, cache)
    first = episode_pages(archive, project.options, first_bodies, cache)
    assert any(first_bodies.token in page for page in first.values())

    rebuild_bodies = PrerenderedBodies.keeping_token(ArchiveCache(tmp_path / "cache"))
    assert rebuild_bodies.token == first_bodies.token
    archive, _ = load_archive(project.episodes_dir, project.options, cache)
    assert episode_pages(archive, project.options, rebuild_bodies, cache) == first
    assert rebuild_bodies.chunks == first_bodies.chunks

    # A token the cache holds in any other shape is never used: it would be replaced inside page text.
    cache.put("body-token-" + code_digest(), "a")
    assert PrerenderedBodies.keeping_token(cache).token not in {"a", first_bodies.token}

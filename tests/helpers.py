"""Small helpers the tests import (pytest puts tests/ on sys.path)."""

import datetime as dt
import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import episode_archive.parallel as parallel_module
from episode_archive.model import Episode, Transcript


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_episode(slug: str, date: str, speakers, topics=(), text: str = "", show=None, hosts=()) -> Episode:
    """An episode built in memory, for stages after reading."""
    transcript = Transcript(path=Path(f"/archive/episodes/{slug}.md"), source=f"{slug}.md", format="markdown",
                            markdown_body=text)
    return Episode(slug=slug, title=slug.replace("-", " ").title(), date=dt.date.fromisoformat(date),
                   speakers=list(speakers), source=f"{slug}.md", transcript=transcript, topics=list(topics),
                   given_topics=bool(topics), show=show, hosts=list(hosts))


def fork_from_two_items(monkeypatch, stage) -> list[int]:
    """Let the stage's module (which imports PARALLEL_FROM) fork two workers from two items on, whatever
    threads pytest runs; returns the worker counts of the pools it starts, to check that it did."""
    started: list[int] = []
    real_pool = parallel_module.ProcessPoolExecutor

    def recording_pool(*args, **kwargs):
        started.append(kwargs["max_workers"])
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(parallel_module, "ProcessPoolExecutor", recording_pool)
    monkeypatch.setattr(stage, "PARALLEL_FROM", 2)
    monkeypatch.setattr(parallel_module, "workers", lambda: 2)
    monkeypatch.setattr(parallel_module.threading, "active_count", lambda: 1)
    return started


# Links in built pages (tests/test_links.py, tests/test_corpus.py).
_HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


def broken_links(site: Path) -> list[str]:
    ids: dict[Path, set[str]] = {}

    def ids_of(page: Path) -> set[str]:
        if page not in ids:
            ids[page] = {html.unescape(value) for value in _ID.findall(page.read_text(encoding="utf-8"))}
        return ids[page]

    problems = []
    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.relative_to(site).parts:
            continue
        for raw in _HREF.findall(page.read_text(encoding="utf-8")):
            href = html.unescape(raw)
            parts = urlsplit(href)
            if parts.scheme or href.startswith("/") or not href:
                continue  # other sites; 404.html links from the deployed root (site_url)
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(site)}: {href} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_of(target):
                problems.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    return problems

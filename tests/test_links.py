"""Every link in a built site leads somewhere: the file exists, and so does the anchor it points at.

MkDocs checks the links of the Markdown it converts; transcript paragraphs are rendered to HTML by the
plugin (speaker names, "Discussed elsewhere"), so the built pages are checked here instead.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.mark.parametrize("directory_urls", [True, False], ids=["directory-urls", "html-urls"])
def test_every_link_of_the_demo_site_resolves(tmp_path, directory_urls):
    project = tmp_path / "demo"
    project.mkdir()
    for part in ("docs", "episodes"):
        shutil.copytree(ROOT / part, project / part)
    shutil.copyfile(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    site = project / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True,
                      use_directory_urls=directory_urls))
    pages = list(site.rglob("*.html"))
    assert len(pages) > 40
    # Speaker names and passage links in transcripts are among the links checked.
    texts = "".join(page.read_text(encoding="utf-8") for page in (site / "episodes").rglob("*.html"))
    assert 'class="ea-elsewhere"' in texts and 'class="ea-speaker"' in texts
    problems = broken_links(site)
    assert not problems, f"{len(problems)} broken link(s):\n" + "\n".join(problems[:40])

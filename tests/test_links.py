"""Every link in a built site leads somewhere: the file exists, and so does the anchor it points at.

MkDocs checks the links of the Markdown it converts; transcript paragraphs are rendered to HTML by the
plugin (speaker names, "Discussed elsewhere"), so the built pages are checked here instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from helpers import broken_links

ROOT = Path(__file__).resolve().parent.parent
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

"""End to end: a strict MkDocs build of a tiny archive, and the plugin's promises about docs/."""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

from episode_archive.cache import default_cache_dir
from episode_archive.search import INDEXED, StagedSearchIndex, pagefind_command
from helpers import write


def build_site(project: Path, **overrides) -> Path:
    site = project / "site"
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True, **overrides)
    build(config)
    return site


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_strict_build_of_a_tiny_archive(tiny_project):
    docs_before = snapshot(tiny_project / "docs")
    episodes_before = snapshot(tiny_project / "episodes")
    site = build_site(tiny_project)

    for url in ["episodes/2024-01-05-counting-machines", "episodes/two-voices", "episodes/2025-06-30-curated",
                "episodes", "speakers", "speakers/ada-byron", "topics", "topics/computing", "appearances"]:
        assert (site / url / "index.html").is_file(), url
    page = (site / "episodes/2024-01-05-counting-machines/index.html").read_text()
    assert re.search(r"<h2[^>]*>Counting machines", page)
    assert re.search(r"<h3[^>]*>Why \*stars\* matter", page)
    assert "A line with <b>tags</b> & {{ config }} stays text." in html.unescape(page)
    assert "<b>tags</b>" not in page
    assert 'href="../../speakers/ada-byron/"' in page
    assert "Podcast Appearances" not in page

    chart = (site / "appearances/index.html").read_text()
    assert "<svg" in chart and 'href="../episodes/two-voices/"' in chart

    home = (site / "index.html").read_text()
    assert "episode-archive:latest" not in home
    assert "Two voices on looms" in home and "<strong>3</strong> episodes" in home

    # The plugin never writes into docs/ or episodes/.
    assert snapshot(tiny_project / "docs") == docs_before
    assert snapshot(tiny_project / "episodes") == episodes_before


def test_detail_pages_stay_out_of_the_navigation(tiny_project):
    site = build_site(tiny_project)
    for page, episodes_link in [("index.html", "episodes/"),
                                ("episodes/2024-01-05-counting-machines/index.html", "../")]:
        html_text = (site / page).read_text()
        nav_links = [link for link in re.findall(r'<a href="([^"]*)" class="md-nav__link', html_text)
                     if not link.startswith("#")]
        assert episodes_link in nav_links
        assert not [link for link in nav_links if "counting-machines" in link or "ada-byron" in link]


def test_a_hand_written_page_is_never_replaced(tiny_project, caplog):
    write(tiny_project / "docs/speakers/ada-byron.md", "# My own page about Ada\n")
    with pytest.raises((PluginError, Abort)):
        build_site(tiny_project)
    assert "docs/speakers/ada-byron.md is a hand-written page" in caplog.text
    assert (tiny_project / "docs/speakers/ada-byron.md").read_text() == "# My own page about Ada\n"


def test_input_problems_fail_the_build_with_file_and_line(tiny_project, caplog):
    write(tiny_project / "episodes/2024-02-02-bad.md", "---\ntitle: Episode 3: The Return\n---\ntext\n")
    with pytest.raises((PluginError, Abort)):
        build_site(tiny_project)
    assert "episodes/2024-02-02-bad.md:2: YAML: mapping values are not allowed" in caplog.text


def test_directory_urls_off_keeps_every_link_valid(tiny_project):
    site = build_site(tiny_project, use_directory_urls=False)
    chart = (site / "appearances/index.html").read_text()
    assert 'href="../episodes/two-voices.html"' in chart
    assert (site / "episodes/two-voices.html").is_file()


def test_downloads_can_be_turned_off(tiny_project):
    config = tiny_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - episode-archive\n",
                                                 "  - episode-archive:\n      downloads: false\n"))
    site = build_site(tiny_project)
    assert not (site / "episodes/2024-01-05-counting-machines/transcript.txt").exists()
    assert "Download the transcript" not in (site / "episodes/2024-01-05-counting-machines/index.html").read_text()


def test_downloads_sit_beside_the_page(tiny_project):
    site = build_site(tiny_project)
    folder = site / "episodes/2024-01-05-counting-machines"
    assert (folder / "2024-01-05-counting-machines.txt").read_bytes() == \
        (tiny_project / "episodes/2024-01-05-counting-machines.txt").read_bytes()
    assert "It never tires." in (folder / "transcript.txt").read_text()
    assert (site / "episodes/2025-06-30-curated/2025-06-30-curated.md.txt").is_file()  # never built as a page


def test_material_search_instead_of_pagefind(tiny_project):
    config = tiny_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - episode-archive\n",
                                                 "  - episode-archive:\n      search: material\n"))
    site = build_site(tiny_project)
    assert not (site / "pagefind").exists() and not (site / "search/index.html").exists()
    assert "Counting machines" in (site / "search/search_index.json").read_text()
    home = (site / "index.html").read_text()
    assert "md-search__input" in home and "ea-header-search" not in home


def test_pagefind_search_builds_its_index_and_header_box(tiny_project):
    config = tiny_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - search\n", ""))
    site = build_site(tiny_project)
    assert (site / "pagefind/pagefind.js").is_file() and (site / "search/index.html").is_file()
    home = (site / "index.html").read_text()
    assert 'class="ea-header-search"' in home and "md-search__input" not in home
    assert "data-pagefind-body" in (site / "episodes/2024-01-05-counting-machines/index.html").read_text()
    assert "data-pagefind-body" not in home


def _search_records(bundle: Path) -> dict[str, dict]:
    """Pagefind's record of each page (URL, content, anchors, filters, meta), read back from its gzipped
    fragment files (a 12-byte signature, then JSON); and which word-index chunks it wrote."""
    records = {}
    for fragment in (bundle / "fragment").iterdir():
        record = json.loads(gzip.decompress(fragment.read_bytes())[12:])
        records[record["url"]] = record
    records["index chunks"] = sorted(chunk.name for chunk in (bundle / "index").iterdir())
    return records


def _index_the_built_site(site: Path, output: Path) -> dict[str, dict]:
    subprocess.run(pagefind_command(site, output), check=True)
    return _search_records(output)


def test_search_is_indexed_from_page_contents_while_mkdocs_writes_the_site(tiny_project, tmp_path, caplog):
    config = tiny_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - search\n", ""))
    caplog.set_level("INFO")
    site = build_site(tiny_project)
    assert "while MkDocs wrote the pages" in caplog.text
    staged = _search_records(site / "pagefind")
    assert "/episodes/2024-01-05-counting-machines/" in staged
    assert "It never tires." in staged["/episodes/2024-01-05-counting-machines/"]["content"]
    # The same bundle as Pagefind makes from the pages MkDocs wrote.
    assert staged == _index_the_built_site(site, tmp_path / "from-site")


@pytest.mark.parametrize("staged_when", ["as converted", "at start"])
def test_pages_staged_from_threads_are_all_indexed_and_the_threads_end_before_pagefind_starts(tmp_path, staged_when):
    threads = threading.active_count()
    staged = StagedSearchIndex()
    if staged_when == "as converted":
        staged.prepare("en")
    pages = {f"episodes/talk-{n}/index.html": f"<article {INDEXED}><p>Looms number {n} weave.</p></article>"
             for n in range(40)}
    for dest, content in pages.items():
        staged.add(dest, content)
        if staged_when == "as converted":
            staged.write(dest, content)
    staged.start(tmp_path / "site", "en", None)
    # The writing threads are done: only the one running Pagefind is left until `finish`.
    assert [thread.name for thread in threading.enumerate()[threads:]] in ([], ["episode-archive-pagefind"])
    for dest, content in pages.items():
        staged.check(dest, f'<html lang="en"><body>{content}</body></html>')
    staged.finish(tmp_path / "site", None)
    assert threading.active_count() == threads
    records = _search_records(tmp_path / "site" / "pagefind")
    assert len(records) == len(pages) + 1  # and the list of index chunks
    assert "Looms number 39 weave." in records["/episodes/talk-39/"]["content"]


def _build_with_a_hook(project: Path, hook: str, *, pagefind: bool = True) -> Path:
    """Build with another plugin at work: a MkDocs hook file holding `hook`."""
    config = project / "mkdocs.yml"
    text = config.read_text().replace("  - search\n", "") if pagefind else config.read_text()
    config.write_text(text + "hooks:\n  - hooks.py\n")
    write(project / "hooks.py", hook)
    return build_site(project)


def _indexed_from_the_built_site(site: Path, tmp_path: Path, caplog, reason: str) -> dict[str, dict]:
    """The search index, checked to be the one Pagefind makes from the written pages, and why."""
    assert f"indexing the built site for search ({reason})" in caplog.text
    records = _search_records(site / "pagefind")
    assert records == _index_the_built_site(site, tmp_path / "from-site")
    return records


def test_a_plugin_reading_a_generated_download_after_it_is_written_gets_its_text(tiny_project):
    # The plugin writes its downloads to the site as it makes them rather than hold their text until
    # MkDocs copies static files; the File another plugin finds still reads as the download.
    site = _build_with_a_hook(tiny_project, "from pathlib import Path\n"
                              "def on_env(env, config, files):\n"
                              "    path = 'episodes/2024-01-05-counting-machines/transcript.txt'\n"
                              "    text = files.get_file_from_path(path).content_string\n"
                              "    Path(config.config_file_path).with_name('seen.txt').write_text(text)\n")
    seen = (tiny_project / "seen.txt").read_text()
    assert "It never tires." in seen
    assert seen == (site / "episodes/2024-01-05-counting-machines/transcript.txt").read_text()


def test_a_generated_download_that_exclude_docs_names_is_left_out(tiny_project):
    # Downloads are written before MkDocs applies exclude_docs; one it names must still stay out.
    config = tiny_project / "mkdocs.yml"
    config.write_text(config.read_text() + "exclude_docs: |\n  transcript.txt\n")
    site = build_site(tiny_project)
    episode = site / "episodes/2024-01-05-counting-machines"
    assert (episode / "index.html").is_file()
    assert not (episode / "transcript.txt").exists()


def test_a_page_changed_after_rendering_is_indexed_from_the_built_site(tiny_project, tmp_path, caplog):
    caplog.set_level("INFO")
    # Another plugin edits the transcript in the written page, after the content was staged.
    site = _build_with_a_hook(tiny_project, "def on_post_page(output, page, config):\n"
                              "    return output.replace('It never tires.', 'It never sleeps.')\n")
    records = _indexed_from_the_built_site(
        site, tmp_path, caplog,
        "the indexed part of episodes/2024-01-05-counting-machines/index.html changed after it was rendered")
    content = records["/episodes/2024-01-05-counting-machines/"]["content"]
    assert "It never sleeps." in content and "It never tires." not in content


@pytest.fixture(params=["here", "in workers"])
def conversion(request, monkeypatch):
    """Both ways the plugin converts its pages early: in this process, or in forked workers (from
    `CONVERT_IN_WORKERS_FROM` pages on; the tiny archive has fewer)."""
    if request.param == "in workers":
        monkeypatch.setattr("episode_archive.pageconvert.CONVERT_IN_WORKERS_FROM", 1)
    return request.param


def test_a_page_another_plugin_changes_is_converted_by_mkdocs_with_the_change(tiny_project, caplog, conversion):
    # The plugin converts its pages before MkDocs does; a plugin that edits one page's Markdown must
    # still see its edit on the page, in its table of contents too.
    caplog.set_level("INFO")
    site = _build_with_a_hook(tiny_project, "def on_page_markdown(markdown, page, config, files):\n"
                              "    if page.file.src_uri == 'episodes/2025-06-30-curated.md':\n"
                              "        return markdown.replace('## Opening', '## A heading from another plugin')\n"
                              "    return markdown\n", pagefind=False)
    assert "converted" in caplog.text  # the early conversion ran
    page = (site / "episodes/2025-06-30-curated/index.html").read_text()
    assert 'id="a-heading-from-another-plugin"' in page and 'href="#a-heading-from-another-plugin"' in page
    assert "Opening" not in page
    other = (site / "episodes/2024-01-05-counting-machines/index.html").read_text()
    assert "It never tires." in other


def test_search_indexes_the_page_another_plugin_changed_before_conversion(tiny_project, tmp_path, caplog,
                                                                         conversion):
    # The early conversion and the staged search index both miss the change; the build must not.
    caplog.set_level("INFO")
    site = _build_with_a_hook(tiny_project, "def on_page_markdown(markdown, page, config, files):\n"
                              "    return markdown.replace('## Opening', '## Overture')\n")
    records = _indexed_from_the_built_site(
        site, tmp_path, caplog, "another plugin changed the indexed part of episodes/2025-06-30-curated/index.html")
    assert "Overture" in records["/episodes/2025-06-30-curated/"]["content"]


def test_a_broken_link_in_a_converted_page_still_fails_a_strict_build(tiny_project, conversion):
    curated = tiny_project / "episodes/2025-06-30-curated.md"
    curated.write_text(curated.read_text() + "\nSee [the notes](missing-notes.md).\n")
    with pytest.raises(Abort, match="warnings in strict mode"):
        build_site(tiny_project)


def test_another_theme_gets_pagefind_search_without_the_header_box(tiny_project, caplog):
    config = tiny_project / "mkdocs.yml"
    config.write_text(re.sub(r"theme:\n(?:  .*\n)+", "theme:\n  name: mkdocs\n",
                             config.read_text().replace("  - search\n", "")))
    caplog.set_level("INFO")
    site = tiny_project / "site"
    build(load_config(str(config), site_dir=str(site)))
    assert "has no place for the search box; the search page is still at search/" in caplog.text
    assert "while MkDocs wrote the pages" in caplog.text  # MkDocs' theme writes <html lang="en"> too
    assert "It never tires." in _search_records(site / "pagefind")["/episodes/2024-01-05-counting-machines/"]["content"]


def test_serve_indexes_search_in_the_background_and_a_new_build_stops_the_old_run(tiny_project):
    config_file = tiny_project / "mkdocs.yml"
    config_file.write_text(config_file.read_text().replace("  - search\n", ""))
    site = tiny_project / "site"
    config = load_config(str(config_file), site_dir=str(site), strict=True)
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
        background = config.plugins["episode-archive"].background_search
        first = background._thread
        assert first is not None
        build(config)  # an edit while the first run may still be indexing
        # Stopped, its thread ended before the new build forked any worker.
        assert not first.is_alive() and background._thread is not first
        background._thread.join(timeout=60)
        assert (site / "pagefind/pagefind.js").is_file() and (site / "pagefind/pagefind-entry.json").is_file()
    finally:
        config.plugins.on_shutdown()


def test_serve_dirty_renders_again_only_the_pages_an_edit_changed(tiny_project):
    site = tiny_project / "site"

    def serve_build() -> dict[str, int]:
        # `mkdocs serve --dirty` loads the config for every build; the plugin instance lives on.
        config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site), strict=False)
        config.plugins["episode-archive"].config["search"] = "material"  # no indexing run to wait for
        build(config, dirty=True)
        return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("index.html")}

    config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        first = serve_build()
        again = serve_build()
        edited = "episodes/two-voices/index.html"
        # Nothing changed: only the home page (its markers show the archive) is rendered again.
        assert {page for page in first if again[page] != first[page]} == {"index.html"}
        transcript = tiny_project / "episodes/talks/two-voices.txt"
        transcript.write_text(transcript.read_text() + "\nA sentence added while serving.\n")
        after_edit = serve_build()
        changed = {page for page in first if after_edit[page] != again[page]}
        assert edited in changed and "A sentence added while serving." in (site / edited).read_text()
        # The speaker and topic pages list the episode, not its text: they are not rendered again.
        assert "speakers/ada-byron/index.html" not in changed and len(changed) < len(first) / 2
    finally:
        config.plugins.on_shutdown()


@pytest.mark.parametrize("command", ["serve", "build"])
def test_rebuilds_render_again_only_the_episode_pages_an_edit_changed_and_build_what_a_fresh_build_makes(
        tiny_project, tmp_path, monkeypatch, command):
    """`mkdocs serve` builds again in one process, `mkdocs build` in a new one each time: both take
    unchanged episode pages and downloads from the cache (serve from memory)."""
    import episode_archive.publish as publish_module
    import episode_archive.render.pages as pages_module

    rendered: list[str] = []
    render_page, plain_text = pages_module.render_episode_page, publish_module.plain_text
    speaker_page = pages_module.speaker_page
    monkeypatch.setattr(pages_module, "render_episode_page",
                        lambda episode, *rest: rendered.append(episode.slug) or render_page(episode, *rest))
    monkeypatch.setattr(pages_module, "speaker_page",
                        lambda person, *rest: rendered.append(f"speaker {person.slug}") or speaker_page(person, *rest))
    monkeypatch.setattr(publish_module, "plain_text",
                        lambda episode: rendered.append(f"{episode.slug} downloads") or plain_text(episode))
    site = tiny_project / "site"

    def build_into(folder: Path) -> None:
        config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(folder), strict=True)
        config.plugins["episode-archive"].config["search"] = "material"  # no indexing run to wait for
        build(config)

    def serve_build() -> set[str]:
        rendered.clear()
        build_into(site)
        return set(rendered)

    def pages(folder: Path) -> dict[str, bytes]:
        """Every page, and every episode's downloads."""
        return {path: content for path, content in snapshot(folder).items()
                if path.endswith(".html") or path.startswith("episodes/") and path.count("/") > 1}

    config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command=command, dirty=False)
    try:
        first = serve_build()
        neighbours = {"2024-01-05-counting-machines", "2025-06-30-curated"}
        speakers = {"speaker ada-byron", "speaker charles-bab", "speaker grace-hollis"}
        assert {"two-voices", "two-voices downloads", *neighbours, *speakers} <= first
        assert serve_build() == set()
        # Punctuation only: the episode's words, and so its related talks and all else, stay as they were;
        # speaker and topic pages show no transcript's text.
        transcript = tiny_project / "episodes/talks/two-voices.txt"
        transcript.write_text(transcript.read_text().replace("one by one.", "one by one!"))
        assert serve_build() == {"two-voices", "two-voices downloads"}
        assert "one by one!" in (site / "episodes/two-voices/index.html").read_text()
        # A new title shows on the pages before and after it in time (Previous / Next), in their related
        # talks and in the lists of episodes: they are made again.
        catalog = tiny_project / "episodes/catalog.csv"
        catalog.write_text(catalog.read_text().replace("Two voices on looms", "Two voices on engines"))
        assert serve_build() >= {"two-voices", "two-voices downloads", *neighbours, *speakers}
        assert "Two voices on engines" in (site / "speakers/charles-bab/index.html").read_text()
        assert "Two voices on engines" in (site / "episodes/2025-06-30-curated/index.html").read_text()
        served = pages(site)
    finally:
        config.plugins.on_shutdown()
    shutil.rmtree(default_cache_dir(tiny_project))
    build_into(tmp_path / "fresh")  # from an empty cache
    assert served == pages(tmp_path / "fresh")


def test_serve_converts_again_only_the_pages_an_edit_changed_and_warns_again_about_broken_links(
        tiny_project, monkeypatch):
    import episode_archive.pageconvert as pageconvert

    converted: list[str] = []
    convert = pageconvert._convert
    monkeypatch.setattr(pageconvert, "_convert", lambda src: converted.append(src) or convert(src))
    curated = tiny_project / "episodes/2025-06-30-curated.md"
    curated.write_text(curated.read_text() + "\nSee [the notes](missing-notes.md).\n")
    site = tiny_project / "site"

    def serve_build() -> set[str]:
        """The pages converted by a strict build, which fails on the broken link."""
        config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site), strict=True)
        config.plugins["episode-archive"].config["search"] = "material"
        converted.clear()
        with pytest.raises(Abort, match="1 warnings in strict mode"):
            build(config)
        return set(converted)

    config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        assert {"episodes/two-voices.md", "episodes/2025-06-30-curated.md", "speakers/ada-byron.md"} <= serve_build()
        # Nothing changed: every page as converted before, and the broken link is reported again.
        assert serve_build() == set()
        # The transcript's paragraphs are not in the Markdown (prerendered): the page needs no conversion.
        transcript = tiny_project / "episodes/talks/two-voices.txt"
        transcript.write_text(transcript.read_text().replace("one by one.", "one by one!"))
        assert serve_build() == set()
        assert "one by one!" in (site / "episodes/two-voices/index.html").read_text()
        catalog = tiny_project / "episodes/catalog.csv"
        catalog.write_text(catalog.read_text().replace("Two voices on looms", "Two voices on engines"))
        changed = serve_build()
        assert "episodes/two-voices.md" in changed and "speakers/grace-hollis.md" not in changed
        assert "Two voices on engines" in (site / "episodes/two-voices/index.html").read_text()
    finally:
        config.plugins.on_shutdown()


def test_the_first_serve_build_converts_no_page_the_last_build_converted(tiny_project, monkeypatch):
    import episode_archive.pageconvert as pageconvert

    converted: list[str] = []
    convert = pageconvert._convert
    monkeypatch.setattr(pageconvert, "_convert", lambda src: converted.append(src) or convert(src))
    site = tiny_project / "site"
    build(load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site)))
    assert "episodes/two-voices.md" in converted
    built = (site / "episodes/two-voices/index.html").read_text()
    converted.clear()
    config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    assert converted == []
    assert "one by one." in (site / "episodes/two-voices/index.html").read_text()
    assert (site / "episodes/two-voices/index.html").read_text().count("<p") == built.count("<p")


def test_serve_keeps_episodes_as_read_when_the_archive_changes_their_slugs(tiny_project):
    # Two files named two-voices.txt take their folders into their slugs; once one is gone, the other
    # has its own name back, though the next build takes it from the memo of the last.
    site = tiny_project / "site"

    def serve_build() -> set[str]:
        config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site), strict=True)
        config.plugins["episode-archive"].config["search"] = "material"
        build(config)
        return {path.parent.name for path in (site / "episodes").glob("*/index.html")}

    config = load_config(str(tiny_project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        assert "two-voices" in serve_build()
        write(tiny_project / "episodes/panels/two-voices.txt", "Grace Hollis: Panels are another matter.\n")
        write(tiny_project / "episodes/panels/two-voices.yml", "date: 2025-04-01\nspeakers: [Grace Hollis]\n")
        assert {"talks-two-voices", "panels-two-voices"} <= serve_build()
        (tiny_project / "episodes/panels/two-voices.txt").unlink()
        (tiny_project / "episodes/panels/two-voices.yml").unlink()
        built = serve_build()
        assert "two-voices" in built and "talks-two-voices" not in built
    finally:
        config.plugins.on_shutdown()


def test_serving_a_large_archive_without_dirty_suggests_it_once(tiny_project, monkeypatch, caplog):
    import episode_archive.plugin as plugin_module

    monkeypatch.setattr(plugin_module, "DIRTY_SERVE_FROM", 3)  # the tiny archive is "large"
    config_file = tiny_project / "mkdocs.yml"
    config_file.write_text(config_file.read_text().replace("  - episode-archive\n",
                                                           "  - episode-archive:\n      search: material\n"))
    config = load_config(str(config_file), site_dir=str(tiny_project / "site"))
    config.plugins.on_startup(command="serve", dirty=False)
    caplog.set_level("INFO")
    try:
        build(config)
        build(config)
    finally:
        config.plugins.on_shutdown()
    assert caplog.text.count("mkdocs serve --dirty") == 1

"""The cache is an optimisation only: every edit shows up, nothing stale survives."""

from __future__ import annotations

import os
import pickle
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from episode_archive import cache as cache_module
from episode_archive import publish as publish_module
from episode_archive.archive import load_archive, loaded_key
from episode_archive.cache import ArchiveCache, BuildMemo, default_cache_dir
from episode_archive.cli import main
from episode_archive.pageconvert import conversion_digest
from episode_archive.project import load_project
from episode_archive.publish import publish
from episode_archive.render import pages as pages_module
from episode_archive.render.pages import PrerenderedBodies, archive_pages, episode_pages
from helpers import write


def build_site(project: Path) -> Path:
    site = project / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True))
    return site


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def cached_project(tiny_project: Path) -> Path:
    build_site(tiny_project)
    assert any(default_cache_dir(tiny_project).glob("*.pickle")), "the first build fills the cache"
    return tiny_project


def pages_and_downloads(site: Path) -> dict[Path, bytes]:
    return {p.relative_to(site): p.read_bytes() for pattern in ("*.html", "transcript.*") for p in site.rglob(pattern)}


def test_a_second_build_reads_from_the_cache_and_gives_the_same_site(cached_project, caplog):
    first = pages_and_downloads(cached_project / "site")
    assert Path("episodes/two-voices/transcript.txt") in first
    caplog.set_level("INFO")
    assert "3 from the cache" not in caplog.text
    second = pages_and_downloads(build_site(cached_project))
    assert "3 from the cache" in caplog.text
    assert second == first


def test_downloads_follow_every_edit(cached_project):
    timed = cached_project / "episodes/2025-02-01-timed-talk.vtt"
    write(timed.with_suffix(".yml"), 'speakers: ["Ada Byron"]\n')
    write(timed, "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ada Byron>The engine weaves numbers.\n")
    build_site(cached_project)
    write(timed, "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ada Byron>The engine weaves patterns.\n")
    write(cached_project / "episodes/2024-01-05-counting-machines.yml", 'title: "Counting machines, revised"\n')
    site = build_site(cached_project)
    for kind in ("txt", "vtt", "srt", "json"):
        assert "The engine weaves patterns." in (site / f"episodes/2025-02-01-timed-talk/transcript.{kind}").read_text()
    assert (site / "episodes/2024-01-05-counting-machines/transcript.txt").read_text().startswith(
        "Counting machines, revised\n")


@pytest.mark.parametrize("edit, url, expected", [
    (lambda p: write(p / "episodes/talks/two-voices.txt",
                     "Ada Byron: A brand new first line.\n\nCharles Bab: And a reply.\n"),
     "episodes/two-voices", "A brand new first line."),
    (lambda p: write(p / "episodes/2024-01-05-counting-machines.yml",
                     'title: "Counting machines, revised"\ntopics: [computing]\n'),
     "episodes/2024-01-05-counting-machines", "Counting machines, revised"),
    (lambda p: write(p / "episodes/catalog.csv", "file,title,date,speakers,show,topics\n"
                     "talks/two-voices.txt,Two voices on looms (remastered),2025-03-02,Ada Byron;Charles Bab,"
                     "Engine Room,computing;looms\n"),
     "episodes/two-voices", "Two voices on looms (remastered)"),
    (lambda p: write(p / "episodes/people.yml", "Ada Lovelace:\n  aliases: [Ada Byron]\n  bio: Wrote notes.\n"),
     "speakers/ada-lovelace", "Wrote notes."),
    (lambda p: write(p / "episodes/corrections.yml", "corrections:\n  tires: rests\n"),
     "episodes/2024-01-05-counting-machines", "It never rests."),
], ids=["transcript", "sidecar", "catalog", "people", "corrections"])
def test_every_input_edit_shows_up(cached_project, edit, url, expected):
    edit(cached_project)
    assert expected in page(build_site(cached_project), url)


def test_a_plugin_option_change_shows_up(cached_project):
    config = cached_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - episode-archive\n",
                                                 "  - episode-archive:\n      related_count: 0\n"))
    site = build_site(cached_project)
    related = page(site, "episodes/2024-01-05-counting-machines").split('<div class="ea-related">')[1]
    assert "Two voices on looms" not in related


def test_a_deleted_episode_leaves_nothing_behind(cached_project):
    cache = default_cache_dir(cached_project)
    before = ArchiveCache(cache).get_map(loaded_key())
    (cached_project / "episodes/2025-06-30-curated.md").unlink()
    site = build_site(cached_project)
    assert not (site / "episodes/2025-06-30-curated").exists()
    assert not (site / "speakers/grace-hollis").exists()
    assert "A curated conversation" not in (site / "episodes/index.html").read_text()
    assert len(ArchiveCache(cache).get_map(loaded_key())) == len(before) - 1 == 2
    assert not any(b"A curated conversation" in p.read_bytes() for p in cache.iterdir())


def test_check_and_export_keep_what_the_build_cached(cached_project, tmp_path):
    cache = default_cache_dir(cached_project)
    built = {p.name for p in cache.iterdir()}
    write(cached_project / "episodes/talks/two-voices.txt", "Ada Byron: A new line.\n\nCharles Bab: Indeed.\n")
    assert main(["check", "--project", str(cached_project)]) == 0
    assert main(["export", "--project", str(cached_project), "--out", str(tmp_path / "export")]) == 0
    # Nothing deleted; the edited episode added (the next build prunes its old entry).
    assert built < {p.name for p in cache.iterdir()}


def test_a_broken_cache_entry_is_rebuilt(cached_project):
    for entry in default_cache_dir(cached_project).glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert "It never tires." in page(build_site(cached_project), "episodes/2024-01-05-counting-machines")


def test_the_cache_can_be_turned_off(tiny_project):
    config = tiny_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - episode-archive\n",
                                                 "  - episode-archive:\n      cache: false\n"))
    shutil.rmtree(default_cache_dir(tiny_project), ignore_errors=True)
    build_site(tiny_project)
    assert not default_cache_dir(tiny_project).exists()


def conversions(log: str) -> tuple[int, int]:
    """Pages converted, and pages taken as the last build converted them, from the build's log."""
    found = re.findall(r"converted (\d+) pages to HTML in [\d.]+ s \((\d+) more as the last build", log)
    assert len(found) == 1, log
    return int(found[0][0]), int(found[0][1])


def test_pages_an_edit_left_as_they_were_are_not_converted_again(cached_project, caplog):
    caplog.set_level("INFO")
    # Transcripts, an episode's facts (its reading time) and lists of episodes are filled in after the
    # conversion: a new text changes no page's Markdown, so no page is converted again.
    write(cached_project / "episodes/talks/two-voices.txt",
          "Ada Byron: A brand new first line.\n\nCharles Bab: And a reply.\n")
    site = build_site(cached_project)
    converted, remembered = conversions(caplog.text)
    assert converted == 0 and remembered > 0
    assert "A brand new first line." in page(site, "episodes/two-voices")
    caplog.clear()
    # A new title is in the Markdown of the episode's page (its heading), of its neighbours' ("Previous",
    # "Next") and of the charts that name it: those are converted again, the others are not.
    catalog = cached_project / "episodes/catalog.csv"
    catalog.write_text(catalog.read_text().replace("Two voices on looms", "Two voices on engines"))
    site = build_site(cached_project)
    converted, remembered = conversions(caplog.text)
    assert converted > 0 and remembered > 0
    for url in ("episodes/two-voices", "topics/looms", "speakers/ada-byron"):
        assert "Two voices on engines" in page(site, url) and "Two voices on looms" not in page(site, url), url
    caplog.clear()
    site = build_site(cached_project)
    assert conversions(caplog.text)[0] == 0
    assert "A brand new first line." in page(site, "episodes/two-voices")


def test_pages_are_remembered_as_converted_not_as_other_plugins_changed_them_afterwards(tiny_project):
    # A hook that changes each page's table of contents while MkDocs writes the page.
    write(tiny_project / "hooks.py", "def on_page_content(html, page, **kwargs):\n"
                                     "    def mark(items):\n"
                                     "        for item in items:\n"
                                     "            item.title += ' (hooked)'\n"
                                     "            mark(item.children)\n"
                                     "    mark(page.toc.items)\n")
    config = tiny_project / "mkdocs.yml"
    config.write_text(config.read_text() + "hooks:\n  - hooks.py\n")
    first = page(build_site(tiny_project), "episodes/two-voices")
    assert "Related talks (hooked)" in first
    second = page(build_site(tiny_project), "episodes/two-voices")
    assert "(hooked) (hooked)" not in second and second == first


@pytest.mark.parametrize("change", ["settings", "libraries"])
def test_new_markdown_settings_or_libraries_convert_every_page_again(cached_project, monkeypatch, caplog, change):
    if change == "settings":
        config = cached_project / "mkdocs.yml"
        config.write_text(config.read_text().replace("      permalink: true\n", "      permalink: \"#\"\n"))
    else:
        monkeypatch.setattr("episode_archive.cache._installed_digest", "after an upgrade of Markdown")
    caplog.set_level("INFO")
    site = build_site(cached_project)
    assert conversions(caplog.text)[1] == 0
    if change == "settings":
        assert 'href="#related-talks" title="Permanent link">#</a>' in page(site, "episodes/two-voices")


def test_a_projects_own_markdown_extension_is_part_of_what_pages_are_converted_with(tmp_path, monkeypatch):
    module = tmp_path / "house_style.py"
    module.write_text("def makeExtension(**kwargs): ...\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = SimpleNamespace(markdown_extensions=["toc", "house_style"], mdx_configs={}, hooks={})
    before = conversion_digest(config, "mkdocs.yml")
    assert conversion_digest(config, "mkdocs.yml") == before
    module.write_text("def makeExtension(**kwargs): return None  # changed\n")
    assert conversion_digest(config, "mkdocs.yml") != before


def test_what_hooks_and_plugins_make_of_the_markdown_settings_is_part_of_what_pages_are_converted_with(tmp_path):
    def new_slugify():  # every build makes its own function, at its own address
        def slugify(value, separator):
            return value
        return slugify

    hook = tmp_path / "hooks.py"
    hook.write_text("def on_config(config): config.mdx_configs['toc']['permalink'] = True\n")
    hooks = {"hooks": SimpleNamespace(__file__=str(hook))}

    def config(permalink: bool, slugify) -> SimpleNamespace:
        return SimpleNamespace(markdown_extensions=["toc"], hooks=hooks,
                               mdx_configs={"toc": {"permalink": permalink, "slugify": slugify}})

    first, second = new_slugify(), new_slugify()
    before = conversion_digest(config(True, first), "mkdocs.yml")
    assert conversion_digest(config(True, second), "mkdocs.yml") == before
    assert conversion_digest(config(False, first), "mkdocs.yml") != before
    hook.write_text("def on_config(config): config.mdx_configs['toc']['permalink'] = '#'\n")
    assert conversion_digest(config(True, first), "mkdocs.yml") != before


def test_a_cache_folder_that_cannot_be_written_costs_speed_not_the_build(tiny_project, monkeypatch, caplog):
    blocked = tiny_project.parent / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    caplog.set_level("INFO")
    site = build_site(tiny_project)
    assert "It never tires." in page(site, "episodes/2024-01-05-counting-machines")
    assert f"Cache folder {blocked}" in caplog.text and "building without a cache" in caplog.text
    assert blocked.read_text() == "a file where the cache folder would go"


def test_an_entry_that_cannot_be_written_is_left_out(tmp_path):
    cache = ArchiveCache(tmp_path / "cache")
    cache.put("kept", [1, 2])
    shutil.rmtree(tmp_path / "cache")
    (tmp_path / "cache").write_text("the folder became a file")
    cache.put("lost", [3])
    assert cache.get("lost") is None
    assert (tmp_path / "cache").read_text() == "the folder became a file"


def test_downloads_of_unchanged_episodes_come_from_the_cache(tmp_path, tiny_project, monkeypatch):
    project = load_project(tiny_project)
    first, _ = load_archive(project.episodes_dir, project.options, ArchiveCache(tmp_path / "cache"))
    made = publish(first, project.options, project.episodes_dir, None, "Site", ArchiveCache(tmp_path / "cache")).files
    assert made["episodes/two-voices/transcript.txt"].startswith("Two voices")
    write(tiny_project / "episodes/talks/two-voices.txt", "Ada Byron: A brand new first line.\n")
    made_again = []
    make = publish_module.make_downloads
    monkeypatch.setattr(publish_module, "make_downloads",
                        lambda episode: made_again.append(episode.slug) or make(episode))
    again, _ = load_archive(project.episodes_dir, project.options, ArchiveCache(tmp_path / "cache"))
    now = publish(again, project.options, project.episodes_dir, None, "Site", ArchiveCache(tmp_path / "cache")).files
    assert made_again == ["two-voices"]
    assert "A brand new first line." in now["episodes/two-voices/transcript.txt"]
    assert {path: text for path, text in now.items() if "two-voices" not in path} == {
        path: text for path, text in made.items() if "two-voices" not in path}


def load_twice_counting_hashed_files(tmp_path, tiny_project, monkeypatch):
    """Load the archive into a new cache, then again; return the project and the names of the files
    hashed to key the second load (and those of any load after it)."""
    project = load_project(tiny_project)
    load_archive(project.episodes_dir, project.options, ArchiveCache(tmp_path / "cache"))
    hashed: list[str] = []
    read = cache_module.file_bytes
    monkeypatch.setattr(cache_module, "file_bytes", lambda path: hashed.append(path.name) or read(path))
    load_archive(project.episodes_dir, project.options, ArchiveCache(tmp_path / "cache"))
    return project, hashed


def test_files_are_read_again_only_when_their_stat_changed(tmp_path, tiny_project, monkeypatch):
    monkeypatch.setattr(cache_module, "SETTLED_SECONDS", 0.0)  # the fixture's files were written just now
    project, hashed = load_twice_counting_hashed_files(tmp_path, tiny_project, monkeypatch)
    assert hashed == []
    # Same size, mtime set back: the write still changed the file's ctime.
    transcript = tiny_project / "episodes/talks/two-voices.txt"
    before = transcript.stat()
    transcript.write_text(transcript.read_text().replace("looms and engines", "looms and cogwork"))
    os.utime(transcript, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert transcript.stat().st_size == before.st_size
    archive, _ = load_archive(project.episodes_dir, project.options, ArchiveCache(tmp_path / "cache"))
    assert hashed == ["two-voices.txt"]
    edited = next(e for e in archive.episodes if e.slug == "two-voices")
    assert "looms and cogwork" in edited.transcript.plain_text()


def test_a_file_hashed_while_it_may_still_change_is_hashed_again(tmp_path, tiny_project, monkeypatch):
    monkeypatch.setattr(cache_module, "SETTLED_SECONDS", 3600.0)
    project, hashed = load_twice_counting_hashed_files(tmp_path, tiny_project, monkeypatch)
    assert "two-voices.txt" in hashed


def test_a_rebuild_unpacks_the_segments_of_the_episodes_it_renders_again_alone(tmp_path, tiny_project, monkeypatch):
    project = load_project(tiny_project)

    def generate():
        cache, bodies = ArchiveCache(tmp_path / "cache"), PrerenderedBodies()

        def meanwhile(archive):
            archive_pages(archive, project.options, bodies, cache)
            publish(archive, project.options, project.episodes_dir, None, "Site", cache)
        archive, _ = load_archive(project.episodes_dir, project.options, cache, meanwhile=meanwhile)
        return archive, episode_pages(archive, project.options, bodies, cache), bodies

    generate()
    rendered: list[str] = []
    render = pages_module.episode_page
    monkeypatch.setattr(pages_module, "episode_page", lambda episode, *rest: rendered.append(episode.slug)
                        or render(episode, *rest))
    write(tiny_project / "episodes/talks/two-voices.txt", "Ada Byron: A brand new first line.\n\nCharles Bab: Yes.\n")
    again, pages, bodies_of_last_build = generate()
    assert "two-voices" in rendered and len(rendered) < len(again.episodes)
    assert {e.slug for e in again.episodes if "segments" in e.transcript.__dict__} == set(rendered)
    assert "A brand new first line." in pages["episodes/two-voices.md"] + "".join(
        chunk for chunks in bodies_of_last_build.chunks.values() for chunk in chunks)


def test_a_transcript_comes_back_from_a_pickle_whole(tiny_project):
    project = load_project(tiny_project)
    archive, _ = load_archive(project.episodes_dir, project.options)
    for episode in archive.episodes:
        transcript = episode.transcript
        copy = pickle.loads(pickle.dumps(transcript))
        assert "segments" not in copy.__dict__
        assert (copy.timed, copy.label_names, copy.word_count) == (
            transcript.timed, transcript.label_names, transcript.word_count)
        assert copy == transcript
        assert pickle.loads(pickle.dumps(copy)) == transcript  # packed again, as it was


def test_feeds_and_heads_are_made_again_only_where_an_edit_shows(tmp_path, tiny_project, monkeypatch):
    project = load_project(tiny_project)

    def published(cache):
        archive, _ = load_archive(project.episodes_dir, project.options, cache)
        return publish(archive, project.options, project.episodes_dir, "https://example.org/", "Site", cache)

    published(ArchiveCache(tmp_path / "cache"))
    write(tiny_project / "episodes/talks/two-voices.txt", "Ada Byron: A brand new first line.\n\nCharles Bab: Yes.\n")
    feeds, heads = [], []
    rss, jsonld = publish_module.rss_feed, publish_module.episode_jsonld
    monkeypatch.setattr(publish_module, "rss_feed", lambda title, *rest, **named: feeds.append(title)
                        or rss(title, *rest, **named))
    monkeypatch.setattr(publish_module, "episode_jsonld", lambda episode, *rest: heads.append(episode.slug)
                        or jsonld(episode, *rest))
    again = published(ArchiveCache(tmp_path / "cache"))
    assert heads == ["two-voices"]
    assert "Site" in feeds and "Ada Byron · Site" in feeds, "the feeds that list the edited episode"
    assert "Grace Hollis · Site" not in feeds, "a feed without it is as it was"
    assert "A brand new first line." in again.files["feed.xml"]
    fresh = published(None)
    assert (again.files, again.head) == (fresh.files, fresh.head)


def test_entries_written_whole_stay_in_memory_while_serving(tmp_path):
    serving = ArchiveCache(tmp_path / "serve", BuildMemo())
    serving.put_whole("all-pages", {"a": 1})
    serving.memo.next_build()
    assert serving.get("all-pages") == {"a": 1}
    assert not (tmp_path / "serve").exists()
    building = ArchiveCache(tmp_path / "build")
    building.put_whole("all-pages", {"a": 1})
    assert ArchiveCache(tmp_path / "build").get("all-pages") == {"a": 1}


def test_a_map_entry_writes_what_changed_and_keeps_no_value_of_a_gone_owner(tmp_path):
    def build(values: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        cache = ArchiveCache(tmp_path)
        last = cache.get_map("pages")
        cache.put_map("pages", values)
        cache.prune()
        return last

    pages = {f"key-{n}": (f"episode-{n}", f"page {n}") for n in range(40)}
    assert build(pages) == {}
    base = (tmp_path / "pages.pickle").read_bytes()
    edited = {**{k: v for k, v in pages.items() if k != "key-3"}, "key-3b": ("episode-3", "page 3, edited")}
    assert build(edited) == pages
    assert (tmp_path / "pages.pickle").read_bytes() == base  # only the edit was written
    assert ArchiveCache(tmp_path).get("pages-recent") == {"key-3b": ("episode-3", "page 3, edited")}
    assert build(edited)["key-3b"] == ("episode-3", "page 3, edited")
    # Episode 7 deleted: the base is written again, without it (and without the replaced page 3).
    deleted = {k: v for k, v in edited.items() if k != "key-7"}
    build(deleted)
    assert ArchiveCache(tmp_path).get("pages") == deleted
    assert not (tmp_path / "pages-recent.pickle").exists()
    assert not any(b"page 7" in path.read_bytes() for path in tmp_path.iterdir())
    # Many edits at once: written whole.
    rewritten = {f"{k}-new": (owner, f"{text}, revised") for k, (owner, text) in deleted.items()}
    build(rewritten)
    assert ArchiveCache(tmp_path).get("pages") == rewritten


def test_a_map_entry_stays_in_memory_while_serving(tmp_path):
    serving = ArchiveCache(tmp_path / "serve", BuildMemo())
    serving.put_map("pages", {"key": ("episode", "page")})
    serving.memo.next_build()
    assert serving.get_map("pages") == {"key": ("episode", "page")}
    assert not (tmp_path / "serve").exists()


def test_new_code_reads_none_of_the_old_codes_entries(cached_project, monkeypatch, caplog):
    # An episode without given topics, so that extracted topics are cached (with the episode) too.
    write(cached_project / "episodes/2025-09-01-looms-again.yml", 'speakers: ["Ada Byron"]\n')
    write(cached_project / "episodes/2025-09-01-looms-again.txt",
          "Looms and punched cards again. The loom reads punched cards, and punched cards drive the loom.\n" * 5)
    build_site(cached_project)
    cache = default_cache_dir(cached_project)
    before = {p.name for p in cache.glob("*.pickle")}
    assert {"related", "passages"} <= {name.split("-")[0] for name in before}
    monkeypatch.setattr("episode_archive.cache._code_digest", "a-newer-version-of-the-tool")
    caplog.set_level("INFO")
    build_site(cached_project)
    assert "0 from the cache" in caplog.text
    # Every entry (episodes, topics, links) was keyed anew, and the old ones pruned.
    assert before and not before & {p.name for p in cache.glob("*.pickle")}


def test_the_search_bundle_is_reused_only_while_no_page_changed(tiny_project, caplog):
    config = tiny_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - search\n", ""))  # Pagefind search
    caplog.set_level("INFO")
    site = build_site(tiny_project)
    bundle = {p.relative_to(site): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    assert "built with Pagefind" in caplog.text
    caplog.clear()

    site = build_site(tiny_project)
    assert "search index unchanged" in caplog.text and "built with Pagefind" not in caplog.text
    assert {p.relative_to(site): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()} == bundle
    caplog.clear()

    # A hand-written page is not indexed: editing it keeps the bundle.
    home = tiny_project / "docs/index.md"
    home.write_text(home.read_text() + "\nA new line on the home page.\n")
    build_site(tiny_project)
    assert "search index unchanged" in caplog.text
    caplog.clear()

    write(tiny_project / "episodes/talks/two-voices.txt", "Ada Byron: Something nobody said before.\n\n"
          "Charles Bab: Then search must find it.\n")
    site = build_site(tiny_project)
    assert "built with Pagefind" in caplog.text and "search index unchanged" not in caplog.text

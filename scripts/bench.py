#!/usr/bin/env python3
"""Benchmark the plugin against plain MkDocs on synthetic archives, and write BENCHMARKS.md.

    python3 scripts/bench.py [--sizes 100,1000] [--with-3000] [--seed 0] [--out BENCHMARKS.md]
                             [--profile 1000] [--pairs 3] [--keep]

For each size N: generate an archive with scripts/synthetic_archive.py into a temporary folder, then
measure, each in a fresh subprocess, wall time and peak RSS (GNU `/usr/bin/time -v` when present,
else the child's `ru_maxrss` reported by a small wrapper process):

- the cold plugin build, `python3 -m mkdocs build -q` (site and any cache folder removed first);
- the baseline: `episode_archive.cli export`, then a plain MkDocs project with the same theme and
  markdown_extensions but without the plugin (and with Material's search, MkDocs' default), whose docs/
  is the archive's docs/ overlaid with the exported pages and the package's stylesheet, built the same way;
- the generation step alone (`load_archive`, `render_pages`, `publish`) in a subprocess through the on-disk
  cache: empty, with nothing changed, after one edit (then empty and after one edit again, `--pairs` in all);
- a warm rebuild after appending a sentence to one transcript (the site folder kept);
- `mkdocs serve` and `mkdocs serve --dirty`: seconds from an edit until the served page shows it;
- the site: total bytes, HTML bytes per episode page (median), search/search_index.json (raw and gzip).

The cold build and the plain build run `--pairs` times (default 3), alternately, and the report's
ratio is the median of the pairs' ratios: one pair measured minutes apart on a shared machine moves
by several percent either way. So do the generation step from an empty cache and after one edit.

At `--profile N` (default 1000, when that size is run) the cold plugin build runs once more under
pyinstrument (cProfile if pyinstrument is missing) and the report says where the time goes.

Times are measurements of one run on one machine: compare them on the same machine only. Text after a
`<!-- notes -->` line in an existing output file is kept, so hand-written analysis survives re-runs.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import gzip
import hashlib
import importlib.metadata
import importlib.util
import itertools
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
"""Where the package under test is imported from: a snapshot of src/ taken when the run starts."""
SNAPSHOT_NOTE = "the working tree's src/ as it changed during the run (--live)"
GENERATOR = REPO / "scripts" / "synthetic_archive.py"
PY = sys.executable
NOTES_MARKER = "<!-- notes -->"
TIME = Path("/usr/bin/time")

# Fallback when GNU time is missing: run the command as a child of a fresh interpreter and report
# that child's peak RSS (ru_maxrss of RUSAGE_CHILDREN, in kilobytes on Linux).
_RUSAGE_WRAPPER = """
import json, resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    json.dump({"rc": rc, "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, out)
sys.exit(rc)
"""

# `python3 -m mkdocs ARGS`, run the same way (runpy), reporting the Python process's own peak RSS
# (RUSAGE_SELF) apart from subprocesses such as Pagefind or topic workers, which GNU time folds in.
_MKDOCS_SELF_RSS = """
import json, resource, runpy, sys
report = sys.argv[1]
sys.argv = ["mkdocs", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("mkdocs", run_name="__main__", alter_sys=True)
except SystemExit as exit:
    code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
with open(report, "w") as out:
    json.dump({"self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, out)
sys.exit(code)
"""

# The generation step alone, as the plugin's on_files does it: read the whole archive (through the on-disk
# cache, empty or not) and, while related talks and passage links are found, render the pages that need neither
# and the downloads (no feeds without site_url); then the episode pages.
_GENERATION = """
import json, sys, time
from pathlib import Path
from episode_archive.archive import load_archive
from episode_archive.cache import cache_for
from episode_archive.project import load_project
from episode_archive.publish import publish
from episode_archive.render.pages import PrerenderedBodies, archive_pages, episode_pages
root = Path(sys.argv[1])
project = load_project(root)
cache = cache_for(root, True, None)
bodies, pages, published = PrerenderedBodies.keeping_token(cache), {}, []
def meanwhile(archive):
    pages.update(archive_pages(archive, project.options, bodies, cache))
    published.append(publish(archive, project.options, project.episodes_dir, None, "bench", cache))
started = time.perf_counter()
archive, problems = load_archive(project.episodes_dir, project.options, cache, meanwhile=meanwhile)
loaded = time.perf_counter()
pages.update(episode_pages(archive, project.options, bodies, cache))
cache.prune()
done = time.perf_counter()
print(json.dumps({"load_s": loaded - started, "render_s": done - loaded, "pages": len(pages),
                  "episodes": len(archive.episodes), "people": len(archive.people), "topics": len(archive.topics),
                  "problems": len(problems), "warnings": len(archive.warnings),
                  "downloads": len(published[0].files) if published else 0}))
"""

# `mkdocs serve` (optionally --dirty): seconds from appending a sentence to a transcript until the served
# page shows it. Printed as JSON on the last line.
_SERVE_EDIT = """
import json, os, signal, subprocess, sys, time, urllib.request
from pathlib import Path
root, transcript, url, sentence = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
extra = sys.argv[5:]
server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", "127.0.0.1:8731", *extra], cwd=root,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
def page():
    try:
        return urllib.request.urlopen(url, timeout=10).read().decode("utf-8")
    except Exception:
        return ""
try:
    started = time.perf_counter()
    while 'class="ea-' not in page():
        if time.perf_counter() - started > 900 or server.poll() is not None:
            raise SystemExit("the first serve build did not finish")
        time.sleep(0.5)
    first = time.perf_counter() - started
    time.sleep(2)
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write(sentence + "\\n")
    edited = time.perf_counter()
    while sentence not in page():
        if time.perf_counter() - edited > 900:
            raise SystemExit("the edit never showed")
        time.sleep(0.25)
    print(json.dumps({"first_build_s": first, "edit_visible_s": time.perf_counter() - edited}))
finally:
    # The whole process group: a Pagefind run the server left indexing in the background would otherwise
    # go on and compete with the next measurement.
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()
"""

WARM_SENTENCE = "This sentence was added to measure a warm rebuild after one transcript changed."


@dataclass
class Run:
    """One measured subprocess."""

    wall_s: float
    maxrss_mb: float | None
    rc: int
    stdout: str = ""
    stderr_tail: str = ""
    cpu_s: float | None = None
    """User + system CPU seconds of the process and the children it waited for."""
    python_rss_mb: float | None = None
    """Peak RSS of the Python process itself (mkdocs builds only), without its subprocesses."""
    others_cpu_s: float | None = None
    """CPU seconds other processes on the machine used during the run: contention."""
    together_mb: float | None = None
    """Peak of the memory the run's processes held at once (their PSS summed, sampled every 0.1 s)."""

    @property
    def contended(self) -> bool:
        return bool(self.others_cpu_s and self.others_cpu_s > 0.1 * self.wall_s * (os.cpu_count() or 1))

    @property
    def ok(self) -> bool:
        return self.rc == 0


@dataclass
class SizeResult:
    n: int
    archive: dict = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    generation: dict = field(default_factory=dict)
    generation_unchanged: dict = field(default_factory=dict)
    generation_edited: dict = field(default_factory=dict)
    generation_pairs: list[dict] = field(default_factory=list)
    """Each pair's generation step from an empty cache and right after it, after one edit (`_GENERATION`'s
    output with the process's wall time)."""
    serve: dict[str, dict] = field(default_factory=dict)
    site: dict = field(default_factory=dict)
    baseline_site: dict = field(default_factory=dict)
    cache: str = ""
    edited: str = ""
    profile: str = ""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (from /proc/stat), to measure contention."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(cmd: list[str], cwd: Path, env: dict[str, str], label: str) -> Run:
    """Run `cmd` in a fresh process; wall time, CPU time, peak RSS (MB), exit code, and contention."""
    log(f"{label}: {shlex.join(cmd)}  (in {cwd})")
    with tempfile.TemporaryDirectory(prefix="ea-measure-") as scratch:
        report = Path(scratch) / "report"
        self_report = Path(scratch) / "self"
        if cmd[:3] == [PY, "-m", "mkdocs"]:
            cmd = [PY, "-c", _MKDOCS_SELF_RSS, str(self_report), *cmd[3:]]
        if TIME.is_file():
            full = [str(TIME), "-v", "-o", str(report), *cmd]
        else:
            full = [PY, "-c", _RUSAGE_WRAPPER, str(report), *cmd]
        busy_before = _busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        together = TreeMemory(proc.pid)
        together.start()
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - started
        together_mb = together.stop()
        busy_after = _busy_seconds()
        maxrss = cpu = python_rss = None
        if report.is_file():
            text = report.read_text(errors="replace")
            if TIME.is_file():
                match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
                maxrss = int(match.group(1)) / 1024 if match else None
                user = re.search(r"User time \(seconds\): ([\d.]+)", text)
                system = re.search(r"System time \(seconds\): ([\d.]+)", text)
                cpu = float(user.group(1)) + float(system.group(1)) if user and system else None
            else:
                maxrss = json.loads(text)["maxrss_kb"] / 1024
        if self_report.is_file():
            python_rss = json.loads(self_report.read_text())["self_maxrss_kb"] / 1024
    others = None
    if busy_before is not None and busy_after is not None and cpu is not None:
        others = max(0.0, busy_after - busy_before - cpu)
    run = Run(wall_s=wall, maxrss_mb=maxrss, rc=proc.returncode, stdout=stdout,
              stderr_tail="\n".join(stderr.strip().splitlines()[-15:]), cpu_s=cpu, python_rss_mb=python_rss,
              others_cpu_s=others, together_mb=together_mb)
    rss = f"{maxrss:.0f} MB" if maxrss is not None else "?"
    extra = f", Python alone {python_rss:.0f} MB" if python_rss is not None else ""
    extra += f", all processes together {together_mb:.0f} MB" if together_mb else ""
    busy = f", other processes {others:.0f} CPU-s" if others is not None else ""
    log(f"{label}: {wall:.1f} s wall, {cpu or 0:.1f} CPU-s, {rss}{extra}{busy}, exit {proc.returncode}")
    if not run.ok:
        log(f"{label} failed:\n{run.stderr_tail}")
    return run


class TreeMemory(threading.Thread):
    """Samples the memory a process and all its descendants hold together: the sum of their PSS, in which
    a page shared by several processes (after a fork) counts once, divided among them. Linux only.

    Every 0.1 s, looking for new processes every 0.3 s: a plain MkDocs build peaks in its last half
    second, as Material's search plugin writes its index (365 to 510 MB at 1,000 episodes), which sampling
    every 0.2 s caught only in part. Sampling every 0.05 s, the CPU other processes used during a build at
    1,000 episodes rose from 1-3 to 5-9 CPU-s.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        tree: list[int] = []
        for sample in itertools.count():
            if sample % 3 == 0:
                tree = self._tree()
            self.peak_kb = max(self.peak_kb, sum(map(_pss_kb, tree)))
            if self._done.wait(0.1):
                break

    def stop(self) -> float | None:
        self._done.set()
        self.join()
        return self.peak_kb / 1024 if self.peak_kb else None

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += children.get(pid, [])
        return tree


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) if found else 0


def snapshot_package(root: Path, env: dict[str, str]) -> None:
    """Copy src/ and import the package from the copy, so that every measurement of a run sees one
    version of the package even while people edit the working tree."""
    global SRC, SNAPSHOT_NOTE
    snapshot = root / "src"
    shutil.copytree(REPO / "src", snapshot, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    # Compiled as `pip install` compiles an installed package: otherwise, where PYTHONDONTWRITEBYTECODE is
    # set, every measured process would compile the package's modules again (0.1 s each time).
    compileall.compile_dir(snapshot, quiet=1)
    digest = hashlib.sha1()
    for path in sorted(snapshot.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(snapshot).as_posix().encode() + b"\0" + path.read_bytes())
    SRC = snapshot
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot), env.get("PYTHONPATH")]))
    sys.path.insert(0, str(snapshot))
    SNAPSHOT_NOTE = f"a snapshot of src/ taken at {time.strftime('%H:%M')} (content sha1 {digest.hexdigest()[:12]})"
    log(f"package under test: {SNAPSHOT_NOTE}")


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"  # Material's banner about MkDocs 2.0 on every build
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    # Measured processes keep their bytecode as a user's do (this machine's environment turns writing it off):
    # with --live, the working tree's modules are compiled once, not in every measured process.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# ---------------------------------------------------------------------------------------------
# Caches, sites, the baseline project
# ---------------------------------------------------------------------------------------------

CACHE_HOME: Path | None = None
"""XDG_CACHE_HOME for every measured process: a folder of the run's own, so that the package's user-level
cache is measured from empty and other people's builds on the machine neither see nor disturb it."""


def package_cache_note() -> str:
    if importlib.util.find_spec("episode_archive.cache") is None:
        return "the package has no cache (no episode_archive.cache module): every build reads and renders everything"
    return ("the package caches episodes (episode_archive.cache); every cold measurement starts from an empty cache "
            "(XDG_CACHE_HOME points into the run's temporary folder, project cache folders are removed); the rebuild "
            "after one edit reuses what the cold build cached")


def cache_dirs(project: Path) -> list[Path]:
    """Folders a cache could live in: anything named like a cache in the project, and the user cache."""
    found = [p for p in project.iterdir() if p.is_dir() and "cache" in p.name.lower()]
    found += [p for p in (project / "episodes").iterdir() if p.is_dir() and "cache" in p.name.lower()]
    user_cache = (CACHE_HOME or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))) / "episode-archive"
    if user_cache.is_dir():
        found.append(user_cache)
    return found


def clear_caches(project: Path) -> list[str]:
    removed = []
    for folder in cache_dirs(project):
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(str(folder))
    return removed


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def site_metrics(site: Path) -> dict:
    pages = list(site.rglob("*.html"))
    episodes = site / "episodes"
    episode_pages = list(episodes.glob("*/index.html")) if episodes.is_dir() else []
    episode_sizes = [p.stat().st_size for p in episode_pages]
    metrics = {"bytes": folder_bytes(site), "html_pages": len(pages),
               "html_bytes": sum(p.stat().st_size for p in pages), "episode_pages": len(episode_pages),
               "episode_html_median": statistics.median(episode_sizes) if episode_sizes else 0}
    index = site / "search" / "search_index.json"
    if index.is_file():
        data = index.read_bytes()
        metrics["search_index"] = len(data)
        metrics["search_index_gz"] = len(gzip.compress(data, compresslevel=6))
    bundle = site / "pagefind"
    if bundle.is_dir():
        metrics["pagefind"] = pagefind_metrics(bundle)
        metrics["pagefind"]["queries"] = measured_queries(site, query_words(episode_pages))
    return metrics


_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\b[a-z]{4,}\b")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def query_words(episode_pages: list[Path]) -> dict[str, str]:
    """Queries a reader might type, from the words of the first 200 episode pages' indexed text: the most
    frequent word, one of middling frequency (the 200th), a rare one (seen twice), and two words."""
    counts: dict[str, int] = {}
    for page in sorted(episode_pages)[:200]:
        text = page.read_text(encoding="utf-8", errors="replace").split("data-pagefind-body", 1)[-1]
        for word in _WORD.findall(_TAG.sub(" ", text).lower()):
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    if len(ranked) < 300:
        return {}
    rare = next(word for word in reversed(ranked) if counts[word] == 2)
    return {"frequent": ranked[0], "middling": ranked[199], "rare": rare,
            "two words": f"{ranked[199]} {ranked[0]}"}


def measured_queries(site: Path, queries: dict[str, str]) -> dict[str, dict]:
    """What the search page downloads from pagefind/ for one query, from opening it in a fresh Chromium
    context until its results show (scripts counted gzipped, as hosts serve them; Pagefind's own files
    are gzipped already). Empty when Chromium or Playwright is missing."""
    if not queries or not CHROMIUM.is_file():
        return {}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}
    import functools
    import http.server
    import urllib.parse

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    measured = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name, query in queries.items():
                context = browser.new_context()
                page = context.new_page()
                loaded: list[int] = []

                def count(response, loaded=loaded) -> None:
                    if "/pagefind/" not in response.url:
                        return
                    try:
                        body = response.body()
                    except Exception:  # a redirect or an aborted request carries no body
                        return
                    script = response.url.split("?")[0].endswith((".js", ".json"))
                    loaded.append(len(gzip.compress(body)) if script else len(body))

                page.on("response", count)
                page.goto(base + "search/?" + urllib.parse.urlencode({"q": query}))
                page.locator(".ea-search__result").first.wait_for(timeout=60_000)
                page.wait_for_load_state("networkidle")
                status = page.locator(".ea-search__status").text_content() or ""
                measured[name] = {"query": query, "bytes": sum(loaded), "requests": len(loaded),
                                  "results": status.split(" ")[0]}
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    log(f"search in Chromium: {measured}")
    return measured


def pagefind_metrics(bundle: Path) -> dict:
    """Pagefind's bundle, how many parts "Pagefind alone" (the plugin's indexing of the built site) makes
    of it (a build plans by the pages' content instead of their files, so it makes fewer), and roughly
    what a reader's first query downloads.

    The search page loads the runtime once (pagefind.js and its worker, gzipped as hosts serve scripts,
    and one WebAssembly file), the entry, meta and all filter files (the page lists the filters'
    values); the query then loads one index chunk for its word, and the fragments of the first five
    results. Pagefind's own files are stored gzipped already.
    """
    def sizes(pattern: str) -> list[int]:
        return [p.stat().st_size for p in bundle.rglob(pattern) if p.is_file()]

    from episode_archive.search import PART_MB, _indexed_site_pages, plan_parts

    pages, _digest = _indexed_site_pages(bundle.parent, True, PART_MB, digested=False)
    scripts = sum(len(gzip.compress((bundle / name).read_bytes())) for name in ("pagefind.js", "pagefind-worker.js")
                  if (bundle / name).is_file())
    chunks, fragments = sizes("*.pf_index"), sizes("*.pf_fragment")
    runtime = scripts + (sizes("wasm.en.pagefind") or sizes("wasm.*.pagefind") or [0])[0]
    metadata = sum(sizes("pagefind-entry.json")) + sum(sizes("*.pf_meta")) + sum(sizes("*.pf_filter"))
    first_query = (runtime + metadata + (statistics.median(chunks) if chunks else 0)
                   + 5 * (statistics.median(fragments) if fragments else 0))
    return {"bytes": folder_bytes(bundle), "files": sum(1 for p in bundle.rglob("*") if p.is_file()),
            "index_chunks": len(chunks), "parts": len(plan_parts(pages, PART_MB)), "first_query": int(first_query)}


def baseline_project(archive: Path, export: Path, target: Path) -> Path:
    """A plain MkDocs project: the archive's mkdocs.yml without the plugin, docs/ + exported pages."""
    import yaml

    config = yaml.safe_load((archive / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = []
    for entry in config.get("plugins") or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if name != "episode-archive":
            plugins.append(entry)
    # Without the plugin the site still needs search: MkDocs' default, Material's `search` plugin.
    if not any((next(iter(e)) if isinstance(e, dict) else e) == "search" for e in plugins):
        plugins.insert(0, "search")
    config["plugins"] = plugins
    config["site_name"] = f"{config.get('site_name', 'Archive')} (baseline, no plugin)"
    # What the plugin adds to the config itself: attr_list (timed paragraphs) and its stylesheet.
    extensions = config.setdefault("markdown_extensions", [])
    for wanted in ("attr_list", "md_in_html"):
        if not any((next(iter(e)) if isinstance(e, dict) else e) == wanted for e in extensions):
            extensions.append(wanted)
    docs = target / "docs"
    shutil.copytree(archive / "docs", docs)
    for path in sorted(export.rglob("*")):
        relative = path.relative_to(export)
        if path.is_file() and not relative.name.startswith(".episode-archive-export"):
            (docs / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, docs / relative)
    # The assets the plugin adds to every page (stylesheet, script), copied from the package.
    try:
        import episode_archive.stylesheet as assets
    except ImportError:
        assets = None
    for name, key in (("STYLESHEET_PATH", "extra_css"), ("SCRIPT_PATH", "extra_javascript")):
        relative = getattr(assets, name, None)
        source = SRC / "episode_archive" / relative if relative else None
        if source is not None and source.is_file():
            (docs / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, docs / relative)
            config[key] = [*config.get(key, []), relative]
    # The plugin marks detail pages as not in the nav; say the same so MkDocs does not list them.
    config["not_in_nav"] = "/episodes/*\n/speakers/*\n/topics/*\n/appearances/*\n/tags*\n"
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def pagefind_command(site: Path) -> list[str]:
    """The plugin's indexing of a built site, as after a build (in parts, where the archive is large): it
    writes the same bundle into the site again."""
    code = ("import sys; from pathlib import Path; from episode_archive.search import run_pagefind; "
            "run_pagefind(Path(sys.argv[1]))")
    return [PY, "-c", code, str(site)]


def transcript_to_edit(archive: Path) -> Path:
    """The first plain-text (else Markdown) transcript: the one every "after one edit" measurement edits."""
    for pattern in ("*.txt", "*.md"):
        for path in sorted((archive / "episodes").rglob(pattern)):
            if path.name.lower() != "readme.md":
                return path
    raise SystemExit("no .txt or .md transcript to edit for the warm rebuild")


def edit_one_transcript(archive: Path) -> str:
    """Append a sentence to the transcript to edit; return its path."""
    path = transcript_to_edit(archive)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(WARM_SENTENCE + "\n")
    return path.relative_to(archive).as_posix()


# ---------------------------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------------------------

def profile_build(archive: Path, env: dict[str, str], scratch: Path) -> tuple[str, Run | None]:
    """Profile one cold plugin build; a Markdown summary of where the time goes."""
    shutil.rmtree(archive / "site", ignore_errors=True)
    clear_caches(archive)
    if importlib.util.find_spec("pyinstrument") is not None:
        session = scratch / "profile.pyisession"
        cmd = [PY, "-m", "pyinstrument", "-r", "session", "-o", str(session), "-m", "mkdocs", "build", "-q"]
        run = measure(cmd, archive, env, "profile (pyinstrument)")
        if not run.ok or not session.is_file():
            return f"Profiling failed (exit {run.rc}):\n\n```\n{run.stderr_tail}\n```\n", run
        output = scratch / "profile.json"
        renderers = (("json", output), ("text", scratch / "profile.txt"), ("html", scratch / "profile.html"))
        for renderer, target in renderers:
            subprocess.run([PY, "-m", "pyinstrument", "--load", str(session), "-r", renderer, "-o", str(target)],
                           capture_output=True, env=env)
        log(f"profile written to {scratch}/profile.txt and profile.html (kept with --keep)")
        return summarise_pyinstrument(json.loads(output.read_text()), run), run
    output = scratch / "profile.pstats"
    cmd = [PY, "-m", "cProfile", "-o", str(output), "-m", "mkdocs", "build", "-q"]
    run = measure(cmd, archive, env, "profile (cProfile)")
    if not run.ok or not output.is_file():
        return f"Profiling failed (exit {run.rc}):\n\n```\n{run.stderr_tail}\n```\n", run
    return summarise_cprofile(output, run), run


def _frame_label(frame: dict) -> str:
    return f"`{frame['function']}` ({frame['file_path_short']}:{frame['line_no']})"


def summarise_pyinstrument(data: dict, run: Run) -> str:
    total = data["duration"]
    root = data["root_frame"]
    peak = f", {run.maxrss_mb:.0f} MB peak" if run.maxrss_mb is not None else ""
    lines = [f"pyinstrument (statistical, 1 ms samples) on the main process of one cold `mkdocs build -q`: "
             f"{total:.1f} s profiled ({run.wall_s:.1f} s wall with the profiler{peak}). Subprocesses (Pagefind, "
             "forked topic workers) show as the time the main process waits for them.", ""]

    # Stages: the children of mkdocs' build_command (load_config, build) and of build().
    def find(frame: dict, function: str, path_part: str) -> dict | None:
        if frame["function"] == function and path_part in frame["file_path_short"]:
            return frame
        for child in frame["children"]:
            hit = find(child, function, path_part)
            if hit:
                return hit
        return None

    stages: list[tuple[str, float]] = []
    command = find(root, "build_command", "mkdocs/__main__.py")
    build = find(root, "build", "mkdocs/commands/build.py")
    if command:
        for child in command["children"]:
            if child is not build and not (build and _contains(child, build)):
                stages.append((f"{_frame_label(child)}", child["time"]))
    if build:
        grouped: dict[str, float] = {}
        for child in build["children"]:
            label = _stage_name(child)
            grouped[label] = grouped.get(label, 0.0) + child["time"]
        stages += sorted(grouped.items(), key=lambda item: -item[1])
        accounted = sum(child["time"] for child in build["children"])
        stages.append(("`build` itself (between stages)", build["time"] - accounted))
    lines += ["| stage (children of mkdocs' `build_command` and `build`) | seconds | share |", "| --- | ---: | ---: |"]
    for label, seconds in stages:
        if seconds >= 0.01:
            lines.append(f"| {label} | {seconds:.1f} | {100 * seconds / total:.0f}% |")
    lines.append("")

    # Across stages: time under each component's outermost frames (imports excluded).
    components = [("episode-archive (on_files: read, topics, people, related, render)", "episode_archive/",
                   ("on_files",)),
                  ("episode-archive: Pagefind subprocess (on_post_build)", "episode_archive/", ("run_pagefind",)),
                  ("episode-archive: other hooks (on_page_content, on_page_markdown, on_env, ...)", "episode_archive/",
                   ("on_page_content", "on_page_markdown", "on_env", "on_config", "on_nav", "on_page_context",
                    "on_post_page")),
                  ("Material search plugin (text extraction per page, search_index.json)", "material/plugins/search/",
                   ()),
                  ("Material tags plugin", "material/plugins/tags/", ()),
                  ("Python-Markdown (all Markdown conversion)", "markdown/", ()),
                  ("Jinja2 + Material templates", ("jinja2/", "material/templates/"), ())]
    lines += ["By component, across stages (outermost frames, so nothing is counted twice within a row):", "",
              "| component | seconds | share |", "| --- | ---: | ---: |"]
    for label, path_part, functions in components:
        seconds = _outermost_time(root, path_part, functions)
        lines.append(f"| {label} | {seconds:.1f} | {100 * seconds / total:.0f}% |")
    lines.append("")

    # Inside the plugin: episode_archive functions by inclusive time (recursion counted once).
    inclusive: dict[str, float] = {}

    imports = 0.0

    def walk(frame: dict, active: frozenset[str]) -> None:
        nonlocal imports
        label = _frame_label(frame)
        if frame["function"] == "<module>":
            if frame["file_path_short"].endswith("episode_archive/plugin.py") and not active:
                imports += frame["time"]  # importing the plugin and everything it imports
                active = active | {"import"}
        elif ("episode_archive/" in frame["file_path_short"] and label not in active
              and not frame["function"].startswith("[")):
            inclusive[label] = inclusive.get(label, 0.0) + frame["time"]
            active = active | {label}
        for child in frame["children"]:
            walk(child, active)

    walk(root, frozenset())
    top = sorted(inclusive.items(), key=lambda item: -item[1])[:16]
    lines += ["Inside episode-archive (inclusive time; recursion counted once):", "",
              "| function | seconds | share of build |", "| --- | ---: | ---: |",
              f"| importing the plugin and its dependencies (part of `load_config`) | {imports:.2f} "
              f"| {100 * imports / total:.1f}% |"]
    lines += [f"| {label} | {seconds:.2f} | {100 * seconds / total:.1f}% |" for label, seconds in top]
    lines.append("")

    # Self time anywhere, by function.
    own: dict[str, float] = {}

    def self_time(frame: dict) -> None:
        label = _frame_label(frame)
        own[label] = own.get(label, 0.0) + frame["time"] - sum(child["time"] for child in frame["children"])
        for child in frame["children"]:
            self_time(child)

    self_time(root)
    top_self = sorted(own.items(), key=lambda item: -item[1])[:20]
    lines += ["Top functions by self time (all code):", "", "| function | self seconds | share |",
              "| --- | ---: | ---: |"]
    lines += [f"| {label} | {seconds:.2f} | {100 * seconds / total:.1f}% |" for label, seconds in top_self]
    lines.append("")
    return "\n".join(lines)


def _outermost_time(frame: dict, path_part: str | tuple[str, ...], functions: tuple[str, ...]) -> float:
    """Time of the outermost frames in files matching `path_part` (and named one of `functions`, if given)."""
    path = frame["file_path_short"]
    parts = (path_part,) if isinstance(path_part, str) else path_part
    if (any(part in path for part in parts) and frame["function"] != "<module>"
            and (not functions or frame["function"] in functions)):
        return frame["time"]
    return sum(_outermost_time(child, path_part, functions) for child in frame["children"])


def _contains(frame: dict, target: dict) -> bool:
    return frame is target or any(_contains(child, target) for child in frame["children"])


def _stage_name(frame: dict) -> str:
    """A readable name for a child of mkdocs' build(): plugin events name the plugin that ran."""
    if frame["function"].startswith("on_") and frame["file_path_short"].endswith("mkdocs/plugins.py"):
        plugins: dict[str, float] = {}

        def collect(node: dict) -> None:
            path = node["file_path_short"]
            if node["function"].startswith("on_") and not path.endswith("mkdocs/plugins.py"):
                owner = path.split("/plugins/")[-1].split("/")[0] if "/plugins/" in path else path.split("/")[0]
                plugins[owner] = plugins.get(owner, 0.0) + node["time"]
                return
            for child in node["children"]:
                collect(child)

        collect(frame)
        owners = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(plugins.items(), key=lambda i: -i[1])
                           if seconds >= 0.05)
        return f"event `{frame['function']}`" + (f" ({owners})" if owners else "")
    names = {"_populate_page": "Markdown to HTML (`_populate_page`, all pages)",
             "_build_page": "theme templates + page events (`_build_page`, all pages)",
             "_build_theme_template": "theme-level templates (`_build_theme_template`: 404, sitemap)",
             "get_files": "collecting docs files (`get_files`)",
             "get_navigation": "navigation (`get_navigation`)",
             "copy_static_files": "copying static files"}
    return names.get(frame["function"], _frame_label(frame))


def summarise_cprofile(path: Path, run: Run) -> str:
    import pstats

    stats = pstats.Stats(str(path))
    total = run.wall_s
    rows = []
    wanted = [("load_config", "mkdocs/config/base.py"), ("load_archive", "episode_archive/archive.py"),
              ("assign_topics", "episode_archive/topics.py"), ("find_related", "episode_archive/related.py"),
              ("render_pages", "episode_archive/render/pages.py"), ("_populate_page", "mkdocs/commands/build.py"),
              ("_build_page", "mkdocs/commands/build.py"), ("on_post_build", "search")]
    for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for name, part in wanted:
            if function == name and part in filename:
                rows.append((f"`{function}` ({part})", ct))
    lines = [f"cProfile (deterministic; inflates Python-heavy code), one cold build: {total:.1f} s wall.", "",
             "| function | cumulative seconds |", "| --- | ---: |"]
    lines += [f"| {label} | {seconds:.1f} |" for label, seconds in sorted(rows, key=lambda r: -r[1])]
    lines.append("")
    own = sorted(((tt, f"`{fn}` ({Path(file).name}:{line})") for (file, line, fn), (_cc, _nc, tt, _ct, _c)
                  in stats.stats.items()), reverse=True)[:20]  # type: ignore[attr-defined]
    lines += ["| function | self seconds |", "| --- | ---: |"] + [f"| {label} | {tt:.2f} |" for tt, label in own]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# One size
# ---------------------------------------------------------------------------------------------

def bench_size(n: int, seed: int, root: Path, env: dict[str, str], profile: bool, pairs: int = 1) -> SizeResult:
    result = SizeResult(n=n)
    work = root / f"n{n}"
    work.mkdir()
    archive = work / "archive"

    run = measure([PY, str(GENERATOR), str(n), str(archive), "--seed", str(seed)], REPO, env, f"N={n} generate")
    result.runs["generate"] = run
    if not run.ok:
        raise SystemExit(f"generating N={n} failed:\n{run.stderr_tail}")
    result.archive = json.loads(run.stdout.strip().splitlines()[-1])
    result.archive["transcript_bytes"] = folder_bytes(archive / "episodes")

    clear_caches(archive)
    shutil.rmtree(archive / "site", ignore_errors=True)
    result.runs["cold"] = measure([PY, "-m", "mkdocs", "build", "-q"], archive, env, f"N={n} cold plugin build")
    if result.runs["cold"].ok:
        result.site = site_metrics(archive / "site")
    result.cache = package_cache_note()
    created = cache_dirs(archive)
    if created:
        result.cache += "; after the cold build: " + ", ".join(
            f"{p.name} ({folder_bytes(p) / 1e6:.1f} MB)" for p in created)

    # Warm: one transcript changes, the site folder and the cold build's cache stay.
    result.edited = edit_one_transcript(archive)
    result.runs["warm"] = measure([PY, "-m", "mkdocs", "build", "-q"], archive, env,
                                  f"N={n} rebuild after editing {result.edited}")

    if result.site.get("pagefind"):
        result.runs["pagefind"] = measure(pagefind_command(archive / "site"), archive, env,
                                          f"N={n} Pagefind indexing alone")
        shutil.rmtree(archive / "site" / "pagefind-bench", ignore_errors=True)

    # The generation step: from an empty cache, again with nothing changed, and after one more edit. Then
    # (`pairs`) from an empty cache and after one more edit again: the share after an edit is the median of
    # pairs measured seconds apart, as the build ratio is, since this machine's speed drifts over minutes.
    for pair in range(1, pairs + 1):
        clear_caches(archive)
        steps = [("generation", "generation step, empty cache"),
                 *([("generation_unchanged", "generation step, nothing changed")] if pair == 1 else []),
                 ("generation_edited", "generation step after one edit")]
        measured: dict[str, dict] = {}
        for key, label in steps:
            if key == "generation_edited":
                edit_one_transcript(archive)
            run = measure([PY, "-c", _GENERATION, str(archive)], REPO, env,
                          f"N={n} {label}" + (f", pair {pair}" if pair > 1 else ""))
            result.runs[key if pair == 1 else f"{key}#{pair}"] = run
            if run.ok:
                measured[key] = {**json.loads(run.stdout.strip().splitlines()[-1]), "wall_s": run.wall_s}
                if pair == 1:
                    setattr(result, key, measured[key])
        if "generation" in measured and "generation_edited" in measured:
            result.generation_pairs.append({"cold": measured["generation"], "edited": measured["generation_edited"]})

    transcript = transcript_to_edit(archive)
    built = (archive / "site" / "episodes" / transcript.stem / "index.html").is_file()
    for mode, extra in (("serve", []), ("serve --dirty", ["--dirty"])) if built else ():
        url = f"http://127.0.0.1:8731/episodes/{transcript.stem}/"
        sentence = f"A sentence appended while serving ({mode}, {time.time():.0f})."
        run = measure([PY, "-c", _SERVE_EDIT, str(archive), str(transcript), url, sentence, *extra], archive, env,
                      f"N={n} mkdocs {mode}: edit until the page shows it")
        if run.ok:
            result.serve[mode] = json.loads(run.stdout.strip().splitlines()[-1])

    clear_caches(archive)
    export = work / "export"
    result.runs["export"] = measure([PY, "-m", "episode_archive.cli", "export", "--project", str(archive),
                                     "--out", str(export)], REPO, env, f"N={n} export")
    if result.runs["export"].ok:
        baseline = baseline_project(archive, export, work / "baseline")
        result.runs["baseline"] = measure([PY, "-m", "mkdocs", "build", "-q"], baseline, env,
                                          f"N={n} baseline build (no plugin)")
        if result.runs["baseline"].ok:
            result.baseline_site = site_metrics(baseline / "site")
            for pair in range(2, pairs + 1):
                # Cold again (no site, no cache), then plain again: each pair's two builds are seconds apart.
                clear_caches(archive)
                shutil.rmtree(archive / "site", ignore_errors=True)
                result.runs[f"cold#{pair}"] = measure([PY, "-m", "mkdocs", "build", "-q"], archive, env,
                                                      f"N={n} cold plugin build, pair {pair}")
                shutil.rmtree(baseline / "site", ignore_errors=True)
                result.runs[f"baseline#{pair}"] = measure([PY, "-m", "mkdocs", "build", "-q"], baseline, env,
                                                          f"N={n} baseline build (no plugin), pair {pair}")

    if profile:
        result.profile, profile_run = profile_build(archive, env, work)
        if profile_run is not None:
            result.runs["profile"] = profile_run
    return result


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=REPO, capture_output=True,
                               text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"git {head}" + (" with uncommitted changes under src/" if dirty else "") + f"; measured: {SNAPSHOT_NOTE}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, {memory} RAM, {platform.system()} {platform.release()}"


def _s(run: Run | None) -> str:
    """Wall seconds, CPU seconds, and a dagger when other processes competed for the CPUs."""
    if run is None:
        return "-"
    if not run.ok:
        return f"failed (exit {run.rc})"
    cpu = f" ({run.cpu_s:.0f} CPU-s)" if run.cpu_s is not None and run.cpu_s >= 1 else ""
    return f"{run.wall_s:.1f} s{cpu}{' †' if run.contended else ''}"


def _mb(run: Run | None) -> str:
    if not (run and run.ok and run.maxrss_mb is not None):
        return "-"
    together = f", together {run.together_mb:.0f} MB" if run.together_mb else ""
    if run.python_rss_mb is not None and run.maxrss_mb > run.python_rss_mb * 1.05:
        return f"{run.maxrss_mb:.0f} MB (Python {run.python_rss_mb:.0f} MB{together})"
    return f"{run.maxrss_mb:.0f} MB{f' ({together[2:]})' if together else ''}"


def _python_mb(run: Run | None) -> float | None:
    """The Python process's own peak when known, else the whole run's."""
    if not (run and run.ok):
        return None
    return run.python_rss_mb if run.python_rss_mb is not None else run.maxrss_mb


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "-"


def _generation_share(result: SizeResult) -> str:
    """The generation step after one edit as a share of the cold one: the process (its start, imports and
    exit included) and the step alone (load + episode pages), each the median of the pairs with their range."""
    def share(ratios: list[float]) -> str:
        if len(ratios) == 1:
            return f"{ratios[0]:.1%}"
        return f"{statistics.median(ratios):.1%}, {min(ratios):.1%}–{max(ratios):.1%}"

    def step(run: dict) -> float:
        return run["load_s"] + run["render_s"]

    pairs = result.generation_pairs
    process = share([p["edited"]["wall_s"] / p["cold"]["wall_s"] for p in pairs])
    alone = share([step(p["edited"]) / step(p["cold"]) for p in pairs])
    counted = f"median of {len(pairs)} pairs: " if len(pairs) > 1 else ""
    return f"{counted}process {process}; step alone {alone}"


def _paired_ratio(result: SizeResult) -> str:
    """Cold plugin build over plain build: the median of the pairs' ratios, with their range."""
    ratios = []
    for cold_name, base_name in [("cold", "baseline")] + [(name, "baseline#" + name.split("#")[1])
                                                           for name in result.runs if name.startswith("cold#")]:
        cold, base = result.runs.get(cold_name), result.runs.get(base_name)
        if cold and base and cold.ok and base.ok:
            ratios.append(cold.wall_s / base.wall_s)
    if not ratios:
        return "-"
    if len(ratios) == 1:
        return f"{ratios[0]:.2f}×"
    return f"{statistics.median(ratios):.2f}× (median of {len(ratios)} pairs, {min(ratios):.2f}–{max(ratios):.2f})"


def report(results: list[SizeResult], command: str, seed: int, package: str | None = None) -> str:
    lines = ["# Benchmarks", "",
             f"Written by `{command}` on {dt.date.today().isoformat()}. "
             "One run per measurement (the cold plugin build and the plain build: the pairs the ratio is taken "
             "from) on this machine: compare numbers from the same machine only.", "",
             f"- Machine: {machine()}",
             f"- Python {platform.python_version()}, mkdocs {_version('mkdocs')}, mkdocs-material "
             f"{_version('mkdocs-material')}, episode-archive {_version('episode-archive')} "
             f"({package or _git_state()})",
             f"- Archives: `python3 scripts/synthetic_archive.py N OUT --seed {seed}` (made-up words, real structure: "
             "every format the package reads, front matter / sidecar / catalog.csv metadata, Zipf-like speakers)",
             f"- Timing: wall clock of a fresh subprocess, with Python's bytecode cache on (as a user's install has "
             f"it); memory: peak RSS "
             f"({'GNU /usr/bin/time -v' if TIME.is_file() else 'ru_maxrss of the child'})", ""]
    if results:
        note, _, _ = results[0].cache.partition("; after the cold build: ")
        sizes = [f"N={r.n}: {r.cache.partition('; after the cold build: ')[2]}" for r in results
                 if "; after the cold build: " in r.cache]
        lines += [f"- Cache: {note}" + (f"; after the cold build: {', '.join(sizes)}" if sizes else ""), ""]

    lines += ["## Archives", "",
              "| N | transcripts | words (mean) | speakers | topics | shows | formats | dates | check |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |"]
    for r in results:
        a = r.archive
        formats = ", ".join(f"{k} {v}" for k, v in a.get("formats", {}).items())
        g = r.generation
        check = (f"{g['problems']} problems, {g['warnings']} warnings" if g else "-")
        lines.append(f"| {r.n} | {a.get('transcript_bytes', 0) / 1e6:.1f} MB | {a.get('words', 0):,} "
                     f"({a.get('mean_words', 0):,}) | {g.get('people', a.get('speakers_appearing', '?'))} "
                     f"| {g.get('topics', '-')} | {a.get('shows')} | {formats} "
                     f"| {a.get('first_date')} to {a.get('last_date')} | {check} |")
    lines += ["", "## Build time and peak memory", "",
              "Each cell: wall time (CPU time of the process and its children), peak RSS. A build's peak RSS "
              "is the largest process in it; when a subprocess (Pagefind) is larger than MkDocs' Python "
              "process, the Python process's own peak follows in parentheses. \"Together\": the peak of the "
              "memory all of a run's processes held at once (MkDocs, its forked workers and Pagefind; the sum "
              "of their PSS, sampled every 0.1 s, so pages a fork shares count once). † marks a run during which "
              "other processes on the machine used more than 10% of its CPUs.", "",
              "| N | plugin cold build | baseline: export (empty cache) | baseline: plain build "
              "| plugin / plain build (time, Python memory) | plugin / (export + plain build) "
              "| generation step (empty cache) | Pagefind alone | rebuild after one edit | generate archive |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        cold, base, export = r.runs.get("cold"), r.runs.get("baseline"), r.runs.get("export")
        gen = r.runs.get("generation")
        both = (export.wall_s + base.wall_s) if export and base and export.ok and base.ok else None
        inner = (f" (load {r.generation['load_s']:.1f} s + episode pages {r.generation['render_s']:.1f} s)"
                 if r.generation else "")
        cold_wall = cold.wall_s if cold and cold.ok else None
        lines.append(
            f"| {r.n} | {_s(cold)}, {_mb(cold)} | {_s(export)}, {_mb(export)} | {_s(base)}, {_mb(base)} "
            f"| {_paired_ratio(r)}, "
            f"{_ratio(_python_mb(cold), _python_mb(base))} "
            f"| {_ratio(cold_wall, both)} | {_s(gen)}, {_mb(gen)}{inner} "
            f"| {_s(r.runs.get('pagefind'))}, {_mb(r.runs.get('pagefind'))} "
            f"| {_s(r.runs.get('warm'))}, {_mb(r.runs.get('warm'))} | {_s(r.runs.get('generate'))} |")
    lines += ["", "The baseline is the same site without the plugin: `episode-archive export`, then plain MkDocs "
              "with the same theme and markdown_extensions on docs/ + the exported pages + the package's stylesheet "
              "and script, and with search: Material's `search` plugin, which MkDocs enables by default (the "
              "plugin's site has Pagefind). The export starts from an empty cache, like the cold build. "
              "\"Plugin / plain build\" is what the plugin costs on top of rendering the same pages (time: the median "
              "of the pairs' ratios when `--pairs` ran the two builds alternately more than once; the other columns "
              "are the first pair's); the export "
              "column is the plugin's own work done outside MkDocs. \"Pagefind alone\" re-indexes the built "
              "site as the plugin does after a build (one Pagefind run per part of the index, one after another; "
              "its peak is the largest run's). The rebuild appends one sentence to one transcript and builds "
              "again right after the cold build, keeping site/ and the cache. mkdocs builds run as "
              "`python3 -m mkdocs build -q` through "
              "runpy, to read the Python process's own peak memory.", ""]

    lines += ["## Rebuilds", "",
              "The generation step is what the plugin does in `on_files` (read, clean, metadata, topics, people, "
              "related talks, passage links, render the pages and downloads), in a fresh process (its start and "
              "imports included) through the on-disk cache: first empty, then with nothing changed, then after "
              "appending one more sentence to the same transcript. As in the plugin, the pages other than "
              "episodes' and the downloads are made while related talks and passage links are found (part of "
              "\"load\"), the episode pages after them. The share of cold: with `--pairs`, the step from an empty "
              "cache and after one more edit run again that many times, and the share is the median of the pairs' "
              "(with their range), for the whole process and for the step alone (load + episode pages, without "
              "Python's start, imports and exit); the times shown are the first pair's. `mkdocs serve`: seconds "
              "from appending a sentence to a transcript until the served page contains it (the plugin's first "
              "serve build had the cache of the builds before).", "",
              "| N | generation: empty cache | nothing changed | after one edit (share of cold) "
              "| `mkdocs build` after one edit | `mkdocs serve`: edit visible | `mkdocs serve --dirty`: edit visible |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        cold_gen, same, edited = r.runs.get("generation"), r.runs.get("generation_unchanged"), \
            r.runs.get("generation_edited")
        share = f" ({_generation_share(r)})" if r.generation_pairs else ""

        def inner(g: dict) -> str:
            return f" (load {g['load_s']:.1f} + episode pages {g['render_s']:.1f})" if g else ""

        serve = {mode: f"{r.serve[mode]['edit_visible_s']:.1f} s" if mode in r.serve else "-"
                 for mode in ("serve", "serve --dirty")}
        lines.append(f"| {r.n} | {_s(cold_gen)}{inner(r.generation)} | {_s(same)}{inner(r.generation_unchanged)} "
                     f"| {_s(edited)}{inner(r.generation_edited)}{share} | {_s(r.runs.get('warm'))} "
                     f"| {serve['serve']} | {serve['serve --dirty']} |")
    lines += [""]

    lines += ["## Output size", "",
              "| N | HTML pages (plugin / baseline) | site | HTML per episode page (median) "
              "| search/search_index.json | gzipped | Pagefind bundle "
              "| Pagefind, first query (frequent / middling / rare word / two words) |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        s, b = r.site, r.baseline_site
        if not s:
            lines.append(f"| {r.n} | - | - | - | - | - | - | - |")
            continue
        index = f"{s['search_index'] / 1e6:.1f} MB" if "search_index" in s else "none"
        index_gz = f"{s['search_index_gz'] / 1e6:.1f} MB" if "search_index_gz" in s else "-"
        pagefind = s.get("pagefind")
        bundle = (f"{pagefind['bytes'] / 1e6:.1f} MB in {pagefind['files']} files; Pagefind alone: "
                  f"{pagefind.get('parts', 1)} part{'s' if pagefind.get('parts', 1) > 1 else ''}"
                  if pagefind else "none")
        measured = (pagefind or {}).get("queries") or {}
        query = (" / ".join(f"{m['bytes'] / 1e3:.0f}" for m in measured.values()) + " KB"
                 if measured else f"~{pagefind['first_query'] / 1e3:.0f} KB (estimate)" if pagefind else "-")
        lines.append(f"| {r.n} | {s['html_pages']} / {b.get('html_pages', '-')} | {s['bytes'] / 1e6:.1f} MB "
                     f"| {s['episode_html_median'] / 1e3:.0f} KB | {index} | {index_gz} | {bundle} | {query} |")
    queries = next((q for r in reversed(results) for q in [((r.site or {}).get("pagefind") or {}).get("queries")]
                    if q), {})
    examples = ", ".join(f"{name} `{m['query']}`" for name, m in queries.items())
    lines += ["", "search_index.json is Material's built-in search (the `search` plugin in mkdocs.yml): the full "
              "text of every page in one file, which every reader downloads before their first query. Pagefind's "
              "first query is measured in Chromium: everything the search page downloads from pagefind/ from "
              "opening it with the query until its first results show (the runtime: pagefind.js and its worker, "
              "counted gzipped as hosts serve scripts, and the WebAssembly; the entry, metadata and "
              "filter files; the index chunks of the query's words; the fragments of the five "
              "results shown). The words come from the archive's own pages"
              + (f" (at the largest N: {examples})" if examples else "") + ". Where Chromium is missing, an "
              "estimate: the runtime, the metadata, one median chunk and five median fragments. "
              "A large archive is indexed in parts (the plugin's `search_part_mb`), which bounds Pagefind's "
              "memory, and the parts are merged into one index.", ""]

    profiled = [r for r in results if r.profile]
    for r in profiled:
        lines += [f"## Where the time goes (cold plugin build, N={r.n})", "", r.profile]
    failures = [(r.n, name, run) for r in results for name, run in r.runs.items() if not run.ok]
    if failures:
        lines += ["## Failures", ""]
        for n, name, run in failures:
            lines += [f"N={n} {name}: exit {run.rc}", "", "```", run.stderr_tail, "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated archive sizes (default 100,1000)")
    parser.add_argument("--with-3000", action="store_true", help="also run N=3000 (long: many minutes per build)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument("--profile", type=int, default=1000, metavar="N",
                        help="profile the cold plugin build at this size, if it is run (0: never)")
    parser.add_argument("--pairs", type=int, default=3, metavar="K",
                        help="run the cold plugin build and the plain build K times alternately (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary archives and sites")
    parser.add_argument("--live", action="store_true",
                        help="import the package from the working tree as it is at each step, not from a snapshot")
    parser.add_argument("--rerender", type=Path, metavar="DIR",
                        help="write the report again from a kept run's DIR/results.json and profiles; measure nothing")
    args = parser.parse_args(argv)
    if args.rerender:
        return rerender(args.rerender, args.out)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.with_3000 and 3000 not in sizes:
        sizes.append(3000)
    command = "python3 scripts/bench.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    env = bench_env()
    root = Path(tempfile.mkdtemp(prefix="ea-bench-"))
    log(f"working in {root}")
    if not args.live:
        snapshot_package(root, env)
    global CACHE_HOME
    CACHE_HOME = root / "xdg-cache"
    env["XDG_CACHE_HOME"] = str(CACHE_HOME)
    results = []
    try:
        for n in sizes:
            results.append(bench_size(n, args.seed, root, env, profile=n == args.profile, pairs=args.pairs))
            raw = [{**{k: v for k, v in vars(r).items() if k != "runs"}, "command": command.strip(), "seed": args.seed,
                    "package": _git_state(),
                    "runs": {name: {k: v for k, v in vars(run).items() if k != "stdout"}
                             for name, run in r.runs.items()}} for r in results]
            (root / "results.json").write_text(json.dumps(raw, indent=1, default=str))
            text = report(results, command.strip(), args.seed)
            _write(args.out, text)  # after each size, so a long run leaves what it has measured
    finally:
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(report(results, command.strip(), args.seed))
    return 1 if any(not run.ok for r in results for run in r.runs.values()) else 0


def rerender(folder: Path, out: Path) -> int:
    """The report from a kept run: results.json, with profiles summarised again from nN/profile.json."""
    raw = json.loads((folder / "results.json").read_text())
    results = []
    for item in raw:
        runs = {name: Run(**{k: v for k, v in run.items() if k in Run.__dataclass_fields__})
                for name, run in item["runs"].items()}
        result = SizeResult(**{k: v for k, v in item.items() if k in SizeResult.__dataclass_fields__ and k != "runs"},
                            runs=runs)
        profile = folder / f"n{result.n}" / "profile.json"
        if profile.is_file():
            data = json.loads(profile.read_text())
            run = runs.pop("profile", None) or Run(wall_s=data["duration"], maxrss_mb=None, rc=0)
            result.profile = summarise_pyinstrument(data, run)
        results.append(result)
    command = raw[0].get("command", "python3 scripts/bench.py") if raw else "python3 scripts/bench.py"
    seed = raw[0].get("seed", 0) if raw else 0
    package = raw[0].get("package") if raw else None
    text = report(results, command, seed, package or "package state not recorded in results.json")
    _write(out, text)
    print(text)
    return 0


def _write(out: Path, text: str) -> None:
    """Write the report, keeping hand-written notes after NOTES_MARKER in an existing file."""
    notes = ""
    if out.is_file():
        old = out.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            notes = "\n" + NOTES_MARKER + old.split(NOTES_MARKER, 1)[1]
    out.write_text(text + notes, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

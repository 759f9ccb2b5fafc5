"""Hostile and broken input: clear errors, safe pages, nothing lost.

Every folder in tests/hostile/ with a `case.yml` is one case: its `episodes/` (and sometimes `docs/`) is
the input, and `case.yml` the expected outcome (see tests/hostile/README.md). Each case is copied to a
temporary project with a minimal mkdocs.yml (Material, search + episode-archive, the demo's Markdown
extensions) and checked with `episode-archive check` and in-process MkDocs builds, as tests/test_build.py
does. A few cases are made at test time instead of stored: symlinks, a 60 MB file, a 1 MB line, the
billion-laughs YAML, and file names that only differ in case, Unicode form or invisible characters.

Outcomes:

- `error`: check exits 1 with a `file:line: ` line holding the message; a strict build fails with the
  message in its log; no traceback anywhere.
- `warning`: check exits 1 with the message; a strict build fails; a plain build passes.
- `safe`: check is clean, the strict build passes, the page shows each `visible` string as text, and no
  element, attribute or script came from the input (the whole site passes tests/test_site_safety.py's
  checker).
- `collision`: two inputs would share one URL: check reports it naming both; a strict build fails; a
  plain build either fails too (an error) or publishes both (a documented suffix with a warning), never
  one over the other.

Every case also checks that nothing was written outside the site folder and no input or hand-written
page changed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
import traceback
import unicodedata
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from episode_archive.cli import main
from test_site_safety import HtmlScan, scan, search_index, site_problems

CORPUS = Path(__file__).resolve().parent / "hostile"
MKDOCS_YML = """\
site_name: Hostile
theme:
  name: material
plugins:
  - search
  - episode-archive
markdown_extensions:
  - toc:
      permalink: true
  - tables
  - attr_list
  - md_in_html
  - admonition
"""
HOME = "# Home\n\nHand-written home page.\n"
TRACEBACK = "Traceback (most recent call last)"
# A generated page's folder: what a slug may look like (and how long it may be) in any URL.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 100
# Inside <article> on a plain-text episode page, elements only the input could have produced.
INPUT_ONLY_ELEMENTS = frozenset({
    "script", "img", "iframe", "object", "embed", "hr", "pre", "code", "table", "thead", "tbody", "tr", "td",
    "th", "sup", "input", "style", "form", "button", "textarea", "select", "del", "ins", "mark", "u", "b", "i",
    "s", "ol", "dl", "dt", "dd", "abbr", "kbd", "math", "link", "meta", "base", "font", "article",
})
# Attributes the page's own markup never needs and an injected attribute list would add.
INPUT_ONLY_ATTRIBUTES = frozenset({"style", "tabindex", "autofocus", "contenteditable", "src", "srcset", "srcdoc",
                                   "action", "formaction", "form", "target", "download", "ping"})
# The classes and ids the corpus tries to inject with attribute lists (`{: .x #owned }`, `{#custom-id}`).
INJECTED_NAMES = frozenset({"x", "owned", "custom-id"})
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- running check and builds -----------------------------------------------------------------------

class Outcome:
    """What `check` or a build did: exit status or exception, and everything it printed or logged."""

    def __init__(self, ok: bool, output: str, error: BaseException | None = None) -> None:
        self.ok = ok
        self.output = output
        self.error = error


def run_check(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    """`episode-archive check --project DIR` from inside DIR, so paths print relative to it."""
    monkeypatch.chdir(project)
    capsys.readouterr()
    try:
        code = main(["check", "--project", str(project)])
    except BaseException:  # noqa: BLE001 - a crash is the finding
        out, err = capsys.readouterr()
        pytest.fail(f"`episode-archive check` crashed instead of reporting the problem:\n{out}{err}"
                    f"{traceback.format_exc()}")
    out, err = capsys.readouterr()
    monkeypatch.chdir(project.parent)
    return code, out, err


def run_build(project: Path, strict: bool) -> Outcome:
    """An in-process MkDocs build into project/site, with the mkdocs log captured."""
    site = project / "site"
    shutil.rmtree(site, ignore_errors=True)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=strict)
        build(config)
    except BaseException as error:  # noqa: BLE001 - inspected by the caller
        text = stream.getvalue() + f"\n{type(error).__name__}: {error}\n"
        if not isinstance(error, (MkDocsException, SystemExit)):
            text += traceback.format_exc()
        return Outcome(False, text, error)
    finally:
        logger.removeHandler(handler)
    return Outcome(True, stream.getvalue())


def assert_clean_failure(outcome: Outcome, what: str) -> None:
    assert not outcome.ok, f"{what}: the build passed but should have failed:\n{outcome.output}"
    assert isinstance(outcome.error, (MkDocsException, SystemExit)), (
        f"{what}: the build crashed with {type(outcome.error).__name__} instead of reporting a user mistake:\n"
        f"{outcome.output}")


# --- the project ----------------------------------------------------------------------------------------

def make_project(tmp_path: Path, source: Path | None = None) -> Path:
    project = tmp_path / "archive"
    if source is not None:
        shutil.copytree(source, project, symlinks=True, ignore=shutil.ignore_patterns("case.yml"))
    (project / "episodes").mkdir(parents=True, exist_ok=True)
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    home = project / "docs" / "index.md"
    if not home.exists():
        home.parent.mkdir(parents=True, exist_ok=True)
        home.write_text(HOME, encoding="utf-8")
    return project


def snapshot(root: Path, skip: Path) -> dict[str, str]:
    """Every entry under root except `skip`: files by content hash, links by target, folders by name."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if here == skip or skip in here.parents:
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            if path == skip:
                continue
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# --- reading the built site -----------------------------------------------------------------------------

def page_file(site: Path, url: str) -> Path:
    if url.endswith(".html"):
        return site / url
    return site / url / "index.html" if url else site / "index.html"


def episode_pages(site: Path) -> list[Path]:
    folder = site / "episodes"
    return sorted(p for p in folder.glob("*/index.html")) if folder.is_dir() else []


def read_page(site: Path, url: str) -> HtmlScan:
    path = page_file(site, url)
    built = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert path.is_file(), f"no page {url!r} in the site; pages built: {built}"
    return scan(path.read_text(encoding="utf-8"))


def collapse(text: str) -> str:
    return " ".join(text.split())


def article_input_problems(parsed: HtmlScan) -> list[str]:
    """On a plain-text episode page, any element or attribute only the transcript could have made."""
    problems = []
    for tag, attrs in parsed.article_elements:
        if tag in INPUT_ONLY_ELEMENTS:
            problems.append(f"<{tag} {attrs}> in the article")
        for attr, value in attrs:
            if attr in INPUT_ONLY_ATTRIBUTES or attr.startswith("on"):
                problems.append(f"<{tag}> has attribute {attr}={value!r}")
            if attr in {"class", "id"} and INJECTED_NAMES & set((value or "").split()):
                problems.append(f"<{tag}> has {attr}={value!r}, injected by the transcript")
    h1 = [tag for tag, _ in parsed.article_elements if tag == "h1"]
    if len(h1) != 1:
        problems.append(f"{len(h1)} <h1> elements in the article (the title is the only one)")
    return problems


def generated_slug_problems(site: Path) -> list[str]:
    problems = []
    for section in ("episodes", "speakers", "topics"):
        folder = site / section
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            if child.is_dir() and (not SLUG.match(child.name) or len(child.name) > MAX_SLUG):
                problems.append(f"{section}/{child.name}/ is not a safe slug")
        for child in folder.glob("*.html"):
            if child.name != "index.html":
                problems.append(f"{section}/{child.name}: unexpected page file")
    return problems


# --- the expectations -------------------------------------------------------------------------------------

def problem_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"^[^\s:][^:]*:\d+: \S", line)]


def find_line(out: str, file: str, line: int | None, message: str) -> str | None:
    """The check output line for `file:line: ` whose message holds `message` (file names compared NFC)."""
    for text in out.splitlines():
        match = re.match(r"^(.*?):(\d+): (.*)$", text)
        if not match:
            continue
        if nfc(match.group(1)) != nfc(file):
            continue
        if line is not None and int(match.group(2)) != line:
            continue
        if nfc(message) in nfc(match.group(3)):
            return text
    return None


def expect_error(project: Path, case: dict, monkeypatch, capsys) -> None:
    code, out, err = run_check(project, monkeypatch, capsys)
    assert TRACEBACK not in out + err, f"check printed a traceback:\n{out}{err}"
    assert code == 1, f"check should exit 1, exit {code}; output:\n{out}{err}"
    errors = case.get("errors") or [{"file": case["file"], "line": case["line"], "message": case["message"]}]
    for expected in errors:
        found = find_line(out, expected["file"], expected["line"], expected["message"])
        assert found, (f"no line `{expected['file']}:{expected['line']}: ...{expected['message']}...` in check's "
                       f"output:\n{out}{err}")
    for text in out.splitlines():
        assert re.match(r"^[^\s:][^:]*:\d+: \S", text), f"check output line is not `path:line: message`: {text!r}"

    strict = run_build(project, strict=True)
    assert_clean_failure(strict, "strict build")
    assert TRACEBACK not in strict.output, f"the build log has a traceback:\n{strict.output}"
    for expected in errors:
        assert nfc(expected["message"]) in nfc(strict.output), (
            f"the build log lacks {expected['message']!r}:\n{strict.output}")


def expect_warning(project: Path, case: dict, monkeypatch, capsys) -> None:
    code, out, err = run_check(project, monkeypatch, capsys)
    assert TRACEBACK not in out + err, f"check printed a traceback:\n{out}{err}"
    assert code == 1, f"check should exit 1 (it reports warnings too), exit {code}; output:\n{out}{err}"
    assert any(case["message"] in text for text in problem_lines(out)), (
        f"no `path:line: ` line with {case['message']!r} in check's output:\n{out}{err}")

    strict = run_build(project, strict=True)
    assert_clean_failure(strict, "strict build")
    assert case["message"] in strict.output, f"the strict build log lacks {case['message']!r}:\n{strict.output}"
    plain = run_build(project, strict=False)
    assert plain.ok, f"a plain build should pass with a warning:\n{plain.output}"


def expect_collision(project: Path, case: dict, monkeypatch, capsys) -> None:
    code, out, err = run_check(project, monkeypatch, capsys)
    assert TRACEBACK not in out + err, f"check printed a traceback:\n{out}{err}"
    assert code == 1, (f"check should report that {case['mentions']} share one URL; it exited {code}:\n"
                       f"{out}{err}")
    assert any(names_both(text, case) for text in problem_lines(out)), (
        f"no `path:line: message` line naming both colliding inputs ({case.get('files') or case.get('mentions')}) "
        f"in check's output:\n{out}{err}")

    strict = run_build(project, strict=True)
    assert_clean_failure(strict, "strict build")
    plain = run_build(project, strict=False)
    if not plain.ok:
        assert_clean_failure(plain, "plain build")
        return  # refused as an error: fine
    # Published with a suffix: each name must head a page of its own.
    site = project / "site"
    owners: dict[str, set[str]] = {}
    for path in site.rglob("*.html"):
        for heading in scan(path.read_text(encoding="utf-8")).h1_texts:
            owners.setdefault(heading, set()).add(path.relative_to(site).as_posix())
    seen: set[str] = set()
    for name in case["distinct"]:
        pages = owners.get(name, set())
        assert pages, f"{name!r} heads no page: one of the colliding inputs was overwritten"
        assert not pages & seen, f"{name!r} shares a page with another colliding input: {pages & seen}"
        seen |= pages


def names_both(text: str, case: dict) -> bool:
    """Whether one check line names both colliding inputs.

    Files: the line is at one of them and its message names the other (by its path under episodes/).
    Other names (speakers, topics): the line holds every one of `mentions`.
    """
    match = re.match(r"^(.*?):\d+: (.*)$", nfc(text))
    if not match:
        return False
    at, message = match.groups()
    if "files" in case:
        files = [nfc(f) for f in case["files"]]
        if at not in files:
            return False
        others = [f for f in files if f != at] or files  # names equal after NFC: the other is the same text
        return all(f.removeprefix("episodes/") in message for f in others)
    return all(nfc(m) in message for m in case["mentions"])


def expect_safe(project: Path, case: dict, monkeypatch, capsys) -> None:
    code, out, err = run_check(project, monkeypatch, capsys)
    assert TRACEBACK not in out + err, f"check printed a traceback:\n{out}{err}"
    if case.get("or_error") and code == 1:
        # Refusing the input is an acceptable outcome, if the error says where.
        found = find_line(out, case["file"], case.get("line"), "")
        assert found, f"check refused the input but names no `{case['file']}:{case.get('line')}: ` line:\n{out}{err}"
        strict = run_build(project, strict=True)
        assert_clean_failure(strict, "strict build")
        return
    assert code == 0, f"check should be clean for this input, exit {code}:\n{out}{err}"

    strict = run_build(project, strict=True)
    assert strict.ok, f"the strict build failed:\n{strict.output}"
    site = project / "site"

    problems = site_problems(site) + generated_slug_problems(site)
    assert not problems, f"{len(problems)} unsafe thing(s) in the built site:\n" + "\n".join(problems[:40])

    pages = episode_pages(site)
    if "episode_pages" in case:
        assert len(pages) == case["episode_pages"], (
            f"{case['episode_pages']} episode pages expected, built: {[p.parent.name for p in pages]}")
    url = case.get("page")
    if url is None:
        assert len(pages) == 1, f"one episode page expected, built: {[p.parent.name for p in pages]}"
        url = pages[0].parent.relative_to(site).as_posix() + "/"
    parsed = read_page(site, url)
    text = parsed.article_text
    for wanted in case.get("visible", []):
        assert collapse(wanted) in text, f"{wanted!r} is not visible as text on {url}; the page reads:\n{text}"
    for unwanted in case.get("absent", []):
        assert unwanted not in text, f"{unwanted!r} should not be on {url}; the page reads:\n{text}"
    if not case.get("markdown") and url.startswith("episodes/") and url != "episodes/":
        found = article_input_problems(parsed)
        assert not found, f"elements from the input on {url}:\n" + "\n".join(found)

    if "title" in case:
        wanted = collapse(case["title"])
        assert not parsed.title_elements, f"elements inside <title> on {url}: {parsed.title_elements}"
        assert wanted in parsed.title, f"the <title> of {url} reads {parsed.title!r}, not {wanted!r}"
        # The search UI renders index titles as HTML: their text must be the title.
        titles = [collapse(fragment_text(doc.get("title", ""))) for doc in search_index(site)
                  if doc.get("location") == url]
        if titles:
            assert wanted in titles, f"the search index title of {url} reads {titles}, not {wanted!r}"

    for other, strings in (case.get("pages") or {}).items():
        other_text = read_page(site, other).article_text
        for wanted in strings:
            assert collapse(wanted) in other_text, (
                f"{wanted!r} is not visible on {other or 'the home page'}:\n{other_text}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def fragment_text(fragment: str) -> str:
    """The text an HTML fragment shows, entities decoded."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


EXPECTATIONS: dict[str, Callable[..., None]] = {
    "error": expect_error,
    "warning": expect_warning,
    "safe": expect_safe,
    "collision": expect_collision,
}


def run_case(project: Path, case: dict, monkeypatch, capsys) -> None:
    before = snapshot(project.parent, project / "site")
    try:
        EXPECTATIONS[case["expect"]](project, case, monkeypatch, capsys)
    finally:
        monkeypatch.chdir(project.parent)
    after = snapshot(project.parent, project / "site")
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"written or changed outside the site folder: {changed}"


# --- the stored corpus -------------------------------------------------------------------------------------

CASES = sorted(path for path in CORPUS.iterdir() if (path / "case.yml").is_file())


def test_the_corpus_is_large_and_well_formed():
    assert len(CASES) >= 30
    for folder in CASES:
        case = yaml.safe_load((folder / "case.yml").read_text(encoding="utf-8"))
        assert case["expect"] in EXPECTATIONS, folder.name
        assert (folder / "episodes").is_dir(), folder.name
        if case["expect"] == "error":
            for item in case.get("errors") or [case]:
                assert {"file", "line", "message"} <= set(item), folder.name
                assert (folder / item["file"]).exists(), (folder.name, item["file"])
        if case["expect"] == "safe":
            assert case.get("visible"), folder.name
        for path in folder.rglob("*"):
            assert path.is_dir() or path.stat().st_size < 4096, f"{path}: keep corpus files tiny"


@pytest.mark.parametrize("folder", CASES, ids=[path.name for path in CASES])
def test_hostile_case(folder: Path, tmp_path: Path, monkeypatch, capsys):
    case = yaml.safe_load((folder / "case.yml").read_text(encoding="utf-8"))
    project = make_project(tmp_path, folder)
    run_case(project, case, monkeypatch, capsys)


# --- cases made at test time ---------------------------------------------------------------------------------

def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


LEGIT = "Ada Byron\nWelcome to the hostile archive.\n\nA legitimate transcript.\n"
SECRET = "SECRET-OUTSIDE-THE-ARCHIVE"


@pytest.mark.parametrize("kind", ["transcript", "folder", "sidecar", "people", "catalog"])
def test_symlinks_out_of_the_archive_are_never_followed(kind, tmp_path, monkeypatch, capsys):
    """A link in episodes/ to something outside the project is ignored or refused; its content never shows."""
    outside = tmp_path / "outside"
    outside.mkdir()
    project = make_project(tmp_path)
    write(project / "episodes/2024-01-01-legit.txt", LEGIT)
    episodes = project / "episodes"
    if kind == "transcript":
        target = write(outside / "secret.txt", f"Ada Byron\nWelcome.\n\n{SECRET} transcript.\n")
        link = episodes / "2024-01-02-leak.txt"
    elif kind == "folder":
        write(outside / "talks/2024-01-02-leak.txt", f"Ada Byron\nWelcome.\n\n{SECRET} folder.\n")
        target = outside / "talks"
        link = episodes / "linked"
    elif kind == "sidecar":
        target = write(outside / "secret.yml", f'title: "{SECRET} sidecar"\n')
        link = episodes / "2024-01-01-legit.yml"
    elif kind == "people":
        target = write(outside / "people.yml", f'Ada Byron:\n  bio: "{SECRET} people"\n')
        link = episodes / "people.yml"
    else:
        target = write(outside / "catalog.csv", f"file,title\n2024-01-01-legit.txt,{SECRET} catalog\n")
        link = episodes / "catalog.csv"
    link.symlink_to(target, target_is_directory=target.is_dir())

    code, out, err = run_check(project, monkeypatch, capsys)
    assert TRACEBACK not in out + err, f"check printed a traceback:\n{out}{err}"
    assert SECRET not in out + err, f"check read the file outside the archive:\n{out}{err}"
    relative = link.relative_to(project).as_posix()
    if code == 1:
        assert any(text.startswith(f"{relative}:") for text in problem_lines(out)), (
            f"check refused something, but not the link {relative}:\n{out}{err}")
        strict = run_build(project, strict=True)
        assert_clean_failure(strict, "strict build")
        assert SECRET not in strict.output
        return
    assert code == 0, f"check exited {code}:\n{out}{err}"
    strict = run_build(project, strict=True)
    assert strict.ok, f"the strict build failed:\n{strict.output}"
    site = project / "site"
    leaked = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()
              and SECRET.encode() in p.read_bytes()]
    assert not leaked, f"content from outside the archive (via {relative} -> {target}) is in the site: {leaked}"
    assert (site / "episodes/2024-01-01-legit/index.html").is_file()


def test_a_60_mb_file_is_refused_by_its_size_before_reading(tmp_path, monkeypatch, capsys):
    project = make_project(tmp_path)
    write(project / "episodes/2024-01-01-legit.txt", LEGIT)
    huge = project / "episodes/2024-01-02-huge.txt"
    with open(huge, "wb") as handle:  # sparse: 60 MB long, no disk used
        handle.truncate(60 * 1024 * 1024)

    import builtins
    import io as io_module

    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and Path(file).name == huge.name:
            raise AssertionError(f"{huge.name} was opened for reading; its size must be checked first")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io_module, "open", guarded_open)
    code, out, err = run_check(project, monkeypatch, capsys)
    strict = run_build(project, strict=True)
    monkeypatch.undo()

    assert TRACEBACK not in out + err, f"check printed a traceback:\n{out}{err}"
    assert code == 1, f"check should refuse the 60 MB file, exit {code}:\n{out}{err}"
    lines = [text for text in out.splitlines() if text.startswith("episodes/2024-01-02-huge.txt:")]
    assert lines, f"no line for episodes/2024-01-02-huge.txt in check's output:\n{out}{err}"
    size = re.compile(r"\b(60(\.0+)?\s*Mi?B|62[,. ]?914[,. ]?560|6[23](\.\d+)?\s*MB)\b")
    assert any(size.search(text) for text in lines), f"the error does not say the file's size (60 MB):\n{lines}"
    assert_clean_failure(strict, "strict build")
    assert "2024-01-02-huge.txt" in strict.output, strict.output


def test_a_one_megabyte_line_is_published_as_text(tmp_path, monkeypatch, capsys):
    words = " ".join(f"word{i}" for i in range(120_000))
    assert len(words) > 1_000_000
    line = f"<b>START</b> {words} {{{{ config }}}} END&amp;"
    project = make_project(tmp_path)
    write(project / "episodes/2024-01-01-long-line.txt", f"Ada Byron\nWelcome to the hostile archive.\n\n{line}\n")
    case = {"expect": "safe", "visible": ["<b>START</b> word0 word1", "word119999 {{ config }} END&amp;"]}
    run_case(project, case, monkeypatch, capsys)


BILLION_LAUGHS = textwrap.dedent("""\
    ---
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    title: *i
    speakers: *i
    topics: *i
    ---

    Hello.
    """)


def _limited_memory() -> None:
    import resource

    limit = 4 * 1024 ** 3  # an exploding bomb fails with MemoryError here instead of taking the machine
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_a_billion_laughs_alias_bomb_is_an_error_not_a_hang(tmp_path):
    project = make_project(tmp_path)
    write(project / "episodes/2024-01-01-bomb.md", BILLION_LAUGHS)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    check = [sys.executable, "-c",
             "import sys; from episode_archive.cli import main; sys.exit(main(['check', '--project', '.']))"]
    try:
        result = subprocess.run(check, cwd=project, capture_output=True, text=True, timeout=30, env=env,
                                preexec_fn=_limited_memory)
    except subprocess.TimeoutExpired:
        pytest.fail("`episode-archive check` did not finish within 30 s on a billion-laughs alias bomb")
    output = result.stdout + result.stderr
    assert TRACEBACK not in output, f"check crashed on the alias bomb:\n{output[-3000:]}"
    assert result.returncode == 1, f"check should exit 1, exit {result.returncode}:\n{output[-3000:]}"
    lines = [text for text in result.stdout.splitlines() if re.match(r"^episodes/2024-01-01-bomb\.md:\d+: ", text)]
    assert lines and any("alias" in text.lower() for text in lines), (
        f"no `episodes/2024-01-01-bomb.md:N: ...alias...` line:\n{output[-3000:]}")

    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(project / "site")]
    try:
        built = subprocess.run(mkdocs, cwd=project, capture_output=True, text=True, timeout=60, env=env,
                               preexec_fn=_limited_memory)
    except subprocess.TimeoutExpired:
        pytest.fail("`mkdocs build --strict` did not finish within 60 s on a billion-laughs alias bomb")
    log = built.stdout + built.stderr
    assert built.returncode != 0, "the strict build passed on an alias bomb"
    assert TRACEBACK not in log, f"the build crashed on the alias bomb:\n{log[-3000:]}"
    assert "2024-01-01-bomb.md" in log, log[-3000:]


def _pair(tmp_path: Path, first: str, second: str) -> Path:
    project = make_project(tmp_path)
    # Header lines: a title, then the speaker's name (see readers/plaintext.py).
    write(project / "episodes" / first, "First of the pair\nAda Byron\nWelcome to the archive.\n\nOne.\n")
    write(project / "episodes" / second, "Second of the pair\nAda Byron\nWelcome to the archive.\n\nTwo.\n")
    if len(list((project / "episodes").iterdir())) != 2:
        pytest.skip("this file system folds the two names into one file")
    return project


def test_file_names_differing_only_in_case_never_overwrite(tmp_path, monkeypatch, capsys):
    project = _pair(tmp_path, "2024-01-01-Talk.txt", "2024-01-01-talk.txt")
    case = {"expect": "collision", "files": ["episodes/2024-01-01-Talk.txt", "episodes/2024-01-01-talk.txt"],
            "distinct": ["First of the pair", "Second of the pair"]}
    run_case(project, case, monkeypatch, capsys)


def test_file_names_differing_only_in_unicode_form_never_overwrite(tmp_path, monkeypatch, capsys):
    composed = unicodedata.normalize("NFC", "2024-01-01-café.txt")
    decomposed = unicodedata.normalize("NFD", "2024-01-01-café.txt")
    assert composed != decomposed
    project = _pair(tmp_path, composed, decomposed)
    # Either file may be the one reported; both names are one text after NFC, so one entry covers both.
    case = {"expect": "collision", "files": ["episodes/" + composed],
            "distinct": ["First of the pair", "Second of the pair"]}
    run_case(project, case, monkeypatch, capsys)


def test_bidi_and_zero_width_characters_in_a_file_name(tmp_path, monkeypatch, capsys):
    """The slug is plain ASCII and the title shows no right-to-left override (or the name is refused)."""
    name = "2024-01-01-hello\u200bwor\u202eld.txt"
    project = make_project(tmp_path)
    write(project / "episodes" / name, LEGIT)
    case = {"expect": "safe", "or_error": True, "file": f"episodes/{name}", "line": None,
            "visible": ["A legitimate transcript."], "absent": list(BIDI_CONTROLS)}
    run_case(project, case, monkeypatch, capsys)


def test_long_paths_and_titles_get_short_distinct_slugs(tmp_path, monkeypatch, capsys):
    """400-character names: slugs are cut with a short hash; two names with one long prefix stay apart."""
    prefix = "-".join(["interpretability"] * 9)  # 152 characters
    long_title = ("A very long title about transcripts " * 12)[:400]
    long_speaker = ("Ada " + "Lovelace-Byron " * 30)[:400].strip()
    project = make_project(tmp_path)
    write(project / "episodes" / prefix / f"{prefix}-alpha.txt", LEGIT)
    write(project / "episodes" / prefix / f"{prefix}-beta.txt", LEGIT)
    write(project / "episodes/catalog.csv",
          "file,title,date,speakers,topics\n"
          f"{prefix}/{prefix}-alpha.txt,{long_title},2024-01-01,{long_speaker},{long_title}\n"
          f"{prefix}/{prefix}-beta.txt,Short title,2024-01-02,Ada Byron,short\n")
    case = {"expect": "safe", "page": "episodes/", "episode_pages": 2,
            "visible": [long_title, "Short title"], "pages": {"speakers/": [long_speaker]}}
    run_case(project, case, monkeypatch, capsys)

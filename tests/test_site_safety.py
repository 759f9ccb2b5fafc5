"""The whole built site is safe to open: no event handlers, no script URLs, only Material's own scripts.

The demo site at the repository root is built once with `strict=True`, and every HTML file is read
with `html.parser`:

- no attribute whose name starts with `on` (onclick, onerror, onload, ...);
- no `javascript:`, `vbscript:` or `data:` URL in a URL attribute (href, src, action, formaction,
  xlink:href, srcset, poster, ...) or in a `style` attribute;
- every `<script src>` is Material's bundle (or its search worker), or a script the episode-archive
  package itself ships (`src/episode_archive/assets/*.js`, and the built copy must be byte-identical, so
  nothing from the input can reach it) or the Pagefind search bundle (`pagefind/*.js`, written by the
  Pagefind tool); every inline `<script>` is one that Material's own templates emit (matched against the
  installed templates, so a Material upgrade does not break the test), and the `__config` script is JSON;
- no `<iframe>`, `<object>`, `<embed>`, `<frame>`, `<applet>`, `<base>` or `<meta http-equiv=refresh>`;
- the search index (`search/search_index.json`), whose titles and text the search UI renders as HTML,
  holds no element with an event handler, no script URL and no active element.

The checker is shared with tests/test_hostile.py, which runs it over every site built from the hostile
corpus; `test_the_checker_finds_each_kind_of_problem` shows it catches what it claims to catch.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Attributes that hold a URL a browser may load or navigate to.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "poster", "srcset", "data", "background", "cite",
    "ping", "manifest", "codebase", "longdesc", "lowsrc", "dynsrc", "icon", "imagesrcset", "archive",
})
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
# Elements that embed other documents or change how every URL of the page resolves.
FORBIDDEN_ELEMENTS = frozenset({"iframe", "object", "embed", "frame", "frameset", "applet", "base", "portal"})
# In search index titles and text (rendered as HTML by the search UI), elements that can act.
ACTIVE_ELEMENTS = frozenset({
    "script", "img", "iframe", "object", "embed", "svg", "math", "form", "input", "button", "textarea",
    "select", "style", "link", "meta", "base", "video", "audio", "source", "details", "a", "frame",
    "frameset", "applet", "image", "use", "animate", "set", "marquee", "portal",
})
# Material's script bundle and search worker, at any depth, relative or root-absolute, never another host.
_MATERIAL_SCRIPT = re.compile(r"^(?:\.\./)*(?:/[\w.~-]+)*/?assets/javascripts/"
                              r"(?:bundle|workers/search)\.[0-9a-f]{8}\.min\.js$")


def _compact(value: str) -> str:
    """A URL as a browser reads its scheme: ASCII whitespace and control characters removed, lowercase."""
    return "".join(ch for ch in value if ord(ch) > 0x20 and ch != "\x7f").lower()


def bad_url(value: str) -> bool:
    """Whether an attribute value is (or, for srcset, contains) a javascript:, vbscript: or data: URL."""
    compact = _compact(value)
    if compact.startswith(BAD_SCHEMES):
        return True
    # srcset-like lists: "a.png 1x, javascript:... 2x".
    return any(_compact(part).startswith(BAD_SCHEMES) for part in value.split(","))


def bad_style(value: str) -> bool:
    compact = _compact(value)
    return any(f"url({scheme}" in compact or f"url('{scheme}" in compact or f'url("{scheme}' in compact
               for scheme in BAD_SCHEMES) or "expression(" in compact


@lru_cache(maxsize=1)
def material_inline_scripts() -> tuple[re.Pattern[str], ...]:
    """Every inline `<script>` body in Material's installed templates, as a full-match pattern.

    A `{{ ... }}` slot may hold any text without a quote, angle bracket or backslash: it sits inside a
    JavaScript string literal in every template that has one, so what fills it cannot leave the string.
    """
    import material

    templates = Path(material.__file__).parent / "templates"
    patterns = []
    for template in sorted(templates.rglob("*.html")):
        if template.name == "redirect.html":
            continue  # Material's redirect page, not used by a normal build
        for body in re.findall(r"<script>(.*?)</script>", template.read_text(encoding="utf-8"), re.S):
            if "{%" in body:
                continue  # a script whose content changes with Jinja statements is not a fixed pattern
            parts = re.split(r"(\{\{.*?\}\})", body, flags=re.S)
            regex = "".join(r"[^\"'<>\\]*" if part.startswith("{{") else re.escape(part) for part in parts)
            patterns.append(re.compile(regex, re.S))
    assert patterns, f"no inline scripts found in {templates}; is this Material for MkDocs?"
    return tuple(patterns)


VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                           "track", "wbr"})


class HtmlScan(HTMLParser):
    """One pass over an HTML page: every element, every script, the `<title>`, and the `<article>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]], int]] = []
        self.scripts: list[tuple[dict[str, str | None], str, int]] = []
        self._script: tuple[dict[str, str | None], list[str], int] | None = None
        self._in_title = False
        self.title_parts: list[str] = []
        self.title_elements: list[str] = []
        self._article_depth = 0
        self._skip_depth = 0  # inside a script or style within the article
        self.article_parts: list[str] = []
        self.article_elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.h1_texts: list[str] = []
        self._h1: list[str] | None = None
        self._hidden: tuple[str, int] | None = None  # inside an element with `hidden`: its tag, nesting

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, _ = self.getpos()
        self.elements.append((tag, attrs, line))
        if self._in_title:
            self.title_elements.append(tag)
        if tag == "title":
            self._in_title = True
        if tag == "script":
            self._script = (dict(attrs), [], line)
        if self._article_depth:
            self.article_elements.append((tag, attrs))
            if tag in {"script", "style"}:
                self._skip_depth += 1
            if self._hidden is not None and tag == self._hidden[0]:
                self._hidden = (tag, self._hidden[1] + 1)
            elif self._hidden is None and "hidden" in dict(attrs) and tag not in VOID_ELEMENTS:
                self._hidden = (tag, 1)
        if tag == "article":
            self._article_depth += 1
        if tag == "h1":
            self._h1 = []
        if tag == "a" and self._h1 is not None and "headerlink" in (dict(attrs).get("class") or ""):
            self._h1.append("\0")  # the permalink's pilcrow is cut off below

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in {"script", "article", "title", "h1", "style"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden is not None and tag == self._hidden[0]:
            self._hidden = (tag, self._hidden[1] - 1) if self._hidden[1] > 1 else None
        if tag == "title":
            self._in_title = False
        if tag == "script" and self._script is not None:
            attrs, parts, line = self._script
            self.scripts.append((attrs, "".join(parts), line))
            self._script = None
        if tag == "article" and self._article_depth:
            self._article_depth -= 1
        if self._article_depth and tag in {"script", "style"} and self._skip_depth:
            self._skip_depth -= 1
        if tag == "h1" and self._h1 is not None:
            self.h1_texts.append(" ".join("".join(self._h1).split("\0")[0].split()))
            self._h1 = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
        if self._in_title:
            self.title_parts.append(data)
        if self._article_depth and not self._skip_depth and self._hidden is None:
            self.article_parts.append(data)
        if self._h1 is not None:
            self._h1.append(data)

    @property
    def title(self) -> str:
        return " ".join("".join(self.title_parts).split())

    @property
    def article_text(self) -> str:
        """The visible text of the page's content (not `hidden` parts), entities decoded, whitespace collapsed."""
        return " ".join("".join(self.article_parts).split())


def scan(html_text: str) -> HtmlScan:
    parser = HtmlScan()
    parser.feed(html_text)
    parser.close()
    return parser


@lru_cache(maxsize=1)
def package_scripts() -> dict[str, bytes]:
    """The scripts the episode-archive package ships, by file name: its own code, not input."""
    from importlib.resources import files

    assets = files("episode_archive").joinpath("assets")
    if not assets.is_dir():
        return {}
    return {item.name: item.read_bytes() for item in assets.iterdir() if item.name.endswith(".js")}


_PACKAGE_SCRIPT = re.compile(r"^(?:\.\./)*(?:/[\w.~-]+)*/?assets/(?P<name>[\w.-]+\.js)$")
_PAGEFIND_SCRIPT = re.compile(r"^(?:\.\./)*(?:/[\w.~-]+)*/?pagefind/[\w.-]+\.js$")


def script_src_allowed(src: str) -> bool:
    """Material's bundle or search worker, a script the package ships, or Pagefind's bundle; same site only."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or parts.query or parts.fragment:
        return False
    if _MATERIAL_SCRIPT.match(parts.path) or _PAGEFIND_SCRIPT.match(parts.path):
        return True
    package = _PACKAGE_SCRIPT.match(parts.path)
    return bool(package) and package.group("name") in package_scripts()


def package_script_problems(site: Path) -> list[str]:
    """A shipped script in the built site must be the package's file as is: input never reaches it."""
    problems = []
    for name, content in package_scripts().items():
        built = site / "assets" / name
        if built.is_file() and built.read_bytes() != content:
            problems.append(f"assets/{name} differs from the script the package ships")
    return problems


def _script_allowed(attrs: dict[str, str | None], body: str) -> str | None:
    """None when the script is one Material (or the package itself) emits; otherwise why not."""
    src = attrs.get("src")
    if src is not None:
        if not script_src_allowed(src):
            return f"<script src={src!r}> is not Material's bundle or search worker"
        if body.strip():
            return f"<script src={src!r}> has inline content too"
        return None
    if attrs.get("id") == "__config":
        if attrs.get("type") != "application/json" or set(attrs) != {"id", "type"}:
            return f"the __config script has unexpected attributes {attrs}"
        try:
            config = json.loads(body)
        except ValueError as error:
            return f"the __config script is not JSON ({error})"
        worker = config.get("search") if isinstance(config, dict) else None
        if worker is not None and not _MATERIAL_SCRIPT.match(urlsplit(worker).path):
            return f"the __config search worker {worker!r} is not Material's"
        return None
    if attrs == {"type": "application/ld+json"}:
        # Structured data (episode-archive's JSON-LD): data the browser never runs. It must parse as
        # JSON and hold no "<" at all, so nothing in it can close the element.
        if "<" in body:
            return "a JSON-LD script contains '<'"
        try:
            json.loads(body)
        except ValueError as error:
            return f"a JSON-LD script is not JSON ({error})"
        return None
    if attrs:
        return f"inline <script> with attributes {attrs}: {body[:80]!r}"
    if not any(pattern.fullmatch(body) for pattern in material_inline_scripts()):
        return f"inline <script> that Material does not emit: {body[:120]!r}"
    return None


def page_problems(html_text: str, name: str = "page") -> list[str]:
    """Every unsafe thing in one HTML page, as `name:line: what`."""
    parsed = scan(html_text)
    problems = []
    for tag, attrs, line in parsed.elements:
        where = f"{name}:{line}: <{tag}>"
        if tag in FORBIDDEN_ELEMENTS:
            problems.append(f"{where} element is not allowed")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").strip().lower() == "refresh":
            problems.append(f"{where} http-equiv=refresh is not allowed")
        for attr, value in attrs:
            if attr.startswith("on"):
                problems.append(f"{where} has an event handler attribute {attr}={value!r}")
            if value is None:
                continue
            if attr in URL_ATTRIBUTES and bad_url(value):
                problems.append(f"{where} has {attr}={value!r}")
            if attr == "style" and bad_style(value):
                problems.append(f"{where} has style={value!r}")
    for attrs, body, line in parsed.scripts:
        why = _script_allowed(attrs, body)
        if why:
            problems.append(f"{name}:{line}: {why}")
    return problems


def fragment_problems(fragment: str, where: str) -> list[str]:
    """Problems in an HTML fragment the search UI renders (a search index title or text)."""
    problems = []
    for tag, attrs, _line in scan(fragment).elements:
        if tag in ACTIVE_ELEMENTS or tag in FORBIDDEN_ELEMENTS:
            problems.append(f"{where}: <{tag}> element in {fragment[:120]!r}")
        for attr, value in attrs:
            if attr.startswith("on") or (value is not None and attr in URL_ATTRIBUTES and bad_url(value)):
                problems.append(f"{where}: <{tag} {attr}={value!r}> in {fragment[:120]!r}")
    return problems


def search_index(site: Path) -> list[dict]:
    path = site / "search" / "search_index.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get("docs", [])


def search_index_problems(site: Path) -> list[str]:
    problems = []
    for doc in search_index(site):
        for field in ("title", "text"):
            value = doc.get(field)
            if isinstance(value, str):
                problems += fragment_problems(value, f"search_index.json {doc.get('location')!r} {field}")
    return problems


def site_problems(site: Path) -> list[str]:
    """Every unsafe thing in a built site: all HTML pages, and the search index."""
    problems = []
    for path in sorted(site.rglob("*.html")):
        problems += page_problems(path.read_text(encoding="utf-8", errors="replace"),
                                  path.relative_to(site).as_posix())
    return problems + package_script_problems(site) + search_index_problems(site)


# --- the checker itself ---------------------------------------------------------------------------

HOSTILE_PAGE = """<!doctype html><html><head><title>x</title>
<base href="https://evil.example/">
<meta http-equiv="Refresh" content="0; url=https://evil.example/">
<script>alert(1)</script>
<script src="https://evil.example/bundle.js"></script>
<script src="assets/javascripts/evil.js"></script>
<script type="module">import "x"</script>
<script type="application/ld+json">{"name": "<b>x"}</script>
</head><body>
<img src=x onerror=alert(1)>
<a href="javascript:alert(1)">a</a>
<a href=" JaVa&#x09;Script:alert(1)">b</a>
<a href="data:text/html,<script>alert(1)</script>">c</a>
<form action="javascript:alert(1)"><button formaction="vbscript:x">d</button></form>
<svg><a xlink:href="javascript:alert(1)"><text>e</text></a></svg>
<div style="background:url(javascript:alert(1))">f</div>
<iframe src="https://evil.example"></iframe><object data="x"></object><embed src="x">
</body></html>"""


def test_the_checker_finds_each_kind_of_problem():
    problems = "\n".join(page_problems(HOSTILE_PAGE))
    for expected in ["<base> element", "http-equiv=refresh", "inline <script> that Material does not emit",
                     "a JSON-LD script contains '<'",
                     "<script src='https://evil.example/bundle.js'> is not Material's",
                     "<script src='assets/javascripts/evil.js'> is not Material's",
                     "inline <script> with attributes", "event handler attribute onerror",
                     "href='javascript:alert(1)'", "JaVa\\tScript", "href='data:text/html",
                     "action='javascript:", "formaction='vbscript:", "xlink:href='javascript:",
                     "style='background:url(javascript:", "<iframe> element", "<object> element",
                     "<embed> element"]:
        assert expected in problems, f"{expected!r} not reported in:\n{problems}"
    assert fragment_problems("&lt;img src=x onerror=alert(1)&gt; <p>ok</p> <code>x</code>", "t") == []
    assert fragment_problems("<img src=x onerror=alert(1)>", "t")
    # Material's own scripts pass.
    material = ('<script>__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+'
                '_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+'
                '"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,'
                'JSON.stringify(_))}catch(e){}}</script>'
                '<script id="__config" type="application/json">{"search": '
                '"../../assets/javascripts/workers/search.a7633da7.min.js"}</script>'
                '<script src="../../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
                '<script src="/assets/javascripts/bundle.a5f9d56c.min.js"></script>')
    assert page_problems(material) == []


# --- the demo site ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = tmp_path_factory.mktemp("demo") / "site"
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=True)
    build(config)
    return site


def test_demo_site_has_no_event_handlers_script_urls_or_foreign_scripts(demo_site):
    pages = sorted(demo_site.rglob("*.html"))
    assert len(pages) > 10, "the demo site should have many pages"
    problems = site_problems(demo_site)
    assert not problems, f"{len(problems)} unsafe thing(s) in the demo site:\n" + "\n".join(problems[:60])


def test_demo_site_scripts_are_only_materials(demo_site):
    """Every page loads Material's bundle and nothing else from a script tag."""
    for path in sorted(demo_site.rglob("*.html")):
        parsed = scan(path.read_text(encoding="utf-8"))
        sources = [attrs["src"] for attrs, _body, _line in parsed.scripts if attrs.get("src")]
        assert sources, f"{path}: no script at all; is this a Material page?"
        assert any(_MATERIAL_SCRIPT.match(urlsplit(src).path) for src in sources), (path, sources)
        assert all(script_src_allowed(src) for src in sources), (path, sources)
        tags = {tag for tag, _attrs, _line in parsed.elements}
        assert not tags & FORBIDDEN_ELEMENTS, (path, tags & FORBIDDEN_ELEMENTS)

"""Transcript text is text: whatever it holds renders as typed and makes no element of its own."""

import posixpath
from html.parser import HTMLParser

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from episode_archive.render.markup import escape_text, html_link, page_url, relative_link

# The extensions the demo and `episode-archive new` enable, plus common Material ones.
EXTENSIONS = ["toc", "tables", "attr_list", "md_in_html", "admonition", "footnotes", "def_list", "abbr",
              "pymdownx.tilde", "pymdownx.caret", "pymdownx.mark", "pymdownx.keys", "pymdownx.emoji",
              "pymdownx.details", "pymdownx.superfences"]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def render(text: str) -> _Collect:
    html = markdown.markdown(escape_text(text), extensions=EXTENSIONS)
    collected = _Collect()
    collected.feed(html)
    collected.close()
    return collected


def visible(text: str) -> str:
    return " ".join(text.split())


HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    "<!-- unclosed", "# not a heading", "- not a list", "1. not a list", "> not a quote", "| a | b |",
    "*** not a rule", "[x](http://example.com)", "__init__", "[^1]", "{: .x}", "`code`", "AT&T &copy; &#x3C;",
    "{{ config }}", "{% include 'x' %}", "!!! note", "??? details", ":smile:", "~~strike~~", "==mark==",
    "^^up^^", "++ctrl+alt++", "[TOC]", "*[HTML]: Hyper", "Term\n: definition", "[ref]: http://x", "\\*",
    "10:30 to 11:45", "2. also", "+ plus", "    indented code", "<https://example.com>", "a_b_c *x* **y**",
]


def test_hostile_strings_render_as_typed():
    for text in HOSTILE:
        collected = render(text)
        assert collected.tags == ["p"], (text, collected.tags)
        assert visible("".join(collected.text)) == visible(text), text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80))
def test_any_text_renders_as_typed(text):
    if not text.split():
        return
    collected = render(text)
    assert collected.tags == ["p"]
    assert visible("".join(collected.text)) == visible(text)


_PATH_PART = st.sampled_from(["episodes", "speakers", "index.md", "a.md", "b-c.md", "sub", ".", "..", ""])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PATH_PART, min_size=1, max_size=4), st.lists(_PATH_PART, min_size=1, max_size=4))
def test_relative_link_is_what_relpath_gives(from_parts, to_parts):
    from_src, to_src = "/".join(from_parts), "/".join(to_parts)
    if from_src.startswith("/") or to_src.startswith("/") or not to_src:
        return  # page sources are relative paths
    relative_link.cache_clear()
    assert relative_link(from_src, to_src) == posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


_PAGE_PART = st.sampled_from(["episodes", "speakers", "sub", "index", "a", "b-c"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PAGE_PART, min_size=1, max_size=4), st.lists(_PAGE_PART, min_size=1, max_size=4), st.booleans())
def test_html_link_is_what_relpath_gives_between_page_urls(from_parts, to_parts, use_directory_urls):
    from_src, to_src = "/".join(from_parts) + ".md", "/".join(to_parts) + ".md"
    from_url, to_url = page_url(from_src, use_directory_urls), page_url(to_src, use_directory_urls)
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    expected = posixpath.relpath(to_url or ".", base.rstrip("/") or ".")
    if to_url.endswith("/") and not expected.endswith("/"):
        expected += "/"
    html_link.cache_clear()
    assert html_link(from_src, to_src, use_directory_urls) == expected

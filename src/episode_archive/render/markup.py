"""Markdown building blocks: escaping text so it stays text, links, dates, front matter.

Transcript text is text. `escape_text` turns any string into Markdown that renders to exactly that
string, with no element of its own, under Python-Markdown and the extensions Material projects
commonly enable (attr_list, md_in_html, tables, footnotes, def_list, abbr, toc, admonition and the
pymdownx inline syntaxes). Characters Python-Markdown can backslash-escape are escaped that way, to
keep the exported Markdown readable; the rest become numeric character references.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import posixpath
import re
from urllib.parse import urlsplit

import yaml

_ESCAPES = str.maketrans({
    **{char: "\\" + char for char in "\\`*_[]#"},
    "<": "&lt;", ">": "&gt;", "&": "&amp;", "{": "&#123;", "}": "&#125;", "|": "&#124;",
    "~": "&#126;", "^": "&#94;", "=": "&#61;", "$": "&#36;", "+": "&#43;",
})
# Only special at the start of a block: lists, admonitions, details, blocks, snippets.
_LINE_START = {"-": "\\-", "!": "&#33;", "?": "&#63;", "/": "&#47;", ":": "&#58;", ".": "\\."}
_ORDERED_LIST = re.compile(r"^(\d+)([.)])")
_SHORTCODE_COLON = re.compile(r":(?=[\w+-])")


def escape_text(text: str) -> str:
    """Plain text to Markdown that displays exactly that text (whitespace collapsed)."""
    text = " ".join(text.split())
    if not text:
        return ""
    escaped = text.translate(_ESCAPES)
    # ":name:" would become an emoji with pymdownx.emoji; break the opening colon.
    escaped = _SHORTCODE_COLON.sub("&#58;", escaped)
    ordered = _ORDERED_LIST.match(escaped)
    if ordered:
        marker = "\\." if ordered.group(2) == "." else "\\)"
        escaped = ordered.group(1) + marker + escaped[ordered.end():]
    elif escaped[0] in _LINE_START:
        escaped = _LINE_START[escaped[0]] + escaped[1:]
    return escaped


def escape_html(text: str) -> str:
    """Text for an HTML attribute or element we write ourselves (SVG titles, labels)."""
    return html.escape(" ".join(text.split()), quote=True)


@functools.lru_cache(maxsize=65536)
def relative_link(from_src: str, to_src: str) -> str:
    """A Markdown link target from one page source to another, which MkDocs resolves and checks.

    Cached: an archive links the same few hundred pages from every page.
    """
    return _relative_path(to_src, posixpath.dirname(from_src))


def _relative_path(to: str, base_dir: str) -> str:
    """`posixpath.relpath(to or ".", base_dir or ".")`, worked out on the path parts where both are plain
    relative paths: `relpath` asks for the working directory every time, which is slow."""
    from_parts = base_dir.split("/") if base_dir else []
    to_parts = to.split("/") if to else []
    if any(part in ("", ".", "..") for part in (*from_parts, *to_parts)):
        return posixpath.relpath(to or ".", base_dir or ".")
    common = 0
    while common < min(len(from_parts), len(to_parts)) and from_parts[common] == to_parts[common]:
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:]) or "."


def page_url(src: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page source, relative to the site root."""
    stem = src[: -len(".md")]
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


@functools.lru_cache(maxsize=65536)
def html_link(from_src: str, to_src: str, use_directory_urls: bool) -> str:
    """A relative href for raw HTML (inline SVG, transcript paragraphs), where MkDocs does not rewrite links.

    Cached like `relative_link`: every speaker label of every transcript asks for one.
    """
    from_url = page_url(from_src, use_directory_urls)
    to_url = page_url(to_src, use_directory_urls)
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    target = _relative_path(to_url.rstrip("/"), base.rstrip("/"))
    if to_url.endswith("/") and not target.endswith("/"):
        target += "/"
    return target


def file_link(from_src: str, target: str, use_directory_urls: bool) -> str:
    """An href for a file (audio, image) from a page; absolute URLs pass through.

    A relative `target` is relative to the site root, as a path under docs/ would be.
    """
    if urlsplit(target).scheme or target.startswith("//"):
        return target
    page = page_url(from_src, use_directory_urls)
    base = page if page.endswith("/") or not page else posixpath.dirname(page) + "/"
    return posixpath.relpath(target.lstrip("/"), base.rstrip("/") or ".")


def link(text: str, from_src: str, to_src: str) -> str:
    return f"[{escape_text(text)}]({relative_link(from_src, to_src)})"


def long_date(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


class _NoAliasDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter: 5x faster
    """Repeated lists (topics and tags) are written out twice, not as YAML anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def front_matter(fields: dict[str, object]) -> str:
    """YAML front matter; the dumper quotes whatever needs quoting, so any value round-trips."""
    kept = {key: value for key, value in fields.items() if value not in (None, [], "")}
    dumped = yaml.dump(kept, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True,
                       default_flow_style=False, width=1000)
    return f"---\n{dumped}---\n"

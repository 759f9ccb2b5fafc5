"""Archive options with their defaults, shared by the MkDocs plugin and the CLI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """What a project can set under `plugins: - episode-archive:` in mkdocs.yml."""

    episodes_dir: str = "episodes"
    """Folder with the transcripts, relative to mkdocs.yml."""
    people_file: str = "people.yml"
    """The people registry (aliases, roles, bios), relative to the episodes folder."""
    latest_count: int = 10
    """How many episodes the home page's latest list shows."""
    chart_speakers: int = 25
    """Rows in the appearances chart: the most frequent speakers; the table lists everyone."""
    related_count: int = 5
    """At most this many related talks per episode."""
    passage_links: bool = True
    """Link a passage to the most similar passage of another episode, when the similarity is strong."""
    topics_per_episode: int = 5
    """Topics extracted for an episode that has none in its metadata."""
    cache: bool = True
    """Keep read and extracted episodes between builds, keyed by their content."""
    cache_dir: str | None = None
    """Where the cache lives, relative to mkdocs.yml; by default in the user's cache folder."""
    downloads: bool = True
    """Publish each transcript for download: the original file, plain text, and timed exports."""
    search: str = "pagefind"
    """`pagefind` (index chunks loaded per query; scales) or `material` (Material's own search plugin)."""
    search_part_mb: float = 8.0
    """Pagefind indexes the pages in parts of about this many MB of page content, one after another, and
    the parts are merged into one index (Pagefind's memory grows with a part: about 0.2 GB for 8 MB, 0.25
    GB for 10 MB, beside MkDocs' own process); 0 indexes in one run however large."""
    feeds: bool = False
    """Whether RSS and JSON feeds are published (they need mkdocs.yml's site_url)."""
    use_directory_urls: bool = True
    """Mirrors MkDocs' own setting; needed for links inside inline SVG."""

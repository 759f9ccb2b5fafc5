"""Small helpers the tests import (pytest puts tests/ on sys.path)."""

import datetime as dt
from pathlib import Path

from episode_archive.model import Episode, Transcript


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_episode(slug: str, date: str, speakers, topics=(), text: str = "", show=None, hosts=()) -> Episode:
    """An episode built in memory, for stages after reading."""
    transcript = Transcript(path=Path(f"/archive/episodes/{slug}.md"), source=f"{slug}.md", format="markdown",
                            markdown_body=text)
    return Episode(slug=slug, title=slug.replace("-", " ").title(), date=dt.date.fromisoformat(date),
                   speakers=list(speakers), source=f"{slug}.md", transcript=transcript, topics=list(topics),
                   given_topics=bool(topics), show=show, hosts=list(hosts))

"""`episode-archive new`: a project that builds with `mkdocs build --strict` straight away."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .errors import ArchiveError

TEMPLATE = files(__package__).joinpath("templates/new")
TEMPLATE_FILES = ("mkdocs.yml", "docs/index.md", "episodes/README.md")


def write_scaffold(directory: Path) -> list[Path]:
    """Create the project files; refuses to touch a folder that already has files in it."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ArchiveError(directory, 1, "already exists and is not empty; choose a new folder")
    name = directory.resolve().name.replace("-", " ").replace("_", " ").strip().title() or "Archive"
    created = []
    for relative in TEMPLATE_FILES:
        text = TEMPLATE.joinpath(relative).read_text(encoding="utf-8").replace("{{ site_name }}", name)
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        created.append(target)
    return created

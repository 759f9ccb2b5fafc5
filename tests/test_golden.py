"""Golden files: the exported Markdown of the tiny archive, byte for byte.

They pin what readers get independently of the theme. After an intended change, regenerate with
`UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from episode_archive.cli import EXPORT_MARKER, main

GOLDEN = Path(__file__).resolve().parent / "golden" / "tiny"


def exported(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != EXPORT_MARKER}


def test_exported_markdown_matches_the_golden_files(tiny_project, tmp_path):
    out = tmp_path / "out"
    assert main(["export", "--project", str(tiny_project), "--out", str(out)]) == 0
    actual = exported(out)
    if os.environ.get("UPDATE_GOLDEN"):
        for relative, text in actual.items():
            target = GOLDEN / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for stale in set(exported(GOLDEN)) - set(actual):
            (GOLDEN / stale).unlink()
    assert actual == exported(GOLDEN)

"""User-facing problems: every one names a file and a line, and says what to do."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the archive's input, printed as `path:line: message`."""

    path: Path
    line: int
    message: str

    def format(self, root: Path | None = None) -> str:
        """`path:line: message`, the path relative to `root` when given (by name, never through links)."""
        shown = os.path.relpath(self.path, root) if root is not None else str(self.path)
        return f"{shown}:{self.line}: {self.message}"


class ArchiveError(Exception):
    """A user mistake in the input that stops this file from being published."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.problem = Problem(path, line, message)


class ArchiveErrors(Exception):
    """Several problems found in one pass, so the user can fix them all at once."""

    def __init__(self, problems: list[Problem], root: Path | None = None) -> None:
        self.problems = problems
        lines = "\n".join(problem.format(root) for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the archive:\n{lines}")

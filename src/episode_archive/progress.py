"""Progress of long work: the stages of reading an archive, reported to whoever shows them.

`episode-archive check` and `export` show a rich progress bar on a terminal; the MkDocs plugin passes
nothing and logs one INFO line per stage instead. Stages report as their items finish, also when the
items run in worker processes (`parallel.parallel_map`'s `on_done`).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, description: str, total: int) -> None:
        """A new stage of `total` items begins (the previous one is over)."""

    def advance(self, count: int = 1) -> None:
        """`count` more items of the current stage are done."""


class NoProgress:
    """Reports nowhere: the default."""

    def stage(self, description: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

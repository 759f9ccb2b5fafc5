"""Per-episode work across cores: forked worker processes when there is enough work to pay for them.

Only on Linux and only while this process runs a single thread (as `mkdocs build` does): forking a
threaded process (`mkdocs serve` watches files in threads) can deadlock, so there, and wherever forking
fails, the work runs here one item at a time. Results come back in input order either way.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_FROM = 100
MAX_WORKERS = 8


def workers() -> int:
    try:
        return min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    except AttributeError:  # not on Linux
        return min(os.cpu_count() or 1, MAX_WORKERS)


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1 and workers() > 1


def parallel_map(function: Callable[[Item], Result], items: Sequence[Item],
                 parallel_from: int = PARALLEL_FROM, on_done: Callable[[int], None] | None = None) -> list[Result]:
    """`[function(item) for item in items]`, in forked workers when there are `parallel_from` or more.

    `on_done(1)` is called in this process as each result arrives (in order), for progress bars.
    """
    def collect(results: Iterable[Result]) -> list[Result]:
        collected = []
        for result in results:
            collected.append(result)
            if on_done is not None:
                on_done(1)
        return collected

    if len(items) >= parallel_from and can_fork():
        count = workers()
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
                return collect(pool.map(function, items, chunksize=max(1, len(items) // (count * 8))))
        except (OSError, ValueError, RuntimeError, AssertionError, BrokenProcessPool) as error:
            # No processes here (a sandbox, a daemon process): the same work, in this process.
            log.info("episode-archive: working in this process only (%s: %s)", type(error).__name__, error)
    return collect(function(item) for item in items)

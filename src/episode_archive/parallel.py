"""Per-episode work across cores: forked worker processes when there is enough work to pay for them.

Only on Linux and only while this process runs a single thread (as `mkdocs build` does): forking a
threaded process (`mkdocs serve` watches files in threads) can deadlock, so there, and wherever forking
fails, the work runs here one item at a time. Results come back in input order either way.

Also what a build's processes do with memory they no longer use (`return_freed_memory`).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import logging.handlers
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_FROM = 100
MAX_WORKERS = 8
MAX_CHUNK = 16
"""Items a worker takes at once, and holds the results of until it sends them (converted pages: a few
megabytes each)."""


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
            with _collector_frozen(), ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
                chunksize = max(1, min(len(items) // (count * 8), MAX_CHUNK))
                return collect(pool.map(functools.partial(_returning_memory, function), items,
                                        chunksize=chunksize))
        except (OSError, ValueError, RuntimeError, AssertionError, BrokenProcessPool) as error:
            # No processes here (a sandbox, a daemon process): the same work, in this process.
            log.info("episode-archive: working in this process only (%s: %s)", type(error).__name__, error)
    return collect(function(item) for item in items)


@contextmanager
def _collector_frozen() -> Iterator[None]:
    """While children are forked: the objects there are kept from the collector, which would write to
    every object a child shares with this process and so copy it into the child."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


RETURN_MEMORY_EVERY = 20
"""A worker gives back freed memory after this many items (`return_freed_memory`)."""
_worked = 0


def _returning_memory(function: Callable[[Item], Result], item: Item) -> Result:
    """`function(item)` in a worker: what one item made and dropped is garbage the next may not fill."""
    global _worked
    result = function(item)
    _worked += 1
    if _worked % RETURN_MEMORY_EVERY == 0:
        return_freed_memory()
    return result


LogMessage = tuple[str, int, str]
"""A log record as it crosses processes: logger name, level, message."""


@contextmanager
def captured_mkdocs_log() -> Iterator[list[LogMessage]]:
    """What MkDocs' loggers log inside the block, collected instead of printed: a forked process's
    warnings would be printed but not counted by `--strict`, so the build's process logs them again
    (`log_again`)."""
    mkdocs_log = logging.getLogger("mkdocs")
    collect, handlers = logging.handlers.BufferingHandler(sys.maxsize), mkdocs_log.handlers
    mkdocs_log.handlers = [collect]
    messages: list[LogMessage] = []
    try:
        yield messages
    finally:
        mkdocs_log.handlers = handlers
        messages.extend((record.name, record.levelno, record.getMessage()) for record in collect.buffer)


def log_again(messages: Iterable[LogMessage]) -> None:
    for name, level, message in messages:
        logging.getLogger(name).log(level, message)


def in_background(function: Callable[[], Result], fork: bool = True) -> Callable[[], Result]:
    """Start `function()` in a forked child process, where `can_fork()` and `fork`; return a call that
    waits for its result (pickled back) and logs here what it logged.

    The child shares this process's memory as it was at the fork, so `function` takes no arguments to
    send. Without a child, or if it dies, the returned call runs `function` here instead; an exception
    it raised in the child is raised again here the same way.
    """
    if not (fork and can_fork()):
        return function
    try:
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        child = context.Process(target=_run_and_send, args=(function, sending), daemon=True)
        with _collector_frozen():
            child.start()
    except (OSError, ValueError) as error:
        log.info("episode-archive: working in this process only (%s: %s)", type(error).__name__, error)
        return function
    sending.close()

    def result() -> Result:
        try:
            outcome, messages = receiving.recv()
        except (EOFError, OSError):  # the child died without an answer: do the work here
            outcome, messages = None, []
        finally:
            receiving.close()
            child.join()
        log_again(messages)
        return function() if outcome is None else outcome[0]

    return result


def _run_and_send(function: Callable[[], Any], sending: Any) -> None:
    outcome = None
    with captured_mkdocs_log() as messages:
        try:
            outcome = (function(),)
        except Exception:  # sent as "no result": the build's process runs it again and raises there
            outcome = None
    sending.send((outcome, messages))
    sending.close()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none (musl, macOS, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]  # (the C library is loaded)
    except (OSError, AttributeError):
        return None


def return_freed_memory() -> bool:
    """Give the system back the heap pages this process freed; True if the C library can.

    glibc keeps freed memory for reuse, and a build frees hundreds of megabytes of small objects
    (reading transcripts, converting pages) that it never allocates again: at 1,000 episodes the build's
    process stays 250 MB larger than what it holds, while Pagefind runs beside it. A call takes
    milliseconds.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True

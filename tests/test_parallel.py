"""Work in a forked child while the build goes on (`parallel.in_background`)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from episode_archive import parallel

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="children are forked on Linux only")


@pytest.fixture(autouse=True)
def forking(monkeypatch):
    # pytest may run threads of its own; the build's process runs none when it forks.
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def test_the_result_comes_from_a_child_that_saw_this_process_as_it_was():
    shared = {"words": ["sourdough", "levain"]}
    finding = parallel.in_background(lambda: (os.getpid(), [word.upper() for word in shared["words"]]))
    shared["words"].append("changed after the fork")
    child, words = finding()
    assert child != os.getpid()
    assert words == ["SOURDOUGH", "LEVAIN"]


def test_what_the_child_logged_is_logged_here_where_strict_counts_it(caplog):
    logger = logging.getLogger("mkdocs.plugins.episode_archive.test")

    def warn() -> int:
        logger.warning("a warning from %s", "the child")
        return os.getpid()

    with caplog.at_level(logging.INFO, logger="mkdocs"):
        child = parallel.in_background(warn)()
    assert child != os.getpid()
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("mkdocs.plugins.episode_archive.test", logging.WARNING, "a warning from the child")]


def test_an_error_in_the_child_is_raised_here():
    calls = []

    def fail() -> None:
        calls.append(os.getpid())
        raise ValueError("no passages today")

    with pytest.raises(ValueError, match="no passages today"):
        parallel.in_background(fail)()
    assert calls == [os.getpid()], "raised again by the build's own process, with its traceback"


def test_a_child_that_dies_leaves_the_work_to_this_process():
    parent = os.getpid()

    def die_in_the_child() -> int:
        if os.getpid() != parent:
            os._exit(3)
        return 42

    assert parallel.in_background(die_in_the_child)() == 42


def test_without_forking_the_work_runs_here(monkeypatch):
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 3)  # as in `mkdocs serve`
    assert parallel.in_background(os.getpid)() == os.getpid()
    assert parallel.in_background(os.getpid, fork=False) is os.getpid


def test_memory_freed_among_live_objects_goes_back_to_the_system(tmp_path):
    # glibc keeps freed heap pages that live objects surround; `return_freed_memory` hands them back.
    # In a fresh interpreter, where nothing else moves the heap.
    script = tmp_path / "probe.py"
    script.write_text(
        "import os\n"
        "from episode_archive.parallel import return_freed_memory\n"
        "def resident():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') >> 20\n"
        "freed, kept = [], []\n"
        "for i in range(10_000):\n"
        "    freed.append('x' * 20_000 + str(i))\n"
        "    kept.append('y' * 600 + str(i))\n"
        "del freed\n"
        "before = resident()\n"
        "print(return_freed_memory(), before, resident())\n")
    answer = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    returned, before, after = answer.split()
    if returned == "False":
        pytest.skip("the C library cannot return freed memory (not glibc)")
    assert int(before) - int(after) > 150  # of the 190 MB freed

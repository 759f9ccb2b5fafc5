"""Shared fixtures: tiny archives written by the tests themselves."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# Builds in tests cache into a throwaway folder, never the user's own cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="episode-archive-test-cache-")


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/tiny that a test may change freely."""
    target = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", target)
    return target

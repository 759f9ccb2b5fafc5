"""Rendering: the archive to Markdown pages (and inline SVG), keyed by their path under docs/."""

from .pages import HOME_MARKERS, expand_markers, render_pages

__all__ = ["HOME_MARKERS", "expand_markers", "render_pages"]

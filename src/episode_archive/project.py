"""An archive project on disk: its mkdocs.yml settings for the plugin, read without MkDocs.

The CLI must agree with the plugin on options, so it reads the same `plugins:` entry. mkdocs.yml may
use tags such as `!ENV` or `!!python/name:`; they are read as plain values here, never executed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from .cache import ArchiveCache, cache_for
from .errors import ArchiveError
from .options import Options
from .textio import read_text

PLUGIN_NAME = "episode-archive"
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


class _LenientLoader(yaml.SafeLoader):
    """Safe loading that turns any custom tag into its plain value instead of failing."""


def _plain(loader: _LenientLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_LenientLoader.add_multi_constructor("", _plain)


@dataclass(frozen=True)
class Project:
    root: Path
    config_file: Path
    docs_dir: Path
    options: Options

    @property
    def episodes_dir(self) -> Path:
        return self.root / self.options.episodes_dir

    def cache(self) -> ArchiveCache | None:
        return cache_for(self.root, self.options.cache, self.options.cache_dir)


def load_project(root: Path) -> Project:
    root = root.resolve()
    config_file = next((root / name for name in CONFIG_NAMES if (root / name).is_file()), None)
    if config_file is None:
        raise ArchiveError(root / "mkdocs.yml", 1, "no mkdocs.yml here; run `episode-archive new DIR` to start "
                                                   "an archive, or pass --project DIR")
    try:
        config = yaml.load(read_text(config_file), Loader=_LenientLoader) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ArchiveError(config_file, (mark.line + 1) if mark else 1, f"YAML: {error}") from None
    plugin_config = _plugin_config(config.get("plugins") or [])
    known = {f.name for f in fields(Options)} - {"use_directory_urls", "feeds"}
    unknown = sorted(set(plugin_config) - known)
    if unknown:
        raise ArchiveError(config_file, 1, f"unknown {PLUGIN_NAME} option(s): {', '.join(unknown)}")
    options = Options(**{k: v for k, v in plugin_config.items() if k in known},
                      use_directory_urls=bool(config.get("use_directory_urls", True)),
                      feeds=bool(config.get("site_url")))
    docs_dir = root / str(config.get("docs_dir", "docs"))
    return Project(root=root, config_file=config_file, docs_dir=docs_dir, options=options)


def _plugin_config(plugins: Any) -> dict[str, Any]:
    """mkdocs.yml lists plugins as names or one-key mappings, or as a mapping of name to options."""
    entries = plugins.items() if isinstance(plugins, dict) else (
        next(iter(item.items())) if isinstance(item, dict) else (item, None) for item in plugins)
    for name, value in entries:
        if name == PLUGIN_NAME:
            return dict(value or {})
    return {}

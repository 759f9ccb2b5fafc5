"""Safe YAML with line numbers for every top-level key, and errors a person can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ArchiveError
from .model import SourceField


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"duplicate key {key!r}; keep only one",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a real date ({error}); write YYYY-MM-DD", node.start_mark
        ) from None


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_mapping(text: str, path: Path, first_line: int = 1) -> dict[str, SourceField]:
    """Parse YAML whose top level is a mapping; each value remembers its file line.

    `first_line` is the file line of the YAML's first line (2 for front matter after `---`).
    """
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}
            if not isinstance(node, yaml.MappingNode):
                raise ArchiveError(path, first_line + node.start_mark.line,
                                   "expected `key: value` lines at the top level")
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = error.problem or "invalid YAML"
        hint = ""
        if "mapping values are not allowed" in problem:
            hint = "; a value containing ': ' must be quoted, e.g. title: \"Episode 3: The Return\""
        elif "could not determine a constructor" in problem:
            hint = "; tags like !!python/... are not allowed, write plain values"
        raise ArchiveError(path, line, f"YAML: {problem}{hint}") from None
    except yaml.YAMLError as error:
        raise ArchiveError(path, first_line, f"YAML: {error}") from None

    fields: dict[str, SourceField] = {}
    for key_node, _value_node in node.value:
        key = key_node.value
        fields[str(key)] = SourceField(data[_key_of(data, key)], path, first_line + key_node.start_mark.line)
    return fields


def _key_of(data: dict[Any, Any], raw_key: str) -> Any:
    """YAML may construct a key as a non-string (`1:`, `yes:`); find it by its source text."""
    if raw_key in data:
        return raw_key
    for key in data:
        if str(key) == raw_key or (isinstance(key, bool) and raw_key.lower() in {"yes", "no", "true", "false",
                                                                                  "on", "off"}):
            return key
    raise KeyError(raw_key)

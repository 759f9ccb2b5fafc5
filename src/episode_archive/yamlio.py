"""Safe YAML with line numbers, and errors a person can act on.

Only safe loading. On top of PyYAML's SafeLoader this refuses what hand-written metadata gets wrong
without noticing: duplicate keys, aliases (`*name`, which also stops "billion laughs" bombs), and
plain scalars that YAML 1.1 silently turns into something else (`yes` into true, `1.10` into 1.1,
`1:05:30` into 3930, `0123` into 83). Each error names the line and says how to quote the value.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import ArchiveError
from .model import SourceField

_TRUE_FALSE = {"true", "false"}
_MAPPING_VALUE_LINE = re.compile(r"^\s*(?:-\s+)?([^:#\s][^:#]*?)\s*:\s+(.*?)\s*$")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and duplicate keys instead of expanding or keeping the last."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed here; write the value out in full",
                event.start_mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}; keep only one",
                                                    key_node.start_mark)
        seen.add(key)
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


def _lossy(node: yaml.ScalarNode, value: Any) -> str | None:
    """Why a plain scalar does not mean what was typed, or None when it does."""
    if node.style is not None:
        return None  # quoted: a string, exactly as written
    raw = node.value
    if isinstance(value, bool) and raw.lower() not in _TRUE_FALSE:
        return f"YAML reads {raw} as {str(value).lower()}"
    if isinstance(value, float) and not isinstance(value, bool):
        return None if _float_text(value) == raw.lower() else f"YAML reads {raw} as the number {value!r}"
    if isinstance(value, int) and not isinstance(value, bool) and str(value) != raw.lstrip("+"):
        return f"YAML reads {raw} as the number {value}"
    return None


def _float_text(value: float) -> str:
    return repr(value).lower()


def _check_scalars(node: yaml.Node, data: Any, path: Path, first_line: int, key: str,
                   in_list: bool = False) -> None:
    """Walk the nodes beside the constructed values; refuse any plain scalar YAML changed."""
    if isinstance(node, yaml.ScalarNode):
        reason = _lossy(node, data)
        if reason:
            line = first_line + node.start_mark.line
            written = f'"{node.value}"' if in_list else f'{key.rsplit(".", 1)[-1]}: "{node.value}"'
            raise ArchiveError(path, line, f"{key}: {reason}; quote it: {written}")
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for item_node, item in zip(node.value, data, strict=False):
            _check_scalars(item_node, item, path, first_line, key, in_list=True)
    elif isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        for key_node, value_node in node.value:
            name = f"{key}.{key_node.value}" if key else str(key_node.value)
            value = data.get(_key_of(data, key_node.value))
            _check_scalars(value_node, value, path, first_line, name)


def _key_lines(node: yaml.MappingNode, first_line: int, prefix: str = "") -> dict[str, int]:
    """File lines of every nested key, as dotted paths ("links.site")."""
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        name = f"{prefix}{key_node.value}"
        lines[name] = first_line + key_node.start_mark.line
        if isinstance(value_node, yaml.MappingNode):
            lines.update(_key_lines(value_node, first_line, f"{name}."))
    return lines


def _mapping_values_hint(text: str, line_index: int) -> str:
    """For `key: a: b`, the way to write it: key: "a: b"."""
    lines = text.split("\n")
    for index in (line_index, line_index - 1):
        if 0 <= index < len(lines):
            match = _MAPPING_VALUE_LINE.match(lines[index])
            if match and ": " in match.group(2):
                value = match.group(2).replace('"', '\\"')
                return f"; a value containing ': ' must be quoted: {match.group(1)}: \"{value}\""
    return "; a value containing ': ' must be quoted, e.g. title: \"Episode 3: The Return\""


def load_mapping(text: str, path: Path, first_line: int = 1) -> dict[str, SourceField]:
    """Parse YAML whose top level is a mapping; each value remembers its file line.

    `first_line` is the file line of the YAML's first line. Nested keys' lines are in
    `SourceField.key_lines`.
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
            hint = _mapping_values_hint(text, mark.line if mark else 0)
        elif "could not determine a constructor" in problem:
            hint = "; tags like !!python/... are not allowed, write plain values"
        raise ArchiveError(path, line, f"YAML: {problem}{hint}") from None
    except yaml.YAMLError as error:
        raise ArchiveError(path, first_line, f"YAML: {error}") from None

    fields: dict[str, SourceField] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        value = data[_key_of(data, key_node.value)]
        _check_scalars(value_node, value, path, first_line, key)
        key_lines = _key_lines(value_node, first_line) if isinstance(value_node, yaml.MappingNode) else {}
        fields[key] = SourceField(value, path, first_line + key_node.start_mark.line, key_lines)
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

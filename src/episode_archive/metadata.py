"""Metadata: merge every source of an episode's fields by precedence and validate each field.

Precedence, highest first: the transcript's front matter, a sidecar `NAME.yml` beside it, its row in
`episodes/catalog.csv`, then values derived from the file name and header lines. Each field has one
converter in `FIELD_CONVERTERS`; a converter either returns the clean value or raises an
`ArchiveError` naming the file, line and field, and saying what to write instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dateutil import parser as dateparser

from .chapters import to_chapters
from .errors import ArchiveError
from .model import SourceField, Transcript
from .names import visible_text
from .slugs import is_valid_slug
from .textio import read_text
from .yamlio import load_mapping

CATALOG_NAME = "catalog.csv"
_FILE_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[-_ ]+(.*))?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_NAME = re.compile(r"[A-Za-z]{3,}")
_LIST_SEPARATOR = ";"


def _fail(field: SourceField, name: str, message: str) -> ArchiveError:
    return ArchiveError(field.path, field.line, f"{name}: {message}")


def _yaml_type_hint(value: Any) -> str:
    if isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as a boolean"
    if isinstance(value, (int, float)):
        return "YAML reads it as a number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "YAML reads it as a date"
    return f"it is a {type(value).__name__}"


def to_text(field: SourceField, name: str) -> str:
    value = field.value
    if not isinstance(value, str):
        raise _fail(field, name, f"{value!r} is not text ({_yaml_type_hint(value)}); "
                                 f"quote it: {name}: \"{value}\"")
    text = visible_text(value)
    if not text:
        raise _fail(field, name, "is empty; write a value or remove the line")
    return text


def to_text_list(field: SourceField, name: str) -> list[str]:
    """A YAML list of strings, or one string with `;` between items (as the catalogue writes it)."""
    value = field.value
    if isinstance(value, str):
        items: list[Any] = value.split(_LIST_SEPARATOR)
    elif isinstance(value, list):
        items = value
    else:
        raise _fail(field, name, f"{value!r} is not a list ({_yaml_type_hint(value)}); "
                                 f"write a list, e.g. {name}: [\"First\", \"Second\"]")
    result: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise _fail(field, name, f"item {item!r} is not text ({_yaml_type_hint(item)}); quote it: \"{item}\"")
        text = visible_text(item)
        if text and text not in result:
            result.append(text)
    return result


def parse_date(field: SourceField, name: str = "date") -> dt.date:
    """A full calendar date, never a guess.

    Accepts YAML dates, ISO `YYYY-MM-DD`, and written-out forms with a month name and all three
    parts ("25 February 2026"). Numeric forms like 02/03/2026 are ambiguous and rejected.
    """
    value = field.value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise _fail(field, name, f"{value!r} is not a date; write it as YYYY-MM-DD")
    text = value.strip()
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError as error:
            raise _fail(field, name, f"{text!r} is not a real date ({error}); write YYYY-MM-DD") from None
    if not _MONTH_NAME.search(text):
        raise _fail(field, name, f"{text!r} is ambiguous (day and month could be swapped); write YYYY-MM-DD")
    # Parse twice with different defaults: a part that changes with the default was missing.
    try:
        first = dateparser.parse(text, default=dt.datetime(2000, 1, 1))
        second = dateparser.parse(text, default=dt.datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        raise _fail(field, name, f"{text!r} is not a date; write YYYY-MM-DD") from None
    if first.date() != second.date():
        raise _fail(field, name, f"{text!r} lacks a year, month or day; write the full date as YYYY-MM-DD")
    return first.date()


def to_url(field: SourceField, name: str) -> str:
    """A link a reader may follow: http(s) or a relative path, never javascript: or data:."""
    text = to_text(field, name)
    scheme = urlsplit(text).scheme.lower()
    if scheme not in {"", "http", "https"}:
        raise _fail(field, name, f"{text!r} is not an http(s) or relative link")
    return text


def to_duration(field: SourceField, name: str) -> str:
    """Seconds as a number (YAML reads an unquoted 1:05:30 as 3930), or text like 1:05:30."""
    value = field.value
    if isinstance(value, bool):
        raise _fail(field, name, f"{value!r} is not a duration; write it as \"1:05:30\"")
    if isinstance(value, (int, float)):
        seconds = int(value)
        if seconds < 0:
            raise _fail(field, name, "is negative; write it as \"1:05:30\"")
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    text = to_text(field, name)
    if not re.fullmatch(r"(\d+:)?\d{1,2}:\d{2}", text):
        raise _fail(field, name, f"{text!r} is not a duration; write it as \"1:05:30\"")
    return text


def to_slug(field: SourceField, name: str) -> str:
    text = to_text(field, name)
    if not is_valid_slug(text):
        raise _fail(field, name, f"{text!r} is not a usable slug; use lowercase letters, digits and hyphens, "
                                 "not a reserved name such as index")
    return text


def to_speaker_map(field: SourceField, name: str) -> dict[str, str]:
    value = field.value
    if not isinstance(value, dict):
        raise _fail(field, name, "must map labels to names, e.g. speaker_map: {SPEAKER_00: \"Sam Marks\"}")
    return {str(k): to_text(SourceField(v, field.path, field.line), f"{name}.{k}") for k, v in value.items()}


FIELD_CONVERTERS: dict[str, Callable[[SourceField, str], Any]] = {
    "title": to_text,
    "date": parse_date,
    "speakers": to_text_list,
    "hosts": to_text_list,
    "show": to_text,
    "topics": to_text_list,
    "tags": to_text_list,
    "description": to_text,
    "summary": to_text,
    "audio": to_url,
    "duration": to_duration,
    "slug": to_slug,
    "format": to_text,
    "encoding": to_text,
    "speaker_map": to_speaker_map,
    "chapters": to_chapters,
}
# Singular spellings people write by hand.
FIELD_ALIASES = {"speaker": "speakers", "topic": "topics"}


def load_sidecar(transcript_path: Path, episodes_dir: Path) -> dict[str, SourceField]:
    sidecar = next((p for p in (transcript_path.with_suffix(".yml"), transcript_path.with_suffix(".yaml"))
                    if p.is_file()), None)
    if sidecar is None:
        return {}
    return load_mapping(read_text(sidecar, inside=episodes_dir), sidecar)


def load_catalog(episodes_dir: Path) -> dict[str, dict[str, SourceField]]:
    """Rows of episodes/catalog.csv keyed by their `file` column (a path relative to episodes/)."""
    path = episodes_dir / CATALOG_NAME
    if not path.is_file():
        return {}
    rows: dict[str, dict[str, SourceField]] = {}
    reader = csv.DictReader(read_text(path, inside=episodes_dir).splitlines())
    if not reader.fieldnames or "file" not in reader.fieldnames:
        raise ArchiveError(path, 1, "the first row must name the columns and include `file`")
    for row in reader:
        line = reader.line_num
        file = (row.get("file") or "").strip()
        if not file:
            raise ArchiveError(path, line, "`file` is empty; name the transcript relative to episodes/")
        if file in rows:
            raise ArchiveError(path, line, f"{file!r} has two rows; keep one")
        if not (episodes_dir / file).is_file():
            raise ArchiveError(path, line, f"{file!r} does not exist in episodes/; fix the name or remove the row")
        rows[file] = {key.strip(): SourceField(value.strip(), path, line)
                      for key, value in row.items() if key and key != "file" and value and value.strip()}
    return rows


def merged_fields(transcript: Transcript, sidecar: dict[str, SourceField],
                  catalog_row: dict[str, SourceField]) -> dict[str, SourceField]:
    """One raw field per name, taken from the highest-precedence source that has it."""
    merged: dict[str, SourceField] = {}
    for source in (transcript.header, catalog_row, sidecar, transcript.front_matter):
        for key, field in source.items():
            merged[FIELD_ALIASES.get(key, key)] = field
    return merged


def convert_fields(fields: dict[str, SourceField]) -> tuple[dict[str, Any], list[ArchiveError]]:
    """Validate every known field; unknown fields are kept by their owners but not used here."""
    values: dict[str, Any] = {}
    errors: list[ArchiveError] = []
    for name, field in fields.items():
        converter = FIELD_CONVERTERS.get(name)
        if converter is None:
            continue
        try:
            values[name] = converter(field, name)
        except ArchiveError as error:
            errors.append(error)
    return values, errors


def derived_from_path(path: Path) -> tuple[dt.date | None, str]:
    """Date and a readable title from a file name like `2026-02-25-some-title.txt`."""
    stem = path.stem
    match = _FILE_DATE.match(stem)
    date = None
    rest = stem
    if match:
        try:
            date = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            date = None
        rest = match.group(4) or stem
    words = visible_text(re.sub(r"[-_]+", " ", rest))
    title = words[:1].upper() + words[1:] if words else visible_text(stem) or stem
    return date, title


def show_from_folder(source: str) -> str | None:
    """Archives organised as episodes/<show>/... name the show by its folder."""
    parts = source.split("/")
    if len(parts) < 2:
        return None
    words = re.sub(r"[-_]+", " ", parts[0]).strip()
    return words.title() if words else None

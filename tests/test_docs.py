"""Every CLI command and every plugin option is documented in the README."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from episode_archive.options import Options
from episode_archive.plugin import EpisodeArchiveConfig

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def cli_commands() -> list[str]:
    from episode_archive import cli

    captured: list[argparse.ArgumentParser] = []
    original = argparse.ArgumentParser.parse_args

    def capture(self, *args, **kwargs):
        captured.append(self)
        raise SystemExit(0)

    argparse.ArgumentParser.parse_args = capture
    try:
        cli.main([])
    except SystemExit:
        pass
    finally:
        argparse.ArgumentParser.parse_args = original
    subparsers = next(a for a in captured[0]._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(subparsers.choices)


def test_every_cli_command_is_in_the_readme():
    commands = cli_commands()
    assert commands == ["check", "export", "new", "people"]
    for command in commands:
        assert f"`episode-archive {command}" in README, command


def test_every_plugin_option_is_in_the_readme_with_its_default():
    plugin_options = set(EpisodeArchiveConfig._schema_keys) if hasattr(EpisodeArchiveConfig, "_schema_keys") \
        else {name for name, _ in EpisodeArchiveConfig._schema}
    # use_directory_urls and feeds follow mkdocs.yml's own settings (use_directory_urls, site_url).
    assert plugin_options == {f.name for f in fields(Options)} - {"use_directory_urls", "feeds"}
    for option in plugin_options:
        default = getattr(Options, option)
        assert f"| `{option}` | `{default}` |" in README, option

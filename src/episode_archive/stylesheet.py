"""The small stylesheet for charts and transcripts, shipped inside the package."""

from importlib.resources import files

STYLESHEET_PATH = "assets/episode-archive.css"
STYLESHEET = files(__package__).joinpath("assets/episode-archive.css").read_text(encoding="utf-8")

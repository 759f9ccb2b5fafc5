"""The small stylesheet and script for charts, transcripts and the player, shipped inside the package."""

from importlib.resources import files

STYLESHEET_PATH = "assets/episode-archive.css"
STYLESHEET = files(__package__).joinpath("assets/episode-archive.css").read_text(encoding="utf-8")
# Seeks the audio player when a reader selects a time; pages work without it.
SCRIPT_PATH = "assets/episode-archive.js"
SCRIPT = files(__package__).joinpath("assets/episode-archive.js").read_text(encoding="utf-8")
# The search page's live results (Pagefind's JavaScript API), loaded on that page only.
SEARCH_SCRIPT_PATH = "assets/episode-archive-search.js"
SEARCH_SCRIPT = files(__package__).joinpath("assets/episode-archive-search.js").read_text(encoding="utf-8")

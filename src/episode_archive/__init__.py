"""episode-archive: transcripts in, a searchable MkDocs archive out."""

__version__ = "0.1.0"

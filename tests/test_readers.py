from pathlib import Path

import pytest

from episode_archive.errors import ArchiveError
from episode_archive.readers import markdown, plaintext, read_transcript

SEED_HEAD = (
    "Sam Marks\n"
    "\u0e50\u0e04 SpeakerAppearances Over Time\n"
    "Podcast Appearances\n"
    "For example, in the case of the faithful actor, there is an actor.\n"
    "Note that these perspectives are not exhaustive.\n"
    "Subheading\n"
    "Why might we expect PSM to be exhaustive?\n"
    "We know that networks can learn.\n"
    "Subheading Post-training as elicitation\n"
    "A common view is that little is learned."
)


def read_plain(text: str):
    return plaintext.read(Path("ep.txt"), "ep.txt", text)


def test_header_chrome_is_dropped_and_the_name_becomes_a_speaker():
    transcript = read_plain(SEED_HEAD)
    assert transcript.header["speakers"].value == ["Sam Marks"]
    assert transcript.header["speakers"].line == 1
    assert [line for line, _ in transcript.dropped_lines] == [2, 3]
    assert "Podcast" not in transcript.plain_text()


def test_spoken_markers_become_headings_alone_or_followed_by_text():
    segments = read_plain(SEED_HEAD).segments
    headings = [(s.level, s.text, s.line) for s in segments if s.kind == "heading"]
    assert headings == [(3, "Why might we expect PSM to be exhaustive?", 6), (3, "Post-training as elicitation", 9)]
    assert not any("Subheading" in s.text for s in segments)


def test_heading_marker_levels():
    segments = read_plain("Heading Intro\nText one.\nSubheading Detail\nText two.").segments
    assert [(s.kind, s.level) for s in segments if s.kind == "heading"] == [("heading", 2), ("heading", 3)]


def test_a_sentence_starting_with_the_word_heading_stays_text():
    segments = read_plain("Heading to the store, we talked about bread for a long while.\nMore.").segments
    assert all(s.kind == "text" for s in segments)


def test_labels_are_read_as_candidates():
    segments = read_plain("Ada: Hello there.\n\nBob: Hi.\nMore from Bob.").segments
    assert [(s.speaker, s.text) for s in segments] == [("Ada", "Hello there."), ("Bob", "Hi.\nMore from Bob.")]


def test_markdown_front_matter_with_lines_and_leading_h1_title():
    text = "---\ntitle: Front\nspeakers: [B]\n---\n\n# Body Title\n\nHello *world*\n"
    transcript = markdown.read(Path("x.md"), "x.md", text)
    assert transcript.front_matter["title"].value == "Front"
    assert transcript.front_matter["title"].line == 2
    assert transcript.front_matter["speakers"].line == 3
    assert transcript.header["title"].value == "Body Title"
    assert transcript.header["title"].line == 6
    assert transcript.markdown_body == "Hello *world*"


def test_markdown_unclosed_front_matter_is_an_error_naming_the_file():
    with pytest.raises(ArchiveError, match="never closed") as error:
        markdown.read(Path("x.md"), "x.md", "---\ntitle: x\n\nbody\n")
    assert error.value.problem.line == 1


def test_markdown_front_matter_yaml_error_has_the_file_line():
    with pytest.raises(ArchiveError) as error:
        markdown.read(Path("x.md"), "x.md", "---\ndate: 2024-01-01\ntitle: Episode 3: The Return\n---\nbody\n")
    assert error.value.problem.line == 3
    assert "quoted" in error.value.problem.message


def test_unknown_forced_format(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("hello")
    with pytest.raises(ArchiveError, match="unknown format"):
        read_transcript(path, "a.txt", forced_format="betamax")


PLAIN_LABELLED = """Previous episode (LOT): https://example.org/lot

Aaron van Wirdum (AvW): Live from Utrecht.

Sjors Provoost (SP): Hello.

AvW: Today we discuss activation.

SP: We have discussed it before.

Slides: https://example.org/slides

Mark Erhart: 00:00:01

Pleased to be here.

Mark Erhart: And again.

Rationale: once, a remark.

Senator Black: Once, and nobody the metadata knows.

```
AvW: inside a code block, not a turn
```

Jonas: A first name alone.

Murch: A nickname, twice.

Murch: So it starts turns, but names nobody the metadata knows.

New Speaker: A voice the transcriber could not name.

New Speaker: Twice, still nobody in particular.
"""


def test_plain_turn_labels_in_markdown_need_evidence():
    labels = markdown.plain_labels(PLAIN_LABELLED, ["Aaron van Wirdum", "Sjors Provoost", "Jonas Berg"],
                                   lambda label: "Jonas Berg" if label == "Jonas" else None)
    assert labels == {"AvW": "Aaron van Wirdum", "SP": "Sjors Provoost", "Aaron van Wirdum": "Aaron van Wirdum",
                      "Sjors Provoost": "Sjors Provoost", "Mark Erhart": "Mark Erhart", "Jonas": "Jonas Berg",
                      "Murch": None}
    assert sum(match.group("name") == "AvW" for match in markdown.plain_label_matches(PLAIN_LABELLED)) == 1


def test_plain_initials_count_when_one_speaker_has_them():
    body = "AA: Welcome.\n\nSP: Thanks.\n\nAA: Again.\n\nSP: Again.\n"
    assert markdown.plain_labels(body, ["Andreas Antonopoulos"], lambda label: None) == {"AA": "Andreas Antonopoulos"}
    # Two speakers with the same initials: neither gets them, and initials never become a person.
    assert markdown.plain_labels(body, ["Andreas Antonopoulos", "Ada Alder"], lambda label: None) == {}


def test_bold_turn_labels_in_markdown_name_speakers_but_never_cues():
    body = ("---\ntitle: T\n---\n**Jo Park:** Hello there.\n\n**Break:** \\[02:10\\]\n\n**Ann Lee**: Hi Jo.\n\n"
            "**Note:** not a person.\n\n**Jo Park:** Again.\n\n**Q:** A question?\n")
    transcript = markdown.read(Path("x.md"), "x.md", body)
    assert transcript.turn_speakers == ["Jo Park", "Ann Lee"]

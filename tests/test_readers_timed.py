"""Timed readers: WebVTT, SRT, Whisper / whisperX / Podcasting 2.0 JSON, and the cue merging they share."""

from __future__ import annotations

from pathlib import Path

import pytest

from episode_archive.errors import ArchiveError
from episode_archive.model import Segment
from episode_archive.readers import EXTENSIONS, FORMATS, is_transcript, jsontranscript, read_transcript, srt, webvtt
from episode_archive.readers.cues import Cue, merge_cues, parse_timestamp
from helpers import write

FORMATS_DIR = Path(__file__).resolve().parent / "fixtures" / "formats"


def rows(segments: list[Segment]) -> list[tuple]:
    return [(s.kind, s.speaker, s.text, s.line, s.start) for s in segments]


def fixture(name: str):
    return read_transcript(FORMATS_DIR / name, name)


def error_of(reader, text: str, name: str = "ep"):
    with pytest.raises(ArchiveError) as caught:
        reader(Path(name), name, text)
    return caught.value.problem


# --- timestamps ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("01:02:03.456", 3723.456),
    ("1:02:03.456", 3723.456),     # Whisper: one-digit hour
    ("02:03.456", 123.456),        # Whisper: no hour
    ("00:00:01,250", 1.25),        # SRT comma
    ("100:00:00.001", 360000.001),
    (" 00:05.000 ", 5.0),
])
def test_parse_timestamp_accepts(text, seconds):
    assert parse_timestamp(text) == seconds


@pytest.mark.parametrize("text", [
    "1:2:3.456", "00:61.000", "00:00:60.000", "00:00:01", "00:00:01.5", "00:01.0000", "abc", "-00:01.000",
    "00:00:01;000", "",
])
def test_parse_timestamp_rejects(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


# --- merge_cues ---------------------------------------------------------------------------------

def words(n: int, start: int = 0) -> str:
    return " ".join(f"w{i}" for i in range(start, start + n))


def test_merge_joins_cues_of_one_turn_with_single_spaces_and_keeps_the_first_start_and_line():
    segments = merge_cues([Cue("  Hello\nthere ", "Ann", 1.0, 2.0, 3), ("and   welcome.", None, 2.0, 3.0, 7)])
    assert rows(segments) == [("text", "Ann", "Hello there and welcome.", 3, 1.0)]


def test_merge_breaks_at_a_speaker_change():
    segments = merge_cues([Cue("Hi.", "Ann", 0, 1, 1), Cue("Hello.", "Bob", 1, 2, 2), Cue("Yes.", "Bob", 2, 3, 3)])
    assert rows(segments) == [("text", "Ann", "Hi.", 1, 0), ("text", "Bob", "Hello. Yes.", 2, 1)]


def test_merge_breaks_at_a_pause_longer_than_two_seconds_only():
    assert 4.4 - 2.4 > 2.0  # floating point: the reader must not see a pause here
    exactly_two = merge_cues([Cue("One", "A", 0.0, 2.4, 1), Cue("two", "A", 4.4, 6.0, 2)])
    assert [s.text for s in exactly_two] == ["One two"]
    longer = merge_cues([Cue("One", "A", 0.0, 3.2, 1), Cue("two", "A", 5.201, 6.0, 2)])
    assert [(s.text, s.start) for s in longer] == [("One", 0.0), ("two", 5.201)]


def test_merge_closes_a_paragraph_at_a_sentence_end_after_120_words():
    cues = [Cue(words(100) + ".", None, 0, 1, 1), Cue(words(15, 100), None, 1, 2, 2),  # 115 words, no break
            Cue(words(10, 115) + ".", None, 2, 3, 3),  # 125 words and a sentence end: close here
            Cue("Next.", None, 3, 4, 4)]
    segments = merge_cues(cues)
    assert [len(s.text.split()) for s in segments] == [125, 1]
    assert [s.line for s in segments] == [1, 4]


def test_merge_does_not_close_at_120_words_without_a_sentence_end():
    cues = [Cue(words(130), None, 0, 1, 1), Cue("end of it.", None, 1, 2, 2), Cue("More.", None, 2, 3, 3)]
    assert [len(s.text.split()) for s in merge_cues(cues)] == [133, 1]


def test_merge_hard_cap_of_200_words_without_sentence_ends():
    cues = [Cue(f"word{i}", "Ann", i, i + 1, i + 1) for i in range(450)]
    segments = merge_cues(cues)
    assert [len(s.text.split()) for s in segments] == [200, 200, 50]
    assert [(s.start, s.line, s.speaker) for s in segments] == [(0, 1, "Ann"), (200, 201, "Ann"), (400, 401, "Ann")]


def test_stage_directions_are_their_own_segments_and_keep_the_turn():
    cues = [Cue("So I said", "Ann", 0, 1, 1), Cue("[laughs]", None, 1, 2, 2), Cue("it works.", None, 2, 3, 3),
            Cue("(Intro music: soft piano)", None, 3, 4, 4), Cue("[MUSIC] [APPLAUSE]", None, 4, 5, 5),
            Cue("Right.", None, 5, 6, 6)]
    assert rows(merge_cues(cues)) == [
        ("text", "Ann", "So I said", 1, 0),
        ("stage", None, "[laughs]", 2, 1),
        ("text", "Ann", "it works.", 3, 2),
        ("stage", None, "(Intro music: soft piano)", 4, 3),
        ("stage", None, "[MUSIC] [APPLAUSE]", 5, 4),
        ("text", "Ann", "Right.", 6, 5),
    ]


def test_bracketed_words_inside_speech_are_not_stage_directions():
    segments = merge_cues([Cue("It was [inaudible] good.", None, 0, 1, 1), Cue("(a) and (b)?", None, 1, 2, 2),
                           Cue("[]", None, 2, 3, 3)])
    assert rows(segments) == [("text", None, "It was [inaudible] good. (a) and (b)? []", 1, 0)]


# --- WebVTT -------------------------------------------------------------------------------------

def test_webvtt_voices_notes_styles_settings_tags_and_entities():
    transcript = fixture("voices.vtt")
    assert transcript.format == "webvtt"
    assert rows(transcript.segments) == [
        ("stage", None, "[Intro music]", 13, 0.0),
        # cue 2 has no voice: Maren's turn carries on; settings, <i> and &amp; handled
        ("text", "Maren", "Welcome back to the show. Today we read a paper about reward models & their quirks.",
         17, 2.5),
        # unclosed <v.loud Kenji>, escaped <again>, then <c.yellow>, karaoke time and <b> removed
        ("text", "Kenji", "Thanks for having me <again>. It is good to be back.", 25, 8.0),
        ("stage", "Kenji", "[laughs]", 34, 12.0),
        ("text", "Maren", "Let us begin.", 38, 13.0),
        ("text", "Maren", "After a pause, a new paragraph.", 44, 20.0),
    ]
    assert "NOTE" not in transcript.plain_text() and "cue" not in transcript.plain_text()


def test_webvtt_timestamps_without_hour_and_with_one_digit_hour():
    transcript = fixture("hours.vtt")
    assert rows(transcript.segments) == [
        ("text", "Odile", "Almost an hour in, and past it now.", 4, 3598.5),
        ("text", "Odile", "Later still.", 10, 4955.24),
    ]


def test_webvtt_with_a_byte_order_mark_read_through_textio():
    assert (FORMATS_DIR / "bom.vtt").read_bytes().startswith(b"\xef\xbb\xbfWEBVTT")
    transcript = fixture("bom.vtt")
    assert rows(transcript.segments) == [("text", "Ruth", "A file saved with a byte order mark.", 4, 1.0)]


def test_webvtt_two_voices_in_one_cue_and_a_cue_without_identifier_after_the_header():
    text = ("WEBVTT\n00:01.000 --> 00:02.000\n<v Ann>Yes.</v> <v Bob>No.</v>\n<v Ann>Maybe.\n\n"
            "00:03.000 --> 00:04.000\nStill Ann.\n")
    assert rows(webvtt.read(Path("x.vtt"), "x.vtt", text).segments) == [
        ("text", "Ann", "Yes.", 3, 1.0), ("text", "Bob", "No.", 3, 1.0), ("text", "Ann", "Maybe. Still Ann.", 4, 1.0)]


def test_webvtt_missing_blank_line_between_cues_and_blank_line_inside_a_cue_keep_every_word():
    text = ("WEBVTT\n\n00:01.000 --> 00:02.000\nOne\n00:02.000 --> 00:03.000\ntwo\n\nthree.\n")
    cues = webvtt.parse_cues(Path("x.vtt"), text)
    assert cues == [Cue("One", None, 1.0, 2.0, 4), Cue("two", None, 2.0, 3.0, 6), Cue("three.", None, 2.0, 3.0, 8)]


def test_webvtt_agrees_with_webvtt_py_on_well_formed_files():
    library = pytest.importorskip("webvtt")
    for name in ("voices.vtt", "hours.vtt"):
        text = (FORMATS_DIR / name).read_text(encoding="utf-8")
        theirs = [(c.start_time.in_milliseconds() / 1000, " ".join(c.text.split())) for c in library.from_string(text)]
        ours = [(c.start, c.text) for c in webvtt.parse_cues(Path(name), text)]
        # webvtt-py keeps entities escaped; otherwise the cues are the same.
        assert [(start, text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
                for start, text in theirs] == ours


@pytest.mark.parametrize(("text", "line", "words"), [
    ("00:01.000 --> 00:02.000\nHello\n", 1, "must start with the line `WEBVTT`"),
    ("WEBVTTX\n\n00:01.000 --> 00:02.000\nHello\n", 1, "must start with the line `WEBVTT`"),
    ("", 1, "must start with the line `WEBVTT`"),
    ("WEBVTT\n\n1\n00:01.000 --> 00:02.000\nok\n\n2\n00:0x.000 --> 00:04.000\nHello\n", 8,
     "the start time `00:0x.000`"),
    ("WEBVTT\n\n00:01.000 --> 00:02\nHello\n", 3, "the end time `00:02`"),
    ("WEBVTT\n\n00:01.000 -> 00:02.000\nHello\n", 3, "is not a cue timing line"),
    ("WEBVTT\n\n00:05.000 --> 00:02.000\nHello\n", 3, "the cue ends (00:00:02.000) before it starts (00:00:05.000)"),
    ("WEBVTT\n\n-00:01.000 --> 00:02.000\nHello\n", 3, "the start time -00:01.000 is negative"),
    ("WEBVTT\n\nJust some words\nwithout a time.\n", 3, "this block is not a cue"),
])
def test_webvtt_errors_name_the_line(text, line, words):
    problem = error_of(webvtt.read, text, "ep.vtt")
    assert problem.line == line
    assert words in problem.message


# --- SRT ----------------------------------------------------------------------------------------

def test_srt_comma_labels_on_the_first_cue_of_a_turn_and_note_said_once_stays_text():
    transcript = fixture("labels.srt")
    assert transcript.format == "srt"
    assert rows(transcript.segments) == [
        ("text", "Tobias", "Welcome to Open Source Hour. Today we talk about release automation.", 3, 1.0),
        ("text", "Ruth", "Thanks, Tobias. I have been looking forward to this. Note: the recording starts late.",
         12, 6.1),
        ("text", "Tobias", "Let's start with the basics.", 24, 12.1),
    ]


def test_srt_dot_milliseconds_blank_line_inside_a_cue_and_missing_blank_line():
    cues = srt.parse_cues(FORMATS_DIR / "dots.srt", (FORMATS_DIR / "dots.srt").read_text(encoding="utf-8"))
    assert cues == [Cue("First cue with a dot.", None, 1.0, 2.0, 3),
                    Cue("Second cue, with a blank line inside.", None, 2.0, 4.0, 7),
                    Cue("A missing blank line before this cue.", None, 4.0, 5.0, 12)]
    assert rows(fixture("dots.srt").segments) == [
        ("text", None, "First cue with a dot. Second cue, with a blank line inside. "
                       "A missing blank line before this cue.", 3, 1.0)]


def test_srt_agrees_with_the_srt_library_on_well_formed_files():
    library = pytest.importorskip("srt")
    for name in ("labels.srt", "dots.srt"):
        text = (FORMATS_DIR / name).read_text(encoding="utf-8")
        theirs = [(s.start.total_seconds(), s.end.total_seconds()) for s in library.parse(text)]
        ours = [(c.start, c.end) for c in srt.parse_cues(Path(name), text)]
        assert theirs == ours


def test_srt_without_cue_numbers_and_a_full_name_label_said_once():
    text = "00:00:01,000 --> 00:00:02,000\nMaren Castillo: Hello.\n\n00:00:02,000 --> 00:00:03,000\n2\n"
    assert rows(srt.read(Path("x.srt"), "x.srt", text).segments) == [("text", "Maren Castillo", "Hello. 2", 2, 1.0)]


def test_srt_a_one_word_label_said_once_in_a_file_without_turns_stays_text():
    text = "1\n00:00:01,000 --> 00:00:02,000\nAnyway: we went on.\n\n2\n00:00:02,000 --> 00:00:03,000\nNote: fine.\n"
    assert rows(srt.read(Path("x.srt"), "x.srt", text).segments) == [
        ("text", None, "Anyway: we went on. Note: fine.", 3, 1.0)]


def test_srt_a_label_on_a_later_line_of_a_cue_starts_a_turn_there():
    text = ("1\n00:00:01,000 --> 00:00:02,000\nAnn: Ready?\nBob: Ready.\n\n"
            "2\n00:00:02,000 --> 00:00:03,000\nAnn: Go.\n\n3\n00:00:03,000 --> 00:00:04,000\nBob: Gone.\n")
    assert [(s.speaker, s.text, s.line) for s in srt.read(Path("x.srt"), "x.srt", text).segments] == [
        ("Ann", "Ready?", 3), ("Bob", "Ready.", 4), ("Ann", "Go.", 8), ("Bob", "Gone.", 12)]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> 00:00:0x,000\nHello\n", 6,
     "the end time `00:00:0x,000`"),
    ("1\n00:00:05,000 --> 00:00:02,000\nHello\n", 2, "the cue ends (00:00:02.000) before it starts"),
    ("1\n-00:00:01,000 --> 00:00:02,000\nHello\n", 2, "negative"),
    ("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 -> 00:00:04,000\nHello\n", 6,
     "is not a cue timing line"),
    ("Title of the episode\n\n1\n00:00:01,000 --> 00:00:02,000\nHello\n", 1, "text before the first cue"),
    ("\nJust words.\n", 2, "no cue timing line found"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n", 1, "this is a WebVTT file (it starts with WEBVTT); name it .vtt"),
])
def test_srt_errors_name_the_line(text, line, words):
    problem = error_of(srt.read, text, "ep.srt")
    assert problem.line == line
    assert words in problem.message


# --- JSON ---------------------------------------------------------------------------------------

def test_whisper_json_segments_become_paragraphs_with_a_stage_direction():
    transcript = fixture("whisper.json")
    assert transcript.format == "whisper-json"
    assert rows(transcript.segments) == [
        ("stage", None, "[MUSIC]", 4, 0.0),
        ("text", None, "Welcome to The Kitchen Table. Today, sourdough.", 5, 3.2),
        ("text", None, "First, the starter.", 7, 9.5),  # after a 2.5 s pause
    ]


def test_whisperx_json_keeps_generic_speaker_labels_and_uses_the_words_majority():
    transcript = fixture("whisperx.json")
    assert transcript.format == "whisperx-json"
    assert rows(transcript.segments) == [
        ("text", "SPEAKER_00", "Hello and welcome.", 3, 0.5),
        ("text", "SPEAKER_01", "Glad to be here.", 7, 2.1),
        ("text", "SPEAKER_00", "It took a while. Worth the wait.", 8, 3.0),
    ]


def test_podcasting_json_one_word_per_segment_merges_runs_of_a_speaker():
    transcript = fixture("podcasting.json")
    assert transcript.format == "podcasting-json"
    assert rows(transcript.segments) == [
        ("text", "Odile Brenner", "Salt first, always.", 4, 0.0),
        ("text", "Ruth Adeyemi", "Why salt?", 8, 1.2),
        ("stage", None, "[laughs]", 10, 1.8),
        ("text", "Odile Brenner", "It pulls water.", 11, 2.2),
    ]


def test_forced_json_variants(tmp_path):
    path = tmp_path / "ep.json"
    path.write_text((FORMATS_DIR / "whisperx.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert read_transcript(path, "ep.json", "whisper-json").format == "whisper-json"
    problem = error_of(jsontranscript.read_podcasting, path.read_text(encoding="utf-8"), "ep.json")
    assert (problem.line, problem.message) == (3, "segments[0] has no `startTime`; give it the time in seconds, "
                                                  "e.g. \"startTime\": 12.5")


def test_json_minified_on_one_line_gives_line_1():
    text = '{"segments": [{"start": 0, "end": 1, "text": "A."}, {"start": 1, "end": 2, "text": "B."}]}'
    assert rows(jsontranscript.read(Path("x.json"), "x.json", text).segments) == [("text", None, "A. B.", 1, 0.0)]


@pytest.mark.parametrize(("text", "line", "words"), [
    ('{\n  "segments": [\n    {"start": 0.0, "end": 1.0, "text": "cut', 3, "the file is not valid JSON"),
    ('{\n  "segments": [\n  ]\n  "text": ""\n}\n', 4, "the file is not valid JSON"),
    ('{\n  "text": "hello",\n  "language": "en"\n}\n', 1,
     "the JSON has no `segments` list (its keys: `text`, `language`); expected Whisper JSON"),
    ('{"segments": {"start": 0}}', 1, "`segments` that is not a list"),
    ('[1, 2]', 1, "the JSON is a list, not an object with a `segments` list"),
    ('{"segments": [\n{"start": 0, "end": 1, "text": "a"},\n{"start": NaN, "end": 2, "text": "b"}\n]}', 3,
     "segments[1]: `start` is nan, not a time"),
    ('{"segments": [\n{"start": -1.5, "end": 1, "text": "a"}\n]}', 2, "segments[0]: `start` is -1.5, a negative time"),
    ('{"segments": [\n{"start": 0, "end": 1, "text": "a"},\n\n{"start": 5, "end": 2, "text": "b"}\n]}', 4,
     "segments[1] ends (00:00:02.000) before it starts (00:00:05.000)"),
    ('{"segments": [{"start": "0:01", "end": 2, "text": "b"}]}', 1,
     'segments[0]: `start` is "0:01", not a number of seconds'),
    ('{"version": "1.0.0", "segments": [\n {"startTime": 0, "endTime": Infinity, "body": "x"}]}', 2,
     "segments[0]: `endTime` is inf, not a time"),
    ('{"segments": [\n "just text"\n]}', 2, "segments[0] is \"just text\", not an object"),
])
def test_json_errors_name_the_segment_and_its_line(text, line, words):
    problem = error_of(jsontranscript.read, text, "ep.json")
    assert problem.line == line
    assert words in problem.message


# --- registration -------------------------------------------------------------------------------

def test_formats_and_extensions_are_registered():
    assert {EXTENSIONS[s] for s in (".vtt", ".srt", ".json")} == {"webvtt", "srt", "json"}
    assert {"webvtt", "srt", "json", "whisper-json", "whisperx-json", "podcasting-json"} <= set(FORMATS)
    assert is_transcript(Path("2025-01-01-x.VTT")) and is_transcript(Path("a.json"))


def test_read_transcript_reports_errors_with_the_file(tmp_path):
    path = write(tmp_path / "ep.vtt", "00:01.000 --> 00:02.000\nHello\n")
    with pytest.raises(ArchiveError) as caught:
        read_transcript(path, "ep.vtt")
    assert (caught.value.problem.path, caught.value.problem.line) == (path, 1)

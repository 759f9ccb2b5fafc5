from pathlib import Path

import pytest

from episode_archive.clean import PARAGRAPH_WORDS, clean, fix_text, is_generic_label, name_like, speaker_labels
from episode_archive.readers import plaintext


def cleaned(text: str, known=()):
    return clean(plaintext.read(Path("e.txt"), "e.txt", text), list(known))


def test_a_label_seen_once_is_a_sentence_not_a_speaker():
    transcript = cleaned("We began.\nNote: this is a sentence.\nAnd it ends.")
    assert all(s.speaker is None for s in transcript.segments)
    assert "Note: this is a sentence." in transcript.plain_text()


def test_recurring_labels_are_speakers_and_unlabelled_paragraphs_continue_the_turn():
    transcript = cleaned("Ada: One.\n\nBob: Two.\n\nStill Bob here.\n\nAda: Three.")
    assert [(s.speaker, s.text) for s in transcript.segments] == [
        ("Ada", "One."), ("Bob", "Two."), ("Bob", "Still Bob here."), ("Ada", "Three.")]


def test_a_single_label_counts_when_metadata_names_the_speaker():
    transcript = cleaned("Intro line.\n\nada lovelace: Hello.", known=["Ada Lovelace"])
    assert transcript.segments[-1].speaker == "Ada Lovelace"
    assert speaker_labels(transcript) == ["Ada Lovelace"]


def test_sentences_per_line_reflow_into_paragraphs_of_bounded_size():
    sentence = "This sentence has exactly eight words in it."
    transcript = cleaned("\n".join([sentence] * 40))
    paragraphs = [s.text for s in transcript.segments]
    assert len(paragraphs) == 3
    assert all("\n" not in p for p in paragraphs)
    assert all(len(p.split()) <= PARAGRAPH_WORDS + 8 for p in paragraphs)
    assert " ".join(paragraphs) == " ".join([sentence] * 40)


def test_fix_text_repairs_mojibake_but_keeps_entities_and_curly_quotes():
    assert fix_text("cafÃ©") == "café"
    assert fix_text("AT&amp;T “quoted”") == "AT&amp;T “quoted”"


@pytest.mark.parametrize("label, expected", [
    ("Sam Marks", True),
    ("Mireille B. Reece, Psy.D", True),  # a Changelog guest's label, post-nominal after a comma
    ("Martin Luther King, Jr.", True),
    ("Siobhán O’Brien", True),
    ("Stevenson Jean-Pierre", True),
    ("Note", False),
    ("Yeah and so", False),
    ("sam marks", False),
    ("Speaker 1", False),
    ("One Two Three Four Five", False),
    ("Reece,, PsyD", False),
])
def test_name_like_is_one_test_for_every_reader(label, expected):
    assert name_like(label) is expected


def test_curated_markdown_labels_with_a_title_name_the_speaker():
    from episode_archive.readers.markdown import turn_speakers

    body = ("**Adam Stacoviak:** Today I want to examine this.\n\n"
            "**Mireille B. Reece, Psy.D:** Yeah, I think most of us relate.\n\n"
            "**Note:** this episode was recorded remotely.\n")
    assert turn_speakers(body) == ["Adam Stacoviak", "Mireille B. Reece, Psy.D"]


@pytest.mark.parametrize("label", ["SPEAKER_00", "Speaker 2", "spk_1", "Unknown", "Unknown Speaker", "New Speaker",
                                   "Other speaker"])
def test_diarization_labels_are_generic(label):
    assert is_generic_label(label)


@pytest.mark.parametrize("label", ["Newton", "Speaker Pelosi", "Otherwise Known"])
def test_names_are_not_generic_labels(label):
    assert not is_generic_label(label)

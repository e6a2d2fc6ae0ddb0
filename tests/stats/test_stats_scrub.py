"""Specification of the stored-text scrubber: only vocabulary words survive, names and anything
identifier-shaped never do, and a text that cannot be kept safely is dropped (None)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tgbot.stats.scrub import MASK, MAX_KEPT_CHARS, assess, scrub


def _kept(text: str) -> str:
    out = scrub(text)
    assert out is not None, assess(text).dropped_because
    return out


@pytest.mark.parametrize(
    "text",
    [
        "my 4 months old twitches in her sleep",
        "she's hot, 39 degrees, and her arms keep jerking",
        "it happens 3 times a day for 2 minutes",
        "at 10 weeks he started doing this",
        "is 38.5 a fever for a 2 week old",
        "jerks for 1-2 seconds, 5 or 6 in a row",
        "my LO 3mo is boiling hot and twitchy",
        "the EEG was normal and the doctor said it is benign",
        "is the Moro reflex the same as myoclonus",
        "we called an ambulance and they took him to hospital",
        "Twitching started yesterday. Should I worry? Jerks come in clusters.",
        "he drinks 120 ml and then twitches at 10:30",
        "mi bebé tiene 2 meses y tiembla cuando duerme, es normal?",
        "Mein Baby zuckt im Schlaf, ist das normal?",
        "ребенку 3 недели, это нормально?",
    ],
)
def test_ordinary_questions_are_kept_word_for_word(text: str) -> None:
    assert _kept(text) == text


def test_a_word_outside_the_vocabulary_is_masked() -> None:
    assert _kept("my baby does these weird zorbling jerks at night") == (
        f"my baby does these weird {MASK} jerks at night"
    )


def test_neighbouring_masks_merge_into_one() -> None:
    out = _kept("my son Oliver James Smith twitches when he sleeps at night")
    assert out == f"my son {MASK} twitches when he sleeps at night"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my daughter emma keeps twitching in her sleep, is that normal", "emma"),
        ("does anyone know why Noah twitches when he falls asleep", "Noah"),
        ("hi my name is rose and my baby twitches at night", "rose"),
        ("hope is 4 months and jerks a lot when she sleeps", "hope"),
        ("we saw Dr Fuchs and he said the jerks are normal", "Fuchs"),
        ("we saw dr fuchs and he said the jerks are normal", "fuchs"),
        ("Wir waren bei Dr. Schwarz, ist das Zucken normal?", "Schwarz"),
        ("our nanny said that Friedrich Wolf twitches in his sleep too", "Wolf"),
        ("will's dad here, will twitches in his sleep a lot, is that normal", "will"),
        ("please call me will, my baby twitches all the time", "will"),
        ("моя дочь Соня дергается во сне, это нормально?", "Соня"),
        ("ابنتي امل ترتعش أثناء النوم هل هذا طبيعي", "امل"),
        ("η κόρη μου η ελένη τινάζεται στον ύπνο, είναι φυσιολογικό;", "ελένη"),
    ],
)
def test_names_never_survive_whatever_their_case_or_script(text: str, name: str) -> None:
    out = scrub(text)
    assert out is None or name.casefold() not in out.casefold(), out


def test_the_honorific_goes_with_the_name() -> None:
    out = _kept("we saw Dr Patel yesterday and she said the jerks are normal")
    assert "Dr" not in out
    assert out.startswith(f"we saw {MASK} yesterday")


def test_a_common_word_that_is_also_a_name_stays_a_word_when_nothing_marks_a_name() -> None:
    # "will" is a name too; here it is the verb.
    assert _kept("will the twitching stop when she is older?") == (
        "will the twitching stop when she is older?"
    )


@pytest.mark.parametrize(
    "text",
    [
        "call me on +44 7700 900123 please, my baby twitches",
        "my number is (555) 123-4567 if the twitching gets worse",
        "text 07700900123 about the jerks",
        "ring 07700, 900, 222 about my son's jerks",
        "ring 07700_900_209 about my son's jerks",
        "my mobile is 07700 then 900 then 735, baby jerks",
        "call 0 7 7 0 0 9 0 0 5 5 1 about the jerks",
        "rückruf bitte: null eins fünf eins, zwei drei vier, das zucken",
        "write to anna.smith@example.com about the twitching",
        "mail me anna at gmail dot com about the twitching",
        "mail me anna(at)web(dot)de about the twitching",
        "my insta is @twitchy.baby.life, the jerks are on video",
        "my insta is mummy_of_two_bubs, the jerks are on video",
        "video of the jerks: https://example.org/v/1",
        "the jerks are on youtube.com/watch now",
        "we live at 12 acacia close, is the twitching normal",
        "we live near sw1a 1aa, is the twitching normal",
        "postcode 75001, is the twitching normal",
        "his NHS number 943 476 5919, he twitches",
        "she was born 12/03/2024 and twitches",
        "she was born on 3rd of march and twitches",
        "my son was born 28 января and twitches",
        "a n n a . k o w a l, twitching baby here",
        "my telegram id is 558812347 in case you need it",
        "his real name is something else but he twitches",
    ],
)
def test_a_text_with_anything_identifier_shaped_is_dropped(text: str) -> None:
    assert scrub(text) is None


def test_a_text_where_too_little_survives_is_dropped() -> None:
    assert scrub("asdkjh qwe zzzz twitch") is None
    assert scrub("hi") is None


def test_texts_in_scripts_without_spaces_are_dropped() -> None:
    # No word list can tell a Chinese or Japanese name from the words around it.
    assert scrub("我的宝宝睡觉时抽动，正常吗？") is None


def test_german_nouns_keep_their_capitals_but_names_do_not() -> None:
    out = _kept("Meine Tochter Elif hat einen Termin in der Klinik, ist das Zucken normal?")
    assert "Elif" not in out
    assert "Termin" in out
    assert "Klinik" in out


def test_zero_width_characters_cannot_hide_a_name() -> None:
    out = scrub("my daughter Em\u200bma twitches in her sleep, is it normal")
    assert out is None or "ma" not in out.replace("\u200b", "").split()


def test_fancy_letters_are_read_as_plain_ones() -> None:
    out = scrub("my son 𝐎𝐥𝐢𝐯𝐞𝐫 twitches in his sleep, is it normal")
    assert out is None or "oliver" not in out.casefold()


def test_long_text_is_cut_at_a_word_boundary() -> None:
    out = _kept("twitch " * 200)
    assert len(out) <= MAX_KEPT_CHARS + 2
    assert out.endswith(" …")


def test_the_assessment_never_shows_the_text() -> None:
    assert "Anna" not in repr(assess("my name is Anna"))


@given(st.text(max_size=300))
def test_scrub_accepts_any_text(text: str) -> None:
    out = scrub(text)
    assert out is None or len(out) <= MAX_KEPT_CHARS + 2


@given(st.integers(min_value=10_000_000, max_value=10**12))
def test_any_telegram_sized_id_in_text_drops_it(user_id: int) -> None:
    assert scrub(f"my id is {user_id} and my baby twitches at night") is None

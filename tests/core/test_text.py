"""Normalisation shared by matcher and red flags: Unicode forms, controls, emoji, addressing."""

from __future__ import annotations

from tgbot.core.text import clean, has_letters, normalize, stem, tokens


def test_smart_quotes_become_plain_apostrophes() -> None:
    assert tokens("he won\u2019t wake") == ["he", "wont", "wake"]


def test_nfkc_folds_compatibility_forms() -> None:
    assert normalize("\uff2a\uff25\uff32\uff2b\uff33") == "jerks"  # full-width letters


def test_zero_width_and_control_characters_are_removed() -> None:
    assert normalize("twi\u200btch\x00ing\u202e") == "twitching"


def test_emoji_become_word_breaks() -> None:
    assert tokens("jerky😟movements") == ["jerky", "movements"]


def test_bot_addressing_is_stripped() -> None:
    assert normalize("/ask@HelperBot what is myoclonus") == "what is myoclonus"
    assert normalize("@HelperBot what is myoclonus") == "what is myoclonus"


def test_letter_floods_are_shortened() -> None:
    assert normalize("sooooo jerkyyyyy") == "soo jerkyy"


def test_other_scripts_survive_as_words() -> None:
    assert tokens("ручки дрожат") == ["ручки", "дрожат"]


def test_stem_folds_tenses_and_plurals() -> None:
    assert stem("jerking") == stem("jerks") == stem("jerked") == "jerk"


def test_has_letters_is_false_for_symbols_only() -> None:
    assert not has_letters("🍼🍼😴 !!! ...")
    assert has_letters("ok")


def test_clean_bounds_huge_input() -> None:
    assert len(clean("a" * 1_000_000)) <= 20_000


def test_plain_reading_breaks_words_at_invisible_characters() -> None:
    from tgbot.core.text import plain_reading

    assert plain_reading("not\u200bbreathing") == "not breathing"
    assert plain_reading("n\u0308ot") == "not"
    assert plain_reading("an ordinary question?\n") is None


def test_plain_reading_keeps_the_vowel_signs_of_indic_scripts() -> None:
    from tgbot.core.text import plain_reading

    # Devanagari matras and the nukta are part of the word: "चुसनी" must not become "चसन".
    assert plain_reading("चुसनी ज़मीन पर गिर गई") is None
    assert plain_reading("चुसनी\u200bगिर") == "चुसनी गिर"
    # Accents on Latin letters still go.
    assert plain_reading("bébé\u200b") == "bebe "


# ---- PyStemmer gives the stems the pure-Python Snowball stemmer gives ----------------------
# The matcher's index and the red-flag terms were tuned on snowballstemmer's stems; PyStemmer
# (the same Snowball algorithm compiled to C) replaced it for speed. A Snowball release that
# changed a stem in one of them and not the other would quietly change which topic answers.


def _words_parents_and_editors_use() -> set[str]:
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    texts = [p.read_text(encoding="utf-8") for p in (repo / "content").rglob("*.md")]
    texts += [p.read_text(encoding="utf-8") for p in (repo / "content").rglob("*.yaml")]
    texts += [
        p.read_text(encoding="utf-8") for p in (repo / "tests/question_corpus").rglob("*.jsonl")
    ]
    found = {w for text in texts for w in tokens(text) if w.isalpha()}
    # Endings the English algorithm treats specially, whatever the content holds today.
    found |= {"generously", "skies", "dying", "news", "howe", "succeeding", "exceeded", "cried"}
    return found


def test_pystemmer_stems_agree_with_the_pure_python_snowball_stemmer() -> None:
    from snowballstemmer.english_stemmer import EnglishStemmer  # pure Python, never PyStemmer

    reference = EnglishStemmer()
    words_ = sorted(_words_parents_and_editors_use())
    assert len(words_) > 2500  # the list really is the content's vocabulary
    differ = [
        (w, stem(w), reference.stemWord(w)) for w in words_ if stem(w) != reference.stemWord(w)
    ]
    assert differ == []

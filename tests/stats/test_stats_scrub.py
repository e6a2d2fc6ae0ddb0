"""Specification of the scrubber: personal data out, medical words and ages kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tgbot.stats.scrub import MAX_KEPT_CHARS, scrub


def _assert_scrubbed(text: str, secret: str, placeholder: str) -> None:
    out = scrub(text)
    assert secret.lower() not in out.lower(), out
    assert placeholder in out, out


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my name is Anna and my son twitches at night", "Anna"),
        ("hi my name is anna, is twitching normal", "anna"),
        ("I'm Sarah, mum of a 3 month old with jerky arms", "Sarah"),
        ("our son is called Leo and he jerks when falling asleep", "Leo"),
        ("she's named Mia, 8 weeks old", "Mia"),
        ("my daughter Olivia jerks in her sleep", "Olivia"),
        ("does anyone know if Noah's twitching is normal", "Noah"),
        ("we saw Dr. Patel yesterday and she said it is benign", "Patel"),
        ("is this normal?\n- Anna", "Anna"),
        ("is this normal? - Anna", "Anna"),
        ("is this normal? thanks, Tom", "Tom"),
        ("is this normal?\nCheers\nJames", "James"),
        ("Is Noah ok? Noah keeps jerking.", "Noah"),
        ("my baby Zoë has hiccups all the time", "Zoë"),
        ("my partner Jean-Luc thinks it's a seizure", "Jean-Luc"),
        ("Emma's arms jerk when she sleeps", "Emma"),
        ("my son, Oliver Smith, twitches", "Smith"),
        ("call me Kate, what does myoclonus mean", "Kate"),
        ("Is that normal? Whitcombe family here", "Whitcombe"),
        ("Anna Smith, mum of two: is this a seizure", "Anna"),
    ],
)
def test_names_are_replaced(text: str, name: str) -> None:
    _assert_scrubbed(text, name, "[name]")


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("call me on +44 7700 900123 please", "7700 900123"),
        ("my number is (555) 123-4567", "123-4567"),
        ("ruf an: 0176-1234567", "1234567"),
        ("text 07700900123", "07700900123"),
        ("US number +1-202-555-0173", "555-0173"),
        ("555.123.4567 is my cell", "555.123.4567"),
        ("+49 (0) 30 1234567", "1234567"),
        ("ring 0161 496 0000 after six", "496 0000"),
        ("+33 6 12 34 56 78", "12 34 56 78"),
        ("0044 20 7946 0958", "7946 0958"),
        ("+4915112345678", "15112345678"),
    ],
)
def test_phone_numbers_in_any_format_are_replaced(text: str, phone: str) -> None:
    out = scrub(text)
    assert phone not in out, out
    assert "[phone]" in out or "[number]" in out, out


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("write to anna.smith@example.com", "anna.smith@example.com"),
        ("a_b+tag@mail.co.uk is mine", "a_b+tag@mail.co.uk"),
        ("ANNA@EXAMPLE.ORG", "ANNA@EXAMPLE.ORG"),
        ("anna at gmail dot com", "gmail"),
        ("mail me anna(at)web(dot)de", "web"),
        ("anna [at] web [dot] de", "web"),
    ],
)
def test_email_addresses_are_replaced(text: str, email: str) -> None:
    out = scrub(text)
    assert email.lower() not in out.lower(), out
    assert "[email]" in out, out


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("look at https://example.com/path?q=1 please", "example.com"),
        ("http://foo.bar/x", "foo.bar"),
        ("www.mumsnet.com/talk said so", "mumsnet"),
        ("join t.me/annas_channel", "annas_channel"),
        ("see mybabyblog.co.uk for the video", "mybabyblog"),
        ("video on example.org.", "example.org"),
        ("https://youtu.be/abc123", "youtu.be"),
    ],
)
def test_urls_and_bare_domains_are_replaced(text: str, url: str) -> None:
    _assert_scrubbed(text, url, "[url]")


def test_url_keeps_the_sentence_full_stop() -> None:
    assert scrub("video on example.org. is it a spasm") == "video on [url]. is it a spasm"


@pytest.mark.parametrize("handle", ["@anna_smith", "@Mike123", "@jo"])
def test_telegram_handles_are_replaced(handle: str) -> None:
    _assert_scrubbed(f"ask {handle} about it", handle, "[handle]")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("we live at 12 Baker Street", "Baker"),
        ("221b Baker Street, London", "221b"),
        ("flat at 5 High St. near the park", "High St"),
        ("address 10 downing street", "downing"),
        ("Hauptstraße 5, Berlin", "Hauptstraße"),
        ("wir wohnen in der Berliner Straße 12", "Berliner Straße 12"),
        ("12 rue de la Paix", "Paix"),
        ("flat 3, second floor", "flat 3"),
        ("postcode SW1A 1AA", "SW1A"),
        ("14 Elm Avenue", "Elm"),
    ],
)
def test_street_addresses_are_replaced(text: str, secret: str) -> None:
    out = scrub(text)
    assert secret.lower() not in out.lower(), out
    assert "[address]" in out, out


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("NHS number 943 476 5919", "943"),
        ("his MRN: 12345678", "12345678"),
        ("hospital number RX1234567", "RX1234567"),
        ("patient ID A-123456", "123456"),
        ("record no. 4455-667", "4455"),
        ("ref AB12345", "AB12345"),
    ],
)
def test_record_numbers_are_replaced(text: str, secret: str) -> None:
    out = scrub(text)
    assert secret not in out, out
    assert "[record]" in out or "[number]" in out or "[phone]" in out, out


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("she was born 12/03/2024", "12/03/2024"),
        ("DOB 2024-03-12", "2024-03-12"),
        ("born on 3 March 2024", "March 2024"),
        ("born March 3rd, 2024", "3rd"),
        ("geb. 12.03.2024", "12.03.2024"),
        ("born on the 5th", "5th"),
        ("it started on the 3rd of May", "3rd of May"),
        ("due date 1 June", "1 June"),
        ("date of birth: 1/2/23", "1/2/23"),
        ("since 14 Feb", "14 Feb"),
    ],
)
def test_dates_are_replaced(text: str, secret: str) -> None:
    out = scrub(text)
    assert secret.lower() not in out.lower(), out
    assert "[date]" in out, out


@pytest.mark.parametrize("digits", ["123456789", "55555", "0012345"])
def test_long_digit_runs_are_replaced(digits: str) -> None:
    out = scrub(f"my code is {digits} ok")
    assert digits not in out, out


@pytest.mark.parametrize(
    "text",
    [
        "my 4 months old twitches in her sleep",
        "she's hot, 39 degrees, and her arms keep jerking",
        "temperature 37.8°C since this morning",
        "it happens 3 times a day for 2 minutes",
        "at 10 weeks he started doing this",
        "7 month old with jerky movements",
        "born at 34 weeks, now 1.5 kg heavier",
        "is 38.5 a fever for a 2 week old",
        "jerks for 1-2 seconds, 5 or 6 in a row",
        "the EEG was normal and the GP said West syndrome is unlikely",
        "is the Moro reflex the same as myoclonus",
        "we called an ambulance and they took him to hospital",
        "the neurologist said it's called benign sleep myoclonus",
        "call 999 or 111 if worried",
        "does Calpol help with the fever",
    ],
)
def test_medical_words_ages_and_measurements_survive(text: str) -> None:
    assert scrub(text) == text


def test_first_word_of_a_sentence_is_not_taken_for_a_name() -> None:
    text = "Twitching started yesterday. Should I worry? Jerks come in clusters."
    assert scrub(text) == text


def test_shouted_words_are_replaced_only_where_they_stand() -> None:
    out = scrub("HE STOPPED BREATHING. it stopped after a minute")
    assert out.endswith("it stopped after a minute")


def test_zero_width_characters_cannot_hide_a_name() -> None:
    assert "Anna" not in scrub("my name is An\u200bna").replace("\u200b", "")


def test_long_text_is_cut_at_a_word_boundary() -> None:
    out = scrub("twitch " * 200)
    assert len(out) <= MAX_KEPT_CHARS + 2
    assert out.endswith(" …")


def test_several_names_in_a_row_become_one_placeholder() -> None:
    assert scrub("my son Oliver James Smith twitches") == "my son [name] twitches"


@given(st.text(max_size=300))
def test_scrub_accepts_any_text(text: str) -> None:
    assert len(scrub(text)) <= MAX_KEPT_CHARS + 2


@given(st.integers(min_value=10_000_000, max_value=10**12))
def test_any_telegram_sized_id_in_text_is_removed(user_id: int) -> None:
    assert str(user_id) not in scrub(f"my id is {user_id} thanks")

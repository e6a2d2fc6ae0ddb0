"""A second language is content alone: a tiny Italian pack built from fixtures is loaded,
checked against the default pack, chosen per message, analysed with its own stemmer, and
shares the default pack's red-flag rules. Sentences written for these tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE_TOPICS, SOURCE, write_fixture_content

from tgbot.core.answers import Outcome, answer_for
from tgbot.core.content import ContentError, ContentLibrary, load_content
from tgbot.core.language import identify
from tgbot.core.model import Level

# Italian titles, parents' questions and bodies for the fixture topic ids.
ITALIAN = {
    "sleep-twitching": (
        "Perché i neonati hanno scatti nel sonno",
        [
            "Perché il mio bambino ha degli scatti mentre dorme?",
            "Il neonato sussulta nel sonno, è normale?",
            "scatti nel sonno del neonato",
            "mia figlia si muove a scatti quando dorme",
            "il bimbo fa dei sobbalzi nel sonno",
            "sussulti notturni nel lattante sono pericolosi?",
        ],
        ["scatti nel sonno", "sussulti nel sonno"],
        "Gli scatti durante il sonno sono comuni e di solito innocui.",
    ),
    "newborn-jitters": (
        "Tremori nei neonati",
        [
            "Il mio neonato trema con il mento, è normale?",
            "tremolio delle braccia nel neonato",
            "la neonata trema quando piange",
            "tremori del neonato nelle prime settimane",
            "perché il neonato trema così tanto?",
            "mento che trema nel neonato",
        ],
        ["tremori", "tremolio"],
        "Nelle prime settimane molti neonati tremano un po' quando piangono.",
    ),
    "infantile-spasms": (
        "Come sono gli spasmi infantili",
        [
            "Come riconosco gli spasmi infantili?",
            "spasmi in serie al risveglio",
            "cosa sono gli spasmi infantili?",
            "il bambino si piega in avanti più volte di seguito",
            "sindrome di West sintomi",
            "spasmi a grappolo nel lattante",
        ],
        ["spasmi infantili", "sindrome di west"],
        "Gli spasmi infantili arrivano spesso in serie: vedete un medico oggi stesso.",
    ),
    "when-to-see-doctor": (
        "Quando andare dal medico",
        [
            "Quando devo portare il bambino dal medico per gli scatti?",
            "quando preoccuparsi per i movimenti strani del neonato",
            "devo chiamare il pediatra per questi scatti?",
            "segnali di allarme nei movimenti del bambino",
            "quando andare al pronto soccorso con il neonato",
            "è il caso di sentire il pediatra?",
        ],
        ["pediatra", "segnali di allarme"],
        "Andate dal medico se gli scatti arrivano in serie, con la febbre o da un lato solo.",
    ),
    "seizure-first-aid": (
        "Cosa fare durante una crisi",
        [
            "Cosa faccio se il mio bambino ha una crisi convulsiva?",
            "primo soccorso convulsioni nel bambino",
            "come aiutare il bimbo durante una convulsione",
            "cosa fare durante una crisi epilettica del neonato",
            "il bambino ha le convulsioni, cosa devo fare?",
            "convulsione nel lattante primi gesti",
        ],
        ["primo soccorso", "convulsioni"],
        "Restate calmi, mettete il bambino su un fianco e guardate l'ora.",
    ),
}


def write_italian_pack(root: Path, *, skip_topic: str | None = None) -> Path:
    """content/it/ beside the fixture's default pack: no red_flags.yaml of its own."""
    it = root / "it"
    (it / "topics").mkdir(parents=True, exist_ok=True)
    for name in ("texts.yaml", "ui.yaml"):
        shutil.copy(root / name, it / name)  # the same keys; an editor would translate them
    # The matcher's vocabulary of the language: what is in scope, what is filler.
    (it / "synonyms.yaml").write_text(
        "synonyms:\n  scatto: [sussulto, sobbalzo]\n  tremore: [tremolio]\n"
        "domain: [scatto, sussulto, tremore, trema, spasmo, convulsione, crisi, pediatra]\n"
        "filler: [il, la, lo, i, gli, le, un, una, mio, mia, di, del, che, e, è]\n"
        "question_words: [perché, come, cosa, quando, è]\n",
        encoding="utf-8",
    )
    (it / "content.yaml").write_text(
        "language: it\nname: Italiano\nred_flag_topic: when-to-see-doctor\n"
        'emergency_number: "112"\n',
        encoding="utf-8",
    )
    for topic_id, (title, questions, keywords, body) in ITALIAN.items():
        if topic_id == skip_topic:
            continue
        t = FIXTURE_TOPICS[topic_id]
        lines = ["---", f"id: {topic_id}", f"title: {title}", "questions:"]
        lines += [f'  - "{q}"' for q in questions]
        lines += ["keywords:", *(f"  - {k}" for k in keywords)]
        lines += ["related: [" + ", ".join(t["related"]) + "]"]
        lines += [f"red_flag: {t['red_flag']}", "sources:", SOURCE.rstrip("\n")]
        lines += ["reviewed: 2025-01-01", "reviewed_by: A test editor", "next_review: 2026-06-01"]
        lines += ["---", body]
        (it / "topics" / f"{topic_id}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return it


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> ContentLibrary:
    root = write_fixture_content(tmp_path_factory.mktemp("two-packs"))
    write_italian_pack(root)
    return load_content(root)


def test_the_extra_pack_loads_from_content_alone(library: ContentLibrary) -> None:
    assert sorted(library.packs) == ["en", "it"]
    assert library.packs["it"].name == "Italiano"
    # No red_flags.yaml of its own: concepts and levels cannot drift from the default's.
    assert library.packs["it"].red_flags is library.default.red_flags


def test_a_message_is_answered_in_its_own_language(library: ContentLibrary) -> None:
    question = "Perché il mio bambino ha degli scatti mentre dorme?"
    pack = library.pack_for_message(question, "en")  # phone set to English, writes Italian
    answer = answer_for(question, pack)
    assert answer.language == "it"
    assert answer.topic_id == "sleep-twitching"
    assert "scatti durante il sonno" in answer.reply.body


def test_english_is_answered_in_english_whatever_the_phone_says(
    library: ContentLibrary,
) -> None:
    question = "Why does my baby twitch in her sleep?"
    assert library.pack_for_message(question, "it").language == "en"


@pytest.mark.parametrize("text", ["ciao", "ok", "", "🙂🙂🙂", "12345 678"])
def test_an_unclear_message_follows_the_phone_language(library: ContentLibrary, text: str) -> None:
    assert library.pack_for_message(text, "it").language == "it"
    assert library.pack_for_message(text, "en").language == "en"
    assert library.pack_for_message(text, None).language == "en"  # the default


def test_the_pack_stems_its_own_language(library: ContentLibrary) -> None:
    # "sussulti" (plural) and "sussulta" share the Italian stem, not an English one.
    analyzer = library.packs["it"].index.analyzer
    assert analyzer._key("sussulti") == analyzer._key("sussulta")
    assert analyzer._key("perché") == analyzer._key("perche")  # read without accents


def test_a_mixed_message_keeps_the_stricter_red_flag(library: ContentLibrary) -> None:
    # The Italian pack reads English red-flag words too: the rules are shared.
    text = "aiuto, il bambino is not breathing e trema tutto"
    pack = library.pack_for_message(text, "it")
    answer = answer_for(text, pack)
    assert answer.level is Level.EMERGENCY
    assert answer.reply.emergency_prompt


def test_an_unmatched_italian_question_gets_the_italian_fallback(
    library: ContentLibrary,
) -> None:
    text = "Quale passeggino è il migliore per la montagna con la neve?"
    pack = library.pack_for_message(text, "en")
    answer = answer_for(text, pack)
    assert answer.language == "it"
    assert answer.outcome is not Outcome.ANSWERED


def test_a_pack_missing_a_topic_is_refused_by_name(tmp_path: Path) -> None:
    root = write_fixture_content(tmp_path / "content")
    write_italian_pack(root, skip_topic="infantile-spasms")
    with pytest.raises(ContentError) as raised:
        load_content(root)
    assert "topic 'infantile-spasms' of the default pack is missing" in raised.value.report()


def test_a_pack_missing_a_text_is_refused_by_name(tmp_path: Path) -> None:
    root = write_fixture_content(tmp_path / "content")
    it = write_italian_pack(root)
    texts = (it / "ui.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    # drop the first top-level key of ui.yaml (and its folded lines)
    first = next(i for i, line in enumerate(texts) if line[:1].isalpha())
    key = texts[first].split(":")[0]
    end = next((i for i in range(first + 1, len(texts)) if texts[i][:1].isalpha()), len(texts))
    (it / "ui.yaml").write_text("".join(texts[:first] + texts[end:]), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_content(root)
    assert f"text {key!r}" in raised.value.report()


def test_identify_needs_two_languages_and_enough_letters() -> None:
    assert identify("Perché il mio bambino trema?", ["it"]) is None
    assert identify("ciao", ["en", "it"]) is None
    assert identify("Perché il mio bambino trema nel sonno?", ["en", "it"]) == "it"
    assert identify("Why is my baby shaking in his sleep?", ["en", "it"]) == "en"
    assert identify("Почему мой ребёнок вздрагивает во сне?", ["en", "ru"]) == "ru"
    # A language the model does not know leaves too few to choose between: never "clear".
    assert identify("Perché il mio bambino trema nel sonno?", ["en", "xx"]) is None
    # A region code in a pack name still matches the identifier's language.
    assert identify("Por que meu bebê treme quando dorme?", ["en", "pt-br"]) == "pt-br"

"""Italian red-flag words (content/red_flags/it.yaml): each concept in the words parents of
Italy and Ticino write, at the level red_flags.yaml gives it, and harmless messages that share
those words. Sentences written for these tests, not taken from any corpus."""

from __future__ import annotations

import pytest

from tgbot.core.content import load_content
from tgbot.core.model import Level
from tgbot.core.redflags import RedFlagRules

E = Level.EMERGENCY
U = Level.URGENT


@pytest.fixture(scope="module")
def rules() -> RedFlagRules:
    return load_content().default.red_flags


CASES: list[tuple[str, Level, str]] = [
    ("not-breathing", E, "il mio bimbo ha smesso di respirare per qualche secondo mentre tremava"),
    ("not-breathing", E, "fa una fatica enorme a respirare e le costole rientrano"),
    ("not-breathing", E, "sta soffocando, fa un lamento ogni volta che respira"),
    ("not-breathing", E, "respira male, fa delle pause e poi boccheggia"),
    ("colour-change", E, "gli sono diventate le labbra viola durante la crisi"),
    ("colour-change", E, "ha la faccina grigia e fredda dopo il tremore"),
    ("colour-change", E, "e diventata bianca come un cencio con le scosse"),
    ("colour-change", E, "ha la pelle tutta marezzata sulle gambe"),
    ("unresponsive", E, "non reagisce a niente, sembra una bambola di pezza"),
    ("unresponsive", E, "non riesco a svegliarlo dopo le scosse"),
    ("unresponsive", E, "e svenuto e resta incosciente"),
    ("long-seizure", E, "sta convulsionando da piu di dieci minuti"),
    ("long-seizure", E, "la convulsione dura da 8 minuti e non si ferma"),
    ("long-seizure", E, "ha una crisi dopo l'altra senza riprendersi"),
    ("poisoning", E, "credo che abbia ingoiato una pila a bottone del telecomando"),
    ("poisoning", E, "ha bevuto un po' di candeggina e adesso trema"),
    ("poisoning", E, "ho trovato il blister di tachipirina morsicato, mancano delle pastiglie"),
    ("head-injury", E, "e caduto dal fasciatoio e adesso fa movimenti strani"),
    ("head-injury", E, "ha battuto forte la testa sul pavimento e poi ha tremato"),
    ("head-injury", E, "ha sbattuto per terra e adesso trema"),
    ("non-blanching-rash", E, "ha delle macchioline viola che col bicchiere non vanno via"),
    ("meningitis-signs", E, "ha il collo rigido e la febbre, con degli scatti"),
    ("meningitis-signs", E, "febbre a 39 e la fontanella gonfia"),
    ("shaken-baby", E, "il padre l'ha scosso fortissimo e da allora trema"),
    ("shaken-baby", E, "la tata ha scrollato la bambina per farla smettere di piangere"),
    ("overheating", E, "e rimasto in macchina al sole e adesso ha degli scatti"),
    ("overheating", E, "ha preso un colpo di calore in spiaggia, e sonnolentissimo"),
    ("first-seizure-now", E, "non gli era mai successo, trema tutto ed e rigido"),
    ("after-seizure", E, "dopo la convulsione sono due ore che e sonnolento e non si sveglia"),
    ("after-seizure", E, "dopo la crisi il braccio sinistro e molle, non lo muove"),
    ("infantile-spasms", U, "fa degli spasmi a grappolo, si piega in avanti"),
    ("infantile-spasms", U, "al risveglio la testa cade in avanti piu volte di seguito"),
    ("regression", U, "non sorride piu e non lalla come prima"),
    ("regression", U, "ha smesso di gattonare e prima gattonava benissimo"),
    ("fever", U, "ha 38,7 di febbre e dei piccoli scatti"),
    ("fever", U, "scotta e gli tremano le gambe"),
    ("fever", U, "ha 38,6 e trema"),
    ("vomiting", U, "vomita tutto da ieri sera e ha dei sussulti"),
    ("breathing-changes", U, "ha il fiatone e il respiro sibilante"),
    ("bulging-fontanelle", U, "la fontanella e gonfia"),
    ("unusual-sleepiness", U, "e molto sonnolento, fa fatica a svegliarsi per la poppata"),
    ("poor-feeding", U, "non vuole il biberon da ieri e quasi non poppa"),
    ("dehydration", U, "il pannolino e asciutto da 12 ore"),
    ("abnormal-cry", U, "ha un pianto acutissimo, stranissimo"),
    ("one-sided", U, "le scosse sono solo sul lato destro"),
    ("eyes-rolling-or-staring", U, "gli occhi vanno all'indietro quando ha gli scatti"),
    ("eyes-rolling-or-staring", U, "ha lo sguardo fisso e la mano gli trema"),
    ("awake-recurring", U, "da sveglio ha degli scatti piu volte al giorno"),
    ("jerks-not-stopped-by-holding", U, "anche se gli tengo il braccio continua a tremare uguale"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_italian_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_italian_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("non e blu, pero ha le labbra viola").level is E
    assert "fever" in rules.detect("non ha la febbre ma le tremano le mani").concepts
    assert rules.detect("non respira bene").level is E


NEGATIVES = [
    "ho comprato un cappellino blu e una copertina bianca per la culla",
    "ha gli occhi azzurri come il papa",
    "il pupazzo e tutto morbido e molle",
    "ha la bocca tutta viola a forza di mangiare mirtilli",
    "adora agitare il sonaglino e ridere",
    "si spaventa col rumore della porta e allarga le braccia, il riflesso di moro",
    "quando dorme fa delle smorfie e dei saltini, la pediatra dice che e normale",
    "ha smesso di piangere appena l'ho preso in braccio",
    "trema un po' di freddo quando esce dal bagnetto e passa con l'asciugamano",
    "tengo le pastiglie di ferro in alto in una scatola chiusa",
    "mi e caduto il telefono per terra e si e rotto lo schermo",
    "quando sbatte la porta allarga le braccia, il riflesso di moro",
    "ha 39 giorni e trema il mento quando piange",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_italian_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "we moved the toy box over by the window",
        "she loves her bedtime story",
        "where do you store the spare bottles",
        "se fue con su papa al parque",
    ],
)
def test_italian_words_raise_no_alarm_in_other_languages(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

"""Polish red-flag words (content/red_flags/pl.yaml): each concept in the words Polish
parents write, at the level red_flags.yaml gives it, and harmless messages that share those
words. Sentences written for these tests, not taken from any corpus."""

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
    ("not-breathing", E, "synek przestał oddychać na kilka sekund"),
    ("not-breathing", E, "ciężko mu złapać oddech i skóra wciąga się pod żebrami"),
    ("not-breathing", E, "córka się dusi, pomocy"),
    ("colour-change", E, "usta jej zsiniały podczas tych drgawek"),
    ("colour-change", E, "zrobił się cały szary na buzi"),
    ("colour-change", E, "skóra jakaś marmurkowa na nóżkach"),
    ("unresponsive", E, "nie mogę go obudzić, jest wiotki"),
    ("unresponsive", E, "leży jak szmaciana lalka i nie reaguje na głos"),
    ("long-seizure", E, "drgawki trwają już dziesięć minut"),
    ("long-seizure", E, "trzęsie nią od 6 minut i nie przestaje"),
    ("poisoning", E, "chyba połknął baterię guzikową z pilota"),
    ("poisoning", E, "wypiła trochę płynu do naczyń"),
    ("poisoning", E, "zjadł kilka tabletek babci, opakowanie puste"),
    ("head-injury", E, "spadła z przewijaka na podłogę i teraz dziwnie drga"),
    ("head-injury", E, "uderzył się mocno w głowę o stół"),
    ("non-blanching-rash", E, "ma drobne plamki, które nie blednieją pod szklanką"),
    ("meningitis-signs", E, "sztywny kark i wysoka gorączka"),
    ("meningitis-signs", E, "ciemiączko uwypuklone, a ona rozpalona, 39 stopni"),
    ("shaken-baby", E, "opiekunka mocno nim potrząsała"),
    ("overheating", E, "został w samochodzie na słońcu i teraz jest półprzytomny"),
    ("overheating", E, "to chyba udar cieplny"),
    ("first-seizure-now", E, "pierwszy raz w życiu tak się trzęsie, teraz, co robić"),
    ("after-seizure", E, "po ataku minęły dwie godziny, a ona wciąż jest otumaniona"),
    ("after-seizure", E, "po drgawkach prawa rączka jest bezwładna"),
    ("infantile-spasms", U, "skurcze przychodzą seriami zaraz po obudzeniu"),
    ("infantile-spasms", U, "zgina się do przodu raz za razem"),
    ("regression", U, "przestał się uśmiechać i już nie gaworzy"),
    ("regression", U, "cofnęła się w rozwoju, już nie siedzi"),
    ("fever", U, "ma 38,6 i trochę drga"),
    ("fever", U, "czoło ma gorące jak piec"),
    ("vomiting", U, "wymiotuje od rana"),
    ("breathing-changes", U, "oddycha szybko i świszcze"),
    ("bulging-fontanelle", U, "ciemiączko jest napięte"),
    ("unusual-sleepiness", U, "jest strasznie senna i ospała"),
    ("poor-feeding", U, "nie chce ssać piersi od wczoraj"),
    ("dehydration", U, "pielucha sucha od dziesięciu godzin"),
    ("abnormal-cry", U, "płacze takim piskliwym głosem"),
    ("one-sided", U, "drga tylko lewa rączka"),
    ("eyes-rolling-or-staring", U, "oczy uciekają mu w górę, gdy drga"),
    ("eyes-rolling-or-staring", U, "zapatrzyła się w jeden punkt i nie mruga"),
    ("awake-recurring", U, "w ciągu dnia, jak nie śpi, drga kilka razy dziennie"),
    ("jerks-not-stopped-by-holding", U, "trzymam jej nóżkę, a ona dalej drga"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_polish_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_polish_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("nie oddycha").level is E
    assert "colour-change" in rules.detect("nie jest sina, tylko blada na twarzy").concepts


NEGATIVES = [
    "kupiłam niebieski kocyk i niebieskie body",
    "ma piękne niebieskie oczka",
    "w końcu zasnął przy piersi",
    "jak go przytulę, od razu przestaje płakać",
    "lubi potrząsać grzechotką i się śmieje",
    "czkawka po jedzeniu, brzuszek podskakuje",
    "czapka oklapnięta spada mu na oczy",
    "pies drga łapami przez sen",
    "jest zdrowy jak ryba, waga w normie",
    "po kąpieli trzęsie się chwilę z zimna, w ręczniku przechodzi",
    "miał siniaka na kolanie, już zniknął",
    "smoczek spadł mu na podłogę",
    "kiwnął głową na tak, kiedy zapytałam o mleko",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_polish_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

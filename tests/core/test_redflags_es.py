"""Spanish red-flag words (content/red_flags/es.yaml): each concept in the words parents of
Spain and Latin America write, at the level red_flags.yaml gives it, and harmless messages
that share those words. Sentences written for these tests, not taken from any corpus."""

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
    ("not-breathing", E, "mi bebé dejó de respirar unos segundos mientras temblaba"),
    ("not-breathing", E, "le cuesta muchisimo respirar y se le hunden las costillas"),
    ("not-breathing", E, "se esta ahogando, hace un quejido cada vez que respira"),
    ("not-breathing", E, "respira rarisimo, con pausas, y luego boqueaba"),
    ("colour-change", E, "se le pusieron los labios moraditos durante la crisis"),
    ("colour-change", E, "tiene la carita gris y fria despues del temblor"),
    ("colour-change", E, "se quedo blanca como la pared y con sacudidas"),
    ("unresponsive", E, "no reacciona a nada, esta como una muñeca de trapo"),
    ("unresponsive", E, "no consigo despertarlo despues de los temblores"),
    ("unresponsive", E, "se desmayo y quedo inconsciente"),
    ("long-seizure", E, "lleva convulsionando mas de diez minutos"),
    ("long-seizure", E, "la convulsion dura ya 7 min y no para"),
    ("long-seizure", E, "tuvo una crisis tras otra sin volver en si"),
    ("poisoning", E, "creo que se trago una pila de boton del reloj"),
    ("poisoning", E, "se bebio un poco de lavandina y ahora tiembla"),
    ("poisoning", E, "encontre el blister de paracetamol mordido y faltan pastillas"),
    ("head-injury", E, "se cayo del cambiador de cabeza y ahora hace movimientos raros"),
    ("head-injury", E, "se dio un golpe fuerte en la cabeza contra el suelo y luego tembló"),
    ("non-blanching-rash", E, "le salieron manchitas moradas y con el vaso no se van"),
    ("meningitis-signs", E, "tiene el cuello rigido y fiebre, y le dan tirones"),
    ("meningitis-signs", E, "fiebre de 39 y la fontanela abombada"),
    ("shaken-baby", E, "su papa lo sacudio muy fuerte y desde entonces tiembla"),
    ("shaken-baby", E, "la niñera lo zarandeo para que se callara"),
    ("overheating", E, "estuvo en el coche al sol un rato y ahora tiene sacudidas"),
    ("overheating", E, "le dio un golpe de calor en la playa, esta muy adormilado"),
    ("first-seizure-now", E, "nunca le habia pasado, esta temblando entero y rigido"),
    ("after-seizure", E, "despues de la convulsion lleva dos horas adormilado y no se despierta"),
    ("after-seizure", E, "tras la crisis no mueve el brazo izquierdo, lo tiene flojo"),
    ("infantile-spasms", U, "hace unos espasmos en tandas, se dobla hacia adelante"),
    ("infantile-spasms", U, "al despertar cabecea varias veces seguidas"),
    ("regression", U, "ya no sonrie ni balbucea como antes"),
    ("regression", U, "ha dejado de gatear y antes gateaba genial"),
    ("fever", U, "tiene 38,7 de fiebre y unos temblorcitos"),
    ("fever", U, "esta ardiendo y le tiemblan las piernas"),
    ("vomiting", U, "vomita todo desde anoche y tiene tirones"),
    ("breathing-changes", U, "tiene pitos en el pecho y respira agitado"),
    ("bulging-fontanelle", U, "la mollera la tiene hinchada"),
    ("unusual-sleepiness", U, "esta muy adormilado, le cuesta despertarse para comer"),
    ("poor-feeding", U, "no quiere el biberon desde ayer y casi no mama"),
    ("dehydration", U, "no moja el pañal desde hace 12 horas"),
    ("abnormal-cry", U, "tiene un llanto muy agudo, rarisimo"),
    ("one-sided", U, "los temblores son solo del lado derecho"),
    ("eyes-rolling-or-staring", U, "pone los ojos en blanco cuando le dan los tirones"),
    ("eyes-rolling-or-staring", U, "se queda con la mirada perdida y le tiembla la mano"),
    ("awake-recurring", U, "estando despierto le dan sacudidas varias veces al dia"),
    ("jerks-not-stopped-by-holding", U, "aunque le sujeto el brazo sigue temblando igual"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_spanish_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_spanish_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("no esta azul, pero tiene los labios morados").level is E
    assert "fever" in rules.detect("no tiene fiebre pero le tiemblan las manos").concepts


NEGATIVES = [
    "le compre un gorro azul y una mantita blanca para la cuna",
    "tiene los ojos azules como su padre",
    "por fin se quedo dormido en brazos despues de una hora",
    "dejo de llorar en cuanto lo cogi",
    "le dio un ataque de risa con el gato",
    "se asusta con los ruidos y abre los brazos, es el reflejo de moro",
    "cuando duerme hace muecas y pequeños saltitos, la pediatra dice que es normal",
    "agite el biberon antes de darselo",
    "el body le queda perfecto, esta sano y fuerte",
    "tirita un poco al salir de la bañera y se le pasa con la toalla",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_spanish_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

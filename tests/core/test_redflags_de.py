"""German red-flag words (content/red_flags/de.yaml): each concept in the words parents of
Germany, Austria and Switzerland write, at the level red_flags.yaml gives it, and harmless
messages that share those words. Sentences written for these tests, not taken from any corpus."""

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
    ("not-breathing", E, "unser Sohn atmet nicht mehr richtig und japst"),
    ("not-breathing", E, "beim Einatmen zieht sich die Haut zwischen den Rippen ein"),
    ("not-breathing", E, "sie hat Atemaussetzer nach dem Zittern"),
    ("colour-change", E, "seine Lippen sind ganz blaeulich geworden"),
    ("colour-change", E, "er ist kreidebleich und zuckt"),
    ("colour-change", E, "die Haut sieht marmoriert aus"),
    ("unresponsive", E, "ich krieg sie nicht wach, sie ist total schlaff"),
    ("unresponsive", E, "er ist bewusstlos"),
    ("long-seizure", E, "der Krampfanfall dauert schon zwölf Minuten"),
    ("long-seizure", E, "sie zuckt seit 6 min am ganzen Körper"),
    ("poisoning", E, "er hat vielleicht eine Knopfzelle verschluckt"),
    ("poisoning", E, "sie hat Tabletten von Opa gegessen, die Packung ist leer"),
    ("head-injury", E, "ist vom Hochstuhl gefallen und hat jetzt eine Beule"),
    ("head-injury", E, "er hat sich den Kopf am Tisch gestoßen und zittert jetzt"),
    ("non-blanching-rash", E, "die roten Punkte gehen nicht weg, wenn ich das Glas draufdrücke"),
    ("meningitis-signs", E, "der Nacken ist ganz steif und sie hat Fieber"),
    ("meningitis-signs", E, "Fontanelle vorgewölbt und 39 Grad Fieber"),
    ("shaken-baby", E, "der Babysitter hat ihn heftig geschüttelt"),
    ("overheating", E, "sie lag im Auto in der prallen Sonne und ist jetzt ganz benommen"),
    ("overheating", E, "er hat einen Hitzschlag, glaube ich"),
    ("first-seizure-now", E, "das hatte er noch nie, er krampft gerade am ganzen Körper"),
    ("after-seizure", E, "nach dem Anfall vor zwei Stunden ist sie immer noch so benommen"),
    ("after-seizure", E, "seit dem Krampf ist ein Arm ganz schlaff"),
    ("infantile-spasms", U, "die Zuckungen kommen in Serien nach dem Aufwachen"),
    ("infantile-spasms", U, "er klappt nach vorne zusammen, immer wieder, mehrmals hintereinander"),
    ("regression", U, "sie lächelt nicht mehr und brabbelt auch nicht mehr"),
    ("regression", U, "er hat das Krabbeln verlernt"),
    ("fever", U, "sie hat 38,9 und zittert"),
    ("fever", U, "seine Stirn ist glühend heiß"),
    ("vomiting", U, "er erbricht sich seit heute Nacht"),
    ("breathing-changes", U, "sie atmet schnell und es pfeift"),
    ("bulging-fontanelle", U, "die Fontanelle wirkt gewölbt"),
    ("unusual-sleepiness", U, "er ist so schläfrig heute und kaum wach"),
    ("poor-feeding", U, "sie verweigert die Flasche seit gestern"),
    ("dehydration", U, "die Windel ist seit zehn Stunden trocken"),
    ("abnormal-cry", U, "er weint so schrill, ganz anders als sonst"),
    ("one-sided", U, "es zuckt nur die linke Seite"),
    ("eyes-rolling-or-staring", U, "sie verdreht die Augen, wenn es zuckt"),
    ("eyes-rolling-or-staring", U, "er starrt ins Leere, während die Hand zuckt"),
    ("awake-recurring", U, "auch wenn er wach ist, zuckt er, mehrmals am Tag"),
    ("jerks-not-stopped-by-holding", U, "ich halte das Bein fest, aber es zuckt weiter"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_german_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_german_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("er ist nicht blau, aber die Lippen sind grau").level is E
    assert "not-breathing" in rules.detect("sie atmet nicht").concepts


NEGATIVES = [
    "wir haben eine blaue Decke und einen blauen Schnuller gekauft",
    "sie hat so schöne blaue Augen",
    "er ist endlich eingeschlafen",
    "beim Einschlafen zuckt er kurz und schläft dann weiter",
    "die Rassel hat er geschüttelt und dabei gelacht",
    "das Fläschchen gut geschüttelt und dann gefüttert",
    "er schüttelt den Kopf, wenn er keinen Brei mag",
    "nach dem Baden zittert sie kurz, im Handtuch ist es vorbei",
    "sie ist fit und gesund, der Body passt nicht mehr",
    "er hat einen Lachanfall bekommen, als der Hund kam",
    "unser Hund zuckt im Schlaf mit den Pfoten",
    "der Schlapphut rutscht ihr immer ins Gesicht",
    "ich bin total müde, die Nacht war kurz",
    "er dreht sich nur nach rechts auf den Bauch",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_german_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

"""Hindi in Latin letters (content/red_flags/hi-latn.yaml): each concept in the words parents
write when they type Hindi in Latin letters, at the level red_flags.yaml gives it, and harmless
messages, Hinglish, English and Spanish, that share those words. Sentences written for these
tests, not taken from any corpus."""

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
    ("not-breathing", E, "jhatkon ke baad beta saans nahi le raha"),
    ("not-breathing", E, "baby haanf rahi hai, pasliyan andar dhans rahi hai"),
    ("not-breathing", E, "har saans ke saath karah raha hai"),
    ("colour-change", E, "kaanpte hue uske hoth neele pad gaye"),
    ("colour-change", E, "chehra ekdum safed pad gaya aur jhatke"),
    ("unresponsive", E, "behosh jaisa pada hai koi response nahi de raha"),
    ("unresponsive", E, "daure ke baad bilkul dheeli pad gayi hai"),
    ("long-seizure", E, "das min se jhatke aa rahe hai ruk hi nahi rahe"),
    ("long-seizure", E, "ek ke baad ek daure, beech me hosh hi nahi aata"),
    ("poisoning", E, "lagta hai dadi ki bp ki goli kha li"),
    ("poisoning", E, "usne shayad button battery nigal li"),
    ("head-injury", E, "bed se gir gaya aur sir farsh se takraya, ab kaanp raha hai"),
    ("non-blanching-rash", E, "laal daane hai, glass daba ke dekha to mite nahi"),
    ("meningitis-signs", E, "gardan akdi hui hai aur tez bukhar hai"),
    ("meningitis-signs", E, "taalu upar ko ubhra hai aur bukhar 102"),
    ("shaken-baby", E, "uske papa ne gusse me baby ko zor se hilaya"),
    ("shaken-baby", E, "kisi ne bacche ko jhakjhor diya"),
    ("overheating", E, "dhoop me khadi gaadi me reh gaya, ab sust hai aur jhatke"),
    ("overheating", E, "shayad loo lag gayi baby ko"),
    ("first-seizure-now", E, "pehli baar aisa ho raha hai, puri body kaanp rahi hai abhi"),
    ("after-seizure", E, "daura ek ghante pehle khatam hua, ab bhi bahut sust hai"),
    ("after-seizure", E, "jhatkon ke baad left haath kamzor hai, utha nahi pa raha"),
    ("infantile-spasms", U, "subah uthte hi ek ke baad ek jhatke, aage ko jhuk jata hai"),
    ("infantile-spasms", U, "haath phaila deta hai baar baar, lagatar kai baar"),
    ("regression", U, "pehle muskurati thi ab bilkul nahi muskurati"),
    ("regression", U, "baithna bhool gaya jabki pichle mahine baithta tha"),
    ("fever", U, "bukhar 101 hai aur haath jhatak raha hai"),
    ("fever", U, "matha bahut garam hai, tap raha hai"),
    ("vomiting", U, "do baar ulti hui aur jhatke bhi"),
    ("breathing-changes", U, "saans tez chal rahi hai, seeti jaisi awaaz"),
    ("bulging-fontanelle", U, "sir ka naram hissa ubhra hua lag raha hai"),
    ("unusual-sleepiness", U, "aaj bahut sust hai, mushkil se jaag raha hai"),
    ("poor-feeding", U, "subah se doodh nahi pi raha"),
    ("dehydration", U, "das ghante se diaper sukha hai"),
    ("abnormal-cry", U, "bahut teekhi awaaz me ro raha hai, billi jaisi"),
    ("one-sided", U, "sirf right pair jhatakta hai"),
    ("eyes-rolling-or-staring", U, "jhatkon ke time aankhen upar chadh jaati hai"),
    ("eyes-rolling-or-staring", U, "ektak ek jagah ghoorti rehti hai"),
    ("awake-recurring", U, "jaagte hue haath jhatakta hai, din me kai baar"),
    ("jerks-not-stopped-by-holding", U, "pair pakad rakha hai phir bhi jhatke nahi rukte"),
    ("first-seizure", U, "kal pehli baar daura pada, ab theek hai khel raha hai"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_hinglish_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_hinglish_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert "fever" in rules.detect("bukhar nahi hai par haath kaanp rahe hai").concepts


NEGATIVES = [
    "neela kambal aur safed topi kharidi",
    "beti ki aankhen neeli hai",
    "sote me thoda chaunkta hai, din me sab theek",
    "god me lete hi rona band kar deta hai",
    "rote waqt thuddi kaanpti hai, pakdo to turant ruk jaati hai",
    "doodh peene ke baad hichki aati hai",
    "beta fit and healthy hai, naye kapde fit nahi ho rahe",
    "bottle dheere se hilayi aur doodh diya",
    # English and Spanish messages that share letters with the words above
    "we spent the afternoon in the garden and he napped well",
    "the scans were fine and he is feeding well",
    "me dio un susto cuando estornudo, pero esta bien",
    "es gusto de ella dormir de lado, esta sana",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_message_is_not_flagged_by_hinglish_words(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

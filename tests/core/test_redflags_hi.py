"""Hindi red-flag words in Devanagari (content/red_flags/hi.yaml): each concept in the words
Hindi-speaking parents write, with and without nukta or chandrabindu, at the level
red_flags.yaml gives it, and harmless messages that share those words. Sentences written for
these tests, not taken from any corpus."""

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
    ("not-breathing", E, "झटकों के बाद बेटा सांस नहीं ले रहा"),
    ("not-breathing", E, "बच्ची का दम घुट रहा है, पसलियां अंदर धंस रही हैं"),
    ("not-breathing", E, "सांस लेते वक़्त नाक फूल रही है और कराह रहा है"),
    ("colour-change", E, "कांपते हुए होंठ नीले पड़ गए"),
    ("colour-change", E, "चेहरा स्लेटी सा हो गया और पैर झटक रहा है"),
    ("unresponsive", E, "बेहोश सा पड़ा है, कोई जवाब नहीं दे रहा"),
    ("unresponsive", E, "दौरे के बाद एकदम ढीली पड़ गई है"),
    ("long-seizure", E, "दस मिनट से झटके आ रहे हैं, रुक ही नहीं रहे"),
    ("long-seizure", E, "एक के बाद एक दौरे, बीच में होश में नहीं आता"),
    ("poisoning", E, "लगता है दादाजी की बीपी की गोली खा ली"),
    ("poisoning", E, "बच्चे ने बटन बैटरी निगल ली शायद"),
    ("head-injury", E, "बेड से गिरा और सिर फर्श से टकराया, अब कांप रहा है"),
    ("non-blanching-rash", E, "लाल दाने हैं, गिलास दबा के देखा तो मिटे नहीं"),
    ("meningitis-signs", E, "गर्दन अकड़ी हुई है और तेज़ बुखार है"),
    ("meningitis-signs", E, "तालू ऊपर को उभरा है और बुखार 102 है"),
    ("shaken-baby", E, "उसके पापा ने गुस्से में बच्चे को ज़ोर से हिलाया"),
    ("shaken-baby", E, "किसी ने बच्ची को झकझोर दिया"),
    ("overheating", E, "धूप में खड़ी गाड़ी में रह गया, अब सुस्त है और झटके"),
    ("overheating", E, "शायद लू लगी है बच्चे को"),
    ("first-seizure-now", E, "पहली बार ऐसा हो रहा है, पूरा शरीर कांप रहा है अभी"),
    ("after-seizure", E, "दौरा एक घंटे पहले खत्म हुआ, अब भी बहुत सुस्त है"),
    ("after-seizure", E, "झटकों के बाद बायां हाथ कमज़ोर है, उठा नहीं पा रहा"),
    ("infantile-spasms", U, "सुबह उठते ही एक के बाद एक झटके, आगे को झुक जाता है"),
    ("infantile-spasms", U, "सिर झुकाता है बार बार, लगातार कई बार"),
    ("regression", U, "पहले मुस्कुराती थी, अब बिल्कुल नहीं मुस्कुराती"),
    ("regression", U, "बैठना भूल गया जबकि पिछले महीने बैठता था"),
    ("fever", U, "बुखार 101 है और हाथ झटक रहा है"),
    ("fever", U, "माथा बहुत गरम है, तप रहा है"),
    ("vomiting", U, "दो बार उल्टी हुई और झटके भी"),
    ("breathing-changes", U, "सांस तेज़ चल रही है, सीने में घरघराहट"),
    ("bulging-fontanelle", U, "सिर का नरम हिस्सा उभरा हुआ लग रहा है"),
    ("unusual-sleepiness", U, "आज बहुत सुस्त है, मुश्किल से जाग रहा है"),
    ("poor-feeding", U, "सुबह से दूध नहीं पी रहा"),
    ("dehydration", U, "दस घंटे से डायपर सूखा है"),
    ("abnormal-cry", U, "बहुत तीखी आवाज़ में रो रहा है, बिल्ली जैसी"),
    ("one-sided", U, "सिर्फ़ दायाँ पैर झटकता है"),
    ("eyes-rolling-or-staring", U, "झटकों के समय आँखें ऊपर चढ़ जाती हैं"),
    ("eyes-rolling-or-staring", U, "एकटक एक जगह घूरती रहती है"),
    ("awake-recurring", U, "जागते हुए हाथ झटकता है, दिन में कई बार"),
    ("jerks-not-stopped-by-holding", U, "पैर पकड़ रखा है फिर भी झटके नहीं रुकते"),
    ("first-seizure", U, "कल पहली बार दौरा पड़ा, अब ठीक है खेल रहा है"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_hindi_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_hindi_spellings_with_and_without_dots_read_alike(rules: RedFlagRules) -> None:
    for text in ("ज़ोर से हिलाया", "जोर से हिलाया"):
        assert "shaken-baby" in rules.detect(text).concepts, text
    for text in ("साँस नहीं ले रहा", "सांस नहीं ले रहा"):
        assert rules.detect(text).level is E, text


def test_hindi_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert "fever" in rules.detect("बुखार नहीं है पर हाथ कांप रहे हैं").concepts


NEGATIVES = [
    "नीला कंबल और सफ़ेद टोपी खरीदी",
    "बेटी की आँखें नीली हैं",
    "सोते में थोड़ा चौंकता है, दिन में सब ठीक",
    "गोद में लेते ही रोना बंद कर देता है",
    "तेज़ आवाज़ से चौंक कर हाथ फैला देता है, मोरो रिफ्लेक्स है?",
    "मायोक्लोनस क्या होता है?",
    "रोते वक़्त ठुड्डी कांपती है, पकड़ो तो तुरंत रुक जाती है",
    "दूध पीने के बाद हिचकी आती है",
    "बोतल धीरे से हिलाई और दूध दिया",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_hindi_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

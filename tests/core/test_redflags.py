"""Red-flag detection: every concept in parents' words, the false positives it must avoid, the
rule language's validation with file and line, and speed on typical and hostile input."""

from __future__ import annotations

import random
import string
import time
from pathlib import Path

import pytest

from tgbot.core.model import Level
from tgbot.core.redflags import RedFlagRules, compile_rules
from tgbot.core.yamlsrc import LineMap, load_yaml

E = Level.EMERGENCY
U = Level.URGENT


@pytest.fixture(scope="module")
def rules(english_rules: RedFlagRules) -> RedFlagRules:
    # Compiled straight from the YAML, so these tests do not depend on the topics being written.
    return english_rules


def level(rules: RedFlagRules, text: str) -> Level | None:
    return rules.detect(text).level


def concepts(rules: RedFlagRules, text: str) -> tuple[str, ...]:
    return rules.detect(text).concepts


# --------------------------------------------------------------------------- each concept

CONCEPT_CASES: list[tuple[str, str]] = [
    # not breathing, struggling or gasping
    ("not-breathing", "my baby stopped breathing for a few seconds while she was jerking"),
    ("not-breathing", "he isnt breathing properly after the fit"),
    ("not-breathing", "she's struggling to breathe and her arms keep twitching"),
    ("not-breathing", "gasping for air during the shaking"),
    ("not-breathing", "he makes a grunting sound with every breath since the seizure"),
    ("not-breathing", "HE CANT BREATHE"),
    ("not-breathing", "her ribs are sucking in when she breathes"),
    ("not-breathing", "baby was choking then went stiff"),
    ("not-breathing", "she has trouble breating after the jerks"),
    ("not-breathing", "there were long pauses in his breathing while he twitched"),
    # blue, grey, very pale, mottled
    ("colour-change", "his lips turned blue when he was twitching"),
    ("colour-change", "she went grey all over during the fit"),
    ("colour-change", "her face looked purplish while she jerked"),
    ("colour-change", "bluish around the mouth after the shaking"),
    ("colour-change", "he's very pale and keeps jerking"),
    ("colour-change", "skin looks mottled and blotchy"),
    ("colour-change", "lips a dusky colour"),
    ("colour-change", "went really white and floppy"),
    ("colour-change", "GREY LIPS"),
    ("colour-change", "his tongue looked kind of blueish"),
    # unresponsive, cannot be woken, limp, floppy
    ("unresponsive", "she's floppy and won't wake up"),
    ("unresponsive", "he went limp after the jerking"),
    ("unresponsive", "I cant wake him"),
    ("unresponsive", "she is unresponsive after the fit"),
    ("unresponsive", "he passed out while shaking"),
    ("unresponsive", "not responding to me at all"),
    ("unresponsive", "my LO is all floopy"),
    ("unresponsive", "he's unconcious"),
    ("unresponsive", "like a rag doll in my arms"),
    ("unresponsive", "wont wake up properly since the twitching"),
    # long seizure or one after another
    ("long-seizure", "the seizure has lasted 6 minutes so far"),
    ("long-seizure", "she's been jerking for over five minutes"),
    ("long-seizure", "shaking for half an hour"),
    ("long-seizure", "fitting for 10 mins now"),
    ("long-seizure", "convulsing for 5min"),
    ("long-seizure", "one seizure after another"),
    ("long-seizure", "the twitching won't stop"),
    ("long-seizure", "had back to back fits"),
    ("long-seizure", "she hasn't come round between the jerks"),
    ("long-seizure", "it's been going on 20 minutes and he is still shaking"),
    ("long-seizure", "my baby is seizing right now"),
    ("long-seizure", "the jerking lasted about an hour"),
    # poisoning
    ("poisoning", "he swallowed a button battery"),
    ("poisoning", "i think she ate some of my tablets"),
    ("poisoning", "found him chewing a dishwasher tablet"),
    ("poisoning", "she drank some bleach"),
    ("poisoning", "he got into the medicine cabinet and now he's twitching"),
    ("poisoning", "my toddler swallowed a magnet"),
    ("poisoning", "might have eaten a laundry pod"),
    ("poisoning", "I accidentally gave him a double dose of calpol"),
    ("poisoning", "could she have been poisoned"),
    ("poisoning", "he had some of grandma's pills in his mouth"),
    # head injury or fall
    ("head-injury", "he fell off the bed and now he's twitching"),
    ("head-injury", "she hit her head on the table and then jerked"),
    ("head-injury", "rolled off the changing table this morning"),
    ("head-injury", "bumped his head yesterday and now has jerks"),
    ("head-injury", "fell down the stairs"),
    ("head-injury", "had a fall from the sofa"),
    ("head-injury", "I dropped her on the floor"),
    ("head-injury", "jerking after a head injury"),
    ("head-injury", "she banged her head on the cot bars then shook"),
    # infantile spasms
    ("infantile-spasms", "could this be infantile spasms"),
    ("infantile-spasms", "he does jerks in clusters when he wakes up"),
    ("infantile-spasms", "her body bends forward suddenly, several in a row"),
    ("infantile-spasms", "jackknife movements after naps"),
    ("infantile-spasms", "are these spazms"),
    ("infantile-spasms", "she stiffens and bends forwards over and over"),
    ("infantile-spasms", "salaam attacks"),
    ("infantile-spasms", "West syndrome"),
    ("infantile-spasms", "his arms fling out again and again in a cluster"),
    ("infantile-spasms", "little head nods one after another"),
    # regression
    ("regression", "she stopped smiling last month"),
    ("regression", "he doesn't babble anymore"),
    ("regression", "she can't sit up any more"),
    ("regression", "our son has lost skills"),
    ("regression", "he used to roll over but now he can't"),
    ("regression", "no longer says mama"),
    ("regression", "she seems to be going backwards"),
    ("regression", "he has regressed since the jerks started"),
    ("regression", "stopped crawling"),
    # fever
    ("fever", "she has a fever and jerks"),
    ("fever", "temp of 38.5 and twitchy"),
    ("fever", "he's 39 degrees"),
    ("fever", "101F this morning"),
    ("fever", "burning up and shaking"),
    ("fever", "he feels hot and is twitching"),
    ("fever", "high temperature"),
    ("fever", "fever of 102"),
    ("fever", "temperature 38,2"),
    ("fever", "38.4°C"),
    ("fever", "she has a feaver"),
    ("fever", "she has a temprature and is jerking"),
    ("fever", "forehead feels really warm"),
    # breathing that is fast, heavy or wheezy
    ("breathing-changes", "his breathing is really fast since the jerks"),
    ("breathing-changes", "she's wheezing"),
    ("breathing-changes", "heavy breathing and twitchy"),
    # vomiting
    ("vomiting", "he's been vomiting all morning"),
    ("vomiting", "threw up twice and is twitchy"),
    ("vomiting", "projectile vomit"),
    ("vomiting", "she's being sick"),
    ("vomiting", "vomitting and jerking"),
    ("vomiting", "keeps throwing up"),
    # bulging soft spot
    ("bulging-fontanelle", "her soft spot is bulging"),
    ("bulging-fontanelle", "bulging fontanelle"),
    ("bulging-fontanelle", "the fontanel looks swollen"),
    ("bulging-fontanelle", "the soft spot on his head feels tense"),
    ("bulging-fontanelle", "his fontanele is raised"),
    # unusual sleepiness
    ("unusual-sleepiness", "more sleepy than usual"),
    ("unusual-sleepiness", "very drowsy today"),
    ("unusual-sleepiness", "she's lethargic"),
    ("unusual-sleepiness", "hard to wake this morning"),
    ("unusual-sleepiness", "sleeping much more than normal"),
    ("unusual-sleepiness", "he's just not himself"),
    ("unusual-sleepiness", "letharic and twitchy"),
    # poor feeding
    ("poor-feeding", "not feeding at all today"),
    ("poor-feeding", "refusing feeds since yesterday"),
    ("poor-feeding", "she won't eat"),
    ("poor-feeding", "off her feeds"),
    ("poor-feeding", "hardly drinking anything"),
    # dehydration
    ("dehydration", "no wet nappies today"),
    ("dehydration", "her soft spot looks sunken"),
    ("dehydration", "I think he's dehydrated"),
    ("dehydration", "fewer wet diapers than usual"),
    # meningitis signs
    ("meningitis-signs", "he has a stiff neck"),
    ("meningitis-signs", "could it be meningitis"),
    ("meningitis-signs", "her neck seems stiff"),
    ("meningitis-signs", "her soft spot is bulging and she has a fever"),
    ("first-seizure-now", "this is her first ever fit, what do i do"),
    ("first-seizure-now", "he never had a seizure before and he is having one right now"),
    ("after-seizure", "the seizure ended 2 hours ago and he is still so drowsy"),
    ("after-seizure", "since the fit she is not moving her left arm, it seems weak"),
    ("shaken-baby", "my boyfriend shook the baby"),
    ("shaken-baby", "i think she was shaken by the sitter"),
    ("overheating", "he was left in the hot car and now he is floppy"),
    ("overheating", "could this be heatstroke"),
    # non-blanching rash
    ("non-blanching-rash", "a rash that doesn't fade under a glass"),
    ("non-blanching-rash", "tiny purple spots on his tummy"),
    ("non-blanching-rash", "non blanching rash"),
    # abnormal cry
    ("abnormal-cry", "a high pitched cry"),
    ("abnormal-cry", "her cry is weak"),
    ("abnormal-cry", "weak cry and twitching"),
    ("abnormal-cry", "he keeps moaning"),
    # one side only
    ("one-sided", "only his left arm jerks"),
    ("one-sided", "twitching on the right side of her face"),
    ("one-sided", "one side of her body shakes"),
    ("one-sided", "right arm and leg keep jerking"),
    ("one-sided", "it only happens on one side"),
    ("one-sided", "just the left leg twitches"),
    # eyes rolling or staring
    ("eyes-rolling-or-staring", "his eyes rolled back"),
    ("eyes-rolling-or-staring", "a fixed stare while jerking"),
    ("eyes-rolling-or-staring", "staring into space and twitching"),
    ("eyes-rolling-or-staring", "her eyes go up when it happens"),
    ("eyes-rolling-or-staring", "eyes deviate to one side"),
    ("eyes-rolling-or-staring", "rolling her eyes and jerking"),
    ("eyes-rolling-or-staring", "she stares and her arm twitches"),
    # jerks while awake that keep coming back
    ("awake-recurring", "jerks while awake several times a day"),
    ("awake-recurring", "twitches when she's awake and it keeps happening"),
    ("awake-recurring", "he jerks during the day, every day now"),
    ("awake-recurring", "jerking 5 or 6 times a day"),
    # first ever seizure
    ("first-seizure", "first ever seizure"),
    ("first-seizure", "she had a fit this morning"),
    ("first-seizure", "I think that was his first seizure"),
    ("first-seizure", "my son had a siezure last night"),
    ("first-seizure", "has been having seizures"),
    # jerks that do not stop when held
    ("jerks-not-stopped-by-holding", "doesn't stop when I hold his arm"),
    ("jerks-not-stopped-by-holding", "jerks even when I hold her leg"),
    ("jerks-not-stopped-by-holding", "holding his leg makes no difference, it still jerks"),
    ("jerks-not-stopped-by-holding", "when i gently hold it the twitching carries on"),
]


@pytest.mark.parametrize(("concept", "text"), CONCEPT_CASES)
def test_each_concept_is_found_in_a_parents_wording(
    rules: RedFlagRules, concept: str, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, result, rules.explain(text))
    assert result.level is not None
    assert result.level.rank >= rules.concepts[concept].level.rank


def test_every_concept_has_cases_here(rules: RedFlagRules) -> None:
    assert set(rules.concepts) == {c for c, _ in CONCEPT_CASES}


def test_topics_minimum_emergency_concepts_are_emergency(rules: RedFlagRules) -> None:
    emergency = {cid for cid, c in rules.concepts.items() if c.level is E}
    assert {
        "not-breathing",
        "colour-change",
        "unresponsive",
        "long-seizure",
        "poisoning",
        "head-injury",
    } <= emergency


def test_topics_minimum_urgent_concepts_are_urgent(rules: RedFlagRules) -> None:
    urgent = {cid for cid, c in rules.concepts.items() if c.level is U}
    assert {
        "infantile-spasms",
        "regression",
        "fever",
        "vomiting",
        "bulging-fontanelle",
        "unusual-sleepiness",
        "one-sided",
        "eyes-rolling-or-staring",
        "awake-recurring",
        "first-seizure",
        "jerks-not-stopped-by-holding",
    } <= urgent


def test_every_concept_has_a_parent_friendly_label(rules: RedFlagRules) -> None:
    for concept in rules.concepts.values():
        assert concept.label[:1].isupper(), concept


# --------------------------------------------------------------------------- safety first


def test_negated_blue_still_flags_emergency(rules: RedFlagRules) -> None:
    assert level(rules, "he's not blue or anything, just twitchy") is E


def test_negated_fever_still_flags_urgent(rules: RedFlagRules) -> None:
    assert level(rules, "no fever, she just jerks a bit") is U


def test_negated_floppy_still_flags_emergency(rules: RedFlagRules) -> None:
    assert level(rules, "he isn't floppy, just twitching") is E


def test_negated_breathing_trouble_still_flags_emergency(rules: RedFlagRules) -> None:
    assert level(rules, "she's not having any trouble breathing") is E


def test_highest_level_wins_when_concepts_mix(rules: RedFlagRules) -> None:
    result = rules.detect("she has a fever and her lips went blue")
    assert result.level is E
    assert {"fever", "colour-change"} <= set(result.concepts)


def test_all_matched_concepts_are_reported_in_content_order(rules: RedFlagRules) -> None:
    result = rules.detect("vomiting, a bulging soft spot and he went limp")
    assert result.concepts == tuple(c for c in rules.concepts if c in result.concepts)
    assert {"unresponsive", "vomiting", "bulging-fontanelle"} <= set(result.concepts)


def test_shouting_in_capitals_is_flagged(rules: RedFlagRules) -> None:
    assert level(rules, "MY BABY IS NOT BREATHING") is E


def test_emoji_and_punctuation_do_not_hide_a_flag(rules: RedFlagRules) -> None:
    assert level(rules, "😱😱 lips...BLUE!!! 🙏") is E


def test_missing_apostrophes_are_understood(rules: RedFlagRules) -> None:
    assert level(rules, "he wont wake and shes scared") is E
    assert level(rules, "isnt breathing") is E


def test_smart_apostrophes_are_understood(rules: RedFlagRules) -> None:
    assert level(rules, "she won\u2019t wake up") is E


def test_letter_floods_are_understood(rules: RedFlagRules) -> None:
    assert level(rules, "soooo floppyyyy") is E


def test_flag_in_the_middle_of_a_long_story_is_found(rules: RedFlagRules) -> None:
    before = "We had a lovely weekend at my mum's and the baby napped well. " * 40
    after = " Anyway he is feeding fine now and smiling, sorry for the essay." * 40
    assert level(rules, before + "Then his lips went a bit grey for a moment." + after) is E


def test_misspelt_seizure_words_are_understood(rules: RedFlagRules) -> None:
    for text in ("first sezure", "first seisure", "first siezure", "first seizur"):
        assert "first-seizure" in concepts(rules, text), text


def test_british_and_american_spellings_both_count(rules: RedFlagRules) -> None:
    assert level(rules, "lips a grey colour") is E
    assert level(rules, "lips a gray color") is E
    assert "dehydration" in concepts(rules, "no wet nappies")
    assert "dehydration" in concepts(rules, "no wet diapers")


def test_parent_slang_for_the_baby_counts(rules: RedFlagRules) -> None:
    assert level(rules, "LO feels hot") is U
    assert level(rules, "bub is boiling") is U


def test_detect_of_empty_or_junk_text_is_no_flag(rules: RedFlagRules) -> None:
    for text in ("", "   ", "🍼🍼😴", "asdkjh qwe zzzz", "\x00\u200b"):
        assert not rules.detect(text).flagged


def test_explain_names_the_term_and_the_words(rules: RedFlagRules) -> None:
    (match,) = rules.explain("she went limp")
    assert match.concept == "unresponsive"
    assert match.words == "limp"
    assert match.level is E


# --------------------------------------------------------------------------- false positives

NOT_RED_FLAGS = [
    "newborn chin trembles when crying",
    "my 2 week old's chin trembles when she cries, normal?",
    "twitches in her sleep",
    "why does my baby twitch in his sleep every night",
    "what do I do if my baby has a seizure",
    "What do I do if my baby is having a seizure?",
    "should I put something in his mouth during a fit",
    "do I hold my baby still when he's convulsing?",
    "what are the symptoms of myoclonus",
    "my sister has epilepsy",
    "hiccups",
    "are hiccups a kind of myoclonus?",
    "when should I see a doctor about jerks",
    "what temperature should bath water be for a newborn",
    "is 38 degrees too hot for the bath water?",
    "how warm should the nursery be",
    "I'm 38 and my leg jerks when I nod off",
    "she was born at 39 weeks",
    "my 4 month old is in a sleep regression",
    "put him down drowsy but awake",
    "her eyes light up when she sees me",
    "he rolled over for the first time today",
    "she has blue eyes like her dad",
    "we use a white noise machine",
    "how do I get my breastfed baby to take a bottle",
    "he never jerks when he is awake",
    "there are fewer twitches now",
    "what causes myoclonus in grown ups",
    "myoclonus meaning?",
    "how often are check ups for myoclonus",
    "what is the startle reflex",
    "my baby flings her arms out when the door bangs",
    "how long does a myoclonic jerk last",
    "is myoclonus hereditary",
    "does teething cause twitching",
    "the jitters stop as soon as I hold him",
    "she smiles and laughs all the time",
    "when can babies hold their head up",
    "can I give paracetamol after vaccines",
    "my baby bangs his head on the cot to fall asleep",
    "she fell asleep on the sofa after her feed",
    "he jerks when falling asleep",
    "the jerk you get when dropping off to sleep",
    "what age do babies start crawling",
    "he drinks 150 ml per feed",
    "jerks every 10 minutes in her sleep",
    "he twitched 10 minutes ago in his sleep and was fine",
    "she twitches for a second or two then stops",
    "it only lasted a few seconds",
    "what is a myoclonic seizure",
    "do you stay aware during a myoclonic seizure or black out?",
    "is infantile myoclonic epilepsy genetic",
    "can babies get myoclonus from stress",
    "my husband is a first time dad and panics about every twitch",
    "first aid for seizures in babies",
    "how do I position a baby who is having a fit",
    "it's 40 degrees outside, can baby go out",
    "she's 5 months old and started rolling",
    "good bot, thanks",
    "he's sleeping through the night now",
    "my baby is so sleepy after feeds, is that normal?",
    "the startle reflex makes her arms go up",
    "my mum comes round most days",
    "my milk supply dropped",
    "sorry for the long message",
]


@pytest.mark.parametrize("text", NOT_RED_FLAGS)
def test_everyday_question_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)


def test_short_word_typos_are_not_guessed_blue_is_not_glue(rules: RedFlagRules) -> None:
    assert not rules.detect("he got glue on his lips").flagged
    assert not rules.detect("his lips are a bit dry").flagged


def test_real_word_one_edit_from_a_term_is_not_a_typo_never_is_not_fever(
    rules: RedFlagRules,
) -> None:
    assert not rules.detect("she never cries").flagged
    assert not rules.detect("my husband is cooking").flagged  # not "choking"
    assert not rules.detect("she is scared of the hoover").flagged  # not "stared"


def test_typo_needs_the_first_letter_right(rules: RedFlagRules) -> None:
    assert level(rules, "first sezure") is E  # a first seizure: call the emergency number
    assert not rules.detect("first zeizure").flagged


def test_temperature_needs_a_unit_or_cue(rules: RedFlagRules) -> None:
    assert not rules.detect("38 and my leg jerks").flagged
    assert "fever" in concepts(rules, "38 degrees and his leg jerks")
    assert "fever" in concepts(rules, "his temp was 38.1")


def test_temperature_below_38_is_not_fever(rules: RedFlagRules) -> None:
    assert not rules.detect("his temperature is 37.5 degrees").flagged


def test_fahrenheit_and_celsius_use_their_own_thresholds(rules: RedFlagRules) -> None:
    assert "fever" in concepts(rules, "100.4 F")
    assert not rules.detect("99.5 F").flagged
    assert "fever" in concepts(rules, "38 C")
    assert not rules.detect("37.9 C").flagged


def test_bath_temperature_with_a_number_is_not_fever(rules: RedFlagRules) -> None:
    assert not rules.detect("bath water at 38 degrees, is that ok").flagged


def test_a_temperature_after_a_bath_still_counts(rules: RedFlagRules) -> None:
    assert "fever" in concepts(rules, "she was 38.5 degrees after her bath")


def test_short_seizure_is_not_a_long_seizure(rules: RedFlagRules) -> None:
    assert "long-seizure" not in concepts(rules, "the shaking lasted 2 minutes")
    assert "long-seizure" not in concepts(rules, "the jerking lasted a few minutes")


def test_five_minutes_is_already_a_long_seizure(rules: RedFlagRules) -> None:
    assert level(rules, "the seizure lasted 5 minutes") is E


def test_duration_needs_a_seizure_word_nearby(rules: RedFlagRules) -> None:
    assert not rules.detect("we waited 20 minutes at the GP").flagged


def test_frequency_or_time_ago_is_not_a_duration(rules: RedFlagRules) -> None:
    assert "long-seizure" not in concepts(rules, "the twitch comes every 10 minutes")
    assert "long-seizure" not in concepts(rules, "he twitched 30 minutes ago")


def test_spasms_one_after_another_are_urgent_not_emergency(rules: RedFlagRules) -> None:
    assert level(rules, "little spasms one after another after waking") is U


def test_seizures_one_after_another_are_an_emergency(rules: RedFlagRules) -> None:
    assert level(rules, "seizures one after another") is E


def test_sleep_regression_is_normal_but_lost_skills_are_not(rules: RedFlagRules) -> None:
    assert not rules.detect("is this the 4 month sleep regression?").flagged
    assert "regression" in concepts(rules, "sleep regression, and she stopped smiling")


def test_falling_asleep_is_not_a_fall(rules: RedFlagRules) -> None:
    assert not rules.detect("he jerks as he falls asleep in the cot").flagged
    assert "head-injury" in concepts(rules, "he fell asleep, then fell off the sofa")


# --------------------------------------------------------------------------- validation


def compile_text(text: str, path: Path = Path("red_flags.yaml")) -> list[str]:
    data = load_yaml(text)
    assert isinstance(data, LineMap)
    compiled, problems = compile_rules(data, path)
    assert (compiled is None) == bool(problems)
    return [str(p) for p in problems]


VALID = """\
concepts:
  - id: blue
    level: emergency
    label: Blue lips
    terms: [turned blue]
"""


def test_minimal_rules_compile_without_problems() -> None:
    assert compile_text(VALID) == []


def test_bad_level_is_reported_with_its_line() -> None:
    problems = compile_text(VALID.replace("level: emergency", "level: critical"))
    assert problems == ["red_flags.yaml:3: level 'critical' must be 'emergency' or 'urgent'"]


def test_missing_fields_are_reported_at_the_concept() -> None:
    problems = compile_text("concepts:\n  - id: blue\n    level: urgent\n")
    assert "red_flags.yaml:2: concept is missing 'label'" in problems
    assert "red_flags.yaml:2: concept is missing 'terms'" in problems


def test_unknown_field_is_reported_with_its_line() -> None:
    problems = compile_text(VALID + "    colour: blue\n")
    assert len(problems) == 1
    assert problems[0].startswith("red_flags.yaml:6: unknown field 'colour'")


def test_unknown_top_level_field_is_reported() -> None:
    problems = compile_text("concept_list: []\n" + VALID)
    assert problems[0].startswith("red_flags.yaml:1: unknown field 'concept_list'")


def test_duplicate_concept_id_is_reported_with_both_lines() -> None:
    text = VALID + "  - id: blue\n    level: urgent\n    label: Again\n    terms: [limp]\n"
    assert compile_text(text) == [
        "red_flags.yaml:6: duplicate concept id 'blue' (first defined at line 2)"
    ]


def test_empty_terms_are_reported() -> None:
    problems = compile_text(VALID.replace("terms: [turned blue]", "terms: []"))
    assert problems == ["red_flags.yaml:5: terms must be a non-empty list"]


def test_term_that_normalises_to_nothing_is_reported() -> None:
    text = VALID.replace("terms: [turned blue]", "terms:\n      - turned blue\n      - '🙂'")
    assert compile_text(text) == [
        "red_flags.yaml:7: terms: '🙂' normalises to nothing and can never match"
    ]


def test_term_of_stop_words_only_is_reported() -> None:
    text = "stop_words: [is, it]\n" + VALID.replace(
        "terms: [turned blue]", "terms:\n      - turned blue\n      - is it"
    )
    assert compile_text(text) == [
        "red_flags.yaml:8: terms: 'is it' is only stop-words: it matches anything"
    ]


def test_term_with_characters_matching_ignores_is_reported() -> None:
    text = VALID.replace("terms: [turned blue]", "terms:\n      - jack-knife")
    (problem,) = compile_text(text)
    assert problem.startswith("red_flags.yaml:6: terms: 'jack-knife' has characters")
    assert "'jack knife'" in problem


def test_yaml_boolean_word_is_reported_with_a_hint() -> None:
    text = VALID.replace("terms: [turned blue]", "terms:\n      - turned blue\n      - no")
    (problem,) = compile_text(text)
    assert problem.startswith("red_flags.yaml:7: terms: False is not text")
    assert '"no"' in problem


def test_near_with_an_empty_part_is_reported() -> None:
    text = VALID.replace("terms: [turned blue]", "terms:\n      - near: [[blue], []]")
    assert compile_text(text) == ["red_flags.yaml:6: terms: an empty part can never match"]


def test_empty_group_is_reported() -> None:
    text = "groups:\n  colour: []\n" + VALID
    assert compile_text(text) == [
        "red_flags.yaml:2: group 'colour' is empty: a rule using it can never match"
    ]


def test_unknown_group_is_reported_with_its_line() -> None:
    text = VALID.replace("terms: [turned blue]", "terms:\n      - turned @colour")
    assert compile_text(text) == ["red_flags.yaml:6: unknown group '@colour'"]


def test_group_of_phrases_inside_a_phrase_is_reported() -> None:
    text = "groups:\n  colour: [light blue]\n" + VALID.replace(
        "terms: [turned blue]", "terms: [turned @colour]"
    )
    (problem,) = compile_text(text)
    assert problem.startswith("red_flags.yaml:7: group '@colour' holds phrases")


def test_term_hidden_by_its_own_except_is_reported() -> None:
    text = VALID + "    except: [blue]\n"
    assert compile_text(text) == [
        "red_flags.yaml:5: term 'turned blue' contains an except phrase: it can never match"
    ]


def test_number_rule_that_can_never_match_is_reported() -> None:
    text = VALID.replace(
        "terms: [turned blue]",
        "terms:\n      - number: {at_least: 40, below: 38, units: {c: 1}}\n"
        "      - number: {at_least: 38}",
    )
    problems = compile_text(text)
    assert any(p.startswith("red_flags.yaml:6: below must be") for p in problems)
    assert "red_flags.yaml:7: number has no units and no or_after: it can never match" in problems


def test_every_problem_is_reported_in_one_run() -> None:
    text = (
        "concepts:\n"
        "  - id: Blue Lips\n"
        "    level: red\n"
        "    label: ''\n"
        "    terms: ['!!!']\n"
        "  - id: ok\n"
        "    level: urgent\n"
        "    label: Fine\n"
        "    terms: [fever]\n"
        "    extra: 1\n"
    )
    problems = compile_text(text)
    lines = sorted(int(p.split(":")[1]) for p in problems)
    assert lines == [2, 3, 4, 5, 10]


def test_shipped_rules_have_no_problems(rules: RedFlagRules) -> None:
    assert len(rules.concepts) >= 17


def test_typo_lookalikes_lists_real_words_the_typo_search_would_misread(
    rules: RedFlagRules,
) -> None:
    assert rules.typo_lookalikes(["cooking", "choking", "sezure", "table"]) == ["cooking"]


# --------------------------------------------------------------------------- speed


def test_typical_message_is_checked_well_under_a_millisecond(rules: RedFlagRules) -> None:
    messages = [text for _, text in CONCEPT_CASES] + NOT_RED_FLAGS
    for text in messages:
        rules.detect(text)  # warm the word cache, as a running bot has
    start = time.perf_counter()
    for text in messages:
        rules.detect(text)
    per_message = (time.perf_counter() - start) / len(messages)
    assert per_message < 0.001


def _random_junk(chars: int = 100_000) -> str:
    """Letters in word-sized runs: every word unknown, so every word takes the typo search."""
    rng = random.Random(7)
    words = (
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 11)))
        for _ in range(20_000)
    )
    return " ".join(words)[:chars]


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "blue lips " * 10_000,
        "seizure one after another in a row won't stop " * 2_000,
        "38 degrees 10 minutes " * 5_000,
        "(" * 50_000 + ")" * 50_000,
        "😟" * 100_000,
        _random_junk(),
    ],
    ids=[
        "one-letter",
        "repeated-flag",
        "repeated-near-parts",
        "numbers",
        "brackets",
        "emoji",
        "random-words",
    ],
)
def test_hostile_input_never_hangs(rules: RedFlagRules, text: str) -> None:
    # A hang is super-linear work (backtracking, pairwise spans): ten times the text must
    # cost about ten times as much, never a hundred. Measured as the best of three side by
    # side, so a busy machine slows both sizes alike; the absolute cap catches a real hang.
    def best(sample: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            rules.detect(sample)
            times.append(time.perf_counter() - start)
        return min(times)

    tenth = best(text[: len(text) // 10])
    full = best(text)
    assert full < max(0.05, 30 * tenth), (full, tenth)
    assert full < 5.0


# --------------------------------------------------------------------------- regressions


def test_a_temperature_reported_today_is_still_fever(rules: RedFlagRules) -> None:
    assert "fever" in concepts(rules, "she's 39 degrees today")


def test_a_hot_day_is_not_a_fever(rules: RedFlagRules) -> None:
    assert not rules.detect("it's 40 degrees outside today").flagged


def test_asking_what_to_do_if_a_seizure_happens_is_not_an_emergency(
    rules: RedFlagRules,
) -> None:
    assert not rules.detect("what should I do if my baby is seizing?").flagged


def test_a_seizure_going_on_now_is_an_emergency(rules: RedFlagRules) -> None:
    assert level(rules, "she is fitting and I'm scared") is E


def test_a_long_episode_without_a_seizure_word_is_an_emergency(rules: RedFlagRules) -> None:
    assert level(rules, "it keeps going, it's been over five mins") is E


def test_painted_blue_is_paint(rules: RedFlagRules) -> None:
    assert not rules.detect("the nursery is painted blue").flagged


def test_a_white_tongue_is_not_a_colour_change(rules: RedFlagRules) -> None:
    assert not rules.detect("my baby's tongue is white, thrush?").flagged


def test_preventing_a_fall_is_not_a_fall(rules: RedFlagRules) -> None:
    assert not rules.detect("how do I stop my baby falling off the bed").flagged


def test_a_seizure_that_lasted_is_a_seizure_that_happened(rules: RedFlagRules) -> None:
    assert "first-seizure" in concepts(rules, "the seizure lasted 2 minutes, she's fine now")
    assert not rules.detect("how long does a seizure usually last").flagged


def test_stiffening_then_jerking_is_a_seizure_that_happened(rules: RedFlagRules) -> None:
    assert level(rules, "his whole body went stiff and then jerked for a minute") is U


def test_arms_flung_out_with_stiffening_is_possible_infantile_spasms(
    rules: RedFlagRules,
) -> None:
    assert "infantile-spasms" in concepts(rules, "her arms fling out and her body stiffens")


def test_a_misspelt_inflection_is_still_understood(rules: RedFlagRules) -> None:
    assert "eyes-rolling-or-staring" in concepts(rules, "she stares and her arm twiched")
    assert level(rules, "he twiched and went floopy") is E


def test_a_misspelt_exact_form_is_still_understood(rules: RedFlagRules) -> None:
    assert level(rules, "I think he swallowd a battery") is E


def test_a_negated_sign_is_flagged_but_marked_not_asserted(rules: RedFlagRules) -> None:
    result = rules.detect("no fever, she just jerks a bit as she drifts off")
    assert result.level is Level.URGENT
    assert result.asserted is False


def test_a_sign_that_is_itself_a_negation_is_asserted(rules: RedFlagRules) -> None:
    assert rules.detect("he is not breathing").asserted is True
    assert rules.detect("she hasnt come round since the fit").asserted is True


def test_one_plain_sign_among_negated_ones_is_asserted(rules: RedFlagRules) -> None:
    assert rules.detect("he isnt floppy but he has a high fever").asserted is True


def test_concepts_name_the_topic_that_explains_them(rules: RedFlagRules) -> None:
    result = rules.detect("the fit has gone on for 10 minutes and wont stop")
    assert rules.topic_for(result) == "seizure-first-aid"


def test_a_concept_topic_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    import shutil

    from tgbot.core.content import DEFAULT_CONTENT_DIR, check_content

    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    path = root / "red_flags.yaml"
    path.write_text(path.read_text().replace("topic: seizure-first-aid", "topic: no-such-topic", 1))
    problems = [str(p) for p in check_content(root)]
    assert any("'long-seizure': no topic 'no-such-topic'" in p for p in problems)


def test_negated_is_blue_still_flags_emergency(rules: RedFlagRules) -> None:
    assert level(rules, "he isn't blue or anything but he keeps jerking") is Level.EMERGENCY


def test_a_toddler_refusing_vegetables_is_not_poor_feeding(rules: RedFlagRules) -> None:
    assert level(rules, "my toddler refuses to eat any vegetables") is None
    assert level(rules, "she is refusing to eat anything and keeps twitching") is Level.URGENT


def test_eyes_rolling_in_romanised_hindi_is_flagged(rules: RedFlagRules) -> None:
    assert level(rules, "jhatke ke time uski aankhen upar chali jati hain") is Level.URGENT


def test_zero_width_spaces_between_words_do_not_hide_a_flag(rules: RedFlagRules) -> None:
    assert level(rules, "he is\u200bnot\u200bbreathing") is Level.EMERGENCY


def test_nul_characters_between_words_do_not_hide_a_flag(rules: RedFlagRules) -> None:
    assert level(rules, "she\x00stopped\x00breathing") is Level.EMERGENCY


def test_accents_on_every_letter_do_not_hide_a_flag(rules: RedFlagRules) -> None:
    decorated = "".join(ch + "\u0308" for ch in "she stopped breathing")
    assert level(rules, decorated) is Level.EMERGENCY

"""English red-flag classes tuned on blind messages: each sign with a harmless look-alike.

The sentences are written for these tests (never copied from a corpus). Negation never
cancels a sign, so the look-alikes differ in sense, never by a "not"."""

from __future__ import annotations

import pytest

from tgbot.core.model import Level
from tgbot.core.redflags import RedFlagRules

E = Level.EMERGENCY
U = Level.URGENT


SIGNS: list[tuple[str, Level]] = [
    # "fit" as a seizure still counts when it is the -ing form
    ("he is fitting and it has gone on for ages", E),
    ("the twitching has lasted 6 minutes now", E),
    # colour of the baby, even next to an object word
    ("in the pool his lips went blue", E),
    ("her face went grey in the bath", E),
    ("is his skin meant to look blue", E),
    # limp and floppy babies
    ("she went limp in my arms", E),
    ("his arms are floppy and he wont look at me", E),
    # a real fall, a real gasp, a real stiff neck
    ("he fell off the changing table onto the floor", E),
    ("what should i do, fell from the changing table", E),
    ("what should i do infantile spasms", U),
    ("i cant wake him, my husband is out", E),
    ("he was in the bath, went blue", E),
    ("his lips are blue from the cold", E),
    ("she has had a fever since last week and now twitches", U),
    ("he bumped his head 2 weeks ago and since then his arm jerks", E),
    ("i fell down two stairs carrying her", E),
    ("she keeps gasping and her lips are pale", E),
    ("his neck is stiff and he screams when i move it", E),
    ("she is breathing very fast and hard", U),
    ("he has stopped feeding and sleeps all day", U),
    ("my daughter is drowsy and floppy", E),
    ("what is this, she had a febrile seizure an hour ago", U),
    ("spasms in clusters every morning", U),
    # a held limb that goes on moving
    ("i pressed her arm softly and it kept twitching", U),
    ("his foot keeps kicking against my palm", U),
    ("holding his leg made no difference, the jerking went on", U),
    # someone shook the baby
    ("my brother shook her and now she's twitchy", E),
    ("he has been floppy since his nan shook him", E),
    # skills lost, whatever the skill
    ("she used to wave bye bye, now she doesnt", U),
    ("he hasnt smiled for a week, he used to", U),
    ("she was crawling and now just lies there", U),
    ("he no longer says mama", U),
    # spasms counted or in runs, a seizure timed, heat, no wee, drowsy long after a fit
    ("she hunches forward like 6 times then stops", U),
    ("his arms shoot out and his head drops, then again and again", U),
    ("the jerking has gone on nonstop", E),
    ("it started at 10:05 and now its 10:12 and still going", E),
    ("fits one after another and he doesnt come round between them", E),
    ("we were out in the sun all afternoon and now she's twitching", E),
    ("he hasnt weed since breakfast", U),
    ("the nappy has been dry all day", U),
    ("still zonked out two hours after the seizure", E),
    # poisoning evidence and wrong medicine; dark blue lips; a first seizure in other words
    ("one of my tablets is missing and he was crawling by the bag", E),
    ("she had the glow stick in her mouth and it leaked", E),
    ("i gave her the adult paracetamol by mistake", E),
    ("his lips are dark blue", E),
    ("her skin is blotchy and purple", E),
    ("we've never seen anything like it, he is jerking right now", E),
    ("first time ever, her whole body is shaking all over", E),
    # work of breathing, a noise with each breath, a rate over 60
    ("his head is bobbing with each breath", E),
    ("her nostrils keep flaring", E),
    ("there's a squeaky whistle every time he breathes in, with every breath", E),
    ("he is breathing 75 times a minute", E),
    ("her breathing is noisy and she is really labouring", E),
    # no tone, nobody home, no reaction
    ("he's like a wet noodle when i lift him", E),
    ("her eyes are open but she's not there", E),
    ("i pinched her toe and nothing, no reaction", E),
    # awake jerks, counted returns, an odd cry, eyes drifting upward
    ("the jerks happen while she's wide awake", U),
    ("he twitched again at lunch, the third time today", U),
    ("her cry is thin and squeaky, not like her", U),
    ("his eyes drift upwards when his arm jerks", U),
    # long by the parent's measure; timed; held with no effect; hedged colours; falls; evidence
    ("he's still jerking and it's been a long time", E),
    ("timer started at 9:02, now its 9:09 and she's still shaking", E),
    ("holding her hand did nothing at all", U),
    ("they say jitters stop when you hold the limb, but hers dont", U),
    ("he looks kind of grey", E),
    ("her lips are a strange shade of lilac", E),
    ("he tumbled down two steps and then his arm started twitching", E),
    ("caught her sucking on the dishwasher tablet", E),
    # spasms in a chain or another round; awake and jerking again; skills gone quiet; droopy
    ("the jerks come in groups, one every few seconds", U),
    ("she tenses her whole body, stops, then another round of them", U),
    ("wide awake and jerking again", U),
    ("he used to chat away, now just silence", U),
    ("she's droopy and wont look at me", E),
]

LOOK_ALIKES: list[str] = [
    "my niece is fit and healthy, when do teeth come through",
    "my arm has been twitching for days, i get about 4 hours sleep a night",
    "what is a febrile convulsion, we are reading about them for a course",
    "what are infantile spasms exactly, just curious",
    "doing crunches again postpartum, is it safe for my tummy muscles",
    "the sky went grey so we stayed in",
    "the changing mat went blue in the wash",
    "his tongue is purple from the blackcurrant juice",
    "her cheeks looked pale because of the lighting in the photo",
    "green paint on his face, washed off fine",
    "you can see blue veins on her eyelids",
    "i have been limping all week, carrying the car seat is hard",
    "her floppy hat blew away at the beach",
    "the balloon went floppy after the party",
    "my partner is floppy with laughter at the baby's faces",
    "i cant wake my husband when the baby cries at night",
    "i gasped when he said his first word",
    "my neck is so stiff from the rocking chair",
    "he breathes quickly when excited, then slows down",
    "she stopped feeding for a second to smile at her dad",
    "how do you put him down drowsy without him crying",
    "he nearly fell off the bed but i caught him",
    "the tower fell over and she laughed",
    "he bumped his head weeks ago, all healed, any tips for corner guards",
    "she bumps her head against my chest when she is hungry",
    "he had a fever last month and is well now, when can he swim",
    "do i hold my baby still when he's convulsing?",
    "i held him close and he kept smiling at me",
    "she shook her rattle and giggled",
    "my husband shook his head at me",
    "she used to nap twice a day, now she only naps once",
    "he hasnt walked yet, he is 11 months",
    "she started shaking her rattle really hard",
    "no temperature since, eating and drinking well",
    "she startles when the dog barks",
    "we were in the sun all day, what sun cream is best for babies",
    "her floppy sun hat keeps slipping",
    "keep the nappy area dry to help with rash",
    "he does star jumps 10 times a day lol my gym buddy",
    "i gave him calpol for the teething",
    "she's wearing her dark blue onesie today",
    "first time mum here, is it normal he twitches when asleep",
    "second time mum, this one twitches a bit as he drifts off",
    "my eyelid keeps twitching, too much coffee",
    "i am panting after carrying the pram up the hill",
    "his nose is running and he sneezes a lot",
    "he twitches once when i lay him down, then sleeps 3 hours",
    "she's a bit pale like her dad, fair skin runs in the family",
    "his feet look a bit blue after the paddling pool",
    "he went dark red from straining on the potty",
    "i fell asleep on the sofa and woke to her giggling",
    "he's awake at 5am, then again at 6, help",
    "she used to chat to the cat, now she chats to the dog too",
    "she tenses up when she poos, again and again",
    "he doesnt smile at strangers anymore, only at us",
]

URGENT_NOT_EMERGENCY: list[str] = [
    # a blank stare with twitches is urgent (eyes/staring), not unresponsive
    "she goes blank, staring through me, and her fingers twitch",
    # a first seizure plainly over, the baby fine: see a doctor today
    "her first seizure was this afternoon, it's over now and she's ok",
]


@pytest.mark.parametrize("text", URGENT_NOT_EMERGENCY)
def test_urgent_sign_is_not_raised_to_emergency(english_rules: RedFlagRules, text: str) -> None:
    assert english_rules.detect(text).level is U, english_rules.explain(text)


@pytest.mark.parametrize(("text", "expected"), SIGNS)
def test_sign_is_flagged_at_its_level(
    english_rules: RedFlagRules, text: str, expected: Level
) -> None:
    assert english_rules.detect(text).level is expected, english_rules.explain(text)


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_harmless_look_alike_is_not_flagged(english_rules: RedFlagRules, text: str) -> None:
    assert english_rules.detect(text).level is None, english_rules.explain(text)


def test_negated_sign_still_counts(english_rules: RedFlagRules) -> None:
    assert english_rules.detect("her lips are not blue").level is E
    assert english_rules.detect("he is not floppy").level is E

"""Arabic red-flag words (content/red_flags/ar.yaml): each concept in the words parents write
in Modern Standard Arabic and in Levantine, Egyptian and Gulf chats, with and without short
vowels or hamza, at the level red_flags.yaml gives it, and harmless messages that share those
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
    ("not-breathing", E, "ابني ما يتنفس بعد الرعشة"),
    ("not-breathing", E, "بنتي تختنق وصدرها ينسحب لجوه"),
    ("not-breathing", E, "يتنفس بصعوبة ومناخيره ترفرف"),
    ("colour-change", E, "شفايفه صارت زرقا وهو يرتجف"),
    ("colour-change", E, "وجهها رمادي ولونها مخطوف"),
    ("unresponsive", E, "مرتخي زي الخرقة وما يرد علي"),
    ("unresponsive", E, "ما قدرت اصحيه بعد التشنج"),
    ("long-seizure", E, "التشنج صار له عشر دقايق ولسه ما خلص"),
    ("long-seizure", E, "يرجف من 6 دقائق ولسا"),
    ("long-seizure", E, "نوبات ورا بعض وما يرجع لوعيه"),
    ("poisoning", E, "شكله بلع حبوب الضغط تبع جدته"),
    ("poisoning", E, "لحست من الكلوروكس والحين ترتعش"),
    ("head-injury", E, "وقع من السرير على راسه وبعدين صار ينتفض"),
    ("head-injury", E, "خبطت راسها في الحيطة بقوة"),
    ("non-blanching-rash", E, "عنده نقط حمرا وضغطت بالكاسة وما اختفت"),
    ("meningitis-signs", E, "رقبته متخشبة وحرارته عالية"),
    ("meningitis-signs", E, "التهاب السحايا؟ اليافوخ منفوخ وسخونة ٣٩"),
    ("shaken-baby", E, "جوزي هز البيبي بعنف عشان يسكت"),
    ("overheating", E, "نسيناه في السيارة بالحر والحين خامل ويرتعش"),
    ("overheating", E, "اعتقد ضربة شمس بعد البحر"),
    ("first-seizure-now", E, "اول مرة بحياته يصير له كذا، جسمه كله يتشنج"),
    ("after-seizure", E, "النوبة خلصت من ساعتين ولسه نعسان وما يصحى"),
    ("after-seizure", E, "بعد التشنج ما يحرك ايده اليمين"),
    ("infantile-spasms", U, "ينحني لقدام على دفعات ورا بعض"),
    ("infantile-spasms", U, "راسه ينزل ويطلع كذا مرة كل صبح"),
    ("regression", U, "كان يضحك ويناغي والحين ما عاد يضحك"),
    ("regression", U, "بطلت تقعد لوحدها بعد ما كانت تقعد"),
    ("fever", U, "حرارته 38.6 وعنده نفضات"),
    ("fever", U, "عندها سخونية وترتعش"),
    ("vomiting", U, "استفرغ مرتين واليوم عنده رعشة"),
    ("breathing-changes", U, "يتنفس بسرعة وصدره يصفر"),
    ("bulging-fontanelle", U, "اليافوخ بارز لفوق اليوم"),
    ("unusual-sleepiness", U, "نعسانة بشكل غريب وما تصحى"),
    ("poor-feeding", U, "رافض الرضاعة من الصبح"),
    ("dehydration", U, "الحفاضة ناشفة من ثماني ساعات"),
    ("abnormal-cry", U, "بكاه حاد وغريب زي القطة"),
    ("one-sided", U, "بس الجهة اليسار ترتعش"),
    ("eyes-rolling-or-staring", U, "عيونه تنقلب لفوق مع الرجفة"),
    ("eyes-rolling-or-staring", U, "يبحلق في الفراغ وايده ترجف"),
    ("awake-recurring", U, "وهو صاحي ايده تنتفض وتتكرر كل يوم"),
    ("jerks-not-stopped-by-holding", U, "امسك رجله وتضل ترتجف"),
    ("first-seizure", U, "جاته نوبة تشنج امس لاول مرة، الحين يلعب عادي"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_arabic_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_arabic_with_vowels_and_hamza_reads_as_without(rules: RedFlagRules) -> None:
    assert rules.detect("شِفَايِفُه صَارَتْ زَرْقَاء").level is E
    assert rules.detect("أُغمي عليه").level is E
    assert "vomiting" in rules.detect("يتقيّأ كل شيء").concepts


ARABIZI: list[tuple[str, Level, str]] = [
    ("not-breathing", E, "ibni ma byetnaffas w wesho azra2"),
    ("fever", U, "3ando 7arara w ra3sha mn el sob7"),
    ("first-seizure-now", E, "awel marra bshoof heik, 3am yirtje3 kello"),
]


@pytest.mark.parametrize(("concept", "level", "text"), ARABIZI)
def test_arabizi_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_arabic_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("مو ازرق بس شفايفه زرقا شوي").level is E
    assert "fever" in rules.detect("ما عنده حرارة بس يرجف").concepts


NEGATIVES = [
    "اشتريت له بطانية زرقا وطاقية بيضا",
    "عيونها زرقا زي ابوها",
    "هزيته شوي شوي عشان ينام",
    "بطل عياط اول ما حضنته",
    "يتفزع من الصوت العالي ويفتح ايديه، هذا منعكس مورو؟",
    "يضحك وهو نايم ويحرك رجليه، طبيعي؟",
    "دقنه ترجف لما يبكي ولو مسكته تقف على طول",
    "شو يعني متلازمة ويست؟ سؤال عام",
    "عنده زغطة بعد الرضعة",
    "وقعت اللهاية على الارض، اغسلها ولا ارميها؟",
    "kif el sabi? nam mnee7 w ma fi shi",
    "I have 3 kids and the eldest sleeps well",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_arabic_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

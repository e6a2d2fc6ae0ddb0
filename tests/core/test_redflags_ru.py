"""Russian red-flag words (content/red_flags/ru.yaml): each concept in the words Russian-speaking
parents write, at the level red_flags.yaml gives it, and harmless messages that share those
words. Sentences written for these tests, not taken from any corpus. The Russian answer pack
(content/ru/) shares the default pack's rules, so the same words fire whichever pack answers."""

from __future__ import annotations

import pytest

from tgbot.core.content import load_content
from tgbot.core.model import Level
from tgbot.core.redflags import RedFlagRules

E = Level.EMERGENCY
U = Level.URGENT


@pytest.fixture(scope="module", params=["default", "ru"])
def rules(request: pytest.FixtureRequest) -> RedFlagRules:
    library = load_content()
    return library.default.red_flags if request.param == "default" else library.pack("ru").red_flags


def test_russian_pack_answers_russian(rules: RedFlagRules) -> None:
    assert load_content().pack("ru").language == "ru"
    assert "ru" in rules.languages


CASES: list[tuple[str, Level, str]] = [
    ("not-breathing", E, "после приступа он перестал дышать на несколько секунд"),
    ("not-breathing", E, "задыхается и ловит ртом воздух, грудка западает"),
    ("not-breathing", E, "дышит с трудом, крылья носа раздуваются"),
    ("colour-change", E, "губки посинели во время вздрагиваний"),
    ("colour-change", E, "личико серое, кожа мраморная и холодная"),
    ("unresponsive", E, "лежит как тряпочка и ни на что не реагирует"),
    ("unresponsive", E, "не могу разбудить сына после судорог"),
    ("long-seizure", E, "судороги идут уже десять минут и не прекращаются"),
    ("long-seizure", E, "трясет 6 минут, не останавливается"),
    ("long-seizure", E, "приступы один за другим, в себя не приходит"),
    ("poisoning", E, "кажется проглотил таблетку от давления у дедушки"),
    ("poisoning", E, "сгрыз батарейку из пульта и теперь дергается"),
    ("head-injury", E, "упала с пеленального стола и ударилась затылком, потом задергалась"),
    ("non-blanching-rash", E, "мелкие пятнышки по телу не проходят, если надавить стаканом"),
    ("meningitis-signs", E, "шея твердая, не гнется, и температура высокая"),
    ("meningitis-signs", E, "родничок выпирает, жар 39 и вздрагивания"),
    ("shaken-baby", E, "няня сильно трясла малыша, чтобы замолчал"),
    ("overheating", E, "оставили в машине на жаре, теперь вялый и дергается"),
    ("overheating", E, "похоже на тепловой удар после пляжа"),
    ("first-seizure-now", E, "первый раз в жизни такое, все тело трясет прямо сейчас"),
    ("after-seizure", E, "приступ закончился час назад, а он все еще очень сонный"),
    ("after-seizure", E, "после судорог левая ножка висит и он ее не поднимает"),
    ("infantile-spasms", U, "кивает головой сериями после пробуждения"),
    ("infantile-spasms", U, "сгибается пополам, раз за разом, как будто пугается"),
    ("regression", U, "раньше гулил и улыбался, а теперь перестал улыбаться"),
    ("regression", U, "перестала сидеть, хотя уже умела"),
    ("fever", U, "температура 38,5 и ручки подергиваются"),
    ("fever", U, "лоб горячий, весь горит"),
    ("vomiting", U, "его вырвало два раза и он вздрагивает"),
    ("breathing-changes", U, "дышит часто и со свистом"),
    ("bulging-fontanelle", U, "родничок какой то напряженный, выпуклый"),
    ("unusual-sleepiness", U, "сегодня необычно сонный, еле разбудила"),
    ("poor-feeding", U, "со вчерашнего дня отказывается от груди и почти не ест"),
    ("dehydration", U, "памперс сухой уже десять часов, плачет без слез"),
    ("abnormal-cry", U, "плачет пронзительно и как котенок"),
    ("one-sided", U, "дергается только левая сторона тела"),
    ("eyes-rolling-or-staring", U, "глаза закатываются вверх, когда его трясет"),
    ("eyes-rolling-or-staring", U, "замирает и смотрит в одну точку"),
    ("awake-recurring", U, "днем когда не спит ручка подергивается, и это повторяется"),
    ("jerks-not-stopped-by-holding", U, "придерживаю ножку, а она все равно дергается"),
    ("first-seizure", U, "вчера впервые были судороги, сейчас все хорошо"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_russian_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_russian_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("он не дышит? кажется, дышит, но губы синие").level is E
    assert "unresponsive" in rules.detect("не реагирует на голос").concepts


NEGATIVES = [
    "купили синий плед и голубую шапочку в кроватку",
    "у дочки серые глаза как у папы",
    "наконец уснул у меня на руках, пару раз вздрогнул и успокоился",
    "во сне иногда дергает ножками, днем все хорошо",
    "пугается громких звуков и разбрасывает ручки, это рефлекс моро?",
    "что такое инфантильные спазмы? просто читала статью",
    "у меня самой дергается веко, сплю по 3 часа",
    "перестал плакать, как только взяла на руки",
    "подбородок дрожит когда плачет, если подержать сразу проходит",
    "уронила соску на пол, можно ли ее облизать?",
    "горячая вода в ванночке, какой градусник лучше купить?",
    "встряхнула бутылочку со смесью и покормила",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_russian_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

"""Portuguese red-flag words (content/red_flags/pt.yaml): each concept in the words parents of
Brazil and Portugal write, at the level red_flags.yaml gives it, and harmless messages that
share those words. Sentences written for these tests, not taken from any corpus."""

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
    ("not-breathing", E, "o meu bebé deixou de respirar uns segundos enquanto tremia"),
    ("not-breathing", E, "ta com dificuldade pra respirar e as costelas afundam a cada vez"),
    ("not-breathing", E, "parece que esta sufocando, faz um gemido quando respira"),
    ("not-breathing", E, "as narinas abrem e fecham sem parar e ele geme"),
    ("colour-change", E, "ficou com os labios roxinhos durante a crise"),
    ("colour-change", E, "a carinha dela ta cinzenta e fria depois do tremor"),
    ("colour-change", E, "ficou branco feito papel e com sacudidas"),
    ("colour-change", E, "a pele dele esta toda marmoreada"),
    ("unresponsive", E, "nao reage a nada, ta igual uma boneca de pano"),
    ("unresponsive", E, "nao consigo acordar ele depois dos tremores"),
    ("unresponsive", E, "desmaiou e ficou inconsciente"),
    ("long-seizure", E, "esta convulsionando ha mais de dez minutos"),
    ("long-seizure", E, "a convulsao ja dura 8 min e nao para"),
    ("long-seizure", E, "teve uma crise atras da outra sem voltar a si"),
    ("poisoning", E, "acho que engoliu uma pilha de botao do comando"),
    ("poisoning", E, "bebeu um pouco de agua sanitaria e agora treme"),
    ("poisoning", E, "encontrei a cartela de paracetamol roida e faltam comprimidos"),
    ("head-injury", E, "caiu do trocador de cabeca e agora faz movimentos estranhos"),
    ("head-injury", E, "bateu com a cabeca no chao com força e depois tremeu"),
    ("head-injury", E, "ele bateu no chao e agora treme"),
    ("non-blanching-rash", E, "apareceram manchinhas roxas e com o copo nao somem"),
    ("meningitis-signs", E, "tem o pescoço duro e febre, e uns trancos"),
    ("meningitis-signs", E, "febre de 39 e a moleira abaulada"),
    ("shaken-baby", E, "o pai sacudiu ele com muita força e desde entao treme"),
    ("shaken-baby", E, "a ama abanou o bebe para ele parar de chorar"),
    ("overheating", E, "ficou no carro ao sol um bocado e agora tem espasmos"),
    ("overheating", E, "apanhou um golpe de calor na praia, esta muito sonolento"),
    ("first-seizure-now", E, "nunca tinha acontecido, esta a tremer inteiro e rigido"),
    ("after-seizure", E, "depois da convulsao ja faz duas horas que esta sonolento e nao acorda"),
    ("after-seizure", E, "depois da crise nao mexe o braço esquerdo, fica mole"),
    ("infantile-spasms", U, "faz uns espasmos em salvas, dobra pra frente"),
    ("infantile-spasms", U, "ao acordar a cabeca cai pra frente varias vezes seguidas"),
    ("regression", U, "ja nao sorri nem balbucia como antes"),
    ("regression", U, "deixou de gatinhar e antes gatinhava muito bem"),
    ("fever", U, "tem 38,7 de febre e uns tremorzinhos"),
    ("fever", U, "esta a arder em febre e as pernas tremem"),
    ("fever", U, "ta com 38,6 e tremendo"),
    ("vomiting", U, "vomita tudo desde ontem a noite e tem trancos"),
    ("breathing-changes", U, "tem pieira e a respiracao esta pesada"),
    ("bulging-fontanelle", U, "a moleira esta inchada"),
    ("unusual-sleepiness", U, "esta muito sonolento, custa acordar para mamar"),
    ("poor-feeding", U, "nao quer a mamadeira desde ontem e quase nao mama"),
    ("dehydration", U, "a fralda esta seca ha 12 horas"),
    ("abnormal-cry", U, "tem um choro muito agudo, estranhissimo"),
    ("one-sided", U, "os tremores sao so do lado direito"),
    ("eyes-rolling-or-staring", U, "revira os olhos quando vem os trancos"),
    ("eyes-rolling-or-staring", U, "fica com o olhar perdido e a mao treme"),
    ("awake-recurring", U, "acordado ele tem sacudidas varias vezes por dia"),
    ("jerks-not-stopped-by-holding", U, "mesmo segurando o braço continua tremendo igual"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_portuguese_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_portuguese_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("nao ta azul, mas os labios estao roxos").level is E
    assert "fever" in rules.detect("nao tem febre mas as maos tremem").concepts
    assert rules.detect("ele nao respira direito").level is E


NEGATIVES = [
    "comprei um gorro azul e uma mantinha branca para o berço",
    "tem os olhos azuis como o pai",
    "finalmente adormeceu depois de uma hora, que sossego",
    "ficou com a boca roxa de comer amoras",
    "o gorrinho de lã ficou molinho depois de lavar",
    "ela adora sacudir o chocalho e dar risada",
    "se assusta com barulho e abre os braços, é o reflexo de moro",
    "quando dorme faz caretas e pulinhos, a pediatra disse que é normal",
    "o body serviu certinho, esta saudavel e forte",
    "treme um pouco de frio ao sair da banheira e passa com a toalha",
    "guardo os comprimidos de ferro num armario fechado",
    "o telemovel caiu no chao e partiu o ecra",
    "tem 39 dias e treme o queixo quando chora",
    "quando o pego ao colo ele acalma",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_portuguese_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "my son stopped crying at night",
        "she has a favorite blue blanket",
        "le compre un gorro azul para la cuna",
        "my son loves his blue toy car",
    ],
)
def test_portuguese_words_raise_no_alarm_in_english_or_spanish(
    rules: RedFlagRules, text: str
) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

"""French red-flag words (content/red_flags/fr.yaml): each concept in the words parents of
France, Belgium, Switzerland and Quebec write, at the level red_flags.yaml gives it, and
harmless messages that share those words. Sentences written for these tests, not taken from
any corpus."""

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
    ("not-breathing", E, "mon bébé a arrêté de respirer quelques secondes pendant qu'il tremblait"),
    ("not-breathing", E, "elle a beaucoup de mal à respirer et ses côtes se creusent"),
    ("not-breathing", E, "il s'étouffe, il fait un petit geignement à chaque respiration"),
    ("not-breathing", E, "il respire pas bien, il fait des pauses et cherche l'air"),
    ("colour-change", E, "ses lèvres sont devenues violettes pendant la crise"),
    ("colour-change", E, "son visage est tout gris et froid après les tremblements"),
    ("colour-change", E, "elle est devenue blanche comme un linge avec des secousses"),
    ("colour-change", E, "sa peau est marbrée sur les jambes"),
    ("unresponsive", E, "il ne réagit plus à rien, comme une poupée de chiffon"),
    ("unresponsive", E, "j'arrive pas à le réveiller après les secousses"),
    ("unresponsive", E, "elle a perdu connaissance et ne répond pas"),
    ("long-seizure", E, "il convulse depuis plus de dix minutes"),
    ("long-seizure", E, "la crise dure encore, ça fait 8 min et ça s'arrête pas"),
    ("long-seizure", E, "elle fait crise sur crise, l'une après l'autre, sans revenir à elle"),
    ("poisoning", E, "je crois qu'il a avalé une pile bouton de la télécommande"),
    ("poisoning", E, "elle a bu de l'eau de javel et maintenant elle tremble"),
    ("poisoning", E, "j'ai trouvé la plaquette de doliprane mâchouillée, il manque des comprimés"),
    ("head-injury", E, "il est tombé de la table à langer et fait des mouvements bizarres"),
    ("head-injury", E, "elle s'est cognée la tête très fort par terre et après elle a tremblé"),
    ("head-injury", E, "il est tombé dans l'escalier et maintenant il tremble"),
    ("non-blanching-rash", E, "des petites taches violettes qui ne s'effacent pas avec le verre"),
    ("meningitis-signs", E, "il a la nuque raide et de la fièvre, avec des secousses"),
    ("meningitis-signs", E, "fièvre à 39 et la fontanelle bombée"),
    ("shaken-baby", E, "son père l'a secoué très fort et depuis il tremble"),
    ("shaken-baby", E, "la nounou a secoué le bébé pour qu'il se taise"),
    ("overheating", E, "il est resté dans la voiture au soleil et maintenant il a des secousses"),
    ("overheating", E, "coup de chaleur à la plage, il est très somnolent"),
    ("first-seizure-now", E, "c'est la première fois, il tremble de partout et il est tout raide"),
    ("after-seizure", E, "après la convulsion il est toujours somnolent depuis deux heures"),
    ("after-seizure", E, "depuis la crise son bras gauche est tout mou, il le bouge plus"),
    ("infantile-spasms", U, "il fait des spasmes en salves, il se plie en avant"),
    ("infantile-spasms", U, "au réveil sa tête pique du nez plusieurs fois de suite"),
    ("regression", U, "il ne sourit plus et ne babille plus comme avant"),
    ("regression", U, "elle a arrêté de ramper alors qu'elle rampait très bien"),
    ("fever", U, "il a 38,7 de fièvre et des petites secousses"),
    ("fever", U, "elle est brûlante et ses jambes tremblent"),
    ("fever", U, "il a 38,6 et il tremble"),
    ("vomiting", U, "il vomit tout depuis hier soir et il a des sursauts"),
    ("breathing-changes", U, "il a une respiration sifflante depuis ce matin"),
    ("bulging-fontanelle", U, "sa fontanelle est gonflée"),
    ("unusual-sleepiness", U, "il est très somnolent, on a du mal à le réveiller pour manger"),
    ("poor-feeding", U, "elle refuse le biberon depuis hier et tète presque plus"),
    ("dehydration", U, "sa couche est sèche depuis 12 heures"),
    ("abnormal-cry", U, "il a des cris très aigus, jamais entendu ça"),
    ("one-sided", U, "les secousses c'est seulement du côté droit"),
    ("eyes-rolling-or-staring", U, "ses yeux partent vers le haut quand il a les secousses"),
    ("eyes-rolling-or-staring", U, "elle a le regard fixe et sa main tremble"),
    ("awake-recurring", U, "quand il est réveillé il a des secousses plusieurs fois par jour"),
    ("jerks-not-stopped-by-holding", U, "même quand je lui tiens le bras ça continue de trembler"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_french_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_french_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("il est pas bleu mais ses lèvres sont violettes").level is E
    assert "fever" in rules.detect("pas de fièvre mais ses mains tremblent").concepts
    assert rules.detect("il ne respire plus").level is E


NEGATIVES = [
    "j'ai acheté un bonnet bleu et une petite couverture blanche pour le berceau",
    "il a les yeux bleus comme son père",
    "le doudou tout mou a besoin d'un lavage",
    "elle a la bouche toute violette à force de manger des myrtilles",
    "il adore secouer son hochet en rigolant",
    "elle sursaute au bruit de la porte et écarte les bras, le réflexe de Moro",
    "en dormant il fait des grimaces et des petits sursauts, le pédiatre dit que c'est normal",
    "il a arrêté de pleurer dès que je l'ai pris",
    "il grelotte un peu à la sortie du bain et ça passe avec la serviette",
    "je range les comprimés de fer en hauteur dans une boîte fermée",
    "le téléphone est tombé par terre et l'écran est cassé",
    "la veilleuse est bleue, ça le gêne ?",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_french_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "how common are night wakings at this age",
        "she smiles and sleeps gently in her cot",
        "die Hebamme sagt, ich soll sie so halten",
        "a common cold with a runny nose",
    ],
)
def test_french_words_raise_no_alarm_in_other_languages(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

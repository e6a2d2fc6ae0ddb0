"""Turkish red-flag words (content/red_flags/tr.yaml): each concept in the words Turkish
parents write, at the level red_flags.yaml gives it, and harmless messages that share those
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
    ("not-breathing", E, "oğlum nefes almıyor gibi, çok korkuyorum"),
    ("not-breathing", E, "nefes alırken kaburgalarının arası içeri çekiliyor"),
    ("not-breathing", E, "bebeğim boğuluyor sanırım"),
    ("colour-change", E, "dudakları morardı, titremesi de var"),
    ("colour-change", E, "yüzü kül rengi oldu"),
    ("colour-change", E, "kızım bembeyaz kesildi, kireç gibi"),
    ("unresponsive", E, "uyandıramıyorum, bez bebek gibi yatıyor"),
    ("unresponsive", E, "hiç tepki vermiyor, gözleri açık ama"),
    ("long-seizure", E, "nöbet 10 dakikadır devam ediyor"),
    ("long-seizure", E, "havale durmuyor, ne yapayım"),
    ("poisoning", E, "düğme pil yutmuş olabilir"),
    ("poisoning", E, "çamaşır suyu içti galiba, şimdi titriyor"),
    ("poisoning", E, "babaannesinin ilaçlarını yemiş, kutu boş"),
    ("head-injury", E, "kanepeden düştü, başı şişti ve seğiriyor"),
    ("head-injury", E, "kafasını masaya çarptı, sonra kasıldı"),
    ("non-blanching-rash", E, "bacağındaki lekeler bardakla bastırınca kaybolmuyor"),
    ("meningitis-signs", E, "ateşi var ve ensesi sert"),
    ("meningitis-signs", E, "bıngıldağı kabarık, ateşi 39"),
    ("shaken-baby", E, "eşim bebeği çok sert salladı, şimdi tuhaf"),
    ("shaken-baby", E, "bakıcı onu sarsmış, kolları titriyor"),
    ("overheating", E, "güneşin altında arabada kaldı, şimdi çok halsiz ve titriyor"),
    ("overheating", E, "sıcak çarpması olabilir mi, çok uyuşuk"),
    ("first-seizure-now", E, "daha önce hiç olmadı, şu an kasılıp titriyor"),
    ("after-seizure", E, "nöbetten sonra 2 saat geçti, hâlâ sersem"),
    ("after-seizure", E, "havaleden sonra sol kolu güçsüz, kaldıramıyor"),
    ("infantile-spasms", U, "uyanınca seri seri kasılmalar oluyor"),
    ("infantile-spasms", U, "birden öne doğru katlanıyor, arka arkaya"),
    ("regression", U, "eskiden gülümsüyordu, artık gülümsemiyor"),
    ("regression", U, "öğrendiklerini unuttu, geriledi"),
    ("fever", U, "ateşi 38,5 ve bacakları sıçrıyor"),
    ("fever", U, "alnı yanıyor, elleri titriyor"),
    ("vomiting", U, "sabahtan beri kusuyor"),
    ("breathing-changes", U, "hırıltılı nefes alıyor"),
    ("bulging-fontanelle", U, "bıngıldağı şişmiş gibi"),
    ("unusual-sleepiness", U, "bugün çok uykulu ve halsiz"),
    ("poor-feeding", U, "dünden beri emmiyor"),
    ("dehydration", U, "bezleri kupkuru, 10 saattir ıslak bez yok"),
    ("abnormal-cry", U, "tiz bir sesle ağlıyor, kedi yavrusu gibi"),
    ("one-sided", U, "sadece sol kolu seğiriyor"),
    ("eyes-rolling-or-staring", U, "titrerken gözleri yukarı kayıyor"),
    ("eyes-rolling-or-staring", U, "bir noktaya dalıp gidiyor, gözünü kırpmıyor"),
    ("awake-recurring", U, "uyanıkken de sıçrıyor, günde birkaç kez"),
    ("jerks-not-stopped-by-holding", U, "bacağını tutuyorum ama seğirme devam ediyor"),
]


@pytest.mark.parametrize(("concept", "level", "text"), CASES)
def test_turkish_sign_gets_its_concept_and_level(
    rules: RedFlagRules, concept: str, level: Level, text: str
) -> None:
    result = rules.detect(text)
    assert concept in result.concepts, (text, rules.explain(text))
    assert result.level is level, (text, rules.explain(text))


def test_turkish_negated_sign_still_counts(rules: RedFlagRules) -> None:
    assert rules.detect("nefes almıyor").level is E
    assert "fever" in rules.detect("ateşi yok ama titriyor").concepts


NEGATIVES = [
    "mavi battaniye aldık, çok tatlı",
    "masmavi gözleri var, babası gibi",
    "iki saat salladıktan sonra nihayet uyudu",
    "emziği verince ağlaması kesildi",
    "kedimiz uykuda patilerini titretiyor",
    "banyodan sonra biraz titriyor, havluya sarınca geçiyor",
    "yenidoğan ağlarken çenesi titriyor, sarılınca duruyor",
    "el salladı ve bay bay yaptı",
    "güneş şapkası pörsük, gözüne düşüyor",
    "kapı çarpınca irkilip kollarını açıyor, moro refleksi",
    "emzik masadan yere düştü",
    "emzirince biraz kusmuk çıkarıyor",
    "anneannesi sallayarak uyuttu",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_harmless_turkish_message_is_not_flagged(rules: RedFlagRules, text: str) -> None:
    assert not rules.detect(text).flagged, rules.explain(text)

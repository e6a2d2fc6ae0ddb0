"""Acceptance of the safety-net issue on the sealed blind red-flag corpus (aggregates only).

The sealed third measures and never tunes; these tests print figures, never texts. They are
marked xfail(strict): issue 11 is reported blocked on them, and the day the detector meets a
target the test passes, fails as strict, and the mark must go.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tgbot.core.content import load_content
from tgbot.core.redflag_eval import Figures, evaluate, load_cases

SEALED = Path(__file__).resolve().parents[1] / "redflag_corpus" / "sealed.jsonl"
BLOCKED = pytest.mark.xfail(
    strict=True,
    reason=(
        "issue 11 blocked: sealed recall 0.426 (en 0.891), exact 0.375, fp 0.125; "
        "targets 0.98 / 0.95 / 0.03"
    ),
)


@pytest.fixture(scope="module")
def sealed() -> Figures:
    return evaluate(load_content().default.red_flags, load_cases(SEALED))


def test_the_sealed_corpus_covers_every_language_and_has_hard_negatives(sealed: Figures) -> None:
    assert sealed.overall.positives >= 500
    assert sealed.overall.negatives >= 200
    langs = {"en", "es", "pt", "fr", "de", "it", "pl", "tr", "ru", "ar", "hi", "hi-latn"}
    assert langs <= set(sealed.by_lang)


@BLOCKED
def test_sealed_recall_meets_the_target(sealed: Figures) -> None:
    assert (sealed.overall.recall or 0) >= 0.98
    assert (sealed.emergency.recall or 0) >= 0.99


@BLOCKED
def test_sealed_exact_level_meets_the_target(sealed: Figures) -> None:
    assert (sealed.overall.exact_level or 0) >= 0.95


@BLOCKED
def test_sealed_recall_in_every_language(sealed: Figures) -> None:
    low = {k: t.recall for k, t in sealed.by_lang.items() if (t.recall or 0) < 0.95}
    assert not low, low


@BLOCKED
def test_sealed_false_positives_at_most_three_percent(sealed: Figures) -> None:
    assert (sealed.overall.fp_rate or 1) <= 0.03

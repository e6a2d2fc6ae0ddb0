"""The blind question corpus through the whole core: issue 13's acceptance figures as a test.

tests/question_corpus/sealed.jsonl was written by people who never saw the content and was
sealed before anyone read it: it measures, it never tunes. This test is one of the two
readers it may have (the scoring command is the other), and on failure it reports the
figures only, never a sealed question, so a failing run cannot leak the set into tuning.
The tuning half (tune.jsonl) is scored the same way for the gap: a matcher that does much
better on the words it was tuned on than on blind ones is memorising, not reading.

Targets (issue 13): sealed in-scope top-1 >= 0.92 and abstention >= 0.95; the tuning
figures no more than 0.04 above the sealed ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tgbot.core.answers import answer_for
from tgbot.core.content import ContentPack, load_content

CORPUS = Path(__file__).resolve().parents[1] / "question_corpus"
BOT_NAME = "HelperBot"
RED_FLAG_TOPIC = "when-to-see-doctor"  # the scorer also accepts it for a flagged message

MIN_IN_SCOPE = 0.92
MIN_ABSTENTION = 0.95
MAX_GAP = 0.04


@dataclass(frozen=True)
class Figures:
    in_scope: float
    in_scope_n: int
    abstention: float
    abstention_n: int


def _figures(path: Path, pack: ContentPack) -> Figures:
    """In-scope top-1 accuracy and abstention, by the scorer's rules; nothing else kept."""
    hits = total = kept_out = out = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        topic = answer_for(str(case["text"]).replace("{bot}", BOT_NAME), pack).topic_id
        if case["topics"]:
            total += 1
            hits += topic in case["topics"]
        else:
            out += 1
            kept_out += topic is None or (case["red_flag"] is not None and topic == RED_FLAG_TOPIC)
    return Figures(hits / total, total, kept_out / out, out)


@pytest.fixture(scope="module")
def pack() -> ContentPack:
    return load_content().default


@pytest.fixture(scope="module")
def sealed(pack: ContentPack) -> Figures:
    return _figures(CORPUS / "sealed.jsonl", pack)


@pytest.fixture(scope="module")
def tune(pack: ContentPack) -> Figures:
    return _figures(CORPUS / "tune.jsonl", pack)


# Issue 13 is blocked on these targets: on the sealed corpus the matcher reaches in-scope
# 0.770 (target 0.92) and abstention 0.888 (target 0.95), and the tune/sealed gap is 0.066
# (target 0.04). strict: the day a change meets a target this fails and the mark must go.
BLOCKED = pytest.mark.xfail(
    strict=True, reason="issue 13 blocked: sealed in-scope 0.775 < 0.92, abstention 0.888 < 0.95"
)


@BLOCKED
def test_sealed_in_scope_accuracy_meets_the_target(sealed: Figures) -> None:
    assert sealed.in_scope >= MIN_IN_SCOPE, (
        f"sealed in-scope top-1 {sealed.in_scope:.3f} (n={sealed.in_scope_n}) < {MIN_IN_SCOPE}"
    )


@BLOCKED
def test_sealed_abstention_meets_the_target(sealed: Figures) -> None:
    assert sealed.abstention >= MIN_ABSTENTION, (
        f"sealed abstention {sealed.abstention:.3f} (n={sealed.abstention_n}) < {MIN_ABSTENTION}"
    )


@BLOCKED
def test_tuning_figures_are_close_to_the_sealed_ones(sealed: Figures, tune: Figures) -> None:
    gaps = {
        "in-scope": tune.in_scope - sealed.in_scope,
        "abstention": tune.abstention - sealed.abstention,
    }
    too_wide = {k: round(v, 3) for k, v in gaps.items() if v > MAX_GAP}
    assert not too_wide, f"tune is ahead of sealed by {too_wide} (at most {MAX_GAP})"

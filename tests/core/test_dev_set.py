"""The shared dev set through the whole core: the acceptance figures as a test.

Reads ../shared/eval/dev.jsonl (beside the repository), answers every case with answer_for on
the real content and applies the scorer's rules: in-scope top-1 accuracy >= 0.94 and
out-of-scope abstention >= 1.00 (issue 13 raised both); for red flags recall 1.00, exact
level >= 0.95, false positives <= 0.05 and the prompt in every flagged reply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tgbot.core.answers import Answer, answer_for, render_plain
from tgbot.core.content import ContentPack, load_content

DEV_SET = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "dev.jsonl"
BOT_NAME = "HelperBot"
RED_FLAG_TOPIC = "when-to-see-doctor"  # the scorer also accepts it for a flagged message
PROMPT_WORD = {"urgent": "doctor", "emergency": "emergency"}

MIN_IN_SCOPE_ACCURACY = 0.94
MIN_ABSTENTION = 1.0
MIN_RED_FLAG_RECALL = 1.0
MIN_RED_FLAG_EXACT_LEVEL = 0.95
MAX_RED_FLAG_FALSE_POSITIVES = 0.05
MIN_PROMPT_PRESENCE = 1.0


@dataclass(frozen=True)
class Scored:
    case: dict[str, Any]
    answer: Answer
    reply: str


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    if not DEV_SET.is_file():
        pytest.skip(f"the shared dev set is not at {DEV_SET} (it lives beside the repository)")
    pack: ContentPack = load_content().default
    out = []
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        answer = answer_for(str(case["text"]).replace("{bot}", BOT_NAME), pack)
        out.append(Scored(case, answer, render_plain(answer)))
    return out


def _failures(rows: list[Scored]) -> str:
    return "\n".join(
        f"  {r.case['id']}: want {r.case['topics']} / {r.case['red_flag']}, got "
        f"{r.answer.topic_id} / {r.answer.level}: {str(r.case['text'])[:80]}"
        for r in rows
    )


def test_in_scope_top1_accuracy_meets_the_target(scored: list[Scored]) -> None:
    in_scope = [r for r in scored if r.case["topics"]]
    wrong = [r for r in in_scope if r.answer.topic_id not in r.case["topics"]]
    accuracy = 1 - len(wrong) / len(in_scope)
    assert accuracy >= MIN_IN_SCOPE_ACCURACY, f"accuracy {accuracy:.3f}\n{_failures(wrong)}"


def test_out_of_scope_abstention_meets_the_target(scored: list[Scored]) -> None:
    out_of_scope = [r for r in scored if not r.case["topics"]]

    def abstained(r: Scored) -> bool:
        topic = r.answer.topic_id
        return topic is None or (r.case["red_flag"] is not None and topic == RED_FLAG_TOPIC)

    wrong = [r for r in out_of_scope if not abstained(r)]
    abstention = 1 - len(wrong) / len(out_of_scope)
    assert abstention >= MIN_ABSTENTION, f"abstention {abstention:.3f}\n{_failures(wrong)}"


def test_every_red_flag_is_detected(scored: list[Scored]) -> None:
    flagged = [r for r in scored if r.case["red_flag"]]
    missed = [r for r in flagged if r.answer.level is None]
    recall = 1 - len(missed) / len(flagged)
    assert recall >= MIN_RED_FLAG_RECALL, f"recall {recall:.3f}\n{_failures(missed)}"


def test_red_flag_levels_are_exact(scored: list[Scored]) -> None:
    flagged = [r for r in scored if r.case["red_flag"]]
    off = [r for r in flagged if (r.answer.level and r.answer.level.value) != r.case["red_flag"]]
    exact = 1 - len(off) / len(flagged)
    assert exact >= MIN_RED_FLAG_EXACT_LEVEL, f"exact level {exact:.3f}\n{_failures(off)}"


def test_red_flag_false_positives_stay_rare(scored: list[Scored]) -> None:
    calm = [r for r in scored if not r.case["red_flag"]]
    false = [r for r in calm if r.answer.level is not None]
    rate = len(false) / len(calm)
    assert rate <= MAX_RED_FLAG_FALSE_POSITIVES, f"false positives {rate:.3f}\n{_failures(false)}"


def test_every_flagged_reply_carries_its_prompt(scored: list[Scored]) -> None:
    flagged = [r for r in scored if r.case["red_flag"]]
    missing = [r for r in flagged if PROMPT_WORD[str(r.case["red_flag"])] not in r.reply.lower()]
    presence = 1 - len(missing) / len(flagged)
    assert presence >= MIN_PROMPT_PRESENCE, f"prompt presence {presence:.3f}\n{_failures(missing)}"

"""`python -m tgbot ask`: answer questions from the command line, one or a stream of JSON lines.

The --jsonl contract (one question per stdin line in, one JSON object per line out, flushed
at once) is what other tools, the evaluation among them, rely on. Keep it stable.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from tgbot.core.answers import Answer, answer_for, render_plain
from tgbot.core.content import ContentPack


def answer_record(answer: Answer) -> dict[str, Any]:
    """The JSON object of one answer in the `ask --jsonl` contract."""
    return {
        "question": answer.question,
        "topic": answer.topic_id,
        "confidence": answer.confidence,
        "red_flag": answer.level.value if answer.level else None,
        "concepts": list(answer.concepts),
        "suggestions": list(answer.suggestion_ids),
        "outcome": answer.outcome.value,
        "language": answer.language,
        "reply": render_plain(answer),
    }


def ask_once(question: str, pack: ContentPack, *, as_json: bool, out: TextIO = sys.stdout) -> None:
    answer = answer_for(question, pack)
    if as_json:
        out.write(json.dumps(answer_record(answer), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(render_plain(answer) + "\n")


def ask_jsonl(
    pack: ContentPack | Callable[[str], ContentPack],
    inp: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    """Answer each input line as soon as it is read; returns the number answered.

    `pack` is one pack, or a function choosing the pack for each question (as the bot does)."""
    count = 0
    for raw in iter(inp.readline, ""):
        question = raw.rstrip("\r\n")
        chosen = pack(question) if callable(pack) else pack
        record = answer_record(answer_for(question, chosen))
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        count += 1
    return count

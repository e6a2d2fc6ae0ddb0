"""The local console: type a question, read the same answer the bot would give in Telegram.

Used when no TELEGRAM_BOT_TOKEN is set, so anyone can try the bot without Telegram.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from tgbot.core.answers import Answer, answer_for, render_plain
from tgbot.core.content import ContentLibrary

BANNER = """\
Console mode: the same answers the Telegram bot gives, right here.
To run the real bot, set TELEGRAM_BOT_TOKEN (from @BotFather) and start it again.
Type a question and press Enter. Commands: /topics, /topic <id>, /quit.
"""


def run_console(
    library: ContentLibrary,
    inp: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    on_answer: Callable[[Answer], None] | None = None,
) -> None:
    """Read questions until end of input or /quit, printing each answer."""
    pack = library.default
    interactive = inp.isatty()
    out.write(BANNER + "\n")
    while True:
        if interactive:
            out.write("you> ")
            out.flush()
        line = inp.readline()
        if not line:
            break
        question = line.strip()
        if question in ("/quit", "/exit"):
            break
        if question == "/topics":
            for topic in pack.topics.values():
                out.write(f"  {topic.id:<28} {topic.title}\n")
            out.write("\n")
            continue
        if question.startswith("/topic "):
            topic_id = question.split(maxsplit=1)[1].strip()
            if pack.topic(topic_id) is None:
                out.write("No topic with that id; /topics lists them.\n\n")
                continue
            answer = answer_for("", pack, topic_id=topic_id)
        else:
            answer = answer_for(question, pack)
        if on_answer is not None:
            on_answer(answer)
        out.write(render_plain(answer) + "\n\n")
        out.flush()

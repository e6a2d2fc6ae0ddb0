"""The local console: the Telegram bot's private chat in a terminal, for anyone to try the
answers without Telegram (used when no TELEGRAM_BOT_TOKEN is set).

`Console.handle(line) -> Screen` is the whole conversation logic: the private chat's commands
(/start, /help, /topics, /topic, /ask, /emergency, /about, /privacy, any case), the
warning-signs check (/check, answered 1 for yes and 2 for no), questions,
and numbers that pick one of the topics the last screen offered (suggestions, related topics,
the topic list), the way a parent taps a button. `render()` lays a Screen out for a terminal
(wrapped to its width, bold as bold on a terminal); `run_console()` is the read-print loop with
readline editing and history. The console keeps no statistics, and never writes what was
typed anywhere: readline's history stays in memory, since questions are about a child.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from tgbot.core.answers import Answer, TopicRef, answer_for
from tgbot.core.checkflow import CheckQuestion, check_question, check_reply
from tgbot.core.content import ContentLibrary, ContentPack
from tgbot.core.markup import BOLD, Bullets, parse_blocks

__all__ = ["BANNER", "Console", "Screen", "render", "run_console"]

BANNER = """\
Console mode: the same answers the Telegram bot gives, right here.
To run the real bot, set TELEGRAM_BOT_TOKEN (from @BotFather) and start it again.
Type a question and press Enter; /help lists the commands, /quit (or Ctrl-D) leaves.
"""

# The help text names the bot's username for groups; the console has none.
CONSOLE_BOT_USERNAME = "YourBot"
PROMPT = "you> "
MAX_WIDTH = 100  # long lines are hard to read even on a wide terminal
BOLD_ON, BOLD_OFF = "\x1b[1m", "\x1b[22m"


@dataclass(frozen=True, slots=True)
class Screen:
    """One reply: light-markup text (paragraphs, "- " bullets, **bold**), the topics it
    offers by number (1 = the first), and whether the console should stop."""

    text: str = ""
    choices: tuple[TopicRef, ...] = ()
    choices_intro: str = ""
    after: str = ""  # below the choices: the see-a-doctor prompt, sources, the disclaimer
    quit: bool = False
    answer: Answer | None = field(default=None, compare=False)


class Console:
    """The private chat's logic for a terminal: one line in, one Screen out."""

    def __init__(
        self, library: ContentLibrary, on_answer: Callable[[Answer], None] | None = None
    ) -> None:
        self.library = library
        self.pack: ContentPack = library.default
        self.on_answer = on_answer
        self._choices: tuple[TopicRef, ...] = ()  # what a number picks, from the last screen
        self._check_step: int | None = None  # the warning-signs check's question on screen

    def handle(self, line: str) -> Screen:
        screen = self._handle(line.strip())
        # A number refers to the last screen that offered topics; a screen without any
        # (help, an error) keeps those numbers valid.
        if screen.choices:
            self._choices = screen.choices
        if screen.answer is not None and self.on_answer is not None:
            self.on_answer(screen.answer)
        return screen

    def _follow(self, question: str) -> ContentPack:
        """The conversation follows the language a question is clearly written in (its
        topic lists and numbers too); an unclear one keeps the current language."""
        self.pack = self.library.pack_for_message(question, self.pack.language)
        return self.pack

    def _handle(self, line: str) -> Screen:
        pack = self.pack
        if not line:
            return Screen()
        if self._check_step is not None:
            if line in ("1", "2"):
                return self._check(line == "1")
            self._check_step = None  # anything else leaves the check
        if line.isdigit():
            return self._pick(int(line))
        if not line.startswith("/"):
            return self._answer(answer_for(line, self._follow(line)))
        command, _, rest = line[1:].partition(" ")
        # Phones and habits capitalise: /Topics, /HELP. A "@BotName" suffix is accepted too.
        command = command.split("@", 1)[0].lower()
        rest = rest.strip()
        if command in ("quit", "exit"):
            return Screen(quit=True)
        if command == "start":
            if rest and pack.topic(rest) is not None:
                return self._answer(answer_for("", pack, topic_id=rest))
            text = pack.text("welcome") + "\n\n" + pack.text("disclaimer")
            return Screen(text, self._topic_list(), pack.text("topics_intro"))
        if command == "help":
            return Screen(pack.text("help", bot_username=CONSOLE_BOT_USERNAME) + _CONSOLE_HELP)
        if command == "topics":
            return Screen("", self._topic_list(), pack.text("topics_intro"))
        if command == "topic":
            if not rest:
                return Screen("", self._topic_list(), pack.text("topics_intro"))
            if rest.isdigit():
                return self._pick(int(rest))
            if pack.topic(rest.lower()) is None:
                return Screen("No topic with that id; /topics lists them.")
            return self._answer(answer_for("", pack, topic_id=rest.lower()))
        if command == "ask":
            if not rest:
                return Screen(pack.text("ask_howto"))
            return self._answer(answer_for(rest, self._follow(rest)))
        if command == "emergency":
            text = "\n\n".join(
                pack.text(k) for k in ("emergency_prompt", "emergency_steps", "disclaimer")
            )
            return Screen(text)
        if command == "check":
            self._check_step = 0
            return self._check_screen(check_question(0, pack))
        if command == "about":
            return Screen(pack.text("about"))
        if command == "privacy":
            # True of the console: it records nothing (the bot's /privacy reads its settings).
            return Screen(pack.text("privacy", stats_part=pack.text("privacy_stats_off")))
        return Screen(pack.text("unknown_command"))

    def _check_screen(self, question: CheckQuestion) -> Screen:
        return Screen(f"{question.text}\n\n1 = {question.yes_label}, 2 = {question.no_label}")

    def _check(self, yes: bool) -> Screen:
        """A numbered answer to the check's question on screen: the next one, or the end
        (for a yes, the sign's answer, prompt first)."""
        step = self._check_step if self._check_step is not None else 0
        result = check_reply(step, yes, self.pack)
        if isinstance(result, CheckQuestion):
            self._check_step = result.step
            return self._check_screen(result)
        self._check_step = None
        if result.answer is None:
            return Screen(result.text)
        return self._answer(result.answer)

    def _topic_list(self) -> tuple[TopicRef, ...]:
        refs = (TopicRef(t.id, t.title) for t in self.pack.topics.values())
        return tuple(sorted(refs, key=lambda r: r.title))  # the Telegram menu's order

    def _pick(self, number: int) -> Screen:
        if not 1 <= number <= len(self._choices):
            if not self._choices:
                return Screen("There is nothing to pick yet; /topics lists every topic.")
            return Screen(f"Pick a number from 1 to {len(self._choices)}, or ask a question.")
        return self._answer(answer_for("", self.pack, topic_id=self._choices[number - 1].id))

    def _answer(self, answer: Answer) -> Screen:
        """The reply in the Telegram order. Suggestions stand where Telegram lists them, in
        the text before the see-a-doctor prompt; related topics, Telegram's buttons, come
        last. Either way they are numbered, so a parent can pick one as they would tap."""
        r = answer.reply
        heading = f"**{r.heading}**" if r.heading else None
        # The same parts as the Telegram reply: the action after the emergency prompt, the
        # warning signs first under a reassuring topic and last otherwise.
        net = r.safety_net
        lead = net if r.lead_with_net else None
        before = [
            p
            for p in (r.emergency_prompt, r.emergency_action, lead, heading, r.body, r.message)
            if p
        ]
        tail = [p for p in (r.doctor_prompt, None if r.lead_with_net else net) if p]
        if answer.episode and answer.level is None:
            check = self.library.pack(answer.language).text("check_button")
            tail.append(f"{check}: type /check")
        if r.sources:
            titles = "; ".join(f"{s.title} ({s.url})" if s.url else s.title for s in r.sources)
            tail.append(f"{r.sources_label} {titles}")
        tail.append(r.disclaimer)
        if r.suggestions:
            if r.related:
                tail.insert(-1, r.related_intro + " " + "; ".join(t.title for t in r.related))
            return Screen(
                "\n\n".join(before),
                r.suggestions,
                r.suggestions_intro or "",
                after="\n\n".join(tail),
                answer=answer,
            )
        return Screen("\n\n".join(before + tail), r.related, r.related_intro, answer=answer)


_CONSOLE_HELP = (
    "\n\nIn this console: a number picks one of the topics just listed, /topic <id> opens a "
    "topic, /check runs the warning-signs check, /quit (or Ctrl-D) leaves."
)


# --- layout for a terminal --------------------------------------------------------------------


def _bold(text: str, ansi: bool) -> str:
    return BOLD.sub((BOLD_ON + r"\1" + BOLD_OFF) if ansi else r"\1", text)


def _fill(
    text: str, width: int, *, initial_indent: str = "", subsequent_indent: str = ""
) -> list[str]:
    # Links stay whole (a split URL cannot be copied), and so do hyphenated words.
    return textwrap.wrap(
        text,
        width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _wrap(text: str, width: int, ansi: bool) -> list[str]:
    """Paragraphs and bullets of light markup wrapped to width; bold is applied to the
    finished lines (a bold run that a line break splits is closed and reopened)."""
    out: list[str] = []
    for block in parse_blocks(text):
        if out:
            out.append("")
        if isinstance(block, Bullets):
            for item in block.items:
                out.extend(_fill(item, width, initial_indent="  • ", subsequent_indent="    "))
        else:
            out.extend(_fill(block.text, width) or [""])
    return [_bold(line, ansi) for line in _rejoin_bold(out)]


def _rejoin_bold(lines: list[str]) -> list[str]:
    # A **bold** run split across two lines would lose its marks: close and reopen it.
    fixed: list[str] = []
    carry = False
    for line in lines:
        if carry:
            line = "**" + line
        carry = line.count("**") % 2 == 1
        fixed.append(line + "**" if carry else line)
    return fixed


def render(screen: Screen, *, width: int = 80, ansi: bool = False) -> str:
    """The screen as terminal text: wrapped paragraphs, then the numbered choices."""
    width = max(20, min(width, MAX_WIDTH))
    lines = _wrap(screen.text, width, ansi) if screen.text else []
    if screen.choices:
        if lines:
            lines.append("")
        if screen.choices_intro:
            lines.extend(_wrap(screen.choices_intro, width, ansi))
        digits = len(str(len(screen.choices)))
        for n, ref in enumerate(screen.choices, 1):
            label = f"  {n:>{digits}}. "
            lines.extend(
                _fill(ref.title, width, initial_indent=label, subsequent_indent=" " * len(label))
            )
    if screen.after:
        if lines:
            lines.append("")
        lines.extend(_wrap(screen.after, width, ansi))
    return "\n".join(lines)


# --- the read-print loop ------------------------------------------------------------------------


def _enable_line_editing() -> None:
    """Arrow keys, Ctrl-A/E and history (this session only) for input(), where available."""
    try:
        import readline  # noqa: F401  (importing it is what turns line editing on)
    except ImportError:  # Windows without pyreadline, or a Python built without it
        return


def run_console(
    library: ContentLibrary,
    inp: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    on_answer: Callable[[Answer], None] | None = None,
) -> None:
    """Read lines until /quit, end of input, Ctrl-D or Ctrl-C, printing each screen."""
    console = Console(library, on_answer)
    interactive = inp.isatty() and out.isatty()
    if interactive:
        _enable_line_editing()
    out.write(BANNER + "\n")
    out.flush()
    while True:
        try:
            if interactive and inp is sys.stdin:
                line = input(PROMPT)  # input() uses readline once it is imported
            else:
                if interactive:
                    out.write(PROMPT)
                    out.flush()
                line = inp.readline()
                if not line:
                    break
        except (EOFError, KeyboardInterrupt):
            out.write("\n")  # leave the terminal on a fresh line, with no traceback
            break
        screen = console.handle(line)
        if screen.quit:
            break
        width = shutil.get_terminal_size((80, 24)).columns - 1 if interactive else 80
        text = render(screen, width=width, ansi=interactive)
        if text:
            out.write(text + "\n\n")
            out.flush()

"""The console is the bot's private chat in a terminal: every command answers as in Telegram
(in any letter case), numbers pick the topics a screen offers, paragraphs are wrapped, and
the real console, typed into through a pseudo-terminal, edits lines, recalls history and
leaves cleanly on Ctrl-C and Ctrl-D."""

from __future__ import annotations

import io
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tgbot.channels.console import BOLD_ON, Console, Screen, render, run_console
from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentLibrary, ContentPack, load_content
from tgbot.core.markup import to_plain

REPO = Path(__file__).resolve().parents[2]
SLEEP = "why does my baby twitch in her sleep"


@pytest.fixture(scope="module")
def library() -> ContentLibrary:
    return load_content(DEFAULT_CONTENT_DIR)


@pytest.fixture
def console(library: ContentLibrary) -> Console:
    return Console(library)


@pytest.fixture
def real_pack(library: ContentLibrary) -> ContentPack:
    return library.default


def plain(screen: Screen) -> str:
    return " ".join(render(screen, width=1000).split())


def squash(text: str) -> str:
    return " ".join(to_plain(text).split())


# ---- every private-chat command, as the bot answers it --------------------------------------


@pytest.mark.parametrize(
    ("command", "text_key"),
    [
        ("/help", "help"),
        ("/about", "about"),
        ("/emergency", "emergency_steps"),
        ("/ask", "ask_howto"),
        ("/nonsense", "unknown_command"),
    ],
)
def test_each_command_gives_the_bots_text(
    console: Console, real_pack: ContentPack, command: str, text_key: str
) -> None:
    expected = squash(real_pack.text(text_key, bot_username="YourBot"))
    assert expected in plain(console.handle(command))


def test_start_welcomes_with_the_disclaimer_and_a_numbered_topic_menu(
    console: Console, real_pack: ContentPack
) -> None:
    screen = console.handle("/start")
    assert squash(real_pack.text("welcome")) in plain(screen)
    assert squash(real_pack.text("disclaimer")) in plain(screen)
    assert len(screen.choices) == len(real_pack.topics)
    assert "  1. " in render(screen)


def test_emergency_puts_the_emergency_prompt_first(
    console: Console, real_pack: ContentPack
) -> None:
    text = plain(console.handle("/emergency"))
    assert text.startswith(squash(real_pack.text("emergency_prompt")))


def test_privacy_says_the_console_records_nothing(console: Console, real_pack: ContentPack) -> None:
    assert squash(real_pack.text("privacy_stats_off")) in plain(console.handle("/privacy"))


@pytest.mark.parametrize("typed", ["/Topics", "/TOPICS", "/topics", "/topics@YourBot"])
def test_commands_work_in_any_letter_case(console: Console, typed: str) -> None:
    assert len(console.handle(typed).choices) > 10


@pytest.mark.parametrize("typed", ["/quit", "/Quit", "/exit", "/EXIT"])
def test_quit_in_any_letter_case(console: Console, typed: str) -> None:
    assert console.handle(typed).quit


def test_topic_by_id_by_number_and_without_either(console: Console, real_pack: ContentPack) -> None:
    spasms = real_pack.topic("infantile-spasms")
    assert spasms is not None
    assert plain(console.handle("/topic infantile-spasms")).startswith(squash(spasms.title))
    assert plain(console.handle("/topic Infantile-Spasms")).startswith(squash(spasms.title))
    listing = console.handle("/topic")
    assert listing.choices
    third = listing.choices[2]
    assert plain(console.handle("/topic 3")).startswith(squash(third.title))
    assert "No topic with that id" in plain(console.handle("/topic no-such-topic"))


def test_ask_with_a_question_answers_it(console: Console) -> None:
    assert console.handle(f"/ask {SLEEP}").answer is not None
    answer = console.handle(f"/ask {SLEEP}").answer
    assert answer is not None
    assert answer.topic_id == console.handle(SLEEP).answer.topic_id  # type: ignore[union-attr]


# ---- numbered choices ---------------------------------------------------------------------------


def test_a_number_opens_the_related_topic_of_the_last_answer(console: Console) -> None:
    answer = console.handle(SLEEP)
    assert answer.choices, "the sleep topic offers related topics"
    second = answer.choices[1]
    assert f"  2. {second.title}" in render(answer, width=1000)
    picked = console.handle("2")
    assert picked.answer is not None
    assert picked.answer.topic_id == second.id


def test_numbers_stay_valid_after_a_screen_without_choices(console: Console) -> None:
    listing = console.handle("/topics")
    console.handle("/help")
    picked = console.handle("1")
    assert picked.answer is not None
    assert picked.answer.topic_id == listing.choices[0].id


def test_a_number_out_of_range_or_with_nothing_listed_is_a_calm_line(console: Console) -> None:
    assert "nothing to pick" in plain(console.handle("4"))
    console.handle("/topics")
    assert "Pick a number from 1 to" in plain(console.handle("999"))


def test_did_you_mean_suggestions_are_numbered_and_pickable(console: Console) -> None:
    screen = console.handle("fits")  # too vague for one topic: "did you mean" three
    answer = screen.answer
    assert answer is not None
    assert answer.reply.suggestions
    assert screen.choices == answer.reply.suggestions
    text = render(screen, width=1000)
    assert f"  1. {screen.choices[0].title}" in text
    # The suggestions stand before the see-a-doctor prompt and the disclaimer, as in Telegram.
    assert text.index("  1. ") < text.index(answer.reply.disclaimer[:20])
    picked = console.handle("1")
    assert picked.answer is not None
    assert picked.answer.topic_id == screen.choices[0].id


# ---- layout ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [40, 60, 80])
def test_paragraphs_are_wrapped_to_the_terminal_width(console: Console, width: int) -> None:
    text = render(console.handle(SLEEP), width=width)
    too_long = [line for line in text.splitlines() if len(line) > width and " " in line.strip()]
    assert too_long == []
    assert len(text.splitlines()) > 10


def test_links_are_never_split(console: Console) -> None:
    text = render(console.handle(SLEEP), width=40)
    for line in text.splitlines():
        if "(http" in line:
            assert re.search(r"\(https?://\S+\)", line), line


def test_bold_is_bold_on_a_terminal_and_never_shown_as_stars(console: Console) -> None:
    screen = console.handle(SLEEP)
    assert "**" not in render(screen)
    assert BOLD_ON in render(screen, ansi=True)
    assert "\x1b" not in render(screen, ansi=False)


def test_a_red_flag_message_opens_with_the_emergency_prompt(
    console: Console, real_pack: ContentPack
) -> None:
    text = plain(console.handle("her lips look kind of dusky and shes jerking"))
    assert text.startswith("🚨")


# ---- the loop, without a terminal ------------------------------------------------------------


def test_the_loop_answers_each_line_and_stops_at_quit(library: ContentLibrary) -> None:
    out = io.StringIO()
    run_console(library, io.StringIO(f"{SLEEP}\n1\n/quit\nnever read\n"), out)
    text = out.getvalue()
    assert "Console mode" in text
    assert text.count("not a diagnosis") == 2  # two answers, then /quit


def test_the_loop_stops_at_end_of_input(library: ContentLibrary) -> None:
    out = io.StringIO()
    run_console(library, io.StringIO("/help\n"), out)
    assert "/topics" in out.getvalue()


# ---- the real console in a pseudo-terminal, as a person types --------------------------------

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


def _take_terminal() -> None:
    import fcntl
    import signal
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    # A test runner started in the background inherits SIGINT ignored, and Python keeps an
    # ignored SIGINT ignored; a person's shell gives the program the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """`python bot.py` (no token: the console) on a pseudo-terminal; waits are for output,
    with a deadline, never fixed sleeps."""

    def __init__(self, tmp_path: Path) -> None:
        import pty

        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        env |= {"TERM": "xterm", "COLUMNS": "80", "LINES": "40", "HOME": str(tmp_path)}
        env |= {"PYTHONIOENCODING": "utf-8", "INPUTRC": "/dev/null"}
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "bot.py"],
            cwd=REPO,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            # A session of its own with the pty as its controlling terminal, as a shell
            # gives a program: then Ctrl-C is a SIGINT from the terminal, not a character.
            start_new_session=True,
            preexec_fn=_take_terminal,
        )
        os.close(slave)
        self.seen = ""

    def read_until(self, pattern: str, timeout: float = 20.0) -> str:
        """Everything shown until `pattern` appears (ANSI codes removed); raises on timeout."""
        deadline = time.monotonic() + timeout
        start = len(self.seen)
        while pattern not in self.seen[start:]:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"waited for {pattern!r}; screen:\n{self.seen[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"exited waiting for {pattern!r}:\n{self.seen[-2000:]}")
                self.seen += ANSI.sub("", chunk.decode("utf-8", "replace"))
        return self.seen[start:]

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait_at_prompt(self, timeout: float = 20.0) -> None:
        """Until the console sleeps in readline's wait for a key (Linux /proc).

        Ctrl-C typed in the microseconds between the prompt being drawn and readline waiting
        is only noticed at the next key (a CPython race no person can hit); a test types
        faster than any person, so it waits for the console to be really waiting."""
        deadline = time.monotonic() + timeout
        proc = Path(f"/proc/{self.process.pid}")
        while time.monotonic() < deadline:
            try:
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
                wchan = (proc / "wchan").read_text()
            except OSError:
                return
            if state == "S" and ("poll" in wchan or "select" in wchan):
                return
            select.select([], [], [], 0.01)
        raise AssertionError("the console never waited for input")

    def exit_code(self, timeout: float = 20.0) -> int:
        code = self.process.wait(timeout)
        try:  # what was written before exiting
            while select.select([self.master], [], [], 0.5)[0]:
                chunk = os.read(self.master, 65536)
                if not chunk:
                    break
                self.seen += ANSI.sub("", chunk.decode("utf-8", "replace"))
        except OSError:
            pass
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        os.close(self.master)


@pytest.fixture
def terminal(tmp_path: Path) -> Terminal:
    term = Terminal(tmp_path)
    yield term  # type: ignore[misc]
    term.close()


def test_a_person_at_the_terminal_picks_edits_recalls_and_leaves_with_ctrl_c(
    terminal: Terminal, real_pack: ContentPack
) -> None:
    terminal.read_until("you> ")
    terminal.type("/Topics\r")
    listing = terminal.read_until("you> ")
    assert " 3. " in listing
    third = re.search(r"^\s+3\. (.+)$", listing, re.M)
    assert third is not None
    terminal.type("3\r")
    assert third.group(1).strip() in terminal.read_until("you> ")
    # Line editing: a typo fixed with backspace and the left arrow, as readline allows.
    terminal.type("wy does my baby twitch in her slep")
    terminal.type("\x1b[D" * 1 + "e")  # left once, insert the missing 'e' of "sleep"
    terminal.type("\x01" + "\x1b[C" + "h" + "\r")  # Ctrl-A, right once, the missing 'h'
    sleep = real_pack.topic("sleep-twitching")
    assert sleep is not None
    answer = terminal.read_until("you> ")
    assert sleep.title in answer
    # History: the up arrow brings back the last line, Enter sends it again.
    terminal.type("\x1b[A\r")
    assert sleep.title in terminal.read_until("you> ")
    terminal.wait_at_prompt()
    terminal.type("\x03")  # Ctrl-C
    assert terminal.exit_code() == 0
    assert "Traceback" not in terminal.seen
    assert "KeyboardInterrupt" not in terminal.seen


def test_ctrl_d_at_the_prompt_leaves_cleanly(terminal: Terminal) -> None:
    terminal.read_until("you> ")
    terminal.wait_at_prompt()
    terminal.type("\x04")  # Ctrl-D on an empty line: end of input
    assert terminal.exit_code() == 0
    assert "Traceback" not in terminal.seen


# --- the warning-signs check ------------------------------------------------------------------

EPISODE = "my baby jerked his arms a few times while falling asleep"


def test_an_episode_answer_offers_the_check(console: Console, real_pack: ContentPack) -> None:
    screen = console.handle(EPISODE)
    assert "/check" in screen.text
    assert real_pack.text("check_button") in screen.text
    assert "/check" not in console.handle("what is myoclonus").text


def test_the_check_is_answered_with_numbers_and_a_yes_gives_the_prompt(
    console: Console, real_pack: ContentPack
) -> None:
    first = console.handle("/check")
    assert real_pack.text("check_intro") in first.text
    assert "1 = Yes, 2 = No" in first.text
    second = console.handle("2")
    assert real_pack.text("check_long") in second.text
    ended = console.handle("1")  # yes: a fit going on for more than 5 minutes
    assert ended.text.startswith(real_pack.text("emergency_prompt"))
    assert real_pack.text("emergency_action_seizure") in ended.text
    # The check is over: a number picks from the answer's related topics again.
    assert console.handle("1").answer is not None


def test_all_no_in_the_console_ends_with_the_summary(
    console: Console, real_pack: ContentPack
) -> None:
    console.handle("/check")
    screen = Screen()
    for _ in range(5):
        screen = console.handle("2")
    assert screen.text == real_pack.text("check_all_clear")


def test_anything_else_leaves_the_check(console: Console) -> None:
    console.handle("/check")
    screen = console.handle("what is myoclonus")
    assert screen.answer is not None
    assert screen.answer.topic_id == "what-is-myoclonus"

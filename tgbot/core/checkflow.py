""" "Check the warning signs": a short yes/no check, NHS 111 style, offered when a parent
describes an episode and no red flag was found in their words.

Each step asks about one red-flag concept of the rules (breathing or colour now, still
going after 5 minutes, coming in a series, with a fever, losing skills). A yes ends the check
with that concept's answer, prompt first, at the level the rules give it; all no ends with a
calm summary of when to come back, which still carries the emergency line. The state is the
step number alone, so a channel can keep it in a button.

Pure: no Telegram, no storage. It must never end a check without a prompt or a way back to
one, and never reassure: the summary says what to watch for, not that all is well.
"""

from __future__ import annotations

from dataclasses import dataclass

from tgbot.core.answers import Answer, answer_for_concept
from tgbot.core.content import ContentPack

__all__ = [
    "ALL_CLEAR",
    "STEPS",
    "CheckEnd",
    "CheckQuestion",
    "CheckStep",
    "check_question",
    "check_reply",
]


@dataclass(frozen=True, slots=True)
class CheckStep:
    """One question: its id (for statistics), its text key, and the concept a yes means."""

    id: str
    text_key: str
    concept: str


# Most urgent first: a yes to the first two is an emergency, so they are asked before
# anything that only needs a doctor today.
STEPS: tuple[CheckStep, ...] = (
    CheckStep("breathing", "check_breathing", "not-breathing"),
    CheckStep("long", "check_long", "long-seizure"),
    CheckStep("series", "check_series", "infantile-spasms"),
    CheckStep("fever", "check_fever", "fever"),
    CheckStep("skills", "check_skills", "regression"),
)
ALL_CLEAR = "all-clear"  # how a check that got no yes ends, for statistics


@dataclass(frozen=True, slots=True)
class CheckQuestion:
    """A question to show: its step, the text (intro on the first one) and the labels."""

    step: int
    text: str
    yes_label: str
    no_label: str


@dataclass(frozen=True, slots=True)
class CheckEnd:
    """How the check ended: the step that got a yes (or ALL_CLEAR), the answer to send for a
    yes (prompt first), and the closing text of the check itself."""

    ended_at: str
    answer: Answer | None
    text: str


def check_question(step: int, pack: ContentPack) -> CheckQuestion:
    """The question of step `step` (0 is the first, with the intro)."""
    if not 0 <= step < len(STEPS):
        raise ValueError(f"no check step {step}")
    progress = pack.text("check_progress", step=str(step + 1), total=str(len(STEPS)))
    text = f"{progress}\n{pack.text(STEPS[step].text_key)}"
    if step == 0:
        text = f"{pack.text('check_intro')}\n\n{text}"
    return CheckQuestion(step, text, pack.text("check_yes"), pack.text("check_no"))


def check_reply(step: int, yes: bool, pack: ContentPack) -> CheckQuestion | CheckEnd:
    """The parent answered step `step`: the next question, or how the check ends."""
    if not 0 <= step < len(STEPS):
        raise ValueError(f"no check step {step}")
    current = STEPS[step]
    if yes:
        answer = answer_for_concept(current.concept, pack)
        return CheckEnd(current.id, answer, pack.text(current.text_key))
    if step + 1 < len(STEPS):
        return check_question(step + 1, pack)
    return CheckEnd(ALL_CLEAR, None, pack.text("check_all_clear"))

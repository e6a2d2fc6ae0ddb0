"""No reply path drops or changes what the core found: sealed blind red-flag sentences (every
concept and language), set in random surrounding text with case, punctuation and typo
noise, get the same prompt on every path: private text, /ask, a group mention, inline mode,
an edited message and the console, through the real Application and the offline Bot API.

Whether the core finds each sentence's flag is the sealed acceptance test's question
(tests/core/test_redflag_corpus.py); this one is about the paths, so its expected prompt is
the core's answer for the same noisy text. Texts never appear in failure output beyond the
case's id.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness
from tgfakes import BOT_USERNAME, group_chat, inline_update
from tgfakes import message_update as update_for

from tgbot.channels.console import Console
from tgbot.channels.telegram.render import render_text
from tgbot.core.answers import answer_for
from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentLibrary, load_content
from tgbot.core.markup import to_plain
from tgbot.core.model import Level

SEALED = Path(__file__).resolve().parents[2] / "redflag_corpus" / "sealed.jsonl"
PER_LANGUAGE = 4  # sentences drawn per language: 12 languages plus mixed, bounded in time
SURROUNDINGS = [
    "sorry for the long message.",
    "hi all, quick one.",
    "we are at home now, it's 3am.",
    "thanks in advance!!",
    "(first baby, 4 months)",
    "ok so",
    "😟😟",
    "please answer fast",
]
JsonDict = dict[str, Any]


def _noisy(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 25)):  # case noise
        i = rng.randrange(len(chars))
        chars[i] = chars[i].swapcase()
    words = "".join(chars).split(" ")
    if len(words) > 3:  # one typo: two neighbouring letters swapped inside a long word
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4:
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    noisy = " ".join(words)
    punctuation = rng.choice(["", "!!", "...", "?", " ,", " -"])
    before, after = rng.sample(SURROUNDINGS, 2)
    return f"{before} {noisy}{punctuation} {after}"


def _cases() -> list[tuple[str, str]]:
    rng = random.Random(20261203)
    by_lang: dict[str, list[JsonDict]] = {}
    for line in SEALED.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["level"] is not None:
            by_lang.setdefault(case["lang"].split(":")[0], []).append(case)
    picked: list[tuple[str, str]] = []
    for lang in sorted(by_lang):
        for case in rng.sample(by_lang[lang], min(PER_LANGUAGE, len(by_lang[lang]))):
            picked.append((case["id"], _noisy(case["text"], rng)))
    return picked


CASES = _cases()


@pytest.fixture(scope="module")
def library() -> ContentLibrary:
    return load_content(DEFAULT_CONTENT_DIR)


def _prompt_of(text: str, library: ContentLibrary) -> Level | None:
    """Which prompt a reply shows (Telegram HTML or console text), by the prompts' words in
    any pack's language."""
    plain = " ".join(to_plain(text).split())

    def said(key: str) -> bool:
        for pack in library.packs.values():
            prompt = " ".join(to_plain(render_text(pack.text(key))).split())
            if prompt[:80] in plain:
                return True
        return False

    if said("emergency_prompt"):
        return Level.EMERGENCY
    if said("doctor_prompt"):
        return Level.URGENT
    return None


def test_the_sample_covers_every_language_of_the_sealed_corpus() -> None:
    langs = {case_id.split("-")[0] for case_id, _ in CASES}
    assert len(CASES) >= 12 * PER_LANGUAGE - 4, langs


async def test_every_path_shows_the_prompt_the_core_found(
    real_harness: Harness, library: ContentLibrary
) -> None:
    h = real_harness
    wrong: list[tuple[str, str, Level | None, Level | None]] = []
    for n, (case_id, text) in enumerate(CASES):
        expected = answer_for(text, library.pack_for_message(text, "en")).level
        user = {"id": 7_000_000 + n, "is_bot": False, "first_name": "P", "language_code": "en"}

        async def reply_to(update: JsonDict) -> str:
            h.api.clear()
            await h.send(update)
            return "\n".join(call.text for call in h.api.sent)

        paths: dict[str, str] = {}
        paths["private"] = await reply_to(update_for(text, user=user))
        # A fresh user per path: the red-flag flood budget (one full answer, one reminder)
        # is per user, and is tested elsewhere.
        user2 = dict(user, id=user["id"] + 100_000)
        paths["ask"] = await reply_to(update_for("/ask " + text, user=user2))
        user3 = dict(user, id=user["id"] + 200_000)
        paths["group"] = await reply_to(
            # a group of its own: Telegram's per-group pace would otherwise set the test's
            update_for(f"@{BOT_USERNAME} {text}", user=user3, chat=group_chat(-1_002_000_000 - n))
        )
        user4 = dict(user, id=user["id"] + 300_000)
        original = update_for("hello there", user=user4)
        await h.send(original)
        edited = dict(original["message"], text=text, edit_date=original["message"]["date"] + 5)
        edited.pop("entities", None)
        paths["edited"] = await reply_to(
            {"update_id": original["update_id"] + 5_000_000, "edited_message": edited}
        )
        h.api.clear()
        await h.send(inline_update(text[:256], user=dict(user, id=user["id"] + 400_000)))
        [call] = h.api.called("answerInlineQuery")
        results = call.params["results"]
        results = json.loads(results) if isinstance(results, str) else results
        paths["inline"] = results[0]["input_message_content"]["message_text"] if results else ""
        paths["console"] = Console(library).handle(text).text
        for path, reply in paths.items():
            want = expected
            if path == "inline":
                want = answer_for(text[:256], library.pack_for_message(text[:256], "en")).level
            if path == "edited" and want is None:
                assert reply == "", case_id  # a harmless edit stays unanswered
                continue
            got = _prompt_of(reply, library)
            if got is not want:
                wrong.append((case_id, path, want, got))
    assert wrong == []

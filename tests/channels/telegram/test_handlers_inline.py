"""Inline mode: up to five articles, the prompt first for a red-flag query, statistics only for
the result actually sent."""

from __future__ import annotations

from typing import Any

from conftest import Harness
from tgfakes import BOT_USERNAME, chosen_update, inline_update

from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentPack
from tgbot.stats.events import AskPath, Channel

QUESTION = "Why does my baby twitch in her sleep?"


def results(harness: Harness) -> list[dict[str, Any]]:
    [call] = harness.api.called("answerInlineQuery")
    raw = call.params["results"]
    return [r if isinstance(r, dict) else dict(r) for r in raw]


async def test_inline_query_returns_matching_articles(harness: Harness) -> None:
    await harness.send(inline_update(QUESTION))
    found = results(harness)
    assert 1 <= len(found) <= 5
    assert found[0]["type"] == "article"
    assert found[0]["id"] == "a:sleep-twitching"
    assert found[0]["input_message_content"]["parse_mode"] == "HTML"


async def test_inline_answers_are_personal_and_briefly_cached(harness: Harness) -> None:
    await harness.send(inline_update(QUESTION))
    [call] = harness.api.called("answerInlineQuery")
    assert call.params["is_personal"] is True
    assert call.params["cache_time"] <= 30


async def test_inline_article_offers_to_continue_in_private(harness: Harness) -> None:
    await harness.send(inline_update(QUESTION))
    buttons = [b for row in results(harness)[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0]["url"] == f"https://t.me/{BOT_USERNAME}?start=sleep-twitching"


async def test_red_flag_query_puts_the_prompt_first(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    await harness.send(inline_update(emergency_text))
    first, *others = results(harness)
    assert first["id"] == "p:emergency"
    assert first["input_message_content"]["message_text"].startswith(
        "<b>" + render_text(pack.text("emergency_prompt"))
    )
    prompt = render_text(pack.text("emergency_prompt"))
    assert others
    assert all(prompt in r["input_message_content"]["message_text"] for r in others)


async def test_empty_query_offers_a_private_chat(harness: Harness, pack: ContentPack) -> None:
    await harness.send(inline_update("   "))
    [call] = harness.api.called("answerInlineQuery")
    assert call.params["results"] == []
    assert call.params["button"]["text"] == pack.text("inline_button")


async def test_unmatched_query_gets_the_fallback_article(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(inline_update("Где купить велосипед"))
    [article] = results(harness)
    assert article["id"] == "x:fallback"
    assert article["title"] == pack.text("inline_no_match_title")


async def test_inline_queries_record_no_statistics(harness: Harness) -> None:
    await harness.send(inline_update(QUESTION))
    assert harness.stats.answers == []


async def test_chosen_result_is_counted_once_and_gets_feedback_buttons(harness: Harness) -> None:
    await harness.send(chosen_update("a:sleep-twitching", QUESTION))
    [recorded] = harness.stats.answers
    assert (recorded.channel, recorded.path) == (Channel.INLINE, AskPath.INLINE)
    assert recorded.answer.topic_id == "sleep-twitching"
    [edit] = harness.api.called("editMessageReplyMarkup")
    datas = [b.get("callback_data") for b in edit.buttons()]
    assert f"f:{recorded.event_id}:1" in datas


async def test_chosen_prompt_result_records_the_red_flag(
    harness: Harness, emergency_text: str
) -> None:
    await harness.send(chosen_update("p:emergency", emergency_text))
    assert harness.stats.answers[0].answer.level is not None


async def test_forged_chosen_result_is_ignored(harness: Harness) -> None:
    await harness.send(chosen_update("a:no-such-topic", QUESTION))
    await harness.send(chosen_update("zzz", QUESTION))
    assert harness.stats.answers == []
    assert harness.api.calls == []

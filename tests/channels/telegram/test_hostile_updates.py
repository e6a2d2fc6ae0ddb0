"""Hostile updates through Application.process_update, with the real handlers, rate limiter and
error handler and the offline Bot API of tgfakes.

Each update gets a calm reply or deliberate silence and never an exception (the harness fails
a test on any handler error) or an ERROR log line. Every message sent is HTML Telegram accepts,
every button is valid, and a red flag wrapped in noise still brings the emergency prompt first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Harness
from fakebotapi import parse_html
from hostile_inputs import (
    EMERGENCY_PHRASE,
    assert_telegram_html,
    hostile_update_texts,
    noisy_wrappings,
)
from tgfakes import (
    BOT_USERNAME,
    OTHER_BOT,
    PRIVATE_USER,
    ApiCall,
    bot_message,
    callback_update,
    chosen_update,
    group_chat,
    inline_update,
    message_update,
    private_chat,
)

from tgbot.core.content import ContentPack
from tgbot.core.model import Level

JsonDict = dict[str, Any]

ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
CHANNEL = {"id": -1009876543210, "type": "channel", "title": "Baby news"}
OTHER_USER = {"id": 5550002, "is_bot": False, "first_name": "Zoë", "language_code": "xx-evil"}
NO_LANGUAGE_USER = {"id": 5550003, "is_bot": False, "first_name": "N"}

QUESTION = "Why does my baby twitch in her sleep?"


@pytest.fixture(autouse=True)
def no_error_lines(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Hostile input is expected: it must never produce an ERROR (or worse) log line."""
    caplog.set_level(logging.INFO)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()}" for r in errors]


def check_calls(calls: list[ApiCall]) -> None:
    """Every request the bot made is one Telegram would accept."""
    for call in calls:
        if call.method in ("sendMessage", "editMessageText"):
            assert call.params.get("parse_mode") == "HTML"
            assert_telegram_html(call.text)
        for button in call.buttons():
            check_button(button)
        if call.method == "answerInlineQuery":
            results = call.params["results"]
            results = json.loads(results) if isinstance(results, str) else results
            assert len(results) <= 50
            for result in results:
                assert len(result["id"].encode()) <= 64
                assert_telegram_html(result["input_message_content"]["message_text"])
                for row in (result.get("reply_markup") or {}).get("inline_keyboard", []):
                    for button in row:
                        check_button(button)
        if call.method == "answerCallbackQuery":
            assert len(str(call.params.get("text") or "")) <= 200


def check_button(button: JsonDict) -> None:
    assert 0 < len(button["text"]) <= 64
    if "callback_data" in button:
        assert 1 <= len(button["callback_data"].encode()) < 64
    elif "switch_inline_query_chosen_chat" in button:
        chosen = button["switch_inline_query_chosen_chat"]
        assert len(chosen["query"]) <= 256  # Telegram's limit on an inline query
        assert chosen.get("allow_user_chats") or chosen.get("allow_group_chats")
    else:
        assert button["url"].startswith(f"https://t.me/{BOT_USERNAME}")


def sent(harness: Harness) -> list[ApiCall]:
    return harness.api.sent


async def deliver(harness: Harness, update: JsonDict) -> list[ApiCall]:
    """Send the update, check every call it caused, return the messages sent."""
    harness.api.clear()
    await harness.send(update)
    check_calls(harness.api.calls)
    return sent(harness)


def in_group(text: str | None, *, user: JsonDict | None = PRIVATE_USER, **extra: Any) -> JsonDict:
    return message_update(text, user=user, chat=group_chat(), **extra)


# --- Text of every kind, in a private chat and addressed to the bot in a group ------------------

UPDATE_TEXTS = hostile_update_texts()


@pytest.mark.parametrize("name", sorted(UPDATE_TEXTS))
async def test_hostile_text_in_a_private_chat_gets_one_calm_reply(
    harness: Harness, name: str
) -> None:
    text = UPDATE_TEXTS[name]
    messages = await deliver(harness, message_update(text, entities=False))
    assert messages, "a private message always gets an answer"
    assert len(harness.stats.answers) <= 1


@pytest.mark.parametrize("name", sorted(UPDATE_TEXTS))
async def test_hostile_text_addressed_to_the_bot_in_a_group_is_answered_as_a_reply(
    harness: Harness, name: str
) -> None:
    text = f"@{BOT_USERNAME} {UPDATE_TEXTS[name]}"[:4096]
    update = in_group(text)
    messages = await deliver(harness, update)
    assert messages
    reply = messages[0].params["reply_parameters"]
    reply = json.loads(reply) if isinstance(reply, str) else reply
    assert reply["message_id"] == update["message"]["message_id"]


@pytest.mark.parametrize("name", sorted(UPDATE_TEXTS))
async def test_hostile_group_chatter_is_ignored_unless_it_is_an_emergency(
    harness: Harness, name: str
) -> None:
    text = UPDATE_TEXTS[name]
    messages = await deliver(harness, in_group(text, entities=False))
    if f"@{BOT_USERNAME}".lower() in text.lower():
        assert messages  # it does address the bot
    elif messages:
        assert harness.stats.answers
        assert harness.stats.answers[0].answer.level is Level.EMERGENCY


@pytest.mark.parametrize("name", sorted(UPDATE_TEXTS))
async def test_hostile_text_after_ask_is_answered(harness: Harness, name: str) -> None:
    assert await deliver(harness, message_update(f"/ask {UPDATE_TEXTS[name]}"[:4096]))


@pytest.mark.parametrize("name", sorted(UPDATE_TEXTS))
async def test_hostile_inline_query_is_answered_with_valid_articles(
    harness: Harness, name: str
) -> None:
    await deliver(harness, inline_update(UPDATE_TEXTS[name][:256]))
    assert len(harness.api.called("answerInlineQuery")) == 1
    assert harness.stats.answers == []  # counted when chosen, not per keystroke


# --- The red-flag invariant under noise ---------------------------------------------------------


@pytest.mark.parametrize("wrapping", [name for name, _ in noisy_wrappings("x")])
async def test_an_emergency_in_noise_gets_the_emergency_prompt_first(
    harness: Harness, pack: ContentPack, wrapping: str
) -> None:
    text = dict(noisy_wrappings(EMERGENCY_PHRASE))[wrapping]
    prompt = parse_html(f"<b>{pack.text('emergency_prompt')}</b>").text[:60]
    # Three parents: one parent's repeat within a minute gets the short reminder instead.
    parents = [{**PRIVATE_USER, "id": PRIVATE_USER["id"] + i} for i in range(3)]
    for update in (
        message_update(text, entities=False, user=parents[0]),
        # Not addressed to the bot: it speaks up anyway.
        in_group(text, entities=False, user=parents[1]),
        message_update(f"/ask {text}", user=parents[2]),
    ):
        messages = await deliver(harness, update)
        assert messages, wrapping
        assert parse_html(messages[0].text).text.startswith(prompt), messages[0].text[:200]
    await deliver(harness, inline_update(text[:256]))
    if wrapping not in ("long-prefix", "long-suffix", "all-emoji"):  # cut at 256 characters
        [call] = harness.api.called("answerInlineQuery")
        results = call.params["results"]
        results = json.loads(results) if isinstance(results, str) else results
        assert results[0]["id"] == "p:emergency"


# --- Media, forwards, channels, anonymous admins, bots, edits -----------------------------------

PHOTO = [{"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 90}]
STICKER = {
    "file_id": "CAAD1",
    "file_unique_id": "u2",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "type": "regular",
    "emoji": "\U0001f476",
}
VOICE = {"file_id": "AwAD1", "file_unique_id": "u3", "duration": 4, "mime_type": "audio/ogg"}
DOCUMENT = {"file_id": "BQAD1", "file_unique_id": "u4", "file_name": "../../etc/passwd<b>.pdf"}
VIDEO_NOTE = {"file_id": "DQAD1", "file_unique_id": "u5", "length": 240, "duration": 3}
MEDIA: dict[str, JsonDict] = {
    "photo": {"photo": PHOTO},
    "sticker": {"sticker": STICKER},
    "voice": {"voice": VOICE},
    "document": {"document": DOCUMENT},
    "video_note": {"video_note": VIDEO_NOTE},
    "contact": {"contact": {"phone_number": "+44 20 7946 0958", "first_name": "Dr"}},
    "location": {"location": {"latitude": 51.5, "longitude": -0.12}},
    "dice": {"dice": {"emoji": "\U0001f3b2", "value": 6}},
    "poll": {
        "poll": {
            "id": "1",
            "question": "?",
            "options": [
                {"persistent_id": "0", "text": "a", "voter_count": 0},
                {"persistent_id": "1", "text": "b", "voter_count": 0},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
}
CAPTIONS = {
    "none": None,
    "question": QUESTION,
    "hostile": "<b>&</a> *_[ {0} %s \x00 \u202e" + "\U0001f62d" * 10,
    "emergency": EMERGENCY_PHRASE,
    "long": "w" * 1024,
}


@pytest.mark.parametrize("caption", sorted(CAPTIONS))
@pytest.mark.parametrize("kind", sorted(MEDIA))
async def test_media_in_a_private_chat_gets_a_calm_reply(
    harness: Harness, kind: str, caption: str
) -> None:
    extra = dict(MEDIA[kind])
    if CAPTIONS[caption] is not None and kind not in ("sticker", "contact", "location", "dice"):
        extra["caption"] = CAPTIONS[caption]
    messages = await deliver(harness, message_update(None, **extra))
    assert len(messages) >= 1  # an answer to the caption, or a calm "please write" note


@pytest.mark.parametrize("caption", sorted(CAPTIONS))
@pytest.mark.parametrize("kind", ["photo", "document", "voice", "sticker"])
async def test_media_in_a_group_is_answered_only_when_addressed_or_an_emergency(
    harness: Harness, kind: str, caption: str
) -> None:
    extra = dict(MEDIA[kind])
    text = CAPTIONS[caption]
    if text is not None and kind != "sticker":
        extra["caption"] = text
    messages = await deliver(harness, in_group(None, **extra))
    expected = kind != "sticker" and caption == "emergency"
    assert bool(messages) is expected
    if text is not None and kind != "sticker":
        extra["caption"] = f"@{BOT_USERNAME} {text}"
        extra["caption_entities"] = [
            {"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}
        ]
        assert await deliver(harness, in_group(None, **extra))


FORWARD_ORIGINS: dict[str, JsonDict] = {
    "user": {"type": "user", "date": 1, "sender_user": OTHER_USER},
    "hidden-user": {"type": "hidden_user", "date": 1, "sender_user_name": "<b>Someone</b>"},
    "chat": {"type": "chat", "date": 1, "sender_chat": group_chat()},
    "channel": {"type": "channel", "date": 1, "chat": CHANNEL, "message_id": 5},
    "bot": {
        "type": "user",
        "date": 1,
        "sender_user": {"id": 123456789, "is_bot": True, "first_name": "Parents Helper"},
    },
}


@pytest.mark.parametrize("origin", sorted(FORWARD_ORIGINS))
async def test_a_forwarded_message_is_a_question_like_any_other(
    harness: Harness, origin: str
) -> None:
    update = message_update(QUESTION, forward_origin=FORWARD_ORIGINS[origin])
    assert await deliver(harness, update)
    assert len(harness.stats.answers) == 1


async def test_channel_posts_and_edits_are_deliberately_ignored(harness: Harness) -> None:
    post = message_update(
        QUESTION, user=None, chat=CHANNEL, kind="channel_post", sender_chat=CHANNEL
    )
    assert await deliver(harness, post) == []
    edited_post = message_update(
        EMERGENCY_PHRASE, user=None, chat=CHANNEL, kind="edited_channel_post", edit_date=2
    )
    assert await deliver(harness, edited_post) == []
    # A "message" in a channel chat (a forged update) is stopped at the gate as well.
    assert await deliver(harness, message_update(QUESTION, user=None, chat=CHANNEL)) == []
    assert harness.api.calls == []
    assert harness.stats.answers == []


@pytest.mark.parametrize("text", [QUESTION, "/ask " + QUESTION, "/stats", ""])
async def test_edits_without_a_red_flag_are_deliberately_ignored(
    harness: Harness, text: str
) -> None:
    for chat in (private_chat(PRIVATE_USER), group_chat()):
        update = message_update(text, chat=chat, kind="edited_message", edit_date=2)
        assert await deliver(harness, update) == []
    assert harness.stats.answers == []


async def test_an_edit_into_an_emergency_gets_the_prompt_in_private_and_group(
    harness: Harness,
) -> None:
    # The safety-net issue: an edit that adds a red flag is answered, as a reply to it.
    for chat in (private_chat(PRIVATE_USER), group_chat()):
        update = message_update(EMERGENCY_PHRASE, chat=chat, kind="edited_message", edit_date=2)
        [reply] = await deliver(harness, update)
        assert (
            reply.params["reply_parameters"]["message_id"] == update["edited_message"]["message_id"]
        )


@pytest.mark.parametrize(
    ("sender", "sender_chat"),
    [
        (ANONYMOUS_ADMIN, group_chat()),
        (None, group_chat()),  # no from_user at all
        (CHANNEL_BOT, CHANNEL),  # a member writing as their channel
        (None, CHANNEL),
    ],
    ids=["anonymous-admin", "no-from", "as-channel", "as-channel-no-from"],
)
async def test_messages_without_a_person_behind_them_are_handled(
    harness: Harness, sender: JsonDict | None, sender_chat: JsonDict
) -> None:
    addressed = in_group(f"@{BOT_USERNAME} {QUESTION}", user=sender, sender_chat=sender_chat)
    assert await deliver(harness, addressed)
    assert harness.stats.answers[-1].user_id is None  # nobody to count as an asker
    assert await deliver(harness, in_group(QUESTION, user=sender, sender_chat=sender_chat)) == []
    assert await deliver(
        harness,
        in_group(f"/ask@{BOT_USERNAME} {EMERGENCY_PHRASE}", user=sender, sender_chat=sender_chat),
    )
    await deliver(
        harness, in_group(f"/autoanswer@{BOT_USERNAME} on", user=sender, sender_chat=sender_chat)
    )
    await deliver(harness, in_group("/stats", user=sender, sender_chat=sender_chat))


async def test_a_private_message_without_a_sender_is_answered_without_an_asker(
    harness: Harness,
) -> None:
    assert await deliver(
        harness, message_update(QUESTION, user=None, chat=private_chat(PRIVATE_USER))
    )
    assert harness.stats.answers[0].user_id is None


@pytest.mark.parametrize(
    "user", [OTHER_USER, NO_LANGUAGE_USER], ids=["odd-language", "no-language"]
)
async def test_users_with_odd_or_no_language_get_the_default_content(
    harness: Harness, user: JsonDict
) -> None:
    assert await deliver(harness, message_update(QUESTION, user=user))


async def test_other_bots_in_a_group_are_never_answered(harness: Harness) -> None:
    # Telegram shows bots no messages of other bots; this guards the group handler anyway.
    robot = {"id": 999, "is_bot": True, "first_name": "Robot", "username": OTHER_BOT}
    for text in (f"@{BOT_USERNAME} {QUESTION}", EMERGENCY_PHRASE):
        assert await deliver(harness, in_group(text, user=robot)) == []


async def test_entities_that_lie_about_their_offsets_are_survived(harness: Harness) -> None:
    update = in_group(QUESTION, entities=False)
    update["message"]["entities"] = [
        {"type": "mention", "offset": 1000, "length": 50},
        {"type": "mention", "offset": 3, "length": 10_000},
        {"type": "bot_command", "offset": 0, "length": 0},
        {"type": "text_mention", "offset": 0, "length": 3, "user": OTHER_USER},
    ]
    await deliver(harness, update)
    private = message_update("/ask", entities=False)
    private["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 99}]
    assert await deliver(harness, private)


# --- Commands -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"/ask@{OTHER_BOT} {QUESTION}",
        f"/start@{OTHER_BOT}",
        f"/topics@{OTHER_BOT}",
        f"/stats@{OTHER_BOT}",
        f"/help@{OTHER_BOT}_",
        "/nosuchcommand",
        "/ask@",
        "/" + "a" * 40,
    ],
)
async def test_commands_for_other_bots_are_ignored_in_groups(harness: Harness, text: str) -> None:
    assert await deliver(harness, in_group(text)) == []
    assert harness.stats.answers == []


@pytest.mark.parametrize(
    "text",
    [
        f"/ask@{OTHER_BOT} {QUESTION}",
        "/nosuchcommand <b>&",
        "/" + "a" * 64,
        "/ask",
        f"/ask@{BOT_USERNAME}",
        "/ask " + " " * 100,
        "/ASK " + QUESTION,
        "/start@" + BOT_USERNAME,
        "/",
        "//",
        "/\u202estart",
        "/start\x00",
    ],
)
async def test_odd_commands_in_a_private_chat_get_a_calm_reply(harness: Harness, text: str) -> None:
    assert await deliver(harness, message_update(text))


START_PAYLOADS = [
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "<script>alert(1)</script>",
    "a" * 200,
    "инфантильные-спазмы",
    "sleep-twitching\u200b",
    "sleep-twitching\x00",
    "sleep-twitching extra words",
    "SLEEP-TWITCHING",
    "{0}%s{emergency_number}",
    "\U0001f476" * 30,
    "t:sleep-twitching",
    "",
]


@pytest.mark.parametrize("payload", START_PAYLOADS)
async def test_start_with_a_malicious_payload_gets_the_plain_welcome(
    harness: Harness, pack: ContentPack, payload: str
) -> None:
    [welcome] = await deliver(harness, message_update(f"/start {payload}"))
    assert parse_html(welcome.text).text.startswith(pack.text("welcome")[:30])
    assert harness.stats.answers == []


async def test_start_with_an_exact_topic_id_opens_it(harness: Harness) -> None:
    messages = await deliver(harness, message_update("/start sleep-twitching"))
    assert "Why babies twitch in their sleep" in messages[0].text


# --- Buttons ------------------------------------------------------------------------------------

FORGED_DATA = [
    "",
    "\x00",
    bytes(range(1, 64)).decode("latin-1"),
    bytes(range(128, 256)).decode("latin-1")[:63],
    "t:",
    "t:../../etc/passwd",
    "t:/etc/passwd",
    "t:SLEEP-TWITCHING",
    "t:no-such-topic",
    "t:sleep-twitching\n",
    " t:sleep-twitching",
    "t:sleep-twitching:1",
    "t:" + "a" * 70,
    "t:" + "a" * 61,
    "t:\U0001f476",
    "f:",
    "f:zzzzzzzzzzzz:1",
    "f:0123456789ab:1",  # the right shape, but no such answer (stale or forged)
    "f:0123456789ab:2",
    "f:0123456789ab:1:1",
    "f:" + "a" * 40 + ":1",
    "x:sleep-twitching",
    "<b>&amp;</a>",
    "{0}%s",
    "\U0001f476" * 16,
    "t:sleep-twitching" + " " * 60,
]


@pytest.mark.parametrize("data", FORGED_DATA)
@pytest.mark.parametrize("where", ["private", "group", "inline"])
async def test_forged_callback_data_gets_one_polite_answer(
    harness: Harness, pack: ContentPack, data: str, where: str
) -> None:
    message = None
    if where != "inline":
        chat = private_chat(PRIVATE_USER) if where == "private" else group_chat()
        message = bot_message(
            chat, markup={"inline_keyboard": [[{"text": "x", "callback_data": "t:x"}]]}
        )
    messages = await deliver(harness, callback_update(data, message=message))
    [ack] = harness.api.called("answerCallbackQuery")
    assert messages == []
    assert ack.params.get("text") in (
        pack.text("unknown_callback"),
        pack.text("feedback_unknown"),
        pack.text("open_in_private"),
    )


async def test_a_callback_without_data_is_answered_politely(harness: Harness) -> None:
    update = callback_update("t:sleep-twitching", message=bot_message(private_chat(PRIVATE_USER)))
    del update["callback_query"]["data"]
    update["callback_query"]["game_short_name"] = "../../game"
    assert await deliver(harness, update) == []
    assert len(harness.api.called("answerCallbackQuery")) == 1


async def test_a_real_topic_button_still_works_next_to_the_forged_ones(harness: Harness) -> None:
    update = callback_update("t:sleep-twitching", message=bot_message(private_chat(PRIVATE_USER)))
    messages = await deliver(harness, update)
    assert "Why babies twitch in their sleep" in messages[0].text


@pytest.mark.parametrize(
    "result_id",
    [
        "a:../../etc",
        "a:" + "x" * 70,
        "a:NO-SUCH",
        "a:no-such-topic",
        "zzz",
        "",
        "p:",
        "a:\n",
    ],
)
async def test_forged_chosen_inline_results_are_ignored(harness: Harness, result_id: str) -> None:
    await deliver(harness, chosen_update(result_id, "<b>{0}</b>"))
    assert harness.stats.answers == []
    assert harness.api.called("editMessageReplyMarkup") == []

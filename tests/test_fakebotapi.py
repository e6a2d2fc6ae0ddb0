"""The fake Bot API server behaves like Telegram's, for httpx and for python-telegram-bot.

These tests pin the emulator itself, so that an end-to-end failure points at the bot, not at
the fake: envelopes and error wording, long polling, strict validation, the update builders,
and every fault of the fault plan as PTB experiences it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import telegram
from fakebotapi import (
    EntityParseError,
    FakeBotApi,
    FakeUser,
    Fault,
    FaultKind,
    FaultPlan,
    parse_html,
    text_entities,
)
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(bot_username="ParentsHelpBot") as server:
        yield server


@pytest.fixture
def client(api: FakeBotApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{api.port}", timeout=5, trust_env=False) as c:
        yield c


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    # Short timeouts so that a HANG fault costs a fraction of a second.
    request = HTTPXRequest(read_timeout=0.5, connect_timeout=2, write_timeout=2)
    instance = telegram.Bot(
        api.token, base_url=api.base_url, base_file_url=api.base_file_url, request=request
    )
    async with instance:
        yield instance


def api_path(api: FakeBotApi, method: str) -> str:
    return f"/bot{api.token}/{method}"


def raw_message(user: FakeUser, text: str, message_id: int = 1) -> dict[str, Any]:
    """A minimal private Message dict, for pushing by hand."""
    chat = {"id": user.id, "type": "private", "first_name": user.first_name}
    return {"message_id": message_id, "date": 0, "chat": chat, "from": user.to_dict(), "text": text}


# --------------------------------------------------------------------- HTTP envelope


def test_get_me_returns_the_bot_user_in_an_ok_envelope(
    api: FakeBotApi, client: httpx.Client
) -> None:
    body = client.post(api_path(api, "getMe")).json()
    assert body["ok"] is True
    assert body["result"]["username"] == "ParentsHelpBot"
    assert body["result"]["is_bot"] is True
    assert body["result"]["id"] == int(api.token.split(":")[0])


def test_method_names_are_case_insensitive_like_telegram(
    api: FakeBotApi, client: httpx.Client
) -> None:
    assert client.get(api_path(api, "GETME")).json()["ok"] is True


def test_wrong_token_gets_401_unauthorized(api: FakeBotApi, client: httpx.Client) -> None:
    response = client.post("/bot999:wrong-secret/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_malformed_token_gets_404_not_found(client: httpx.Client) -> None:
    assert client.post("/botnot-a-token/getMe").status_code == 404


def test_path_outside_the_api_gets_404(client: httpx.Client) -> None:
    assert client.get("/").status_code == 404


@pytest.mark.parametrize("encoding", ["json", "form", "query", "multipart"])
def test_parameters_are_read_from_every_encoding_telegram_accepts(
    api: FakeBotApi, client: httpx.Client, encoding: str
) -> None:
    parent = api.user("Anna")
    params: dict[str, Any] = {"chat_id": parent.id, "text": "hello"}
    path = api_path(api, "sendMessage")
    if encoding == "json":
        response = client.post(path, json=params)
    elif encoding == "form":
        response = client.post(path, data={k: str(v) for k, v in params.items()})
    elif encoding == "query":
        response = client.get(path, params=params)
    else:
        response = client.post(
            path,
            data={k: str(v) for k, v in params.items()},
            files={"unused": ("a.txt", b"x", "text/plain")},
        )
    assert response.json()["ok"] is True
    assert api.calls("sendMessage")[-1].params == params


def test_free_text_parameters_stay_strings_in_forms(api: FakeBotApi, client: httpx.Client) -> None:
    parent = api.user("Anna")
    client.post(api_path(api, "sendMessage"), data={"chat_id": str(parent.id), "text": "42"})
    assert api.calls("sendMessage")[-1].params["text"] == "42"


def test_unknown_method_is_recorded_and_answered_true(
    api: FakeBotApi, client: httpx.Client
) -> None:
    body = client.post(api_path(api, "setMyDescription"), data={"description": "x"}).json()
    assert body == {"ok": True, "result": True}
    assert api.calls("setMyDescription")[0].params == {"description": "x"}


def test_unreadable_json_body_gets_400(api: FakeBotApi, client: httpx.Client) -> None:
    response = client.post(
        api_path(api, "getMe"), content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


# --------------------------------------------------------------------- long polling


def test_get_updates_returns_as_soon_as_an_update_is_pushed(
    api: FakeBotApi, client: httpx.Client
) -> None:
    parent = api.user("Anna")
    threading.Timer(0.2, api.send_text, args=(parent, "hello")).start()
    started = time.monotonic()
    body = client.post(api_path(api, "getUpdates"), data={"timeout": "10"}).json()
    assert time.monotonic() - started < 2
    assert [u["message"]["text"] for u in body["result"]] == ["hello"]


def test_get_updates_waits_the_full_timeout_when_nothing_arrives(
    api: FakeBotApi, client: httpx.Client
) -> None:
    started = time.monotonic()
    body = client.post(api_path(api, "getUpdates"), data={"timeout": "1"}).json()
    assert body == {"ok": True, "result": []}
    assert time.monotonic() - started >= 0.95


def test_get_updates_offset_confirms_earlier_updates(api: FakeBotApi, client: httpx.Client) -> None:
    parent = api.user("Anna")
    first = api.push_update({"message": raw_message(parent, "one")})
    api.push_update({"message": raw_message(parent, "two")})
    path = api_path(api, "getUpdates")
    ids = [u["update_id"] for u in client.post(path, data={"timeout": "0"}).json()["result"]]
    assert ids[0] == first
    client.post(path, data={"offset": str(ids[-1] + 1), "timeout": "0"})
    assert api.is_consumed(ids[-1])
    assert api.pending_updates() == []


def test_a_newer_get_updates_ends_the_older_one_with_409_conflict(
    api: FakeBotApi,
) -> None:
    url = f"http://127.0.0.1:{api.port}{api_path(api, 'getUpdates')}"
    results: list[httpx.Response] = []
    older = threading.Thread(
        target=lambda: results.append(httpx.post(url, data={"timeout": "5"}, trust_env=False))
    )
    older.start()
    api.wait_for_call("getUpdates", done=False)
    newer = httpx.post(url, data={"timeout": "0"}, trust_env=False)
    older.join(5)
    assert newer.status_code == 200
    assert results[0].status_code == 409
    assert "terminated by other getUpdates request" in results[0].json()["description"]


def test_get_updates_is_refused_while_a_webhook_is_set(
    api: FakeBotApi, client: httpx.Client
) -> None:
    client.post(api_path(api, "setWebhook"), data={"url": "http://127.0.0.1:9/hook"})
    response = client.post(api_path(api, "getUpdates"))
    assert response.status_code == 409


def test_chat_member_updates_are_withheld_unless_allowed_updates_asks(
    api: FakeBotApi, client: httpx.Client
) -> None:
    group = api.group("Parents", bot_member=False)
    admin = api.user("Ada")
    api.add_bot_to_group(group, by=admin)
    path = api_path(api, "getUpdates")
    default = client.post(path, data={"timeout": "0"}).json()["result"]
    assert {k for u in default for k in u} == {"update_id", "my_chat_member", "message"}
    api.push_update({"chat_member": {"chat": group.to_dict()}})
    only_messages = client.post(
        path, data={"timeout": "0", "allowed_updates": json.dumps(["message"])}
    ).json()["result"]
    assert all("chat_member" not in u and "my_chat_member" not in u for u in only_messages)
    assert any("chat_member" in u for u in api.filtered_updates)


def test_privacy_mode_withholds_group_chatter_but_not_what_addresses_the_bot(
    api: FakeBotApi,
) -> None:
    parent = api.user("Anna")
    group = api.group("Parents")
    chatter = api.send_text(parent, "anyone slept last night?", chat=group)
    command = api.send_text(parent, "/ask@ParentsHelpBot jerks", chat=group)
    mention = api.send_text(parent, "hi @parentshelpbot", chat=group)
    photo = api.send_media(parent, "photo", chat=group)
    delivered = [u["message"]["message_id"] for u in api.pending_updates()]
    withheld = [u["message"]["message_id"] for u in api.withheld_updates]
    assert delivered == [command["message_id"], mention["message_id"]]
    assert withheld == [chatter["message_id"], photo["message_id"]]


def test_privacy_mode_lets_everything_through_to_an_admin_bot(api: FakeBotApi) -> None:
    group = api.group("Parents")
    api.set_member_status(group, api.bot, "administrator")
    api.send_text(api.user("Anna"), "anyone slept last night?", chat=group)
    assert len(api.pending_updates()) == 1
    assert api.withheld_updates == []


def test_replies_to_the_bot_pass_privacy_mode(api: FakeBotApi, client: httpx.Client) -> None:
    parent = api.user("Anna")
    group = api.group("Parents")
    client.post(api_path(api, "sendMessage"), data={"chat_id": str(group.id), "text": "hi"})
    api.send_text(parent, "thanks!", chat=group, reply_to=api.sent_messages(group)[0])
    assert len(api.pending_updates()) == 1


# --------------------------------------------------------------------- strict like Telegram


@pytest.mark.parametrize(
    "html",
    ["line<br>break", "<b>unclosed", "a < b", "<b><i>crossed</b></i>", "<div>x</div>", "</b>"],
)
async def test_html_telegram_would_refuse_is_refused(
    api: FakeBotApi, bot: telegram.Bot, html: str
) -> None:
    parent = api.user("Anna")
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(parent.id, html, parse_mode="HTML")


async def test_escaped_html_is_accepted_and_shown_as_plain_text(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    message = await bot.send_message(
        parent.id,
        '<b>Fever &lt; 38 &amp; "calm"</b> &#128512; <a href="https://example.org/?a=1&amp;b=2">x</a>',
        parse_mode="HTML",
    )
    assert message.text == 'Fever < 38 & "calm" 😀 x'
    assert api.sent_messages(parent.id)[0].source.startswith("<b>Fever &lt;")


async def test_text_over_4096_utf16_units_is_refused(api: FakeBotApi, bot: telegram.Bot) -> None:
    parent = api.user("Anna")
    await bot.send_message(parent.id, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        # 2,049 emoji are 4,098 UTF-16 code units though only 2,049 characters.
        await bot.send_message(parent.id, "😀" * 2049)


async def test_callback_data_over_64_bytes_is_refused(api: FakeBotApi, bot: telegram.Bot) -> None:
    parent = api.user("Anna")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(parent.id, "menu", reply_markup=keyboard)


async def test_reply_to_an_unknown_message_is_refused(api: FakeBotApi, bot: telegram.Bot) -> None:
    parent = api.user("Anna")
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(parent.id, "hi", reply_to_message_id=999)


async def test_reply_lands_in_the_forum_topic_of_the_replied_message(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    forum = api.group("Parents forum", forum=True)
    topic = api.open_forum_topic(forum, parent, "Sleep")
    question = api.send_text(parent, "@ParentsHelpBot jerks?", chat=forum, thread_id=topic)
    sent = await bot.send_message(forum.id, "answer", reply_to_message_id=question["message_id"])
    assert sent.message_thread_id == topic
    assert api.replies_to(question)[0].message_thread_id == topic


async def test_unknown_chat_is_refused(api: FakeBotApi, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(42, "hi")


async def test_user_who_never_started_the_bot_cannot_be_messaged(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    stranger = api.user("Sam", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(stranger.id, "hi")


async def test_sending_to_a_user_who_blocked_the_bot_is_forbidden(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    api.block_bot(parent)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(parent.id, "hi")


async def test_sending_to_a_group_the_bot_was_removed_from_is_forbidden(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    group = api.group("Parents")
    api.remove_bot_from_group(group, by=api.user("Ada"), kicked=True)
    with pytest.raises(Forbidden, match="kicked"):
        await bot.send_message(group.id, "hi")


async def test_a_callback_query_can_be_answered_once(api: FakeBotApi, bot: telegram.Bot) -> None:
    parent = api.user("Anna")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    await bot.send_message(parent.id, "Helpful?", reply_markup=keyboard)
    query_id = api.press_button(parent, api.sent_messages(parent.id)[0], text="Yes")
    assert await bot.answer_callback_query(query_id, text="Thanks")
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query(query_id)
    answer = api.callback_answer(query_id)
    assert answer is not None
    assert answer.params["text"] == "Thanks"


async def test_the_pressed_button_arrives_as_a_callback_query_update(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Topic", callback_data="t:1")]])
    sent = await bot.send_message(parent.id, "Menu", reply_markup=keyboard)
    api.press_button(parent, api.sent_messages(parent.id)[0], text="Topic")
    (update,) = await bot.get_updates(timeout=1)
    assert update.callback_query is not None
    assert update.callback_query.data == "t:1"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id


async def test_editing_to_the_same_content_is_not_modified(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    sent = await bot.send_message(parent.id, "v1")
    edited = await bot.edit_message_text("v2", chat_id=parent.id, message_id=sent.message_id)
    assert isinstance(edited, telegram.Message)
    assert api.sent_messages(parent.id)[0].text == "v2"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v2", chat_id=parent.id, message_id=sent.message_id)


async def test_inline_query_answers_are_validated_and_recorded(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    query_id = api.inline_query(parent, "jerks")
    result = telegram.InlineQueryResultArticle(
        "a1", "Title", telegram.InputTextMessageContent("<b>Body</b>", parse_mode="HTML")
    )
    assert await bot.answer_inline_query(query_id, [result])
    answer = api.inline_answer(query_id)
    assert answer is not None
    assert answer.params["results"][0]["id"] == "a1"
    duplicate_id = api.inline_query(parent, "again")
    with pytest.raises(BadRequest, match=r"(?i)RESULT_ID_DUPLICATE"):
        await bot.answer_inline_query(duplicate_id, [result, result])


async def test_commands_are_stored_per_scope(api: FakeBotApi, bot: telegram.Bot) -> None:
    operator = api.user("Olga")
    await bot.set_my_commands([("help", "How to ask")])
    await bot.set_my_commands(
        [("stats", "Statistics")], scope=telegram.BotCommandScopeChat(operator.id)
    )
    assert [c["command"] for c in api.commands()] == ["help"]
    scope = {"type": "chat", "chat_id": operator.id}
    assert [c["command"] for c in api.commands(scope)] == ["stats"]
    assert [c.command for c in await bot.get_my_commands()] == ["help"]


async def test_command_scope_for_an_unknown_chat_is_refused(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([("stats", "x")], scope=telegram.BotCommandScopeChat(77))


@pytest.mark.parametrize(
    "status", ["creator", "administrator", "member", "restricted", "left", "kicked"]
)
async def test_get_chat_member_answers_the_configured_status(
    api: FakeBotApi, bot: telegram.Bot, status: str
) -> None:
    group = api.group("Parents")
    parent = api.user("Anna")
    api.set_member_status(group, parent, status)
    member = await bot.get_chat_member(group.id, parent.id)
    assert member.status == status
    assert member.user.id == parent.id


async def test_uploaded_photo_and_document_bytes_are_recorded_and_downloadable(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    png = b"\x89PNG\r\n\x1a\n\r\n--not-a-boundary\x00\xff"
    await bot.send_photo(parent.id, photo=png, caption="<i>chart</i>", parse_mode="HTML")
    document = await bot.send_document(parent.id, document=b"a,b\r\n1,2\r\n", filename="s.csv")
    photo_sent, document_sent = api.sent_messages(parent.id)
    assert photo_sent.file is not None
    assert photo_sent.file.data == png
    assert photo_sent.text == "chart"
    assert document_sent.file is not None
    assert document_sent.file.filename == "s.csv"
    assert document.document is not None
    telegram_file = await bot.get_file(document.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == b"a,b\r\n1,2\r\n"


async def test_leaving_a_group_emits_the_bots_own_my_chat_member_update(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    group = api.group("Parents")
    assert await bot.leave_chat(group.id)
    (update,) = await bot.get_updates(timeout=1, allowed_updates=Update.ALL_TYPES)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "left"
    assert api.bot_status(group) == "left"


async def test_chat_actions_are_checked_against_telegrams_list(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    assert await bot.send_chat_action(parent.id, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(parent.id, "dancing")


# --------------------------------------------------------------------- update builders


def _all_builder_updates(api: FakeBotApi) -> list[dict[str, Any]]:
    parent = api.user("Anna", "Example", username="anna_example")
    group = api.group("Parents", bot_member=False)
    forum = api.group("Forum", forum=True)
    channel = api.channel("News")
    api.add_bot_to_group(group, by=parent)
    api.send_text(parent, "/start infantile-spasms")
    api.send_text(parent, "/ask@ParentsHelpBot twitching 😀 @ParentsHelpBot", chat=group)
    topic = api.open_forum_topic(forum, parent, "Sleep")
    api.send_text(parent, "in a topic", chat=forum, thread_id=topic)
    original = api.send_text(parent, "typo")
    api.edit_text(parent, original, "fixed")
    for kind in ("photo", "sticker", "voice", "document"):
        api.send_media(parent, kind, caption=None if kind == "sticker" else "caption")
    api.forward_text(parent, "forwarded", origin=api.user("Ben"))
    api.forward_text(parent, "hidden origin")
    api.send_as_anonymous_admin(group, "from the admins")
    api.channel_post(channel, "post")
    api.inline_query(parent, "spasms")
    api.remove_bot_from_group(group, by=parent)
    return api.pending_updates()


def test_every_builder_makes_an_update_ptb_parses(api: FakeBotApi) -> None:
    api.privacy_mode = False  # keep the group chatter too
    bot = telegram.Bot(api.token)
    updates = _all_builder_updates(api)
    parsed = [Update.de_json(u, bot) for u in updates]
    assert len(parsed) == len(updates) == 18
    assert all((p is not None and p.effective_chat) or p.inline_query for p in parsed)


def test_anonymous_admin_messages_carry_the_group_as_sender_chat(api: FakeBotApi) -> None:
    group = api.group("Parents")
    message = api.send_as_anonymous_admin(group, "hello")
    assert message["sender_chat"]["id"] == group.id
    assert message["from"]["username"] == "GroupAnonymousBot"


def test_forum_topic_messages_reply_to_the_topic_creation(api: FakeBotApi) -> None:
    parent = api.user("Anna")
    forum = api.group("Forum", forum=True)
    topic = api.open_forum_topic(forum, parent, "Sleep")
    message = api.send_text(parent, "question", chat=forum, thread_id=topic)
    assert message["message_thread_id"] == topic
    assert message["is_topic_message"] is True
    assert message["reply_to_message"]["message_id"] == topic


def test_adding_the_bot_sends_my_chat_member_and_a_new_members_message(api: FakeBotApi) -> None:
    group = api.group("Parents", bot_member=False)
    api.add_bot_to_group(group, by=api.user("Ada"))
    first, second = api.pending_updates()
    assert first["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert second["message"]["new_chat_members"][0]["id"] == api.bot.id


def test_entities_use_utf16_offsets_and_keep_a_command_with_its_bot_name() -> None:
    entities = text_entities("😀 /ask@ParentsHelpBot hi @someone_else")
    assert entities == [
        {"type": "bot_command", "offset": 3, "length": 19},
        {"type": "mention", "offset": 26, "length": 13},
    ]


def test_message_ids_are_shared_by_users_and_the_bot_within_a_chat(api: FakeBotApi) -> None:
    parent = api.user("Anna")
    first = api.send_text(parent, "one")
    second = api.send_text(parent, "two")
    assert second["message_id"] == first["message_id"] + 1


def test_users_have_distinctive_ids_and_list_their_identifiers(api: FakeBotApi) -> None:
    parent = api.user("Anna", "Example", username="anna_example")
    assert len(str(parent.id)) == 10
    assert parent.identifiers == (str(parent.id), "Anna", "Example", "anna_example")


# --------------------------------------------------------------------- HTML parser


def test_parse_html_keeps_a_bare_ampersand_and_unknown_entities_literally() -> None:
    assert parse_html("Tom & Jerry &nbsp; &amp;").text == "Tom & Jerry &nbsp; &"


def test_parse_html_requires_the_spoiler_class_on_span() -> None:
    with pytest.raises(EntityParseError):
        parse_html("<span>x</span>")
    assert parse_html('<span class="tg-spoiler">x</span>').text == "x"


# --------------------------------------------------------------------- faults


async def test_a_429_fault_raises_retry_after_with_its_seconds(
    api: FakeBotApi, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # the int form is deprecated in PTB 22
    parent = api.user("Anna")
    api.faults.add(Fault(FaultKind.RETRY_AFTER, retry_after=7), method="sendMessage")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(parent.id, "hi")
    assert caught.value.retry_after == dt.timedelta(seconds=7)
    await bot.send_message(parent.id, "hi")  # the scripted fault was used up
    assert api.sent_messages(parent.id)[0].text == "hi"


@pytest.mark.parametrize(
    ("kind", "error", "status"),
    [
        (FaultKind.SERVER_ERROR, NetworkError, 500),
        (FaultKind.BAD_GATEWAY, NetworkError, 502),
        (FaultKind.CONFLICT, Conflict, 409),
        (FaultKind.FORBIDDEN, Forbidden, 403),
        (FaultKind.MIGRATED, ChatMigrated, 400),
        (FaultKind.MALFORMED, TelegramError, 200),
    ],
)
async def test_each_error_fault_surfaces_as_ptbs_exception(
    api: FakeBotApi, bot: telegram.Bot, kind: FaultKind, error: type[Exception], status: int
) -> None:
    parent = api.user("Anna")
    api.faults.add(kind, method="sendMessage")
    with pytest.raises(error):
        await bot.send_message(parent.id, "hi")
    call = api.calls("sendMessage")[-1]
    assert call.status == status
    assert call.fault is not None
    assert call.fault.kind is kind
    assert api.sent_messages() == []


def test_a_malformed_answer_is_the_real_answer_cut_short(
    api: FakeBotApi, client: httpx.Client
) -> None:
    parent = api.user("Anna", username="anna_example")
    api.faults.add(FaultKind.MALFORMED, method="sendMessage")
    response = client.post(
        api_path(api, "sendMessage"), data={"chat_id": str(parent.id), "text": "hello"}
    )
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    # Like a truncated real answer, it holds the chat's personal data.
    assert str(parent.id).encode() in response.content


def test_a_malformed_answer_can_be_cut_right_after_a_given_text(
    api: FakeBotApi, client: httpx.Client
) -> None:
    parent = api.user("Anna", "Example")
    api.faults.add(Fault(FaultKind.MALFORMED, cut_after="Example"), method="sendMessage")
    response = client.post(
        api_path(api, "sendMessage"), data={"chat_id": str(parent.id), "text": "hello"}
    )
    assert response.content.endswith(b'"last_name": "Example')


async def test_a_dropped_connection_is_a_network_error(api: FakeBotApi, bot: telegram.Bot) -> None:
    parent = api.user("Anna")
    api.faults.add(FaultKind.DROP, method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(parent.id, "hi")
    assert api.calls("sendMessage")[-1].status is None


async def test_a_hung_request_is_held_until_the_client_times_out(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    api.faults.add(FaultKind.HANG, method="sendMessage")
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(parent.id, "hi")
    assert time.monotonic() - started >= 0.45  # the bot's read timeout, not the server
    call = await api.wait_for_async(lambda: api.calls("sendMessage")[-1].done or None)
    assert call is True
    assert api.calls("sendMessage")[-1].finished is not None


async def test_a_fault_after_delivery_loses_only_the_response(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    parent = api.user("Anna")
    api.faults.add(Fault(FaultKind.SERVER_ERROR, after=True), method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(parent.id, "hi")
    # The parent did get it: a retry by the bot would be a duplicate.
    assert [s.text for s in api.sent_messages(parent.id)] == ["hi"]


async def test_a_scripted_fault_can_target_one_chat(api: FakeBotApi, bot: telegram.Bot) -> None:
    anna, ben = api.user("Anna"), api.user("Ben")
    api.faults.add(FaultKind.FORBIDDEN, where=lambda _m, p: p.get("chat_id") == ben.id)
    await bot.send_message(anna.id, "hi")
    with pytest.raises(Forbidden):
        await bot.send_message(ben.id, "hi")


async def test_a_conflict_fault_on_get_updates_raises_conflict(
    api: FakeBotApi, bot: telegram.Bot
) -> None:
    api.faults.add(FaultKind.CONFLICT, method="getUpdates")
    with pytest.raises(Conflict, match="only one bot instance"):
        await bot.get_updates(timeout=0)


def _random_run(seed: int) -> list[tuple[str, FaultKind]]:
    plan = FaultPlan(seed=seed).randomly(0.3)
    for index in range(300):
        method = "getUpdates" if index % 3 == 0 else "sendMessage"
        plan.decide(index, method, {})
    return [(f.method, f.fault.kind) for f in plan.injected]


def test_random_faults_replay_identically_with_the_same_seed() -> None:
    assert _random_run(7) == _random_run(7)
    assert _random_run(7) != _random_run(8)


def test_random_faults_inject_at_about_the_asked_rate() -> None:
    assert 60 <= len(_random_run(3)) <= 120  # 30% of 300


def test_random_conflicts_only_ever_hit_get_updates() -> None:
    conflicts = [m for m, k in _random_run(5) if k is FaultKind.CONFLICT]
    assert conflicts
    assert set(conflicts) == {"getUpdates"}


def test_random_faults_spare_excluded_and_unlisted_methods() -> None:
    plan = FaultPlan(seed=1).randomly(1.0, methods=["sendMessage"])
    assert plan.decide(0, "getMe", {}) is None
    assert plan.decide(1, "answerCallbackQuery", {}) is None
    assert plan.decide(2, "sendMessage", {}) is not None


async def test_fault_counts_tally_by_kind_and_method(api: FakeBotApi, bot: telegram.Bot) -> None:
    parent = api.user("Anna")
    api.faults.add(FaultKind.SERVER_ERROR, method="sendMessage", times=2)
    for _ in range(3):
        with contextlib.suppress(NetworkError):
            await bot.send_message(parent.id, "hi")
    assert api.faults.counts() == {FaultKind.SERVER_ERROR: 2}
    assert api.faults.counts(by_method=True) == {("sendMessage", FaultKind.SERVER_ERROR): 2}
    assert api.faults.pending == 0


# --------------------------------------------------------------------- webhook and lifecycle


class _HookHandler(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict[str, Any], str | None]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            (json.loads(body), self.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return


def test_webhook_mode_posts_updates_with_the_secret_token_header(
    api: FakeBotApi, client: httpx.Client
) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []
    handler = type("Hook", (_HookHandler,), {"received": received})
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{hook.server_address[1]}/telegram"
        client.post(api_path(api, "setWebhook"), data={"url": url, "secret_token": "s3cret"})
        update_id = api.push_update({"message": raw_message(api.user("Anna"), "hi")})
        api.wait_consumed(update_id)
        assert [(u["update_id"], secret) for u, secret in received][:1] == [(update_id, "s3cret")]
        info = client.post(api_path(api, "getWebhookInfo")).json()["result"]
        assert info["url"] == url
    finally:
        hook.shutdown()
        hook.server_close()


def test_a_webhook_target_receives_what_a_public_webhook_url_would() -> None:
    received: list[tuple[dict[str, Any], str | None]] = []
    handler = type("Hook", (_HookHandler,), {"received": received})
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{hook.server_address[1]}/local"
    try:
        with FakeBotApi(webhook_target=target) as api, httpx.Client(trust_env=False) as client:
            url = f"http://127.0.0.1:{api.port}{api_path(api, 'setWebhook')}"
            public = "https://bot.example.org/hook"
            assert client.post(url, data={"url": public}).json()["ok"] is True
            update_id = api.push_update({"message": raw_message(api.user("Anna"), "hi")})
            api.wait_consumed(update_id)
            assert received[0][0]["update_id"] == update_id
    finally:
        hook.shutdown()
        hook.server_close()


def test_webhooks_to_anything_but_loopback_are_refused(
    api: FakeBotApi, client: httpx.Client
) -> None:
    response = client.post(api_path(api, "setWebhook"), data={"url": "https://example.org/hook"})
    assert response.status_code == 400


def test_stop_releases_held_requests_promptly() -> None:
    api = FakeBotApi().start()
    api.faults.add(FaultKind.HANG, method="getMe")
    url = f"http://127.0.0.1:{api.port}/bot{api.token}/getMe"
    errors: list[Exception] = []

    def call() -> None:
        try:
            httpx.post(url, timeout=30, trust_env=False)
        except httpx.HTTPError as exc:
            errors.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    api.wait_for_call("getMe", done=False)
    started = time.monotonic()
    api.stop()
    worker.join(5)
    assert time.monotonic() - started < 3
    assert errors


def test_wait_for_names_what_it_waited_for_on_timeout(api: FakeBotApi) -> None:
    with pytest.raises(TimeoutError, match="the answer"):
        api.wait_for(lambda: None, timeout=0.1, what="the answer")


async def test_the_server_runs_under_async_with(bot: telegram.Bot) -> None:
    async with FakeBotApi() as other:
        request = HTTPXRequest()
        async with telegram.Bot(other.token, base_url=other.base_url, request=request) as b:
            assert (await b.get_me()).username == "FakeParentsBot"


async def test_a_wrong_token_raises_invalid_token_in_ptb(api: FakeBotApi) -> None:
    request = HTTPXRequest()
    with pytest.raises(InvalidToken):
        async with telegram.Bot("1:wrong", base_url=api.base_url, request=request):
            pass

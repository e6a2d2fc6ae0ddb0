"""Who may steer the bot: operator commands only for OPERATOR_IDS, typed by the operator in
their private chat; /autoanswer only for the group's real admins (asked of Telegram with
getChatMember). Everyone else gets exactly what an unknown command gets, so the operator
commands' existence is not even revealed.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Harness
from tgfakes import (
    BOT_ID,
    BOT_USERNAME,
    GROUP_ID,
    PRIVATE_USER,
    Failure,
    group_chat,
    message_update,
    private_chat,
)

from tgbot.channels.telegram.app import set_command_menus
from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentPack

JsonDict = dict[str, Any]

OPERATOR = {**PRIVATE_USER, "id": 4242, "first_name": "Op"}  # OPERATOR_IDS of the harness
STRANGER = {**PRIVATE_USER, "id": 31337, "first_name": "Mallory"}
OPERATOR_COMMANDS = ("/stats", "/report", "/reload")


async def unknown_reply(harness: Harness, user: JsonDict = STRANGER) -> str:
    await harness.send(message_update("/frobnicate", user=user))
    text = harness.api.sent[-1].text
    harness.api.clear()
    return text


async def replies_to(harness: Harness, update: JsonDict) -> list[str]:
    harness.api.clear()
    await harness.send(update)
    return [call.text for call in harness.api.sent]


def operator_summary_shown(harness: Harness) -> bool:
    return any(harness.stats.summary in call.text for call in harness.api.sent)


@pytest.mark.parametrize("command", ["/stats", "/reload"])
async def test_an_operator_command_works_for_the_operator(harness: Harness, command: str) -> None:
    replies = await replies_to(harness, message_update(command, user=OPERATOR))
    assert replies
    assert replies != [await unknown_reply(harness)]


@pytest.mark.parametrize("command", OPERATOR_COMMANDS)
@pytest.mark.parametrize(
    "variant",
    [
        "stranger",
        "stranger-addressed",
        "stranger-with-arguments",
        "forwarded-from-operator",
        "forwarded-hidden",
        "operator-forwarding-a-strangers",
        "via-inline-bot",
        "sender-chat",
        "no-sender",
        "operator-id-as-string-name",
    ],
)
async def test_operator_commands_refuse_everyone_else_in_private(
    harness: Harness, command: str, variant: str
) -> None:
    expected = [await unknown_reply(harness)]
    origin_operator = {"type": "user", "date": 1, "sender_user": OPERATOR}
    updates: dict[str, JsonDict] = {
        "stranger": message_update(command, user=STRANGER),
        "stranger-addressed": message_update(f"{command}@{BOT_USERNAME}", user=STRANGER),
        "stranger-with-arguments": message_update(f"{command} 4242 --all", user=STRANGER),
        # A forward carries the operator's name, not the operator's hand.
        "forwarded-from-operator": message_update(
            command, user=STRANGER, forward_origin=origin_operator
        ),
        "forwarded-hidden": message_update(
            command,
            user=STRANGER,
            forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "Op"},
        ),
        # Even the operator's own forward of someone else's command is not a command.
        "operator-forwarding-a-strangers": message_update(
            command,
            user=OPERATOR,
            forward_origin={"type": "user", "date": 1, "sender_user": STRANGER},
        ),
        "via-inline-bot": message_update(
            command,
            user=OPERATOR,
            via_bot={"id": 777, "is_bot": True, "first_name": "Inliner", "username": "InlBot"},
        ),
        "sender-chat": message_update(
            command,
            user=OPERATOR,
            chat=private_chat(OPERATOR),
            sender_chat={"id": -100777, "type": "channel", "title": "Op's channel"},
        ),
        "no-sender": message_update(command, user=None, chat=private_chat(OPERATOR)),
        "operator-id-as-string-name": message_update(
            command, user={**STRANGER, "first_name": "4242", "username": "op4242"}
        ),
    }
    assert await replies_to(harness, updates[variant]) == expected
    assert not operator_summary_shown(harness)


@pytest.mark.parametrize("command", OPERATOR_COMMANDS)
@pytest.mark.parametrize("who", ["operator", "stranger"])
async def test_operator_commands_are_never_run_in_groups(
    harness: Harness, command: str, who: str
) -> None:
    user = OPERATOR if who == "operator" else STRANGER
    before = harness.services.content.library
    for text in (command, f"{command}@{BOT_USERNAME}"):
        replies = await replies_to(harness, message_update(text, user=user, chat=group_chat()))
        # Addressed to us: the unknown-command hint; bare: may be another bot's, silence.
        assert not operator_summary_shown(harness)
        assert len(replies) <= 1
    assert harness.services.content.library is before  # no reload happened


@pytest.mark.parametrize("command", OPERATOR_COMMANDS)
async def test_edited_operator_commands_are_ignored(harness: Harness, command: str) -> None:
    for user in (OPERATOR, STRANGER):
        update = message_update(command, user=user, kind="edited_message", edit_date=2)
        assert await replies_to(harness, update) == []


async def test_reload_by_a_stranger_does_not_reload(harness: Harness) -> None:
    before = harness.services.content.library
    await harness.send(message_update("/reload", user=STRANGER))
    assert harness.services.content.library is before


async def test_the_operator_menu_is_only_registered_in_operators_chats(
    harness: Harness,
) -> None:
    harness.api.clear()
    await set_command_menus(harness.app, harness.services)
    scoped: list[tuple[str, set[str]]] = []
    for call in harness.api.called("setMyCommands"):
        commands = call.params["commands"]
        names = {c["command"] if isinstance(c, dict) else c.command for c in commands}
        scope = call.params["scope"]
        scope_type = scope["type"] if isinstance(scope, dict) else scope.type
        scoped.append((scope_type, names))
    for scope_type, names in scoped:
        if scope_type != "chat":
            assert not names & {"stats", "report", "reload"}, scope_type
    assert any(names & {"stats"} for t, names in scoped if t == "chat")


# --- /autoanswer: real group admins only ----------------------------------------------------------


def in_group(text: str, user: JsonDict | None = STRANGER, **extra: Any) -> JsonDict:
    return message_update(text, user=user, chat=group_chat(), **extra)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("member", False),
        ("restricted", False),
        ("left", False),
        ("kicked", False),
        ("administrator", True),
        ("creator", True),
    ],
)
async def test_autoanswer_is_switched_only_by_a_real_admin(
    harness: Harness, pack: ContentPack, status: str, allowed: bool
) -> None:
    harness.api.member_status[(GROUP_ID, STRANGER["id"])] = status
    await replies_to(harness, in_group(f"/autoanswer@{BOT_USERNAME} on"))
    [asked] = harness.api.called("getChatMember")
    assert int(asked.params["user_id"]) == STRANGER["id"]  # Telegram is asked, nobody trusted
    assert harness.services.groups.autoanswer(GROUP_ID) is allowed
    if not allowed:
        assert harness.api.sent[-1].text == render_text(pack.text("autoanswer_admins_only"))


async def test_a_forwarded_admin_command_counts_as_the_forwarders(harness: Harness) -> None:
    admin = {**PRIVATE_USER, "id": 777001, "first_name": "Adm"}
    harness.api.member_status[(GROUP_ID, admin["id"])] = "administrator"
    origin = {"type": "user", "date": 1, "sender_user": admin}
    await replies_to(harness, in_group(f"/autoanswer@{BOT_USERNAME} on", forward_origin=origin))
    assert harness.services.groups.autoanswer(GROUP_ID) is False


async def test_an_admin_may_not_switch_it_by_editing_an_old_message(harness: Harness) -> None:
    harness.api.member_status[(GROUP_ID, STRANGER["id"])] = "administrator"
    update = in_group(f"/autoanswer@{BOT_USERNAME} on", kind="edited_message", edit_date=2)
    assert await replies_to(harness, update) == []
    assert harness.services.groups.autoanswer(GROUP_ID) is False


async def test_an_anonymous_admin_of_this_group_may_switch_it(harness: Harness) -> None:
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
    update = in_group(f"/autoanswer@{BOT_USERNAME} on", user=anonymous, sender_chat=group_chat())
    await replies_to(harness, update)
    assert harness.services.groups.autoanswer(GROUP_ID) is True


@pytest.mark.parametrize(
    "sender_chat",
    [
        {"id": -1009999999999, "type": "channel", "title": "Some channel"},
        {"id": -1008888888888, "type": "supergroup", "title": "Another group"},
    ],
    ids=["channel", "other-group"],
)
async def test_writing_as_another_chat_is_not_admin(
    harness: Harness, sender_chat: JsonDict
) -> None:
    channel_bot = {"id": 136817688, "is_bot": True, "first_name": "Channel"}
    update = in_group(f"/autoanswer@{BOT_USERNAME} on", user=channel_bot, sender_chat=sender_chat)
    await replies_to(harness, update)
    assert harness.services.groups.autoanswer(GROUP_ID) is False


async def test_autoanswer_fails_closed_when_telegram_cannot_be_asked(harness: Harness) -> None:
    harness.api.member_status[(GROUP_ID, STRANGER["id"])] = "administrator"
    harness.api.fail_next("getChatMember", Failure(500, "Internal Server Error"))
    await replies_to(harness, in_group(f"/autoanswer@{BOT_USERNAME} on"))
    assert harness.services.groups.autoanswer(GROUP_ID) is False


async def test_autoanswer_in_a_private_chat_changes_nothing(harness: Harness) -> None:
    await replies_to(harness, message_update("/autoanswer on", user=STRANGER))
    assert harness.services.groups.count == 0
    assert harness.api.called("getChatMember") == []


async def test_the_bot_itself_is_not_taken_for_an_admin(harness: Harness) -> None:
    me = {"id": BOT_ID, "is_bot": True, "first_name": "Parents Helper", "username": BOT_USERNAME}
    await replies_to(harness, in_group(f"/autoanswer@{BOT_USERNAME} on", user=me))
    assert harness.services.groups.autoanswer(GROUP_ID) is False

"""Groups with privacy mode: answer when addressed, ignore chatter, reply in the same thread,
point to a recent answer, admins switch auto-answer, and join/leave/migrate events."""

from __future__ import annotations

import json
import logging

import pytest
from conftest import Harness
from tgfakes import (
    BOT_ID,
    BOT_USERNAME,
    GROUP_ID,
    OTHER_BOT,
    PRIVATE_USER,
    Failure,
    bot_message,
    group_chat,
    message_update,
    my_chat_member_update,
)

from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentPack
from tgbot.stats.events import AskPath, Channel

QUESTION = "Why does my baby twitch in her sleep?"
ADMIN = {"id": 6660001, "is_bot": False, "first_name": "Admin"}
ANONYMOUS_ADMIN_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group"}


def in_group(text: str, **extra: object) -> dict[str, object]:
    return message_update(text, chat=group_chat(), **extra)


async def test_ask_addressed_to_the_bot_is_answered_as_a_reply(harness: Harness) -> None:
    update = in_group(f"/ask@{BOT_USERNAME} {QUESTION}")
    await harness.send(update)
    [reply] = harness.api.sent
    assert "Why babies twitch in their sleep" in reply.text
    assert reply.params["reply_parameters"]["message_id"] == update["message"]["message_id"]  # type: ignore[index]
    recorded = harness.stats.answers[0]
    assert (recorded.channel, recorded.path) == (Channel.GROUP, AskPath.ASK_COMMAND)


async def test_ask_addressed_to_another_bot_is_ignored(harness: Harness) -> None:
    await harness.send(in_group(f"/ask@{OTHER_BOT} {QUESTION}"))
    assert harness.api.calls == []
    assert harness.stats.answers == []


async def test_topics_addressed_to_the_bot_shows_the_menu(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(in_group(f"/topics@{BOT_USERNAME}"))
    assert len(harness.api.sent[0].buttons()) == len(pack.topics)


async def test_mention_of_the_bot_is_a_question(harness: Harness) -> None:
    await harness.send(in_group(f"@{BOT_USERNAME} {QUESTION}"))
    assert "Why babies twitch in their sleep" in harness.api.sent[0].text
    assert harness.stats.answers[0].path is AskPath.FREE_TEXT


async def test_mention_is_recognised_in_any_case(harness: Harness) -> None:
    await harness.send(in_group(f"{QUESTION} @{BOT_USERNAME.lower()}"))
    assert len(harness.api.sent) == 1


async def test_text_mention_of_the_bot_is_a_question(harness: Harness) -> None:
    entity = {
        "type": "text_mention",
        "offset": 0,
        "length": 6,
        "user": {"id": BOT_ID, "is_bot": True, "first_name": "Helper"},
    }
    update = in_group(f"Helper {QUESTION}", entities=False)
    update["message"]["entities"] = [entity]  # type: ignore[index]
    await harness.send(update)
    assert len(harness.api.sent) == 1


async def test_reply_to_the_bots_message_is_a_question(harness: Harness) -> None:
    earlier = bot_message(group_chat())
    await harness.send(in_group(QUESTION, reply_to_message=earlier))
    assert "Why babies twitch in their sleep" in harness.api.sent[0].text


async def test_other_chatter_is_ignored_without_statistics(harness: Harness) -> None:
    await harness.send(in_group(QUESTION))
    await harness.send(in_group("Lovely weather today"))
    await harness.send(in_group(f"@{OTHER_BOT} {QUESTION}"))
    assert harness.api.calls == []
    assert harness.stats.answers == []


async def test_group_answer_offers_to_continue_in_private(harness: Harness) -> None:
    await harness.send(in_group(f"@{BOT_USERNAME} {QUESTION}"))
    urls = [b["url"] for b in harness.api.sent[0].buttons() if "url" in b]
    assert urls == [f"https://t.me/{BOT_USERNAME}?start=sleep-twitching"]


async def test_answer_stays_in_the_forum_topic(harness: Harness) -> None:
    update = message_update(
        f"@{BOT_USERNAME} {QUESTION}",
        chat=group_chat(forum=True),
        message_thread_id=77,
        is_topic_message=True,
    )
    await harness.send(update)
    assert harness.api.sent[0].params["message_thread_id"] == 77


async def test_same_topic_soon_after_gets_a_pointer_instead(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(in_group(f"@{BOT_USERNAME} {QUESTION}"))
    await harness.send(in_group(f"@{BOT_USERNAME} Is it normal for a baby to jerk while sleeping?"))
    first, second = harness.api.sent
    assert "Why babies twitch in their sleep" in first.text
    assert second.text == render_text(pack.text("group_recent_pointer"))
    assert "reply_parameters" in second.params
    assert len(harness.stats.answers) == 2


async def test_a_red_flag_answer_is_repeated_in_full(
    harness: Harness, pack: ContentPack, urgent_text: str
) -> None:
    await harness.send(in_group(f"@{BOT_USERNAME} {urgent_text}"))
    await harness.send(in_group(f"@{BOT_USERNAME} {urgent_text}"))
    prompt = render_text(pack.text("doctor_prompt"))
    assert [prompt in c.text for c in harness.api.sent] == [True, True]


async def test_added_to_a_group_posts_one_introduction(harness: Harness, pack: ContentPack) -> None:
    await harness.send(my_chat_member_update("left", "member"))
    await harness.send(my_chat_member_update("member", "administrator"))  # promoted: no repeat
    [intro] = harness.api.sent
    assert intro.text == render_text(pack.text("group_intro", bot_username=BOT_USERNAME))


async def test_added_to_a_channel_says_nothing(harness: Harness) -> None:
    channel = {"id": -100777, "type": "channel", "title": "News"}
    await harness.send(my_chat_member_update("left", "administrator", chat=channel))
    assert harness.api.calls == []


async def test_leaving_a_group_forgets_its_settings(harness: Harness) -> None:
    harness.services.groups.set_autoanswer(GROUP_ID, True)
    await harness.send(my_chat_member_update("member", "kicked"))
    assert not harness.services.groups.autoanswer(GROUP_ID)


async def test_group_upgrade_moves_its_settings(harness: Harness) -> None:
    old_id, new_id = -4242, -1009999
    harness.services.groups.set_autoanswer(old_id, True)
    old_chat = {"id": old_id, "type": "group", "title": "Parents"}
    await harness.send(message_update(None, chat=old_chat, migrate_to_chat_id=new_id))
    assert harness.services.groups.autoanswer(new_id)
    assert not harness.services.groups.autoanswer(old_id)


async def test_chat_migrated_while_sending_moves_the_settings(harness: Harness) -> None:
    harness.services.groups.set_autoanswer(GROUP_ID, True)
    harness.api.fail_next(
        "sendMessage",
        Failure(400, "Bad Request: group chat was upgraded", {"migrate_to_chat_id": -100555}),
    )
    await harness.send(in_group(f"@{BOT_USERNAME} {QUESTION}"))
    assert harness.services.groups.autoanswer(-100555)


# --- /autoanswer ------------------------------------------------------------------------------


async def test_autoanswer_by_a_member_is_refused(harness: Harness, pack: ContentPack) -> None:
    await harness.send(in_group(f"/autoanswer@{BOT_USERNAME} on"))
    assert harness.api.sent[0].text == render_text(pack.text("autoanswer_admins_only"))
    assert not harness.services.groups.autoanswer(GROUP_ID)


async def test_autoanswer_by_an_admin_switches_it_on_and_notes_privacy_mode(
    harness: Harness, pack: ContentPack
) -> None:
    harness.api.member_status[(GROUP_ID, ADMIN["id"])] = "administrator"
    await harness.send(in_group("/autoanswer on", user=ADMIN))
    assert harness.services.groups.autoanswer(GROUP_ID)
    text = harness.api.sent[0].text
    assert render_text(pack.text("privacy_mode_note")) in text
    [check] = harness.api.called("getChatMember")
    assert check.params["user_id"] == ADMIN["id"]


async def test_autoanswer_by_the_owner_switches_it_off(harness: Harness) -> None:
    harness.services.groups.set_autoanswer(GROUP_ID, True)
    harness.api.member_status[(GROUP_ID, ADMIN["id"])] = "creator"
    await harness.send(in_group("/autoanswer off", user=ADMIN))
    assert not harness.services.groups.autoanswer(GROUP_ID)


async def test_anonymous_admin_may_switch_autoanswer(harness: Harness) -> None:
    await harness.send(
        in_group("/autoanswer on", user=ANONYMOUS_ADMIN_BOT, sender_chat=group_chat())
    )
    assert harness.services.groups.autoanswer(GROUP_ID)
    assert harness.api.called("getChatMember") == []


async def test_a_linked_channel_may_not_switch_autoanswer(harness: Harness) -> None:
    channel = {"id": -100321, "type": "channel", "title": "Linked"}
    await harness.send(in_group("/autoanswer on", user=ANONYMOUS_ADMIN_BOT, sender_chat=channel))
    assert not harness.services.groups.autoanswer(GROUP_ID)


async def test_autoanswer_without_on_or_off_shows_the_state(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(in_group("/autoanswer"))
    text = harness.api.sent[0].text
    assert render_text(pack.text("autoanswer_usage")) in text
    assert harness.api.called("getChatMember") == []


async def test_autoanswer_in_private_is_explained(harness: Harness, pack: ContentPack) -> None:
    await harness.send(message_update("/autoanswer on"))
    assert harness.api.sent[0].text == render_text(pack.text("autoanswer_groups_only"))


async def test_autoanswer_setting_survives_a_restart(harness: Harness) -> None:
    harness.services.groups.set_autoanswer(GROUP_ID, True)
    path = harness.services.settings.group_settings_path
    assert json.loads(path.read_text()) == {"autoanswer": [GROUP_ID]}


async def test_with_autoanswer_on_a_confident_question_is_answered(harness: Harness) -> None:
    harness.services.groups.set_autoanswer(GROUP_ID, True)
    await harness.send(in_group(QUESTION))
    assert "Why babies twitch in their sleep" in harness.api.sent[0].text
    assert harness.stats.answers[0].path is AskPath.AUTO_ANSWER


async def test_with_autoanswer_on_a_statement_is_not_answered(harness: Harness) -> None:
    harness.services.groups.set_autoanswer(GROUP_ID, True)
    await harness.send(in_group("My baby twitches in her sleep every night"))
    assert harness.api.calls == []


async def test_with_autoanswer_on_an_unmatched_question_is_not_answered(harness: Harness) -> None:
    harness.services.groups.set_autoanswer(GROUP_ID, True)
    await harness.send(in_group("What time is the meetup on Saturday?"))
    assert harness.api.calls == []


async def test_with_autoanswer_off_questions_are_left_alone(harness: Harness) -> None:
    await harness.send(in_group(QUESTION))
    assert harness.api.calls == []


async def test_an_emergency_in_the_group_always_gets_the_prompt(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    await harness.send(in_group(emergency_text))  # auto-answer is off and nobody addressed us
    assert render_text(pack.text("emergency_prompt")) in harness.api.sent[0].text


async def test_an_urgent_sign_in_chatter_is_left_alone(harness: Harness, urgent_text: str) -> None:
    await harness.send(in_group(urgent_text))
    assert harness.api.calls == []


async def test_messages_from_other_bots_are_ignored(harness: Harness, emergency_text: str) -> None:
    other = {"id": 999, "is_bot": True, "first_name": "Other", "username": OTHER_BOT}
    await harness.send(in_group(f"@{BOT_USERNAME} {emergency_text}", user=other))
    assert harness.api.calls == []


async def test_anonymous_admin_question_is_answered_without_a_user(harness: Harness) -> None:
    await harness.send(
        in_group(f"@{BOT_USERNAME} {QUESTION}", user=ANONYMOUS_ADMIN_BOT, sender_chat=group_chat())
    )
    assert len(harness.api.sent) == 1
    assert harness.stats.answers[0].user_id is None


async def test_operator_command_in_a_group_gets_the_unknown_command_reply(
    harness: Harness, pack: ContentPack
) -> None:
    operator = {**PRIVATE_USER, "id": 4242}
    await harness.send(in_group(f"/stats@{BOT_USERNAME}", user=operator))
    assert harness.api.sent[0].text == render_text(pack.text("unknown_command"))


async def test_unaddressed_unknown_command_in_a_group_is_ignored(harness: Harness) -> None:
    await harness.send(in_group("/stats"))
    await harness.send(in_group("/weather"))
    assert harness.api.calls == []


async def test_group_logs_hold_no_chat_id(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="tgbot"):
        await harness.send(my_chat_member_update("left", "member"))
        await harness.send(in_group(f"@{BOT_USERNAME} {QUESTION}"))
    assert str(GROUP_ID) not in caplog.text
    assert str(abs(GROUP_ID)) not in caplog.text


async def test_start_in_a_group_explains_how_to_ask_there(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(in_group(f"/start@{BOT_USERNAME}"))
    assert harness.api.sent[0].text == render_text(
        pack.text("group_intro", bot_username=BOT_USERNAME)
    )

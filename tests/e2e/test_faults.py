"""Telegram misbehaving: the bot rides out 429s, server errors, hung and dropped requests,
garbage answers and a competing poller, and keeps answering parents afterwards.

Faults are scripted per call (see fakebotapi.faults) and aimed at one parent's chat, so
each test knows exactly which request failed.
"""

from __future__ import annotations

import pytest
from fakebotapi import Call, CallMatcher, FakeUser, Fault, FaultKind

from e2e.harness import Conversation, identifiers, leaks

pytestmark = pytest.mark.e2e
# Faults make the bot log errors (a garbled answer, a competing poller): that is expected here.
BOT_ERRORS_EXPECTED = True

QUESTION = "why does my baby twitch in her sleep?"


def in_chat_of(user: FakeUser) -> CallMatcher:
    """A fault-plan filter: only calls addressed to this user's private chat."""
    return lambda _method, params: params.get("chat_id") == user.id


def answered_after(conversation: Conversation, user: FakeUser) -> None:
    """A new question from the user gets a whole answer (the bot is alive and well)."""
    api = conversation.api
    mark = api.mark()
    api.send_text(user, QUESTION + " (asked again)")
    conversation.whole_answer(api.private_chat(user), mark)


def test_a_429_on_an_answer_is_retried_after_retry_after_and_delivered_once(
    conversation: Conversation,
) -> None:
    api = conversation.api
    parent = api.user("Patient")
    api.faults.add(
        Fault(FaultKind.RETRY_AFTER, retry_after=1), method="sendMessage", where=in_chat_of(parent)
    )
    mark = api.mark()
    api.send_text(parent, QUESTION)
    conversation.whole_answer(api.private_chat(parent), mark)
    to_parent = [
        c for c in api.calls("sendMessage", since=mark) if c.params["chat_id"] == parent.id
    ]
    refused, delivered = to_parent[:2]
    assert refused.status == 429
    assert delivered.ok
    assert refused.finished is not None
    assert delivered.started - refused.finished >= 1.0
    assert len(api.sent_messages(parent.id, since=mark)) == 1


@pytest.mark.parametrize(
    "kind",
    [
        FaultKind.SERVER_ERROR,
        FaultKind.BAD_GATEWAY,
        FaultKind.DROP,
        FaultKind.MALFORMED,
        FaultKind.HANG,
    ],
)
def test_after_a_failed_answer_the_bot_answers_the_next_question(
    conversation: Conversation, kind: FaultKind
) -> None:
    api = conversation.api
    parent = api.user("Patient")
    api.faults.add(kind, method="sendMessage", where=in_chat_of(parent))
    mark = api.mark()
    api.send_text(parent, QUESTION)

    def failed() -> Call | None:
        calls = [c for c in api.calls("sendMessage", since=mark) if c.fault and c.done]
        return calls[0] if calls else None

    # A hung request ends when the bot's HTTP client gives up (its read timeout).
    api.wait_for(failed, timeout=30, what=f"the {kind} answer to finish")
    answered_after(conversation, parent)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(FaultKind.SERVER_ERROR),
        Fault(FaultKind.BAD_GATEWAY),
        Fault(FaultKind.DROP),
        Fault(FaultKind.MALFORMED),
        # The updates were handed out, but their answer arrived garbled.
        Fault(FaultKind.MALFORMED, after=True),
        Fault(FaultKind.CONFLICT),
        Fault(FaultKind.RETRY_AFTER, retry_after=1),
    ],
    ids=lambda f: f"{f.kind}{'-after' if f.after else ''}",
)
def test_polling_survives_a_failed_get_updates(conversation: Conversation, fault: Fault) -> None:
    api = conversation.api
    parent = api.user("Patient")
    # A fault is decided when a request arrives, and the poll in progress holds until an
    # update comes: end it with a message of its own, so that the faulty poll is the next.
    api.wait_for_call("getUpdates", lambda c: not c.done, done=False)
    api.faults.add(fault, method="getUpdates")
    conversation.ask(api.user("Kicker"), "/help")
    api.wait_for_call("getUpdates", lambda c: c.fault == fault, done=False)
    # An "after" fault garbles the answer that carries this question; the bot must poll
    # again and still answer it.
    answered_after(conversation, parent)


def test_an_answer_to_a_user_who_blocked_the_bot_does_not_stop_it(
    conversation: Conversation,
) -> None:
    api = conversation.api
    blocker, other = api.user("Blockerina"), api.user("Ottoline")
    api.block_bot(blocker)
    mark = api.mark()
    api.send_text(blocker, QUESTION)
    refused = api.wait_for_call("sendMessage", lambda c: c.status == 403, since=mark, timeout=10)
    assert refused.params["chat_id"] == blocker.id
    answered_after(conversation, other)


def test_a_garbled_get_updates_answer_is_not_copied_into_the_log(
    conversation: Conversation,
) -> None:
    api = conversation.api
    parent = api.user("Garbleda", "Responsington", username="garbleda_e2e")
    # The answer to the poll that carries this parent's message is cut short, inside the
    # message's chat object, as a connection dropped mid-answer is: it holds the parent's id
    # and names, and the bot cannot parse it.
    garbled = Fault(FaultKind.MALFORMED, after=True, cut_after=parent.last_name)
    # A fault is decided when a request arrives: let the poll in progress (unfaulted) end
    # with a message of its own, so that the garbled poll is the next one, then write.
    api.wait_for_call("getUpdates", lambda c: not c.done, done=False)
    api.faults.add(garbled, method="getUpdates")
    conversation.ask(api.user("Kicker"), "/help")
    api.wait_for_call("getUpdates", lambda c: c.fault == garbled and not c.done, done=False)
    conversation.ask(parent, "/help")  # the bot polls again, gets the message, answers
    (garbled_call,) = [c for c in api.calls("getUpdates") if c.fault == garbled]
    assert str(parent.id) in garbled_call.response  # it did carry the parent's message
    assert leaks(conversation.bot.log_text(), list(parent.identifiers)) == []


def test_the_log_of_this_faulty_run_holds_no_identifier(conversation: Conversation) -> None:
    # Last in the module on purpose: it reads the log the faults above produced (a broken
    # response holds names and ids; the bot must not copy it into its log).
    api = conversation.api
    conversation.ask(api.user("Lastly"), "/help")  # one more round trip: the log is current
    assert leaks(conversation.bot.log_text(), identifiers(api)) == []

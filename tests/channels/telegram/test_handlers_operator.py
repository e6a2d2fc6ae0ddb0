"""Operator commands: /stats and /reload for OPERATOR_IDS in private chats only; anyone else
gets exactly the unknown-command reply."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Harness, write_fixture_content
from tgfakes import PRIVATE_USER, message_update

from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentPack

OPERATOR = {**PRIVATE_USER, "id": 4242, "first_name": "Op"}


async def unknown_reply(harness: Harness) -> str:
    await harness.send(message_update("/frobnicate"))
    text = harness.api.sent[-1].text
    harness.api.clear()
    return text


async def test_stats_shows_the_summary_to_an_operator(harness: Harness) -> None:
    await harness.send(message_update("/stats", user=OPERATOR))
    assert harness.api.sent[0].text == "Questions (7 days): 12\nAnswered: 75%"


async def test_stats_summary_is_escaped(harness: Harness) -> None:
    harness.stats.summary = "top: <unanswered> & more"
    await harness.send(message_update("/stats", user=OPERATOR))
    assert harness.api.sent[0].text == "top: &lt;unanswered&gt; &amp; more"


@pytest.mark.parametrize("command", ["/stats", "/reload"])
async def test_anyone_else_gets_the_unknown_command_reply(harness: Harness, command: str) -> None:
    expected = await unknown_reply(harness)
    await harness.send(message_update(command))
    assert harness.api.sent[0].text == expected


async def test_forwarded_operator_command_is_not_obeyed(harness: Harness) -> None:
    expected = await unknown_reply(harness)
    origin = {"type": "user", "date": 1, "sender_user": OPERATOR}
    await harness.send(message_update("/stats", forward_origin=origin))
    assert harness.api.sent[0].text == expected


async def test_reload_with_valid_content_reports_the_new_version(
    harness: Harness, pack: ContentPack, tmp_path: Path
) -> None:
    await harness.send(message_update("/reload", user=OPERATOR))
    library = harness.services.content.library
    expected = pack.text(
        "reload_ok", topics=str(len(library.default.topics)), version=library.version
    )
    assert harness.api.sent[0].text == render_text(expected)


async def test_reload_with_invalid_content_keeps_the_old_and_shows_the_report(
    harness: Harness, pack: ContentPack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = write_fixture_content(tmp_path / "broken")
    (broken / "topics" / "newborn-jitters.md").write_text("no front matter\n", encoding="utf-8")
    monkeypatch.setattr(harness.services.content, "content_dir", broken)
    before = harness.services.content.library
    await harness.send(message_update("/reload", user=OPERATOR))
    assert harness.services.content.library is before
    text = harness.api.sent_text()
    assert text.startswith(render_text(pack.text("reload_failed")))
    assert "newborn-jitters.md:1: missing YAML front matter" in text


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_stats_also_sends_a_png_chart_to_an_operator(harness: Harness) -> None:
    await harness.send(message_update("/stats", user=OPERATOR))
    (photo,) = harness.api.called("sendPhoto")
    assert photo.params["chat_id"] == OPERATOR["id"]
    assert harness.api.uploads("sendPhoto")[0].startswith(PNG_SIGNATURE)


async def test_report_sends_the_html_page_as_a_document(harness: Harness) -> None:
    await harness.send(message_update("/report", user=OPERATOR))
    (document,) = harness.api.called("sendDocument")
    assert document.params["chat_id"] == OPERATOR["id"]
    page = harness.api.uploads("sendDocument")[0].decode("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")


async def test_report_is_refused_like_an_unknown_command_for_others(harness: Harness) -> None:
    expected = await unknown_reply(harness)
    await harness.send(message_update("/report"))
    assert harness.api.sent[0].text == expected
    assert harness.api.called("sendDocument") == []

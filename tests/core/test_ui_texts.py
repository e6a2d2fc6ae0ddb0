"""content/ui.yaml holds every interface text the Telegram channel uses, and nothing else."""

from __future__ import annotations

import re

import pytest

from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentPack, load_content
from tgbot.core.ui_texts import UI_TEXTS, missing_ui_texts

# Placeholders the bot fills in, per text; {emergency_number} is filled at load.
FILLED_BY_THE_BOT = {
    "help": {"bot_username"},
    "group_intro": {"bot_username"},
    "autoanswer_off": {"bot_username"},
    "privacy": {"stats_part"},
    "privacy_stats_on": {"question_text", "retention_days"},
    "reload_ok": {"topics", "version"},
}


@pytest.fixture(scope="module")
def real_pack() -> ContentPack:
    return load_content(DEFAULT_CONTENT_DIR).default


def ui_keys() -> set[str]:
    text = (DEFAULT_CONTENT_DIR / "ui.yaml").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z_]+):", text, re.M))


def test_every_interface_text_is_in_ui_yaml(real_pack: ContentPack) -> None:
    assert missing_ui_texts(real_pack.texts) == []


def test_ui_yaml_holds_no_unused_text() -> None:
    assert ui_keys() == set(UI_TEXTS)


@pytest.mark.parametrize("key", UI_TEXTS)
def test_only_known_placeholders_are_left_for_the_bot(real_pack: ContentPack, key: str) -> None:
    left = set(re.findall(r"\{([a-z_]+)\}", real_pack.texts[key]))
    assert left <= FILLED_BY_THE_BOT.get(key, set())


def test_command_descriptions_fit_telegrams_menu(real_pack: ContentPack) -> None:
    for key in (k for k in UI_TEXTS if k.startswith("cmd_")):
        assert 1 <= len(real_pack.texts[key]) <= 256

"""The interface texts the Telegram channel needs from content/ui.yaml.

The launcher, /reload and check-content pass UI_TEXTS to the content loader as
required_texts, so a pack missing one of them is refused. Never imports telegram.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["COMMAND_TEXTS", "UI_TEXTS", "missing_ui_texts"]

# Command menu descriptions, one per command: "cmd_<command>".
COMMAND_TEXTS = (
    "cmd_start",
    "cmd_help",
    "cmd_topics",
    "cmd_ask",
    "cmd_about",
    "cmd_privacy",
    "cmd_emergency",
    "cmd_autoanswer",
    "cmd_stats",
    "cmd_reload",
    "cmd_report",
)

UI_TEXTS = (
    *COMMAND_TEXTS,
    "bot_description",
    "bot_short_description",
    "share_button",
    "welcome",
    "help",
    "about",
    "privacy",
    "privacy_stats_on",
    "privacy_stats_off",
    "privacy_question_text_unanswered",
    "privacy_question_text_none",
    "emergency_steps",
    "topics_intro",
    "ask_howto",
    "unknown_command",
    "text_only",
    "slow_down",
    "group_intro",
    "group_recent_pointer",
    "continue_private",
    "feedback_yes",
    "feedback_no",
    "feedback_thanks",
    "feedback_unknown",
    "unknown_callback",
    "open_in_private",
    "autoanswer_on",
    "autoanswer_off",
    "autoanswer_usage",
    "autoanswer_admins_only",
    "autoanswer_groups_only",
    "privacy_mode_note",
    "question_words",
    "inline_emergency_title",
    "inline_urgent_title",
    "inline_prompt_description",
    "inline_no_match_title",
    "inline_button",
    "reload_ok",
    "reload_failed",
    "report_unavailable",
)


def missing_ui_texts(texts: Mapping[str, str]) -> list[str]:
    """The channel's texts a pack lacks (empty when it has them all)."""
    return [key for key in UI_TEXTS if key not in texts]

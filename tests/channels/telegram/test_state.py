"""The handlers' state: flood guard, recent group answers, and per-group settings."""

from __future__ import annotations

import json
from pathlib import Path

from tgbot.channels.telegram.state import FloodGuard, GroupSettings, RecentAnswers, Verdict
from tgbot.core.model import Level


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_flood_guard_allows_ten_questions_a_minute() -> None:
    guard = FloodGuard(clock=Clock())
    assert [guard.check(1) for _ in range(10)] == [Verdict.OK] * 10


def test_flood_guard_warns_once_then_stays_silent() -> None:
    guard = FloodGuard(clock=Clock())
    for _ in range(10):
        guard.check(1)
    assert [guard.check(1) for _ in range(3)] == [Verdict.WARN, Verdict.SILENT, Verdict.SILENT]


def test_flood_guard_forgives_after_a_minute() -> None:
    clock = Clock()
    guard = FloodGuard(clock=clock)
    for _ in range(12):
        guard.check(1)
    clock.now += 61
    assert guard.check(1) is Verdict.OK


def test_flood_guard_counts_each_user_apart() -> None:
    guard = FloodGuard(clock=Clock())
    for _ in range(11):
        guard.check(1)
    assert guard.check(2) is Verdict.OK


def test_flood_guard_holds_no_user_id() -> None:
    guard = FloodGuard(clock=Clock())
    guard.check(5550001)
    assert "5550001" not in repr(vars(guard))


def test_flood_guard_memory_stays_bounded() -> None:
    guard = FloodGuard(max_users=100, clock=Clock())
    for user in range(1000):
        guard.check(user)
    assert len(vars(guard)["_hits"]) <= 100


def test_recent_answer_is_found_within_the_window() -> None:
    clock = Clock()
    recent = RecentAnswers(window_seconds=300, clock=clock)
    recent.remember(-1, None, "topic", 55)
    clock.now += 299
    assert recent.earlier(-1, None, "topic") == 55


def test_recent_answer_expires_after_the_window() -> None:
    clock = Clock()
    recent = RecentAnswers(window_seconds=300, clock=clock)
    recent.remember(-1, None, "topic", 55)
    clock.now += 301
    assert recent.earlier(-1, None, "topic") is None


def test_recent_answers_are_kept_per_thread() -> None:
    recent = RecentAnswers(clock=Clock())
    recent.remember(-1, 7, "topic", 55)
    assert recent.earlier(-1, 8, "topic") is None


def test_recent_answers_stay_bounded() -> None:
    recent = RecentAnswers(max_entries=10, clock=Clock())
    for i in range(50):
        recent.remember(-1, None, f"t{i}", i)
    assert recent.earlier(-1, None, "t49") == 49
    assert len(vars(recent)["_seen"]) <= 10


def test_recent_answers_follow_a_migration_and_are_forgotten_on_leave() -> None:
    recent = RecentAnswers(clock=Clock())
    recent.remember(-1, None, "topic", 55)
    recent.migrate(-1, -100)
    assert recent.earlier(-100, None, "topic") == 55
    recent.forget_chat(-100)
    assert recent.earlier(-100, None, "topic") is None


def test_group_settings_persist_only_the_chat_id(tmp_path: Path) -> None:
    path = tmp_path / "groups.json"
    GroupSettings(path).set_autoanswer(-100123, True)
    assert json.loads(path.read_text()) == {"autoanswer": [-100123]}
    assert GroupSettings(path).autoanswer(-100123)


def test_group_settings_forget_a_group(tmp_path: Path) -> None:
    path = tmp_path / "groups.json"
    groups = GroupSettings(path)
    groups.set_autoanswer(-100123, True)
    groups.forget(-100123)
    assert json.loads(path.read_text()) == {"autoanswer": []}


def test_unreadable_group_settings_start_empty(tmp_path: Path) -> None:
    path = tmp_path / "groups.json"
    path.write_text("{not json", encoding="utf-8")
    assert GroupSettings(path).count == 0


def test_unwritable_group_settings_keep_working_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    groups = GroupSettings(blocker / "groups.json")  # its folder is a file: cannot be written
    groups.set_autoanswer(-1, True)
    assert groups.autoanswer(-1)


def test_a_red_flag_gets_the_full_answer_then_one_reminder_then_silence() -> None:
    guard = FloodGuard(clock=Clock())
    verdicts = [guard.check_red_flag(1, Level.EMERGENCY) for _ in range(4)]
    assert verdicts == [Verdict.OK, Verdict.REMIND, Verdict.SILENT, Verdict.SILENT]


def test_a_more_severe_red_flag_is_answered_in_full_again() -> None:
    guard = FloodGuard(clock=Clock())
    assert guard.check_red_flag(1, Level.URGENT) is Verdict.OK
    assert guard.check_red_flag(1, Level.URGENT) is Verdict.REMIND
    assert guard.check_red_flag(1, Level.EMERGENCY) is Verdict.OK


def test_red_flags_are_answered_again_after_the_window() -> None:
    clock = Clock()
    guard = FloodGuard(clock=clock)
    for _ in range(3):
        guard.check_red_flag(1, Level.EMERGENCY)
    clock.now += 61
    assert guard.check_red_flag(1, Level.EMERGENCY) is Verdict.OK


def test_one_users_red_flags_never_silence_another_user() -> None:
    guard = FloodGuard(clock=Clock())
    for _ in range(50):
        guard.check_red_flag(1, Level.EMERGENCY)
    assert guard.check_red_flag(2, Level.EMERGENCY) is Verdict.OK


def test_a_user_is_quiet_only_once_nothing_more_could_get_a_reply() -> None:
    guard = FloodGuard(clock=Clock())
    for _ in range(11):
        guard.note(1)
    assert not guard.quiet(1)  # the emergency prompt has not gone out yet
    guard.check_red_flag(1, Level.EMERGENCY)
    assert not guard.quiet(1)  # its reminder has not either
    guard.check_red_flag(1, Level.EMERGENCY)
    assert guard.quiet(1)
    assert not guard.quiet(2)


def test_a_flooding_users_memory_is_bounded() -> None:
    guard = FloodGuard(clock=Clock())
    for _ in range(10_000):
        guard.check(1)
        guard.check_red_flag(1, Level.EMERGENCY)
    assert sum(len(hits) for hits in vars(guard)["_hits"].values()) <= 11

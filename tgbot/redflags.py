"""Red-flag detection: which safety concepts a text touches, and how urgent they are.

PLACEHOLDER implementation (plain substring terms) that fixes the interface; the red-flag
work replaces the internals. Negation never suppresses a flag. Never imports telegram or
aiosqlite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from tgbot.model import NO_RED_FLAG, ContentProblem, Level, RedFlagResult, highest
from tgbot.text import normalize
from tgbot.yamlsrc import LineList, LineMap


@dataclass(frozen=True, slots=True)
class Concept:
    """One red-flag concept, e.g. 'blue-colour' (emergency)."""

    id: str
    level: Level
    label: str
    terms: tuple[str, ...]


class RedFlagRules:
    """Compiled red-flag concepts; detect() is what every reply path calls."""

    def __init__(self, concepts: Mapping[str, Concept]) -> None:
        self.concepts = MappingProxyType(dict(concepts))

    def detect(self, text: str) -> RedFlagResult:
        norm = f" {normalize(text)} "
        found = [c for c in self.concepts.values() if any(f" {t} " in norm for t in c.terms)]
        if not found:
            return NO_RED_FLAG
        return RedFlagResult(highest(*(c.level for c in found)), tuple(c.id for c in found))


def compile_rules(data: LineMap, path: Path) -> tuple[RedFlagRules | None, list[ContentProblem]]:
    """Validate red_flags.yaml data and compile it; returns the rules and every problem."""
    problems: list[ContentProblem] = []
    concepts: dict[str, Concept] = {}
    items = data.get("concepts")
    if not isinstance(items, LineList):
        return None, [ContentProblem(path, data.line_of("concepts"), "concepts must be a list")]
    for item in items:
        if not isinstance(item, LineMap):
            problems.append(ContentProblem(path, items.line, "each concept is a mapping"))
            continue
        try:
            level = Level(str(item.get("level")))
        except ValueError:
            problems.append(
                ContentProblem(path, item.line_of("level"), "level: emergency or urgent")
            )
            continue
        terms = tuple(normalize(t) for t in item.get("terms", []))
        concepts[str(item["id"])] = Concept(
            str(item["id"]), level, str(item.get("label", "")), terms
        )
    return (RedFlagRules(concepts) if not problems else None), problems

"""Red-flag detector figures on a labelled corpus: recall, exact level, false positives.

Pure: reads case dicts, runs RedFlagRules.detect and counts, overall, per concept and per
language. It never prints message texts; listing failures is the caller's choice (and the
sealed corpus refuses it). Never imports telegram or aiosqlite.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tgbot.core.model import Level
from tgbot.core.redflags import RedFlagRules

__all__ = ["Case", "Figures", "Tally", "evaluate", "format_figures", "load_cases"]


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled message: level None is a hard negative."""

    id: str
    text: str
    lang: str
    level: Level | None
    concept: str | None


@dataclass(slots=True)
class Tally:
    """Counts of one slice of the corpus."""

    positives: int = 0
    found: int = 0
    exact: int = 0
    negatives: int = 0
    false_positives: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.positives if self.positives else None

    @property
    def exact_level(self) -> float | None:
        return self.exact / self.positives if self.positives else None

    @property
    def fp_rate(self) -> float | None:
        return self.false_positives / self.negatives if self.negatives else None


@dataclass(slots=True)
class Figures:
    """Tallies overall, for emergency cases, per concept and per language, plus the misses."""

    overall: Tally = field(default_factory=Tally)
    emergency: Tally = field(default_factory=Tally)
    by_concept: dict[str, Tally] = field(default_factory=dict)
    by_lang: dict[str, Tally] = field(default_factory=dict)
    failures: list[dict[str, object]] = field(default_factory=list)


def load_cases(path: Path) -> list[Case]:
    """Cases of a JSON Lines file ({"id", "text", "lang", "level", "concept"}).

    Also reads score.py's case format ("red_flag" instead of "level")."""
    out: list[Case] = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            level = raw.get("level", raw.get("red_flag"))
            out.append(
                Case(
                    str(raw.get("id", f"line{number}")),
                    str(raw["text"]),
                    str(raw.get("lang", "en")),
                    Level(level) if level else None,
                    raw.get("concept"),
                )
            )
    return out


def base_language(lang: str) -> str:
    """ "mixed:es" counts under "mixed"; "hi-latn" stays itself."""
    return lang.split(":", 1)[0]


def evaluate(rules: RedFlagRules, cases: Iterable[Case]) -> Figures:
    """Run the detector over every case and count."""
    fig = Figures()
    for case in cases:
        result = rules.detect(case.text)
        lang = base_language(case.lang)
        slices = [fig.overall, fig.by_lang.setdefault(lang, Tally())]
        if case.level is None:
            for t in slices:
                t.negatives += 1
                t.false_positives += result.flagged
            if result.flagged:
                fig.failures.append(_failure(case, result.level, result.concepts, "false positive"))
            continue
        slices.append(fig.by_concept.setdefault(case.concept or "?", Tally()))
        if case.level is Level.EMERGENCY:
            slices.append(fig.emergency)
        for t in slices:
            t.positives += 1
            t.found += result.flagged
            t.exact += result.level is case.level
        if not result.flagged:
            fig.failures.append(_failure(case, None, (), "missed"))
        elif result.level is not case.level:
            fig.failures.append(_failure(case, result.level, result.concepts, "level"))
    return fig


def _failure(
    case: Case, got: Level | None, concepts: Sequence[str], kind: str
) -> dict[str, object]:
    return {
        "id": case.id,
        "lang": case.lang,
        "fail": kind,
        "text": case.text,
        "expected": {"level": case.level.value if case.level else None, "concept": case.concept},
        "got": {"level": got.value if got else None, "concepts": list(concepts)},
    }


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def format_figures(fig: Figures, title: str) -> str:
    """The tables a closing note quotes: overall, per language, per concept."""
    lines = [f"# {title}", ""]
    head = f"{'slice':<24} {'n+':>5} {'recall':>6} {'exact':>6} {'n-':>5} {'fp':>6}"

    def row(name: str, t: Tally) -> str:
        return (
            f"{name:<24} {t.positives:>5} {_pct(t.recall)} {_pct(t.exact_level)} "
            f"{t.negatives:>5} {_pct(t.fp_rate)}"
        )

    lines += [head, row("all", fig.overall), row("emergency concepts", fig.emergency), ""]
    lines += [
        head.replace("slice", "language"),
        *(row(k, fig.by_lang[k]) for k in sorted(fig.by_lang)),
        "",
    ]
    lines += [
        head.replace("slice", "concept"),
        *(row(k, fig.by_concept[k]) for k in sorted(fig.by_concept)),
    ]
    return "\n".join(lines)

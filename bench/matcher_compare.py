"""Compare question matchers on the dev set: accuracy, abstention and latency, side by side.

Approaches: (A) "bm25", the production matcher in tgbot.core.matching (BM25 plus the best single
phrasing), and "bm25-plain" (BM25 alone); (B) "fuzzy-tsr" and
"fuzzy-wratio", rapidfuzz token_set_ratio / WRatio over each topic's phrasings
(bench/fuzzy_matcher.py). Both share the same text analysis, so only the scoring differs.

For every approach it prints in-scope top-1 accuracy and out-of-scope abstention, of the
matcher alone and of the whole core (answer_for, where a red flag with nothing matched shows
the see-a-doctor topic), and the mean / p99 time of one match() call. With --holdout the
dev set is split in two fixed halves (by a hash of the case id): each approach's answer
threshold is tuned on one half and measured on the other, both ways round. --fit prints
the logistic calibration of the BM25 confidence fitted on the tuning half. --scale times
the production index on synthetic catalogues (8 phrasings, 10 keywords a topic).

    python -m bench.matcher_compare [--cases PATH] [--holdout] [--fit] [--scale 1000,10000]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from bench.fuzzy_matcher import FuzzyPhraseIndex
from tgbot.core.answers import answer_for
from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentPack, load_content
from tgbot.core.matching import (
    ANSWER_THRESHOLD,
    DEFAULT_SETTINGS,
    SUGGEST_THRESHOLD,
    Candidate,
    Match,
    TopicIndex,
    Vocabulary,
)
from tgbot.core.model import Topic

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
# Questions written for the bench (not from the dev set): paraphrases of the catalogue and
# out-of-scope messages that share words with it. An independent check, and the negatives the
# calibration needs (every dev out-of-scope case is already stopped by the domain gate).
EXTRA_SET = Path(__file__).resolve().parent / "matcher_extra.jsonl"
RED_FLAG_TOPIC = "when-to-see-doctor"
BOT_NAME = "HelperBot"


class Matcher(Protocol):
    answer_threshold: float
    suggest_threshold: float

    def rank(self, text: str, limit: int = 5) -> list[Candidate]: ...

    def match(self, text: str) -> Match: ...


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    topics: tuple[str, ...]
    red_flag: str | None


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            cases.append(
                Case(
                    raw["id"],
                    raw["text"].replace("{bot}", BOT_NAME),
                    tuple(raw["topics"]),
                    raw.get("red_flag"),
                )
            )
    return cases


def half_of(case: Case) -> int:
    """A fixed split: 0 or 1 from a hash of the id, the same on every run and machine."""
    return hashlib.sha256(case.id.encode()).digest()[0] % 2


def topic_ok(case: Case, topic: str | None) -> bool:
    """The scorer's rule: right topic in scope; abstain (or the red-flag topic) out of scope."""
    if case.topics:
        return topic in case.topics
    return topic is None or (case.red_flag is not None and topic == RED_FLAG_TOPIC)


def rates(cases: Sequence[Case], answered: Sequence[str | None]) -> tuple[float, float]:
    """(in-scope top-1 accuracy, out-of-scope abstention)."""
    inn = [topic_ok(c, a) for c, a in zip(cases, answered, strict=True) if c.topics]
    out = [topic_ok(c, a) for c, a in zip(cases, answered, strict=True) if not c.topics]
    return (sum(inn) / len(inn) if inn else math.nan, sum(out) / len(out) if out else math.nan)


def decided(top: Sequence[Candidate], threshold: float) -> str | None:
    return top[0].topic_id if top and top[0].score >= threshold else None


def tune_threshold(cases: Sequence[Case], tops: Sequence[list[Candidate]]) -> float:
    """The answer threshold maximising accuracy + abstention; the middle of the best plateau."""
    grid = [i / 100 for i in range(5, 100)]
    values = []
    for t in grid:
        acc, abst = rates(cases, [decided(top, t) for top in tops])
        values.append(acc + abst)
    best = max(values)
    plateau = [t for t, v in zip(grid, values, strict=True) if v >= best - 1e-9]
    return plateau[len(plateau) // 2]


def core_rates(pack: ContentPack, index: Matcher, cases: Sequence[Case]) -> tuple[float, float]:
    swapped = dataclasses.replace(pack, index=index)  # type: ignore[arg-type]
    return rates(cases, [answer_for(c.text, swapped).topic_id for c in cases])


def latency_ms(index: Matcher, texts: Sequence[str], rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            index.match(text)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.fmean(times), times[max(0, math.ceil(0.99 * len(times)) - 1)]


def approaches(pack: ContentPack, vocabulary: Vocabulary) -> dict[str, Callable[[], Matcher]]:
    topics = list(pack.topics.values())
    plain = dataclasses.replace(DEFAULT_SETTINGS, phrase_weight=0.0)
    return {
        "bm25": lambda: TopicIndex(topics, vocabulary),
        "bm25-plain": lambda: TopicIndex(topics, vocabulary, settings=plain),
        "fuzzy-tsr": lambda: FuzzyPhraseIndex(topics, vocabulary, scorer="token_set_ratio"),
        "fuzzy-wratio": lambda: FuzzyPhraseIndex(topics, vocabulary, scorer="wratio"),
    }


def fit_calibration(index: TopicIndex, cases: Sequence[Case]) -> tuple[float, float, float]:
    """Logistic regression P(top topic right) ~ coverage, margin, on in-domain cases."""
    rows: list[tuple[float, float, float]] = []
    for case in cases:
        details, in_domain = index.explain(case.text, 2)
        if not details or not in_domain:
            continue
        top = details[0]
        label = 1.0 if case.topics and top.topic_id in case.topics else 0.0
        rows.append((top.coverage, top.margin, label))
    return _logistic_fit([(cov, mar) for cov, mar, _ in rows], [y for _, _, y in rows])


def _logistic_fit(xs: list[tuple[float, float]], ys: list[float]) -> tuple[float, float, float]:
    """Newton's method for a two-feature logistic regression with a small ridge penalty."""
    w = [0.0, 0.0, 0.0]
    for _ in range(50):
        grad = [0.0, 0.0, 0.0]
        hess = [[0.0] * 3 for _ in range(3)]
        for (a, b), y in zip(xs, ys, strict=True):
            f = (a, b, 1.0)
            p = 1 / (1 + math.exp(-(w[0] * a + w[1] * b + w[2])))
            for i in range(3):
                grad[i] += (p - y) * f[i]
                for j in range(3):
                    hess[i][j] += p * (1 - p) * f[i] * f[j]
        for i in range(2):  # ridge on the slopes only: keeps them finite on separable data
            grad[i] += 0.1 * w[i]
            hess[i][i] += 0.1
        step = _solve3(hess, grad)
        w = [w[i] - step[i] for i in range(3)]
        if max(abs(x) for x in step) < 1e-9:
            break
    return w[0], w[1], w[2]


def _solve3(m: list[list[float]], v: list[float]) -> list[float]:
    """Solve a 3x3 linear system by Cramer's rule (the Hessian is positive definite)."""

    def det(a: list[list[float]]) -> float:
        return (
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        )

    d = det(m)
    out = []
    for k in range(3):
        mk = [[v[i] if j == k else m[i][j] for j in range(3)] for i in range(3)]
        out.append(det(mk) / d)
    return out


# ----------------------------------------------------------------------------- scale


def synthetic_topics(count: int, seed: int = 7) -> tuple[list[Topic], list[tuple[str, str]]]:
    """Topics of made-up words (8 phrasings, 10 keywords each) and queries drawn from them."""
    rng = random.Random(seed)
    syllables = [a + b for a in "bcdfghjklmnprstvwz" for b in ("a", "e", "i", "o", "u", "ai", "ou")]
    lexicon = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(20_000)})
    common = ["what", "is", "my", "baby", "why", "does", "how", "the", "a", "when"]
    topics: list[Topic] = []
    queries: list[tuple[str, str]] = []
    for n in range(count):
        own = rng.sample(lexicon, 12)
        phrasings = []
        for _ in range(8):
            phrase = rng.sample(common, 3) + rng.sample(own, 3) + rng.sample(lexicon, 2)
            rng.shuffle(phrase)
            phrasings.append(" ".join(phrase))
        keywords = [" ".join(rng.sample(own, rng.randint(1, 2))) for _ in range(10)]
        topics.append(
            Topic(
                id=f"t{n}",
                title=" ".join(own[:3]),
                questions=tuple(phrasings),
                keywords=tuple(keywords),
                related=(),
                red_flag=False,
                sources=(),
                reviewed=date(2026, 1, 1),
                body="",
            )
        )
        if n % max(1, count // 300) == 0:
            words = rng.sample(own, 3) + rng.sample(common, 3)
            typo = words[0]
            if len(typo) >= 6:
                i = rng.randrange(1, len(typo) - 1)
                words[0] = typo[:i] + typo[i + 1 :]  # a dropped letter
            queries.append((" ".join(words), f"t{n}"))
    return topics, queries


def scale(counts: Sequence[int], vocabulary: Vocabulary) -> None:
    print("\nScale (production matcher on synthetic topics; each query: three of its topic's")
    print("words, one with a letter dropped, and three common words; hit@1 = source topic)")
    print(f"{'topics':>8}{'build s':>10}{'mean ms':>10}{'p99 ms':>10}{'hit@1':>8}")
    for count in counts:
        topics, queries = synthetic_topics(count)
        t0 = time.perf_counter()
        index = TopicIndex(topics, vocabulary)
        build = time.perf_counter() - t0
        texts = [q for q, _ in queries]
        for q in texts:  # warm the correction cache the way a long-running bot would
            index.rank(q, 5)
        mean, p99 = latency_ms(index, texts, 5)
        hits = sum(1 for q, want in queries if (r := index.rank(q, 1)) and r[0].topic_id == want)
        print(f"{count:>8}{build:>10.2f}{mean:>10.3f}{p99:>10.3f}{hits / len(queries):>8.2f}")


# ----------------------------------------------------------------------------- main


def fmt(v: float) -> str:
    return "  n/a" if math.isnan(v) else f"{v:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--cases", type=Path, default=DEV_SET)
    ap.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR)
    ap.add_argument("--rounds", type=int, default=20, help="latency: passes over the cases")
    ap.add_argument("--holdout", action="store_true", help="tune on one half, check the other")
    ap.add_argument("--fit", action="store_true", help="fit the BM25 calibration (tune half)")
    ap.add_argument("--scale", default="", help="comma-separated synthetic topic counts")
    ap.add_argument("--only", default="", help="comma-separated approach names")
    ap.add_argument("--failures", action="store_true", help="list bm25's failing cases")
    args = ap.parse_args(argv)

    pack = load_content(args.content).default
    vocabulary = _vocabulary(pack)
    if not args.cases.exists():
        print(f"no case file at {args.cases}", file=sys.stderr)
        return 2
    cases = load_cases(args.cases)
    extra = load_cases(EXTRA_SET) if EXTRA_SET.exists() else []
    texts = [c.text for c in cases]
    halves = [[c for c in cases if half_of(c) == h] for h in (0, 1)]
    print(
        f"{len(cases)} dev cases ({sum(1 for c in cases if c.topics)} in scope), halves "
        f"{len(halves[0])}/{len(halves[1])}; {len(extra)} bench-written cases; shipped "
        f"thresholds: answer {ANSWER_THRESHOLD}, suggest {SUGGEST_THRESHOLD}"
    )
    print("\nWhole dev set (matcher alone; core = answer_for with red-flag fallback) and")
    print("the bench-written set (extra); latency = one match() call after loading")
    print(
        f"{'approach':<14}{'thr':>6}{'in-scope':>10}{'abstain':>9}{'core in':>9}"
        f"{'core abs':>10}{'extra in':>10}{'extra abs':>10}{'mean ms':>9}{'p99 ms':>8}"
        f"{'ceiling':>9}"
    )
    chosen = [a for a in args.only.split(",") if a] or None
    builders = approaches(pack, vocabulary)
    results: dict[str, Any] = {}
    for name, build in builders.items():
        if chosen and name not in chosen:
            continue
        index = build()
        tops = [index.rank(t, 2) for t in texts]
        if name != "bm25":
            # not the shipped matcher: give it its best threshold on the whole dev set
            index.answer_threshold = tune_threshold(cases, tops)
            index.suggest_threshold = index.answer_threshold - 0.15
        acc, abst = rates(cases, [decided(t, index.answer_threshold) for t in tops])
        ceiling, _ = rates(cases, [decided(t, 0.0) for t in tops])
        core_acc, core_abst = core_rates(pack, index, cases)
        x_acc, x_abst = rates(extra, [index.match(c.text).topic_id for c in extra])
        mean, p99 = latency_ms(index, texts, args.rounds)
        print(
            f"{name:<14}{index.answer_threshold:>6.2f}{fmt(acc):>10}{fmt(abst):>9}"
            f"{fmt(core_acc):>9}{fmt(core_abst):>10}{fmt(x_acc):>10}{fmt(x_abst):>10}"
            f"{mean:>9.3f}{p99:>8.3f}{fmt(ceiling):>9}"
        )
        results[name] = (index, tops)
    print("(ceiling: in-scope top-1 if the matcher always answered its best topic)")

    if args.holdout:
        print("\nHeld-out check: answer threshold tuned on one half of the dev set (and of the")
        print("bench-written set), measured on the other half, both ways round")
        print(
            f"{'approach':<14}{'tune->check':>12}{'thr':>6}{'tune in':>9}{'tune abs':>10}"
            f"{'check in':>10}{'check abs':>10}{'x in':>7}{'x abs':>7}"
        )
        x_halves = [[c for c in extra if half_of(c) == h] for h in (0, 1)]
        for name, (index, tops) in results.items():
            by_id = {c.id: top for c, top in zip(cases, tops, strict=True)}
            by_id.update({c.id: index.rank(c.text, 2) for c in extra})
            for a, b in ((0, 1), (1, 0)):
                tune = [*halves[a], *x_halves[a]]
                t = tune_threshold(tune, [by_id[c.id] for c in tune])
                ta, tb = rates(halves[a], [decided(by_id[c.id], t) for c in halves[a]])
                ca, cb = rates(halves[b], [decided(by_id[c.id], t) for c in halves[b]])
                xa, xb = rates(x_halves[b], [decided(by_id[c.id], t) for c in x_halves[b]])
                print(
                    f"{name:<14}{f'{a}->{b}':>12}{t:>6.2f}{fmt(ta):>9}{fmt(tb):>10}"
                    f"{fmt(ca):>10}{fmt(cb):>10}{fmt(xa):>7}{fmt(xb):>7}"
                )
        if "bm25" in results:
            index, tops = results["bm25"]
            print(f"shipped bm25 threshold {index.answer_threshold} on each dev half:")
            for h in (0, 1):
                by = [top for c, top in zip(cases, tops, strict=True) if half_of(c) == h]
                acc, abst = rates(halves[h], [decided(t, index.answer_threshold) for t in by])
                print(f"  half {h}: in-scope {fmt(acc)}  abstention {fmt(abst)}")

    if args.fit:
        bm25 = TopicIndex(list(pack.topics.values()), vocabulary)
        print()
        for h in (0, 1):
            cov, mar, bias = fit_calibration(bm25, [*halves[h], *extra])
            print(
                f"calibration fitted on dev half {h} + extra: coverage {cov:.2f}, "
                f"margin {mar:.2f}, bias {bias:.2f}"
            )

    if args.failures and "bm25" in results:
        index, _ = results["bm25"]
        print("\nbm25 failures (matcher alone):")
        for case in [*cases, *extra]:
            details, in_domain = index.explain(case.text, 3)
            got = index.match(case.text).topic_id
            if not topic_ok(case, got):
                shown = ", ".join(
                    f"{d.topic_id}={d.confidence:.2f}/c{d.coverage:.2f}/m{d.margin:.2f}"
                    for d in details
                )
                print(
                    f"  {case.id} want={list(case.topics)} got={got} dom={in_domain} "
                    f"[{shown}] :: {case.text[:110]}"
                )

    if args.scale:
        scale([int(n) for n in args.scale.split(",") if n], vocabulary)
    return 0


def _vocabulary(pack: ContentPack) -> Vocabulary:
    """The vocabulary the pack's index was built with (content/synonyms.yaml)."""
    return pack.index.vocabulary


if __name__ == "__main__":
    sys.exit(main())

"""The fault plan: which Bot API calls fail, how, and a tally of every fault injected.

Two sources of faults, checked in this order for each request:
1. scripted faults, `plan.add(Fault(...), method=..., times=...)`: consumed first-in first-out by
   the next matching calls, so a test says exactly which call fails;
2. random faults, `plan.randomly(rate, kinds, ...)`: each matching call fails with probability
   `rate`, the kind drawn from `kinds`, from an RNG seeded by the plan's seed so a soak run can be
   replayed.

A fault hits either before the server acts on the call (nothing happened, the default) or after
(`after=True`: the message was delivered but the client never learns it), which is how a real
network fails and what makes duplicate answers possible. Never opens a connection.
"""

from __future__ import annotations

import enum
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class FaultKind(enum.StrEnum):
    """What goes wrong. The wire effect of each is described in server.FakeBotApi."""

    RETRY_AFTER = "retry_after"  # 429 Too Many Requests, parameters.retry_after
    SERVER_ERROR = "server_error"  # 500 with a Bot API error body
    BAD_GATEWAY = "bad_gateway"  # 502 with an HTML body, as the proxy in front of Telegram sends
    HANG = "hang"  # no answer until the client gives up (or hang_seconds pass), then close
    DROP = "drop"  # close the connection without a response
    MALFORMED = "malformed"  # 200 with a body that is not JSON
    CONFLICT = "conflict"  # 409, as when a second getUpdates consumer takes over
    FORBIDDEN = "forbidden"  # 403, the user blocked the bot
    MIGRATED = "migrated"  # 400 with parameters.migrate_to_chat_id


# The kinds a random soak injects by default; FORBIDDEN and MIGRATED change what a correct bot
# does next, so they are scripted on purpose rather than sprinkled.
TRANSIENT_KINDS: tuple[FaultKind, ...] = (
    FaultKind.RETRY_AFTER,
    FaultKind.SERVER_ERROR,
    FaultKind.BAD_GATEWAY,
    FaultKind.HANG,
    FaultKind.DROP,
    FaultKind.MALFORMED,
    FaultKind.CONFLICT,
)


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault to inject.

    retry_after: seconds in a 429. hang_seconds: how long a HANG holds the request before
    closing it (None: until the client disconnects, capped by the server's hang limit).
    migrate_to_chat_id: the new id in a MIGRATED error. after: the call takes effect first
    (the message is delivered) and only the response is lost or replaced. cut_after: where a
    MALFORMED body ends, right after the first occurrence of this text (default: two thirds
    of the way through).
    """

    kind: FaultKind
    retry_after: int = 1
    hang_seconds: float | None = None
    migrate_to_chat_id: int = -1001000000000
    after: bool = False
    cut_after: str | None = None


@dataclass(frozen=True, slots=True)
class InjectedFault:
    """One fault that the server applied: to which call and how."""

    call_index: int
    method: str
    fault: Fault
    source: str  # "scripted" or "random"


CallMatcher = Callable[[str, Mapping[str, Any]], bool]


@dataclass(slots=True)
class _Scripted:
    fault: Fault
    method: str | None
    where: CallMatcher | None
    remaining: int


@dataclass(slots=True)
class _RandomRule:
    rate: float
    kinds: tuple[FaultKind, ...]
    methods: frozenset[str] | None
    exclude: frozenset[str]
    retry_after: int
    hang_seconds: float | None
    after_share: float


@dataclass
class FaultPlan:
    """Decides, call by call, whether the fake server misbehaves; thread-safe.

    `injected` lists every fault applied; `counts()` tallies them by kind or by (method, kind).
    """

    seed: int = 0
    injected: list[InjectedFault] = field(default_factory=list)
    _rng: random.Random = field(init=False, repr=False)
    _scripted: list[_Scripted] = field(default_factory=list, repr=False)
    _random: list[_RandomRule] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def add(
        self,
        fault: Fault | FaultKind,
        *,
        method: str | None = None,
        times: int = 1,
        where: CallMatcher | None = None,
    ) -> FaultPlan:
        """Fail the next `times` calls of `method` (any method when None) that `where` accepts.

        `where(method, params)` narrows the target, e.g. to one chat:
        `where=lambda m, p: p.get("chat_id") == chat.id`.
        """
        if isinstance(fault, FaultKind):
            fault = Fault(fault)
        with self._lock:
            self._scripted.append(_Scripted(fault, _norm(method), where, times))
        return self

    def randomly(
        self,
        rate: float,
        kinds: Iterable[FaultKind] = TRANSIENT_KINDS,
        *,
        methods: Iterable[str] | None = None,
        exclude: Iterable[str] = ("getMe",),
        retry_after: int = 1,
        hang_seconds: float | None = None,
        after_share: float = 0.0,
    ) -> FaultPlan:
        """Fail each matching call with probability `rate`, the kind drawn uniformly.

        CONFLICT is only ever applied to getUpdates (a second consumer is a polling matter).
        `after_share` is the fraction of faults that hit after the call took effect.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within 0..1")
        kind_tuple = tuple(kinds)
        if not kind_tuple:
            raise ValueError("kinds must not be empty")
        with self._lock:
            self._random.append(
                _RandomRule(
                    rate=rate,
                    kinds=kind_tuple,
                    methods=frozenset(_norm(m) or "" for m in methods) if methods else None,
                    exclude=frozenset(_norm(m) or "" for m in exclude),
                    retry_after=retry_after,
                    hang_seconds=hang_seconds,
                    after_share=after_share,
                )
            )
        return self

    def clear(self) -> None:
        """Stop injecting (scripted faults not yet used and random rules are dropped)."""
        with self._lock:
            self._scripted.clear()
            self._random.clear()

    @property
    def pending(self) -> int:
        """Scripted faults not yet injected."""
        with self._lock:
            return sum(s.remaining for s in self._scripted)

    def decide(self, call_index: int, method: str, params: Mapping[str, Any]) -> Fault | None:
        """The fault for this call, if any, recorded as injected. Called by the server."""
        key = _norm(method) or ""
        with self._lock:
            for scripted in self._scripted:
                if scripted.method not in (None, key):
                    continue
                if scripted.where is not None and not scripted.where(method, params):
                    continue
                scripted.remaining -= 1
                if scripted.remaining <= 0:
                    self._scripted.remove(scripted)
                return self._record(call_index, method, scripted.fault, "scripted")
            for rule in self._random:
                if rule.methods is not None and key not in rule.methods:
                    continue
                if key in rule.exclude:
                    continue
                kinds = [
                    k for k in rule.kinds if k is not FaultKind.CONFLICT or key == "getupdates"
                ]
                # Draw even when no kind applies, so one method's presence does not shift the
                # random sequence of the others between runs.
                roll = self._rng.random()
                if not kinds or roll >= rule.rate:
                    continue
                fault = Fault(
                    self._rng.choice(kinds),
                    retry_after=rule.retry_after,
                    hang_seconds=rule.hang_seconds,
                    after=self._rng.random() < rule.after_share,
                )
                return self._record(call_index, method, fault, "random")
        return None

    def _record(self, call_index: int, method: str, fault: Fault, source: str) -> Fault:
        self.injected.append(InjectedFault(call_index, method, fault, source))
        return fault

    def counts(self, *, by_method: bool = False) -> Counter[Any]:
        """How many faults were injected, by kind (or by (method, kind))."""
        with self._lock:
            if by_method:
                return Counter((f.method, f.fault.kind) for f in self.injected)
            return Counter(f.fault.kind for f in self.injected)


def _norm(method: str | None) -> str | None:
    # Telegram treats method names case-insensitively.
    return method.lower() if method is not None else None

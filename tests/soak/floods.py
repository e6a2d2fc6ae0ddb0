"""The flood soak: the review's floods against the real bot, while unrelated parents send an
emergency in their private chats; reports how long each of their prompts took.

The fake Bot API enforces Telegram's flood control (20 messages a minute per group, 30 a
second overall: FloodLimits), so a bot that waits for a group's budget inside a handler shows
up here as late prompts elsewhere. Each flood pushes `size` messages at `rate` a second and,
spread evenly through it, `probes` emergency messages from different unrelated parents. A
probe's delay runs from the push of its update to the moment the bot's sendMessage carrying
the emergency prompt reaches the fake server.

Floods (security review, weaknesses 1 and 2):
- group-one-user: one user posts the red flag @-mentioning the bot `size` times in one group;
- group-many-users: `size` users post it once each in one group;
- private-red-flags: one user sends the red flag `size` times in a private chat;
- private-commands: one user sends /help `size` times in a private chat.

Bounded: every flood and wait has a deadline; everything runs on 127.0.0.1.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from e2e.harness import BOT_USERNAME, TOKEN, BotProcess, content_pack
from fakebotapi import FakeBotApi, FakeChat, FakeUser, FloodLimits

from tgbot.channels.telegram.render import markup_blocks, split_html

RED_FLAG = "my baby is not breathing and his lips are blue"
FLOODS = ("group-one-user", "group-many-users", "private-red-flags", "private-commands")
PROBE_TIMEOUT = 20.0  # a probe not answered by then counts as this late (and fails the bound)


@dataclass(frozen=True)
class FloodConfig:
    size: int = 1000
    rate: float = 250.0  # flood messages a second
    probes: int = 24
    bound_seconds: float = 1.0  # the acceptance bound on a probe's p99


@dataclass
class FloodResult:
    name: str
    size: int
    push_seconds: float
    delays: list[float] = field(default_factory=list)
    unanswered_probes: int = 0
    replies_in_flood_chat: int = 0
    refused_429: int = 0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.delays)
        if not ordered:
            return math.inf
        index = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
        return ordered[index]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    def line(self) -> str:
        return (
            f"flood={self.name} messages={self.size} pushed_in_s={self.push_seconds:.1f} "
            f"probes={len(self.delays)} unanswered={self.unanswered_probes} "
            f"p50_s={self.p50:.3f} p99_s={self.p99:.3f} max_s={max(self.delays, default=0):.3f} "
            f"flood_chat_replies={self.replies_in_flood_chat} refused_429={self.refused_429}"
        )


def _prompt_source() -> str:
    """The HTML the emergency prompt starts with, as the bot renders it."""
    pack = content_pack()
    return split_html(markup_blocks(pack.text("emergency_prompt"), bold=True))[0]


def _flood_step(
    api: FakeBotApi, name: str, i: int, flooder: FakeUser, group: FakeChat | None
) -> None:
    if name == "group-one-user":
        api.send_text(flooder, f"@{BOT_USERNAME} {RED_FLAG} {i}", chat=group)
    elif name == "group-many-users":
        user = api.user(f"Member{i}", language_code="en")
        api.send_text(user, f"@{BOT_USERNAME} {RED_FLAG} {i}", chat=group)
    elif name == "private-red-flags":
        api.send_text(flooder, f"{RED_FLAG} {i}")
    else:
        api.send_text(flooder, "/help")


def run_flood(api: FakeBotApi, name: str, config: FloodConfig) -> FloodResult:
    """One flood with its probes; returns the probes' delays."""
    flooder = api.user("Flood", name.replace("-", ""), language_code="en")
    group = api.group(f"Flooded {name}") if name.startswith("group") else None
    flood_chat = group if group is not None else api.private_chat(flooder)
    prompt = _prompt_source()
    calls_before = len(api.calls())
    probe_every = max(1, config.size // config.probes)
    probes: list[tuple[FakeUser, float]] = []
    start = time.monotonic()
    for i in range(config.size):
        due = start + i / config.rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        _flood_step(api, name, i, flooder, group)
        if i % probe_every == probe_every // 2 and len(probes) < config.probes:
            parent = api.user("Probe", f"{name}{i}", language_code="en")
            probes.append((parent, time.monotonic()))
            api.send_text(parent, RED_FLAG)
    pushed = time.monotonic() - start
    result = FloodResult(name, config.size, pushed)
    for parent, sent_at in probes:
        chat = api.private_chat(parent)
        remaining = max(0.1, sent_at + PROBE_TIMEOUT - time.monotonic())
        try:
            reply = api.wait_for_message(
                chat, lambda m: m.source.startswith(prompt), timeout=remaining
            )
        except TimeoutError:
            result.unanswered_probes += 1
            result.delays.append(PROBE_TIMEOUT)
            continue
        arrived = api.calls()[reply.delivered_by].started
        result.delays.append(max(0.0, arrived - sent_at))
    result.replies_in_flood_chat = len(api.sent_messages(flood_chat))
    result.refused_429 = sum(1 for c in api.calls()[calls_before:] if c.status == 429)
    return result


def run_floods(
    workdir: Path, config: FloodConfig | None = None, names: tuple[str, ...] = FLOODS
) -> list[FloodResult]:
    """Start the bot once against a flood-limited fake server and run each flood in turn."""
    config = config or FloodConfig()
    results: list[FloodResult] = []
    with FakeBotApi(TOKEN, bot_username=BOT_USERNAME, flood_limits=FloodLimits()) as api:
        # Logging as in production (INFO): DEBUG adds PTB's lines for every request.
        bot = BotProcess(api, workdir, extra_env={"LOG_LEVEL": "INFO"})
        try:
            bot.start()
            for name in names:
                results.append(run_flood(api, name, config))
                bot.assert_running()
        finally:
            bot.stop()
    return results

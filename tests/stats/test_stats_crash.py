"""Specification of crash safety, with a real process: SIGTERM/SIGINT lose nothing, and
kill -9 loses at most the batch not yet written, never the file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# The child does what the bot does: start the recorder, answer, and on SIGTERM/SIGINT await
# stop() (run_polling calls post_shutdown, where the Telegram layer awaits it).
CHILD = r"""
import asyncio, signal, sys
from pathlib import Path

from tgbot.stats.events import AskPath, Channel
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.testing import make_answer


async def queued_until_signal(db: Path, count: int) -> None:
    # Nothing is written before the signal: a long interval and a batch bigger than count.
    rec = StatsRecorder(db, flush_interval=3600, batch_size=count + 1)
    await rec.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    for i in range(count):
        rec.record_answer(make_answer(), channel=Channel.PRIVATE, path=AskPath.FREE_TEXT,
                          user_id=100_000 + i)
    print(f"queued {rec.status().queued} written {rec.status().written}", flush=True)
    await stop.wait()
    await rec.stop()
    print("stopped", flush=True)


async def writing_until_killed(db: Path, batch: int) -> None:
    rec = StatsRecorder(db, flush_interval=3600, batch_size=batch)
    await rec.start()
    total = 0
    while True:
        for i in range(batch):
            rec.record_answer(make_answer(), channel=Channel.PRIVATE, path=AskPath.FREE_TEXT,
                              user_id=i)
        await rec.flush()
        total += batch
        print(f"flushed {total}", flush=True)


mode, db, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
asyncio.run(queued_until_signal(db, n) if mode == "signal" else writing_until_killed(db, n))
"""


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_with_events_queued_loses_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "data" / "stats.sqlite3"
    child = _start(tmp_path, "signal", str(db), "3000")
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "queued 3000 written 0"
        child.send_signal(sig)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert out.strip() == "stopped"
    assert _query(db, "SELECT COUNT(*) FROM events") == [(3000,)]
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]


def test_kill_9_loses_at_most_the_unwritten_batch_and_never_the_file(tmp_path: Path) -> None:
    db = tmp_path / "data" / "stats.sqlite3"
    batch = 200
    child = _start(tmp_path, "kill", str(db), str(batch))
    flushed = 0
    try:
        assert child.stdout is not None
        while flushed < 4_000:
            line = child.stdout.readline()
            assert line, child.stderr.read() if child.stderr else "child ended"
            flushed = int(line.split()[1])
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == -signal.SIGKILL
    for line in rest.splitlines():  # flushes the child reported before it died
        flushed = int(line.split()[1])
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]
    [(stored,)] = _query(db, "SELECT COUNT(*) FROM events")
    assert isinstance(stored, int)
    assert flushed <= stored <= flushed + batch

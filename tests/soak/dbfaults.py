"""Making the bot's statistics database sick from outside the bot: full, read-only, locked.

The database lives on a small tmpfs mounted for the soak, so "full" is a real ENOSPC (a filler
file takes the last free byte) and "read-only" a real read-only filesystem (a remount, possible
once the bot closed its connection after the failed writes of the full phase). chmod would not
do: the bot runs as root here, and root writes to read-only files. "Locked" is another
connection holding SQLite's write lock longer than the bot's busy timeout. Where mounting is not
permitted (no CAP_SYS_ADMIN), only "locked" is applied and the report says so.

Every phase is bounded in time, and everything is undone in close(), whatever happened.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TMPFS_SIZE = "64m"
FILL_CHUNK = 1 << 20


@dataclass
class PhaseReport:
    """What one phase did: applied (the condition really held) and what the bot logged."""

    name: str
    applied: bool = False
    detail: str = ""
    outage_logged: bool = False
    seconds: float = 0.0


@dataclass
class DatabaseFaults:
    """The folder the bot's database lives in, and the faults that can be applied to it."""

    folder: Path
    mounted: bool = False
    reports: list[PhaseReport] = field(default_factory=list)
    _filler: Path | None = None
    _read_only: bool = False

    @classmethod
    def create(cls, folder: Path) -> DatabaseFaults:
        folder.mkdir(parents=True, exist_ok=True)
        faults = cls(folder)
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0755", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        faults.mounted = result.returncode == 0
        return faults

    @property
    def db_path(self) -> Path:
        return self.folder / "stats.sqlite3"

    # --- full -----------------------------------------------------------------------------

    def fill(self) -> str | None:
        """Take every free byte of the tmpfs, so each write that needs space fails (ENOSPC)."""
        if not self.mounted:
            return None
        self._filler = self.folder / "filler.bin"
        chunk = b"\0" * FILL_CHUNK
        with self._filler.open("wb", buffering=0) as out:
            for size in (FILL_CHUNK, 4096, 1):
                while True:
                    try:
                        out.write(chunk[:size])
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        return "tmpfs filled (ENOSPC)"

    def unfill(self) -> None:
        if self._filler is not None:
            with contextlib.suppress(FileNotFoundError):
                self._filler.unlink()
            self._filler = None

    # --- read-only ------------------------------------------------------------------------

    def make_read_only(self, timeout: float) -> str | None:
        """Remount read-only; the kernel refuses while a file is open for writing, so this
        retries until the bot's connection is closed (it closes it after a failed write)."""
        if not self.mounted:
            return None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(
                ["mount", "-o", "remount,ro", str(self.folder)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode == 0:
                self._read_only = True
                return "tmpfs remounted read-only"
            time.sleep(0.05)
        return None

    def probe_write_fails(self) -> str | None:
        """Proof that the condition is real: our own write next to the database fails.
        Returns the error, or None if the write went through."""
        probe = self.folder / "probe.bin"
        try:
            with probe.open("wb") as out:
                out.write(b"x" * 65536)
        except OSError as exc:
            return f"{type(exc).__name__}: {exc.strerror}"
        finally:
            with contextlib.suppress(OSError):
                probe.unlink()
        return None

    def make_writable(self) -> None:
        if self._read_only:
            subprocess.run(["mount", "-o", "remount,rw", str(self.folder)], check=True)
            self._read_only = False

    # --- locked ---------------------------------------------------------------------------

    def hold_lock(
        self, seconds: float, until: Callable[[], bool] | None = None, then: float = 0.0
    ) -> str:
        """Hold SQLite's write lock (BEGIN EXCLUSIVE) for at most `seconds`, or until `until()`
        is true and `then` seconds more."""
        db = sqlite3.connect(self.db_path, timeout=30)
        try:
            db.execute("BEGIN EXCLUSIVE")
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if until is not None and until():
                    deadline = min(deadline, time.monotonic() + then)
                    until = None
                time.sleep(0.05)
            db.execute("ROLLBACK")
        finally:
            db.close()
        return "BEGIN EXCLUSIVE held by another connection"

    # --- cleanup --------------------------------------------------------------------------

    def release(self) -> None:
        """Undo every fault (the folder stays mounted, the bot may still write)."""
        with contextlib.suppress(Exception):
            self.make_writable()
        self.unfill()

    def close(self) -> None:
        """Undo every fault; unmount (the bot has stopped by then)."""
        self.release()
        if self.mounted:
            result = subprocess.run(["umount", str(self.folder)], check=False)
            if result.returncode != 0:
                subprocess.run(["umount", "-l", str(self.folder)], check=False)
            self.mounted = False


def rss_kb(pid: int) -> int | None:
    """Resident memory of a process, from /proc (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None

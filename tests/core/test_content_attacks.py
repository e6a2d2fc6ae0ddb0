"""Content the loader cannot be hurt by (security review, weakness 5): FIFOs, devices, links,
huge files and texts, deep nesting. Each is refused with a clear message naming the file, at
once (never a hang, a crash or a raw traceback), and the old content keeps serving."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from conftest import write_fixture_content

from tgbot.channels.telegram import state
from tgbot.channels.telegram.state import LiveContent
from tgbot.core import content as content_module
from tgbot.core.content import (
    MAX_FILE_BYTES,
    MAX_PACK_BYTES,
    MAX_TEXT_CHARS,
    ContentError,
    load_content,
)
from tgbot.core.yamlsrc import MAX_YAML_DEPTH


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_fixture_content(tmp_path / "content")


def problems_of(root: Path) -> str:
    started = time.monotonic()
    with pytest.raises(ContentError) as caught:
        load_content(root)
    assert time.monotonic() - started < 10  # refused, not waited on
    return "\n".join(str(p) for p in caught.value.problems)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_like_a_content_file_is_refused_at_once(root: Path) -> None:
    (root / "texts.yaml").unlink()
    os.mkfifo(root / "texts.yaml")
    assert "texts.yaml:1: not a regular file" in problems_of(root)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_like_a_topic_is_refused_at_once(root: Path) -> None:
    os.mkfifo(root / "topics" / "stuck.md")
    assert "stuck.md:1: not a regular file" in problems_of(root)


def test_a_hard_link_to_a_file_outside_the_content_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_bytes((root / "ui.yaml").read_bytes())
    (root / "ui.yaml").unlink()
    os.link(outside, root / "ui.yaml")
    assert "ui.yaml:1: a hard link" in problems_of(root)


def test_a_symlinked_language_folder_is_refused_not_skipped(root: Path, tmp_path: Path) -> None:
    other = write_fixture_content(tmp_path / "other")
    (other / "content.yaml").write_text(
        (other / "content.yaml").read_text().replace("language: en", "language: de")
    )
    (root / "de").symlink_to(other)
    assert "symbolic link" in problems_of(root)


def test_a_huge_file_is_refused_before_it_is_read(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (root / "texts.yaml").open("ab") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk, no memory
    zeros_read: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        zeros_read.append(data.count(0))  # the sparse tail reads as NUL bytes
        return data

    monkeypatch.setattr(content_module.os, "read", counting_read)
    text = problems_of(root)
    assert f"the limit is {MAX_FILE_BYTES:,}" in text
    assert sum(zeros_read) == 0  # the big file was never read


def test_a_pack_over_its_size_limit_is_refused(root: Path) -> None:
    for i in range(MAX_PACK_BYTES // MAX_FILE_BYTES + 1):
        with (root / f"padding{i}.bin").open("wb") as f:
            f.truncate(MAX_FILE_BYTES)
    assert "bytes together" in problems_of(root)


def test_a_huge_interface_text_is_refused(root: Path) -> None:
    with (root / "ui.yaml").open("a", encoding="utf-8") as f:
        f.write("\nwelcome_extra: " + "word " * MAX_TEXT_CHARS + "\n")
    assert f"the limit is {MAX_TEXT_CHARS:,}" in problems_of(root)


@pytest.mark.parametrize("depth", [MAX_YAML_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting_is_a_content_error_with_a_line(root: Path, depth: int) -> None:
    with (root / "synonyms.yaml").open("a", encoding="utf-8") as f:
        f.write("\ndeep: " + "[" * depth + "]" * depth + "\n")
    assert "synonyms.yaml:" in (text := problems_of(root))
    assert "nested more than" in text


async def test_a_stuck_reload_gives_up_releases_the_lock_and_keeps_the_old_content(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = load_content(root)
    live = LiveContent(library, root, None)
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stuck_load(*args: object, **kwargs: object) -> object:
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(10)
        return library

    monkeypatch.setattr(state, "load_content", stuck_load)
    with pytest.raises(ContentError) as caught:
        await live.reload(within=0.2)
    assert "took over" in str(caught.value.problems[0])
    assert live.library is library
    assert not live._lock.locked()
    with pytest.raises(ContentError) as caught:  # refused at once, not queued
        await asyncio.wait_for(live.reload(within=0.2), 1.0)
    assert "still stuck" in str(caught.value.problems[0])
    release.set()
    await asyncio.sleep(0.1)
    monkeypatch.setattr(state, "load_content", lambda *a, **k: library)
    assert await live.reload(within=5.0) is library  # the lock was never left held

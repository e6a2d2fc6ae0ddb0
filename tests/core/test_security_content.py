"""The content folder cannot be escaped: no symbolic link inside it is followed, topic ids
and related ids are slugs that must name existing topics, and ids from users (deep links,
buttons, inline results) are looked up in memory, never turned into file paths.

A hostile or careless content edit is refused at load with a report, and the old content keeps
answering (see test_handlers_operator.py for /reload).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import write_fixture_content

from tgbot.core.content import TOPIC_ID, ContentError, load_content

SECRET_YAML = "welcome: the secret of the server\nTELEGRAM_BOT_TOKEN: 123456:SECRETSECRET\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the content, holding what a link would expose."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.yaml").write_text(SECRET_YAML, encoding="utf-8")
    return folder


def content(tmp_path: Path) -> Path:
    return write_fixture_content(tmp_path / "content")


def relink(path: Path, target: Path) -> None:
    """Replace a file or folder of the content by a link to a copy of it outside."""
    if path.is_dir():
        shutil.copytree(path, target)
        shutil.rmtree(path)
    else:
        shutil.copy(path, target)
        path.unlink()
    path.symlink_to(target)


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(root)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    "name",
    [
        "texts.yaml",
        "ui.yaml",
        "red_flags.yaml",
        "synonyms.yaml",
        "content.yaml",
        "topics/newborn-jitters.md",
        "topics",
    ],
)
def test_a_link_inside_the_content_is_refused_even_to_valid_content(
    tmp_path: Path, outside: Path, name: str
) -> None:
    root = content(tmp_path)
    relink(root / name, outside / Path(name).name)
    problems = problems_of(root)
    assert any("link" in p or "regular file" in p for p in problems), problems


@pytest.mark.parametrize("target", ["secret.yaml", "/proc/self/environ", "/etc/passwd"])
def test_a_link_to_a_secret_never_reaches_a_text(
    tmp_path: Path, outside: Path, target: str
) -> None:
    root = content(tmp_path)
    (root / "texts.yaml").unlink()
    (root / "texts.yaml").symlink_to(outside / target if "/" not in target else Path(target))
    problems = problems_of(root)
    assert not any("SECRET" in p or "secret of the server" in p for p in problems)


def test_a_linked_topic_to_the_environment_is_refused(tmp_path: Path) -> None:
    root = content(tmp_path)
    (root / "topics" / "environ.md").symlink_to("/proc/self/environ")
    assert any("environ.md" in p for p in problems_of(root))


def test_a_linked_language_pack_is_refused(tmp_path: Path, outside: Path) -> None:
    root = content(tmp_path)
    other = write_fixture_content(outside / "de")
    (other / "content.yaml").write_text(
        (other / "content.yaml")
        .read_text(encoding="utf-8")
        .replace("language: en", "language: de"),
        encoding="utf-8",
    )
    (root / "de").symlink_to(other)
    # Refused, and said so (security review: it used to be skipped in silence).
    with pytest.raises(ContentError) as caught:
        load_content(root)
    assert any("symbolic link" in str(p) for p in caught.value.problems)


@pytest.mark.parametrize(
    "related",
    ["../../etc/passwd", "/etc/passwd", "..", "topics/x", "Sleep-Twitching", "a b", "x\u200b"],
)
def test_related_ids_must_be_slugs_of_existing_topics(tmp_path: Path, related: str) -> None:
    root = content(tmp_path)
    topic = root / "topics" / "newborn-jitters.md"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace(
            "related: [sleep-twitching]", f'related: ["{related}"]'
        ),
        encoding="utf-8",
    )
    assert any("related" in p for p in problems_of(root))


@pytest.mark.parametrize(
    "file_name", ["..hidden.md", "UPPER.md", "with space.md", "dots.in.name.md", "ünï.md"]
)
def test_topic_file_names_must_be_their_slug_ids(tmp_path: Path, file_name: str) -> None:
    root = content(tmp_path)
    (root / "topics" / "newborn-jitters.md").rename(root / "topics" / file_name)
    assert problems_of(root)


@pytest.mark.parametrize("extra", ["notes.txt", "x.md.bak", "sub"])
def test_stray_files_in_topics_are_refused(tmp_path: Path, extra: str) -> None:
    root = content(tmp_path)
    if extra == "sub":
        (root / "topics" / "sub").mkdir()
    else:
        (root / "topics" / extra).write_text("x", encoding="utf-8")
    assert any(extra in p for p in problems_of(root))


@pytest.mark.parametrize(
    "user_id",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        ".",
        "",
        "sleep-twitching/../newborn-jitters",
        "sleep-twitching.md",
        "SLEEP-TWITCHING",
        "sleep-twitching\x00",
        "sleep-twitching\n",
        "%2e%2e%2f",
    ],
)
def test_ids_from_users_are_looked_up_never_opened(tmp_path: Path, user_id: str) -> None:
    pack = load_content(content(tmp_path)).default
    assert pack.topic(user_id) is None
    assert TOPIC_ID.fullmatch(user_id) is None


def test_an_id_is_only_ever_looked_up_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = load_content(content(tmp_path)).default
    opened: list[str] = []
    original: Callable[..., object] = Path.open

    def spy(self: Path, *args: object, **kwargs: object) -> object:
        opened.append(str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    for topic_id in ("sleep-twitching", "../../etc/passwd", "no-such-topic"):
        pack.topic(topic_id)
    assert opened == []

"""Content loading and validation: every problem is reported with file and line, in one run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentError, check_content, load_content

TOPIC = """\
---
id: {id}
title: {title}
questions:
  - What is question one about {id}?
  - What is question two about {id}?
  - What is question three about {id}?
  - What is question four about {id}?
  - What is question five about {id}?
  - What is question six about {id}?
keywords:
  - {id} keyword
related: {related}
red_flag: false
sources:
  - title: A source
reviewed: 2026-01-01
---
An answer about {id}.
"""


def write_topic(root: Path, topic_id: str, *, related: str = "[]", title: str = "A title") -> Path:
    path = root / "topics" / f"{topic_id}.md"
    path.write_text(TOPIC.format(id=topic_id, related=related, title=title), encoding="utf-8")
    return path


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    """A minimal valid content pack: the real texts and red flags, two small topics."""
    root = tmp_path / "content"
    (root / "topics").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT_DIR / "texts.yaml", root / "texts.yaml")
    # The real red flags, minus the topics their concepts point to (this pack has two topics).
    rules = (DEFAULT_CONTENT_DIR / "red_flags.yaml").read_text(encoding="utf-8")
    rules = "\n".join(ln for ln in rules.splitlines() if not ln.startswith("    topic: "))
    (root / "red_flags.yaml").write_text(rules + "\n", encoding="utf-8")
    (root / "content.yaml").write_text("language: en\nname: English\n", encoding="utf-8")
    write_topic(root, "alpha", related="[beta]")
    write_topic(root, "beta")
    return root


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in check_content(root)]


def test_minimal_pack_is_valid(pack_dir: Path) -> None:
    assert problems_of(pack_dir) == []
    library = load_content(pack_dir)
    assert set(library.default.topics) == {"alpha", "beta"}


def test_real_content_is_valid() -> None:
    assert problems_of(DEFAULT_CONTENT_DIR) == []


def test_real_content_has_every_required_topic() -> None:
    catalogue = Path(__file__).resolve().parents[3] / "shared" / "TOPICS.md"
    if not catalogue.exists():
        pytest.skip(f"topic catalogue not found at {catalogue}")
    import re

    required = set(re.findall(r"^\| `([a-z0-9-]+)` \|", catalogue.read_text(), re.M))
    assert len(required) == 15
    assert required <= set(load_content().default.topics)


def test_dangling_related_is_reported_with_its_line(pack_dir: Path) -> None:
    write_topic(pack_dir, "alpha", related="\n  - beta\n  - gamma")
    problems = problems_of(pack_dir)
    assert len(problems) == 1
    assert problems[0].endswith("alpha.md:15: related topic 'gamma' does not exist")


def test_unknown_and_missing_fields_are_reported_together(pack_dir: Path) -> None:
    path = pack_dir / "topics" / "beta.md"
    text = (
        path.read_text().replace("red_flag: false\n", "").replace("title:", "colour: red\ntitle:")
    )
    path.write_text(text)
    problems = problems_of(pack_dir)
    assert any("missing field 'red_flag'" in p for p in problems)
    assert any("beta.md:3: unknown field 'colour'" in p for p in problems)


def test_bad_yaml_names_the_line(pack_dir: Path) -> None:
    path = pack_dir / "topics" / "beta.md"
    path.write_text(path.read_text().replace("keywords:\n", "keywords: [unclosed\n"))
    (problem,) = problems_of(pack_dir)
    assert "beta.md:" in problem
    assert "invalid YAML" in problem


def test_duplicate_id_is_reported(pack_dir: Path) -> None:
    path = write_topic(pack_dir, "gamma")
    path.write_text(path.read_text().replace("id: gamma", "id: beta"))
    problems = problems_of(pack_dir)
    assert any("gamma.md:2:" in p and "'beta' must match the file name" in p for p in problems)


def test_empty_answer_is_reported(pack_dir: Path) -> None:
    path = pack_dir / "topics" / "beta.md"
    path.write_text(path.read_text().replace("An answer about beta.\n", "\n"))
    (problem,) = problems_of(pack_dir)
    assert "beta.md:19: the answer (text after the front matter) is empty" in problem


def test_overlong_answer_is_reported(pack_dir: Path) -> None:
    path = pack_dir / "topics" / "beta.md"
    path.write_text(path.read_text() + "word " * 400)
    (problem,) = problems_of(pack_dir)
    assert "keep it under" in problem


def test_bad_date_is_reported_with_its_line(pack_dir: Path) -> None:
    path = pack_dir / "topics" / "beta.md"
    path.write_text(path.read_text().replace("reviewed: 2026-01-01", "reviewed: last tuesday"))
    (problem,) = problems_of(pack_dir)
    assert problem.endswith("beta.md:17: reviewed must be a date written as YYYY-MM-DD")


def test_future_review_date_is_reported(pack_dir: Path) -> None:
    path = pack_dir / "topics" / "beta.md"
    path.write_text(path.read_text().replace("reviewed: 2026-01-01", "reviewed: 2999-01-01"))
    (problem,) = problems_of(pack_dir)
    assert "in the future" in problem


def test_too_few_questions_are_reported(pack_dir: Path) -> None:
    path = pack_dir / "topics" / "beta.md"
    text = path.read_text().replace("  - What is question six about beta?\n", "")
    path.write_text(text)
    (problem,) = problems_of(pack_dir)
    assert "5 questions; give at least 6" in problem


def test_every_problem_of_several_files_is_reported_in_one_run(pack_dir: Path) -> None:
    write_topic(pack_dir, "alpha", related="[nope]")
    beta = pack_dir / "topics" / "beta.md"
    beta.write_text(beta.read_text().replace("reviewed: 2026-01-01", "reviewed: soon"))
    (pack_dir / "texts.yaml").write_text("disclaimer: only this\n")
    problems = problems_of(pack_dir)
    assert any("alpha.md" in p and "'nope'" in p for p in problems)
    assert any("beta.md" in p and "reviewed" in p for p in problems)
    assert any("texts.yaml" in p and "missing text 'emergency_prompt'" in p for p in problems)


def test_topic_id_cannot_escape_the_content_directory(pack_dir: Path) -> None:
    write_topic(pack_dir, "alpha", related="['../../etc/passwd']")
    problems = problems_of(pack_dir)
    assert any("is not a topic id" in p for p in problems)


def test_non_markdown_file_in_topics_is_reported(pack_dir: Path) -> None:
    (pack_dir / "topics" / "notes.txt").write_text("scratch")
    (problem,) = problems_of(pack_dir)
    assert "notes.txt:1: unexpected file" in problem


def test_emergency_prompt_must_say_emergency(pack_dir: Path) -> None:
    texts = pack_dir / "texts.yaml"
    lines = [
        "emergency_prompt: Call for help now." if line.startswith("emergency_prompt:") else line
        for line in texts.read_text().splitlines()
    ]
    # Folded scalars continue on indented lines; keep the file valid by dropping them.
    kept = [
        ln for i, ln in enumerate(lines) if not (ln.startswith("  ") and _after_prompt(lines, i))
    ]
    texts.write_text("\n".join(kept) + "\n")
    assert any("emergency_prompt must say 'emergency'" in p for p in problems_of(pack_dir))


def _after_prompt(lines: list[str], index: int) -> bool:
    for j in range(index - 1, -1, -1):
        if not lines[j].startswith("  "):
            return lines[j].startswith("emergency_prompt:")
    return False


def test_invalid_content_raises_with_a_report(pack_dir: Path) -> None:
    write_topic(pack_dir, "alpha", related="[nope]")
    with pytest.raises(ContentError) as caught:
        load_content(pack_dir)
    assert "will not start" in caught.value.report()


def test_second_language_is_added_as_content_alone(pack_dir: Path) -> None:
    german = pack_dir / "de"
    shutil.copytree(pack_dir / "topics", german / "topics")
    for name in ("texts.yaml", "red_flags.yaml"):
        shutil.copy(pack_dir / name, german / name)
    (german / "content.yaml").write_text("language: de\nname: Deutsch\n")
    library = load_content(pack_dir)
    assert set(library.packs) == {"en", "de"}
    assert library.pack("de-AT").language == "de"
    assert library.pack("fr").language == "en"


def test_emergency_number_setting_fills_the_prompts(pack_dir: Path) -> None:
    library = load_content(pack_dir, emergency_number="911")
    assert "911" in library.default.texts["emergency_prompt"]
    assert "{emergency_number}" not in library.default.texts["doctor_prompt"]


def test_reassuring_must_be_true_or_false(pack_dir: Path) -> None:
    path = pack_dir / "topics" / "beta.md"
    path.write_text(
        path.read_text().replace("red_flag: false\n", "red_flag: false\nreassuring: yes please\n")
    )
    (problem,) = problems_of(pack_dir)
    assert "reassuring must be true or false" in problem

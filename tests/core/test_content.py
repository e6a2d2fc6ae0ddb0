"""Content loading and validation: every problem is reported with file and line, in one run."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tgbot.core.content import (
    DEFAULT_CONTENT_DIR,
    ContentError,
    check_content,
    load_content,
    review_report,
)

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
  - {{"title": A source, url: "https://www.nhs.uk/conditions/a-source/"}}
reviewed: 2026-01-01
reviewed_by: A test editor
next_review: 2027-01-01
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
    assert "beta.md:21: the answer (text after the front matter) is empty" in problem


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


# --- issue 13: review metadata, authoritative sources, advice that agrees with the rules


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_topic_without_a_reviewer_is_refused(pack_dir: Path) -> None:
    _rewrite(pack_dir / "topics" / "beta.md", "reviewed_by: A test editor\n", "")
    assert any("missing field 'reviewed_by'" in p for p in problems_of(pack_dir))


def test_next_review_must_come_after_the_review(pack_dir: Path) -> None:
    _rewrite(pack_dir / "topics" / "beta.md", "next_review: 2027-01-01", "next_review: 2025-06-01")
    (problem,) = problems_of(pack_dir)
    assert "next_review 2025-06-01 must come after reviewed 2026-01-01" in problem


def test_an_impossible_next_review_date_is_a_problem_not_a_crash(pack_dir: Path) -> None:
    _rewrite(pack_dir / "topics" / "beta.md", "next_review: 2027-01-01", "next_review: 2027-13-45")
    assert problems_of(pack_dir)  # reported, whatever the wording; load must not raise


def test_a_topic_citing_no_authoritative_source_is_refused(pack_dir: Path) -> None:
    _rewrite(
        pack_dir / "topics" / "beta.md",
        '"https://www.nhs.uk/conditions/a-source/"',
        '"https://someones-blog.example/jerks"',
    )
    (problem,) = problems_of(pack_dir)
    assert "beta.md" in problem
    assert "authoritative source with a URL" in problem


def test_a_source_title_that_is_a_file_path_is_refused(pack_dir: Path) -> None:
    _rewrite(pack_dir / "topics" / "beta.md", '"title": A source', '"title": "shared/seeds/000"')
    (problem,) = problems_of(pack_dir)
    assert "looks like a file path" in problem


def test_a_review_that_has_come_due_warns_but_does_not_fail(pack_dir: Path) -> None:
    problems, warnings = review_report(pack_dir, today=date(2027, 1, 2))
    assert problems == []
    assert sorted(Path(str(w).split(":")[0]).name for w in warnings) == ["alpha.md", "beta.md"]
    assert all("review due: next_review was 2027-01-01" in str(w) for w in warnings)


def test_a_review_not_yet_due_gives_no_warning(pack_dir: Path) -> None:
    assert review_report(pack_dir, today=date(2026, 12, 31)) == ([], [])


def test_emergency_advice_for_a_sign_the_rules_rate_urgent_is_a_problem(pack_dir: Path) -> None:
    _rewrite(
        pack_dir / "topics" / "beta.md",
        "An answer about beta.\n",
        "An answer about beta.\n\nCall the emergency number if the jerks come with a fever.\n",
    )
    (problem,) = problems_of(pack_dir)
    assert "beta.md:23:" in problem
    assert "red_flags.yaml rates it urgent" in problem
    assert "fever" in problem


def test_same_day_advice_for_an_emergency_sign_is_a_problem(pack_dir: Path) -> None:
    _rewrite(
        pack_dir / "topics" / "beta.md",
        "An answer about beta.\n",
        "An answer about beta.\n\nSee a doctor today if:\n- your baby turns blue\n",
    )
    (problem,) = problems_of(pack_dir)
    assert "red_flags.yaml rates it an emergency" in problem


def test_advice_that_agrees_with_the_rules_passes(pack_dir: Path) -> None:
    _rewrite(
        pack_dir / "topics" / "beta.md",
        "An answer about beta.\n",
        "An answer about beta.\n\nSee a doctor today if the jerks come with a fever.\n\n"
        "Call the emergency number if your baby struggles to breathe or turns blue.\n",
    )
    assert problems_of(pack_dir) == []


def test_see_a_doctor_soon_is_a_problem(pack_dir: Path) -> None:
    _rewrite(
        pack_dir / "topics" / "beta.md",
        "An answer about beta.\n",
        "An answer about beta.\n\nIt is worth seeing a doctor soon about it.\n",
    )
    (problem,) = problems_of(pack_dir)
    assert 'not "soon"' in problem


def test_an_impossible_review_date_names_its_line(pack_dir: Path) -> None:
    _rewrite(pack_dir / "topics" / "beta.md", "reviewed: 2026-01-01", "reviewed: 2026-02-30")
    (problem,) = problems_of(pack_dir)
    assert "beta.md:17: not a real date" in problem


def test_prompts_are_checked_in_the_pack_language(pack_dir: Path) -> None:
    """A Russian pack's prompts say "скорую" and "врачу", never "emergency" or "doctor"."""
    (pack_dir / "content.yaml").write_text("language: ru\nname: Русский\n", encoding="utf-8")
    shutil.copy(DEFAULT_CONTENT_DIR / "ru" / "texts.yaml", pack_dir / "texts.yaml")
    assert problems_of(pack_dir) == []
    texts = pack_dir / "texts.yaml"
    lines = [
        "emergency_prompt: Позвоните кому-нибудь." if ln.startswith("emergency_prompt:") else ln
        for ln in texts.read_text(encoding="utf-8").splitlines()
    ]
    kept = [
        ln for i, ln in enumerate(lines) if not (ln.startswith("  ") and _after_prompt(lines, i))
    ]
    texts.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert any("emergency_prompt must say 'неотложн'" in p for p in problems_of(pack_dir))

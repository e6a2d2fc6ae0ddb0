"""Load and validate the curated content under content/ into immutable objects.

Every problem is collected with its file and line, so one run of `check-content` shows them
all. Never imports telegram or aiosqlite.

Layout of a content pack (the default language lives at the root of content/; another
language is the same layout in content/<lang>/, added as content alone):

    content.yaml      language, name and the topic used for red flags with nothing to match
    texts.yaml        prompts, disclaimer and fallback: the texts every reply uses
    ui.yaml           interface texts of the channels (welcome, help, privacy, buttons, ...)
    red_flags.yaml    red-flag concepts, their level and terms
    synonyms.yaml     words parents use mapped to the words the content uses
    topics/<id>.md    one topic a file: YAML front matter, then the answer
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tgbot.core.matching import TopicIndex, Vocabulary, build_index
from tgbot.core.model import ContentProblem, Source, Topic
from tgbot.core.redflags import RedFlagRules, compile_rules
from tgbot.core.yamlsrc import LineList, LineMap, YamlError, load_yaml

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"

TOPIC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")
MAX_BODY_CHARS = 1_300  # "about 1,200": a little slack, then the editor must trim
MIN_QUESTIONS = 6
MAX_TITLE_CHARS = 80

REQUIRED_FIELDS = (
    "id",
    "title",
    "questions",
    "keywords",
    "related",
    "red_flag",
    "sources",
    "reviewed",
)
OPTIONAL_FIELDS = ("summary", "reassuring")
# Sections of synonyms.yaml that are plain word lists (besides the `synonyms` mapping).
VOCABULARY_LISTS = ("domain", "filler", "keep", "determiners", "question_words")

# Texts every reply uses; a channel's interface texts (ui.yaml) are passed as required_texts.
CORE_TEXTS = (
    "emergency_prompt",
    "doctor_prompt",
    "disclaimer",
    "fallback",
    "suggestions_intro",
    "related_intro",
    "sources_label",
    "empty_input",
)


class ContentError(Exception):
    """Content that failed validation; holds every problem found."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} content problem(s)")

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(f"{len(self.problems)} problem(s) found; the bot will not start until fixed.")
        return "\n".join(lines)


@dataclass(frozen=True)
class ContentPack:
    """All content of one language, validated and indexed."""

    language: str
    name: str
    root: Path
    version: str
    topics: Mapping[str, Topic]
    texts: Mapping[str, str]
    red_flags: RedFlagRules
    index: TopicIndex
    red_flag_topic: str | None = None

    def text(self, key: str, **values: str) -> str:
        """An interface text with {placeholders} filled by plain replacement (never str.format)."""
        out = self.texts[key]
        for name, value in values.items():
            out = out.replace("{" + name + "}", value)
        return out

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)


@dataclass(frozen=True)
class ContentLibrary:
    """Content packs by language, with the default used when a language is missing."""

    packs: Mapping[str, ContentPack]
    default_language: str
    problems: tuple[ContentProblem, ...] = field(default=())

    @property
    def default(self) -> ContentPack:
        return self.packs[self.default_language]

    def pack(self, language: str | None = None) -> ContentPack:
        """The pack for a language code such as 'en' or 'pt-BR'; falls back to the default."""
        if language:
            code = language.lower()
            if code in self.packs:
                return self.packs[code]
            base = code.split("-")[0]
            if base in self.packs:
                return self.packs[base]
        return self.default

    @property
    def version(self) -> str:
        return "+".join(f"{lang}:{pack.version}" for lang, pack in sorted(self.packs.items()))


def load_content(
    root: Path | str = DEFAULT_CONTENT_DIR,
    *,
    emergency_number: str | None = None,
    required_texts: Collection[str] = (),
) -> ContentLibrary:
    """Load every language pack under root; raise ContentError listing all problems.

    required_texts names interface texts a channel needs beyond CORE_TEXTS (the Telegram
    channel passes its ui.yaml keys), so a pack missing one is refused at load.
    """
    root = Path(root)
    problems: list[ContentProblem] = []
    packs: dict[str, ContentPack] = {}
    default_language = ""
    for pack_root in _pack_roots(root, problems):
        pack = _load_pack(pack_root, problems, emergency_number, tuple(required_texts))
        if pack is None:
            continue
        if pack.language in packs:
            problems.append(
                ContentProblem(
                    pack_root / "content.yaml", 1, f"language {pack.language!r} is defined twice"
                )
            )
            continue
        packs[pack.language] = pack
        if pack_root == root:
            default_language = pack.language
    if problems:
        raise ContentError(problems)
    if not default_language:
        raise ContentError([ContentProblem(root / "content.yaml", 1, "no default language pack")])
    return ContentLibrary(packs=MappingProxyType(packs), default_language=default_language)


def check_content(
    root: Path | str = DEFAULT_CONTENT_DIR, *, required_texts: Collection[str] = ()
) -> list[ContentProblem]:
    """All problems of the content under root (empty when it is valid)."""
    try:
        load_content(root, required_texts=required_texts)
    except ContentError as exc:
        return exc.problems
    return []


def _pack_roots(root: Path, problems: list[ContentProblem]) -> Iterator[Path]:
    if not (root / "content.yaml").is_file():
        problems.append(ContentProblem(root / "content.yaml", 1, "missing content.yaml"))
        return
    yield root
    for child in sorted(root.iterdir()):
        if child.is_dir() and not child.is_symlink() and (child / "content.yaml").is_file():
            yield child


_SYMLINK_REFUSED = (
    "a symbolic link; content files and folders must be plain ones inside the content folder"
)


def _read(path: Path, problems: list[ContentProblem]) -> str | None:
    if path.is_symlink():
        # A link could make the bot read, and show parents, a file outside the content folder.
        problems.append(ContentProblem(path, 1, _SYMLINK_REFUSED))
        return None
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(ContentProblem(path, 1, "file is missing"))
    except UnicodeDecodeError as exc:
        problems.append(ContentProblem(path, 1, f"not UTF-8 text ({exc.reason})"))
    except OSError as exc:
        problems.append(ContentProblem(path, 1, f"cannot read file ({exc.strerror})"))
    return None


def _read_yaml_map(path: Path, problems: list[ContentProblem]) -> LineMap | None:
    text = _read(path, problems)
    if text is None:
        return None
    try:
        data = load_yaml(text)
    except YamlError as exc:
        problems.append(ContentProblem(path, exc.line, str(exc)))
        return None
    if not isinstance(data, LineMap):
        problems.append(ContentProblem(path, 1, "expected a mapping of keys to values"))
        return None
    return data


def _load_pack(
    root: Path,
    problems: list[ContentProblem],
    emergency_number: str | None,
    required_texts: tuple[str, ...],
) -> ContentPack | None:
    before = len(problems)
    meta = _read_yaml_map(root / "content.yaml", problems)
    language = "en"
    name = ""
    red_flag_topic: str | None = None
    if meta is not None:
        language = str(meta.get("language", ""))
        if not LANGUAGE_CODE.match(language):
            problems.append(
                ContentProblem(
                    root / "content.yaml",
                    meta.line_of("language"),
                    "language must be a code such as 'en' or 'pt-br'",
                )
            )
        name = str(meta.get("name", ""))
        rft = meta.get("red_flag_topic")
        red_flag_topic = str(rft) if rft is not None else None
        if emergency_number is None and isinstance(meta.get("emergency_number"), str):
            emergency_number = meta["emergency_number"]
        for key in meta:
            if key not in ("language", "name", "red_flag_topic", "emergency_number"):
                problems.append(
                    ContentProblem(
                        root / "content.yaml", meta.line_of(key), f"unknown field {key!r}"
                    )
                )

    texts = _load_texts(root / "texts.yaml", problems, emergency_number)
    if (root / "ui.yaml").exists():
        ui = _load_texts(root / "ui.yaml", problems, emergency_number, required=())
        for key in sorted(set(ui) & set(texts)):
            problems.append(
                ContentProblem(root / "ui.yaml", 1, f"text {key!r} is also in texts.yaml")
            )
        texts.update(ui)
    for key in (*CORE_TEXTS, *required_texts):
        if key not in texts:
            problems.append(ContentProblem(root / "texts.yaml", 1, f"missing text {key!r}"))
    synonyms = _load_synonyms(root / "synonyms.yaml", problems)
    topics = _load_topics(root / "topics", problems)
    if red_flag_topic is not None and red_flag_topic not in topics:
        problems.append(
            ContentProblem(
                root / "content.yaml",
                meta.line_of("red_flag_topic") if meta else 1,
                f"red_flag_topic {red_flag_topic!r} is not a topic",
            )
        )
    rf_path = root / "red_flags.yaml"
    rf_data = _read_yaml_map(rf_path, problems)
    rules: RedFlagRules | None = None
    if rf_data is not None:
        rules, rf_problems = compile_rules(rf_data, rf_path)
        problems.extend(rf_problems)
    if rules is not None:
        for concept in rules.concepts.values():
            if concept.topic is not None and concept.topic not in topics:
                problems.append(
                    ContentProblem(
                        rf_path, 1, f"concept {concept.id!r}: no topic {concept.topic!r}"
                    )
                )
    if len(problems) > before or rules is None:
        return None
    index = build_index(list(topics.values()), synonyms)
    return ContentPack(
        language=language,
        name=name,
        root=root,
        version=_version(root),
        topics=MappingProxyType(topics),
        texts=MappingProxyType(texts),
        red_flags=rules,
        index=index,
        red_flag_topic=red_flag_topic,
    )


def _version(root: Path) -> str:
    """A short hash over the pack's files: shows in reports which content answered."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix in (".md", ".yaml"):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _load_texts(
    path: Path,
    problems: list[ContentProblem],
    emergency_number: str | None,
    required: tuple[str, ...] = ("emergency_prompt", "doctor_prompt"),
) -> dict[str, str]:
    data = _read_yaml_map(path, problems)
    if data is None:
        return {}
    texts: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            problems.append(
                ContentProblem(path, data.line_of(key), f"text {key!r} must be non-empty text")
            )
            continue
        if emergency_number:
            value = value.replace("{emergency_number}", emergency_number)
        texts[key] = value.strip()
    if (
        "emergency_prompt" in required
        and "emergency" not in texts.get("emergency_prompt", "").lower()
    ):
        problems.append(
            ContentProblem(
                path, data.line_of("emergency_prompt"), "emergency_prompt must say 'emergency'"
            )
        )
    if "doctor_prompt" in required and "doctor" not in texts.get("doctor_prompt", "").lower():
        problems.append(
            ContentProblem(path, data.line_of("doctor_prompt"), "doctor_prompt must say 'doctor'")
        )
    return texts


def _load_synonyms(path: Path, problems: list[ContentProblem]) -> Vocabulary:
    """synonyms.yaml: the matcher's word lists (see tgbot.core.matching.Vocabulary).

    `synonyms` maps a canonical word or phrase to the variants parents write; `domain`,
    `filler`, `keep`, `determiners` and `question_words` are lists of words. Every section
    is optional.
    """
    if not path.exists():
        return Vocabulary()
    data = _read_yaml_map(path, problems)
    if data is None:
        return Vocabulary()
    lists: dict[str, tuple[str, ...]] = {}
    synonyms: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        if key == "synonyms":
            if not isinstance(value, LineMap):
                problems.append(
                    ContentProblem(
                        path, data.line_of(key), "synonyms must map a word to a list of variants"
                    )
                )
                continue
            for canonical, variants in value.items():
                words = _word_list(variants, path, value.line_of(canonical), problems)
                if words is None:
                    problems.append(
                        ContentProblem(
                            path,
                            value.line_of(canonical),
                            f"{canonical!r} must map to a list of words, e.g. [variant, ...]",
                        )
                    )
                elif not str(canonical).strip():
                    problems.append(
                        ContentProblem(path, value.line_of(canonical), "empty canonical word")
                    )
                else:
                    synonyms[str(canonical).strip()] = words
        elif key in VOCABULARY_LISTS:
            words = _word_list(value, path, data.line_of(key), problems)
            if words is None:
                problems.append(
                    ContentProblem(path, data.line_of(key), f"{key} must be a list of words")
                )
                continue
            if key == "domain":
                for i, word in enumerate(words):
                    if len(word.split()) != 1:
                        line = (
                            value.line_at(i) if isinstance(value, LineList) else data.line_of(key)
                        )
                        problems.append(
                            ContentProblem(
                                path,
                                line,
                                f"domain entry {word!r} must be one word; map a phrase onto "
                                "one under synonyms",
                            )
                        )
            lists[key] = words
        else:
            known = ", ".join(("synonyms", *VOCABULARY_LISTS))
            problems.append(
                ContentProblem(path, data.line_of(key), f"unknown section {key!r} (known: {known})")
            )
    return Vocabulary(
        synonyms=MappingProxyType(synonyms),
        domain=lists.get("domain", ()),
        filler=lists.get("filler", ()),
        keep=lists.get("keep", ()),
        determiners=lists.get("determiners", ()),
        question_words=lists.get("question_words", ()),
    )


def _word_list(
    value: object, path: Path, line: int, problems: list[ContentProblem]
) -> tuple[str, ...] | None:
    """A YAML list of non-empty strings, stripped; None when it is not a list at all.

    A bad item is reported at its own line and left out, so one typo does not hide the rest.
    """
    if not isinstance(value, list):
        return None
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
        else:
            at = value.line_at(i) if isinstance(value, LineList) else line
            hint = (
                f" (YAML read {item!r}: quote words such as yes, no, on, off, null)"
                if isinstance(item, bool) or item is None
                else ""
            )
            problems.append(
                ContentProblem(path, at, f"item {i + 1} must be a non-empty word{hint}")
            )
    return tuple(out)


def _load_topics(folder: Path, problems: list[ContentProblem]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    first_seen: dict[str, Path] = {}
    related_refs: list[tuple[Path, int, str, str]] = []
    if folder.is_symlink():
        problems.append(ContentProblem(folder, 1, _SYMLINK_REFUSED))
        return topics
    if not folder.is_dir():
        problems.append(ContentProblem(folder, 1, "missing topics folder"))
        return topics
    for path in sorted(folder.iterdir()):
        if path.is_symlink() or not path.is_file():
            problems.append(
                ContentProblem(path, 1, "not a regular file; topics are plain .md files")
            )
            continue
        if path.suffix != ".md":
            problems.append(ContentProblem(path, 1, "unexpected file; topics end in .md"))
            continue
        loaded = _load_topic(path, problems)
        if loaded is None:
            continue
        topic, meta = loaded
        if topic.id in first_seen:
            problems.append(
                ContentProblem(
                    path,
                    meta.line_of("id"),
                    f"duplicate id {topic.id!r} (also in {first_seen[topic.id]})",
                )
            )
            continue
        first_seen[topic.id] = path
        topics[topic.id] = topic
        rel = meta.get("related")
        for i, ref in enumerate(topic.related):
            line = rel.line_at(i) if isinstance(rel, LineList) else meta.line_of("related")
            related_refs.append((path, line, topic.id, ref))
    # A topic that failed validation still exists for its neighbours: its own problems are
    # reported once, not again as dangling references from every topic that names it.
    existing = set(topics) | {p.stem for p in folder.glob("*.md")}
    for path, line, owner, ref in related_refs:
        if ref == owner:
            problems.append(ContentProblem(path, line, "a topic cannot be related to itself"))
        elif ref not in existing:
            problems.append(ContentProblem(path, line, f"related topic {ref!r} does not exist"))
    return dict(sorted(topics.items()))


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)


def _load_topic(path: Path, problems: list[ContentProblem]) -> tuple[Topic, LineMap] | None:
    text = _read(path, problems)
    if text is None:
        return None
    m = _FRONT_MATTER.match(text)
    if not m:
        problems.append(
            ContentProblem(path, 1, "missing YAML front matter (a '---' line, fields, then '---')")
        )
        return None
    try:
        meta = load_yaml(m.group(1), line_offset=1)
    except YamlError as exc:
        problems.append(ContentProblem(path, exc.line, str(exc)))
        return None
    if not isinstance(meta, LineMap):
        problems.append(ContentProblem(path, 2, "front matter must be a mapping of fields"))
        return None
    body = text[m.end() :].strip()
    body_line = text[: m.end()].count("\n") + 1
    before = len(problems)

    def bad(key: str, message: str) -> None:
        problems.append(ContentProblem(path, meta.line_of(key), message))

    for key in REQUIRED_FIELDS:
        if key not in meta:
            problems.append(ContentProblem(path, 1, f"missing field {key!r}"))
    for key in meta:
        if key not in REQUIRED_FIELDS and key not in OPTIONAL_FIELDS:
            bad(key, f"unknown field {key!r}")
    if len(problems) > before:
        return None

    topic_id = meta["id"]
    if not isinstance(topic_id, str) or not TOPIC_ID.match(topic_id):
        bad("id", "id must be lower-case words joined by '-', e.g. 'sleep-twitching'")
    elif path.stem != topic_id:
        bad("id", f"id {topic_id!r} must match the file name {path.name!r}")
    title = meta["title"]
    if not isinstance(title, str) or not title.strip():
        bad("title", "title must be non-empty text")
    elif len(title) > MAX_TITLE_CHARS:
        bad("title", f"title is {len(title)} characters; keep it under {MAX_TITLE_CHARS}")
    questions = _str_list(meta, "questions", problems, path)
    if questions is not None and len(questions) < MIN_QUESTIONS:
        bad("questions", f"{len(questions)} questions; give at least {MIN_QUESTIONS} phrasings")
    if questions is not None:
        seen: set[str] = set()
        for i, q in enumerate(questions):
            if q.casefold() in seen:
                line = meta["questions"].line_at(i)
                problems.append(ContentProblem(path, line, f"question repeated: {q!r}"))
            seen.add(q.casefold())
    keywords = _str_list(meta, "keywords", problems, path)
    related = _str_list(meta, "related", problems, path, allow_empty=True)
    if related is not None:
        for i, ref in enumerate(related):
            if not TOPIC_ID.match(ref):
                problems.append(
                    ContentProblem(
                        path, meta["related"].line_at(i), f"related {ref!r} is not a topic id"
                    )
                )
    red_flag = meta["red_flag"]
    if not isinstance(red_flag, bool):
        bad("red_flag", "red_flag must be true or false")
    sources = _sources(meta, problems, path)
    reviewed = meta["reviewed"]
    if not isinstance(reviewed, date):
        bad("reviewed", "reviewed must be a date written as YYYY-MM-DD")
    elif reviewed > date.today():
        bad("reviewed", f"reviewed date {reviewed} is in the future")
    summary = meta.get("summary", "")
    if not isinstance(summary, str):
        bad("summary", "summary must be text")
    reassuring = meta.get("reassuring", False)
    if not isinstance(reassuring, bool):
        bad("reassuring", "reassuring must be true or false")
    if not body:
        problems.append(
            ContentProblem(path, body_line, "the answer (text after the front matter) is empty")
        )
    elif len(body) > MAX_BODY_CHARS:
        problems.append(
            ContentProblem(
                path,
                body_line,
                f"the answer is {len(body)} characters; keep it under {MAX_BODY_CHARS}",
            )
        )
    if len(problems) > before:
        return None
    if questions is None or keywords is None or related is None or sources is None:
        return None  # already reported above
    if not isinstance(reviewed, date):
        return None
    topic = Topic(
        id=str(topic_id),
        title=str(title).strip(),
        questions=tuple(questions),
        keywords=tuple(keywords),
        related=tuple(related),
        red_flag=bool(red_flag),
        sources=tuple(sources),
        reviewed=reviewed,
        body=body,
        summary=str(summary).strip(),
        reassuring=bool(reassuring),
        path=path,
    )
    return topic, meta


def _str_list(
    meta: LineMap, key: str, problems: list[ContentProblem], path: Path, allow_empty: bool = False
) -> list[str] | None:
    value = meta.get(key)
    if not isinstance(value, list):
        problems.append(ContentProblem(path, meta.line_of(key), f"{key} must be a list"))
        return None
    out: list[str] = []
    ok = True
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            line = value.line_at(i) if isinstance(value, LineList) else meta.line_of(key)
            problems.append(
                ContentProblem(path, line, f"{key} item {i + 1} must be non-empty text")
            )
            ok = False
        else:
            out.append(item.strip())
    if not out and not allow_empty and ok:
        problems.append(ContentProblem(path, meta.line_of(key), f"{key} must not be empty"))
        return None
    return out if ok else None


def _sources(meta: LineMap, problems: list[ContentProblem], path: Path) -> list[Source] | None:
    value = meta.get("sources")
    if not isinstance(value, list) or not value:
        problems.append(
            ContentProblem(path, meta.line_of("sources"), "sources must be a non-empty list")
        )
        return None
    out: list[Source] = []
    for i, item in enumerate(value):
        line = value.line_at(i) if isinstance(value, LineList) else meta.line_of("sources")
        if isinstance(item, str) and item.strip():
            out.append(Source(title=item.strip()))
        elif (
            isinstance(item, Mapping)
            and isinstance(item.get("title"), str)
            and item["title"].strip()
        ):
            url = item.get("url")
            extra = set(item) - {"title", "url"}
            if extra:
                problems.append(
                    ContentProblem(path, line, f"unknown source field(s) {sorted(extra)}")
                )
                return None
            if url is not None and not (isinstance(url, str) and url.startswith("https://")):
                problems.append(ContentProblem(path, line, "source url must start with https://"))
                return None
            out.append(Source(title=item["title"].strip(), url=url))
        else:
            problems.append(ContentProblem(path, line, "a source is text or {title, url}"))
            return None
    return out


def as_plain_data(value: Any) -> Any:
    """LineMap/LineList to plain dict/list (for tests and tools that print content)."""
    if isinstance(value, dict):
        return {k: as_plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain_data(v) for v in value]
    return value

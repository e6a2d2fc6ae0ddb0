"""Load and validate the curated content under content/ into immutable objects.

Every problem is collected with its file and line, so one run of `check-content` shows them
all. Never imports telegram or aiosqlite.

Layout of a content pack (the default language lives at the root of content/; another
language is the same layout in content/<lang>/, added as content alone):

    content.yaml      language, name and the topic used for red flags with nothing to match
    texts.yaml        prompts, disclaimer and fallback: the texts every reply uses
    ui.yaml           interface texts of the channels (welcome, help, privacy, buttons, ...)
    red_flags.yaml    red-flag concepts, their level and terms (a language pack may leave it
                      out: it then shares the default pack's rules, which read every
                      language through red_flags/<lang>.yaml)
    synonyms.yaml     words parents use mapped to the words the content uses
    topics/<id>.md    one topic a file: YAML front matter, then the answer
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tgbot.core.language import identify
from tgbot.core.matching import TopicIndex, Vocabulary, build_index
from tgbot.core.model import ContentProblem, Source, Topic
from tgbot.core.redflags import RedFlagRules, compile_rules
from tgbot.core.topic_checks import level_problems, review_warnings
from tgbot.core.yamlsrc import LineList, LineMap, YamlError, load_yaml


def _default_content_dir() -> Path:
    """content/ beside the package in a checkout (or an editable install), where editors work;
    else the copy an installed wheel carries as tgbot/_content (pyproject's package-dir)."""
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent / "content"
    return checkout if (checkout / "content.yaml").is_file() else package / "_content"


DEFAULT_CONTENT_DIR = _default_content_dir()

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
    "reviewed_by",
    "next_review",
)
OPTIONAL_FIELDS = (
    "summary",
    "reassuring",
    "overview",
    "child_topic",
    "newborn_topic",
    "intent",
)
# A review is good for at most this long: a next_review further out is a typo or a wish.
MAX_REVIEW_INTERVAL_DAYS = 2 * 366
# Every topic cites at least one source from these organisations (a host or its subdomain),
# with a URL a parent can open: national health services and guideline bodies, paediatric
# and epilepsy societies, and peer-reviewed journals reached by DOI. Seeds and blogs may
# stand beside them, never alone.
AUTHORITATIVE_HOSTS = (
    "nhs.uk",
    "nhs.scot",
    "nice.org.uk",
    "gov.uk",
    "healthychildren.org",
    "aap.org",
    "epilepsy.com",
    "ilae.org",
    "epilepsydiagnosis.org",
    "epilepsysociety.org.uk",
    "epilepsy.org.uk",
    "ukinfantilespasmstrust.org",
    "isainfo.org",
    "childneurologyfoundation.org",
    "ninds.nih.gov",
    "medlineplus.gov",
    "cdc.gov",
    "who.int",
    "resus.org.uk",
    "vaccinesafety.edu",
    "doi.org",
)
# A source title that looks like a file path ("shared/seeds/000", "notes.md") would show
# parents our internals; they see the title, so it must name the publication.
_PATH_LIKE = re.compile(r"(?:^|[\s(])(?:[\w.-]+/)+[\w.-]+|\.(?:md|txt|ya?ml|json)\b", re.I)
# Sections of synonyms.yaml that are plain word lists (besides the `synonyms` mapping).
VOCABULARY_LISTS = (
    "domain",
    "filler",
    "keep",
    "determiners",
    "question_words",
    "other_senses",
    "other_subjects",
    "child_words",
    "vague_words",
    "adult_words",
    "newborn_words",
)

# What the two prompts must say, by the pack's language (a word's start is enough): a prompt
# without it is the wrong text under the key. A language not listed is held to English.
PROMPT_WORDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {"emergency_prompt": ("emergency",), "doctor_prompt": ("doctor",)},
    "es": {"emergency_prompt": ("urgencia", "emergencia"), "doctor_prompt": ("doctor", "médic")},
    "ru": {"emergency_prompt": ("неотложн", "скор", "экстренн"), "doctor_prompt": ("врач",)},
}

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
    # the warning-signs check (checkflow.py)
    "check_button",
    "check_intro",
    "check_progress",
    "check_yes",
    "check_no",
    "check_all_clear",
    "check_not_yours",
    "check_breathing",
    "check_long",
    "check_series",
    "check_fever",
    "check_skills",
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

    def pack_for_message(self, text: str | None, language: str | None = None) -> ContentPack:
        """The pack for one message: its own language when that is clear, else the pack for
        `language` (the parent's Telegram setting), else the default."""
        if len(self.packs) > 1 and text:
            found = identify(text, tuple(self.packs))
            if found is not None:
                return self.packs[found]
        return self.pack(language)

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
    shared_rules: RedFlagRules | None = None
    for pack_root in _pack_roots(root, problems):
        too_big = _pack_size_problem(pack_root)
        if too_big is not None:
            problems.append(too_big)
            continue
        try:
            pack = _load_pack(
                pack_root,
                problems,
                emergency_number,
                tuple(required_texts),
                shared_rules=None if pack_root == root else shared_rules,
            )
        except Exception as exc:
            # A loader bug or an input no check foresaw: still a content error the editor
            # can act on (the pack and the error's type), never a crash or a raw traceback.
            problems.append(
                ContentProblem(
                    pack_root / "content.yaml",
                    1,
                    f"the pack could not be loaded ({type(exc).__name__}); check its files",
                )
            )
            continue
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
            shared_rules = pack.red_flags
    if default_language:
        problems.extend(_pack_agreement_problems(packs, default_language))
    if problems:
        raise ContentError(problems)
    if not default_language:
        raise ContentError([ContentProblem(root / "content.yaml", 1, "no default language pack")])
    return ContentLibrary(packs=MappingProxyType(packs), default_language=default_language)


def check_content(
    root: Path | str = DEFAULT_CONTENT_DIR, *, required_texts: Collection[str] = ()
) -> list[ContentProblem]:
    """All problems of the content under root (empty when it is valid).

    Beyond what loading refuses, this holds the editorial checks of the topic bodies
    (tgbot.core.topic_checks.level_problems): advice that disagrees with the red-flag
    levels, or a vague "soon". They fail check-content, and CI with it, but do not stop a
    running bot from starting: a topic more cautious than a rule is not a reason to go dark.
    """
    return review_report(root, required_texts=required_texts)[0]


def review_report(
    root: Path | str = DEFAULT_CONTENT_DIR,
    *,
    required_texts: Collection[str] = (),
    today: date | None = None,
) -> tuple[list[ContentProblem], list[ContentProblem]]:
    """(problems, warnings) of the content under root; warnings are topics due a review.

    Problems stop the bot; a review that has come due only warns, so an overdue date never
    takes the bot down, but every check-content run says so.
    """
    try:
        library = load_content(root, required_texts=required_texts)
    except ContentError as exc:
        return exc.problems, []
    problems = [
        problem
        for pack in library.packs.values()
        for problem in level_problems(pack.topics.values(), pack.red_flags)
    ]
    warnings = [
        warning
        for pack in library.packs.values()
        for warning in review_warnings(pack.topics.values(), today)
    ]
    return problems, warnings


def _pack_agreement_problems(
    packs: Mapping[str, ContentPack], default_language: str
) -> Iterator[ContentProblem]:
    """Every pack answers the same topics and has every text of the default pack, so a
    button, a deep link or a red-flag topic opens in any language."""
    default = packs[default_language]
    for language, pack in sorted(packs.items()):
        if language == default_language:
            continue
        where = pack.root / "content.yaml"
        for topic_id in sorted(set(default.topics) - set(pack.topics)):
            yield ContentProblem(
                pack.root / "topics", 1, f"topic {topic_id!r} of the default pack is missing"
            )
        for topic_id in sorted(set(pack.topics) - set(default.topics)):
            yield ContentProblem(
                pack.root / "topics" / f"{topic_id}.md",
                1,
                f"topic {topic_id!r} is not in the default pack",
            )
        for key in sorted(set(default.texts) - set(pack.texts)):
            yield ContentProblem(where, 1, f"text {key!r} of the default pack is missing")


def _pack_roots(root: Path, problems: list[ContentProblem]) -> Iterator[Path]:
    if not (root / "content.yaml").is_file():
        problems.append(ContentProblem(root / "content.yaml", 1, "missing content.yaml"))
        return
    yield root
    for child in sorted(root.iterdir()):
        if child.is_symlink() and child.is_dir():
            # A linked language folder is refused, not skipped in silence.
            problems.append(ContentProblem(child, 1, _SYMLINK_REFUSED))
        elif child.is_dir() and (child / "content.yaml").is_file():
            yield child


_SYMLINK_REFUSED = (
    "a symbolic link; content files and folders must be plain ones inside the content folder"
)


# Sizes checked before anything is read (security review, weakness 5): the whole shipped
# content is about 200 KB; one topic is a few KB.
MAX_FILE_BYTES = 512 * 1024  # any one content file
MAX_PACK_BYTES = 4 * 1024 * 1024  # all files of one language pack together
MAX_TEXT_CHARS = 4_000  # one interface text (a Telegram message holds 4,096)


class _Unreadable(Exception):
    """A content file the loader refuses to read; the message says why."""


def read_content_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A content file's bytes, only if it is a plain file of at most `limit` bytes.

    Opened without following a symbolic link and without blocking (a FIFO or a device
    named like a content file is refused at once, never waited on), checked with fstat on
    the open descriptor (no race between check and read), and refused when it has other
    hard links (one could be outside the content folder). Raises _Unreadable.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _Unreadable("file is missing") from None
    except OSError as exc:
        if path.is_symlink():
            raise _Unreadable(_SYMLINK_REFUSED) from None
        raise _Unreadable(f"cannot read file ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable(
                "not a regular file (a FIFO, device or folder); content is plain files"
            )
        if info.st_nlink > 1:
            raise _Unreadable(
                "a hard link (the same file has another name, maybe outside the content "
                "folder); copy the file instead"
            )
        if info.st_size > limit:
            raise _Unreadable(f"file is {info.st_size:,} bytes; the limit is {limit:,}")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # it grew while being read
            raise _Unreadable(f"file is over {limit:,} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise _Unreadable(f"cannot read file ({exc.strerror})") from None
    finally:
        os.close(fd)


def _read(path: Path, problems: list[ContentProblem]) -> str | None:
    if path.is_symlink():
        # A link could make the bot read, and show parents, a file outside the content folder.
        problems.append(ContentProblem(path, 1, _SYMLINK_REFUSED))
        return None
    try:
        return read_content_bytes(path).decode("utf-8")
    except _Unreadable as exc:
        problems.append(ContentProblem(path, 1, str(exc)))
    except UnicodeDecodeError as exc:
        problems.append(ContentProblem(path, 1, f"not UTF-8 text ({exc.reason})"))
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
    *,
    shared_rules: RedFlagRules | None = None,
) -> ContentPack | None:
    """One pack. A language pack without red_flags.yaml uses `shared_rules` (the default
    pack's, which read every language), so concepts and levels cannot drift between packs."""
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

    texts = _load_texts(root / "texts.yaml", problems, emergency_number, language=language)
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
    rules: RedFlagRules | None = None
    if shared_rules is not None and not rf_path.exists():
        rules = shared_rules
    else:
        rf_data = _read_yaml_map(rf_path, problems)
        if rf_data is not None:
            rules, rf_problems = compile_rules(rf_data, rf_path)
            problems.extend(rf_problems)
        if rules is not None:
            rules = _with_language_rules(root, rules, problems)
    if rules is not None and rules is not shared_rules:
        # (a pack sharing the default's rules is checked for every default topic instead)
        for concept in rules.concepts.values():
            if concept.topic is not None and concept.topic not in topics:
                problems.append(
                    ContentProblem(
                        rf_path, 1, f"concept {concept.id!r}: no topic {concept.topic!r}"
                    )
                )
    if len(problems) > before or rules is None:
        return None
    index = build_index(list(topics.values()), synonyms, language=language)
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


def _with_language_rules(
    root: Path, rules: RedFlagRules, problems: list[ContentProblem]
) -> RedFlagRules | None:
    """The pack's red-flag rules plus red_flags/<language>.yaml, one file per language.

    A parent may write in any of these languages whatever the pack, so every message is read
    with all of them; each file gives words for the base concepts and inherits their levels.
    """
    folder = root / "red_flags"
    if not folder.is_dir():
        return rules
    others: list[RedFlagRules] = []
    ok = True
    for path in sorted(folder.glob("*.yaml")):
        language = path.stem
        if not LANGUAGE_CODE.match(language):
            problems.append(
                ContentProblem(path, 1, f"{path.name}: name a language file by its code (es.yaml)")
            )
            ok = False
            continue
        data = _read_yaml_map(path, problems)
        if data is None:
            ok = False
            continue
        declared = data.get("language")
        if declared is not None and declared != language:
            problems.append(
                ContentProblem(
                    path,
                    data.line_of("language"),
                    f"language {declared!r} does not match the file name {path.name!r}",
                )
            )
            ok = False
            continue
        compiled, found = compile_rules(data, path, language=language, base=rules)
        problems.extend(found)
        if compiled is None:
            ok = False
        else:
            others.append(compiled)
    return rules.with_languages(others) if ok else None


def _version(root: Path) -> str:
    """A short hash over the pack's files: shows in reports which content answered."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix in (".md", ".yaml"):
            digest.update(path.relative_to(root).as_posix().encode())
            with contextlib.suppress(_Unreadable):  # refused, and reported, by the loader
                digest.update(read_content_bytes(path))
    return digest.hexdigest()[:12]


def _pack_size_problem(root: Path) -> ContentProblem | None:
    """The pack's files together over MAX_PACK_BYTES (sizes from lstat: nothing is read)."""
    total = 0
    for path in root.rglob("*"):
        with contextlib.suppress(OSError):
            total += path.lstat().st_size
        if total > MAX_PACK_BYTES:
            return ContentProblem(
                root, 1, f"the pack's files are over {MAX_PACK_BYTES:,} bytes together"
            )
    return None


def _load_texts(
    path: Path,
    problems: list[ContentProblem],
    emergency_number: str | None,
    required: tuple[str, ...] = ("emergency_prompt", "doctor_prompt"),
    language: str = "en",
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
        if len(value) > MAX_TEXT_CHARS:
            problems.append(
                ContentProblem(
                    path,
                    data.line_of(key),
                    f"text {key!r} is {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,}",
                )
            )
            continue
        if emergency_number:
            value = value.replace("{emergency_number}", emergency_number)
        texts[key] = value.strip()
    words = PROMPT_WORDS.get(language.split("-")[0], PROMPT_WORDS["en"])
    for key in ("emergency_prompt", "doctor_prompt"):
        if key in required and not any(w in texts.get(key, "").lower() for w in words[key]):
            said = " or ".join(repr(w) for w in words[key])
            problems.append(ContentProblem(path, data.line_of(key), f"{key} must say {said}"))
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
    pairs: list[tuple[str, str]] = []
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
        elif key == "domain_pairs":
            pairs_list = _word_list(value, path, data.line_of(key), problems)
            if pairs_list is None:
                problems.append(
                    ContentProblem(path, data.line_of(key), "domain_pairs must be a list")
                )
                continue
            for i, item in enumerate(pairs_list):
                parts = [p.strip() for p in item.split("+")]
                if len(parts) != 2 or not all(parts):
                    line = value.line_at(i) if isinstance(value, LineList) else data.line_of(key)
                    problems.append(
                        ContentProblem(path, line, f"{item!r}: write a pair as 'word + word'")
                    )
                    continue
                pairs.append((parts[0], parts[1]))
        else:
            known = ", ".join(("synonyms", *VOCABULARY_LISTS, "domain_pairs"))
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
        other_senses=lists.get("other_senses", ()),
        other_subjects=lists.get("other_subjects", ()),
        child_words=lists.get("child_words", ()),
        vague_words=lists.get("vague_words", ()),
        domain_pairs=tuple(pairs),
        adult_words=lists.get("adult_words", ()),
        newborn_words=lists.get("newborn_words", ()),
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
        for key in ("child_topic", "newborn_topic"):
            ref = getattr(topic, key)
            if ref is not None:
                related_refs.append((path, meta.line_of(key), topic.id, ref))
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
    except ValueError as exc:
        # YAML reads 2026-13-45 as a date and the calendar refuses it: a precise problem,
        # never a traceback that stops check-content and the bot
        line = _bad_date_line(m.group(1)) + 1
        problems.append(
            ContentProblem(path, line, f"not a real date ({exc}); write dates as YYYY-MM-DD")
        )
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
    reviewed_by = meta["reviewed_by"]
    if not isinstance(reviewed_by, str) or not reviewed_by.strip():
        bad("reviewed_by", "reviewed_by must name who checked the topic against its sources")
    next_review = meta["next_review"]
    if not isinstance(next_review, date):
        bad("next_review", "next_review must be a date written as YYYY-MM-DD")
    elif isinstance(reviewed, date) and reviewed <= date.today() and next_review <= reviewed:
        bad("next_review", f"next_review {next_review} must come after reviewed {reviewed}")
    elif isinstance(reviewed, date) and (next_review - reviewed).days > MAX_REVIEW_INTERVAL_DAYS:
        bad("next_review", f"next_review {next_review} is over two years after the review")
    summary = meta.get("summary", "")
    if not isinstance(summary, str):
        bad("summary", "summary must be text")
    reassuring = meta.get("reassuring", False)
    if not isinstance(reassuring, bool):
        bad("reassuring", "reassuring must be true or false")
    overview = meta.get("overview", False)
    if not isinstance(overview, bool):
        bad("overview", "overview must be true or false")
    intent = _str_list(meta, "intent", problems, path, allow_empty=True) if "intent" in meta else []
    child_topic = meta.get("child_topic")
    if child_topic is not None and not (
        isinstance(child_topic, str) and TOPIC_ID.match(child_topic)
    ):
        bad("child_topic", "child_topic must be a topic id")
    newborn_topic = meta.get("newborn_topic")
    if newborn_topic is not None and not (
        isinstance(newborn_topic, str) and TOPIC_ID.match(newborn_topic)
    ):
        bad("newborn_topic", "newborn_topic must be a topic id")
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
    if not isinstance(reviewed, date) or not isinstance(next_review, date):
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
        overview=bool(overview),
        child_topic=child_topic,
        newborn_topic=newborn_topic,
        intent=tuple(intent or ()),
        reviewed_by=str(reviewed_by).strip(),
        next_review=next_review,
        path=path,
        body_line=body_line,
    )
    return topic, meta


_DATE_VALUE = re.compile(r":\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _bad_date_line(front_matter: str) -> int:
    """The line (1-based, within the front matter) of the first date the calendar refuses."""
    for number, line in enumerate(front_matter.splitlines(), start=1):
        found = _DATE_VALUE.search(line)
        if found:
            try:
                date(*(int(g) for g in found.groups()))
            except ValueError:
                return number
    return 1


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
        title = item.get("title") if isinstance(item, Mapping) else item
        if isinstance(title, str) and _PATH_LIKE.search(title):
            problems.append(
                ContentProblem(
                    path, line, "source title looks like a file path; name the publication"
                )
            )
            return None
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
    if not any(s.url and is_authoritative(s.url) for s in out):
        problems.append(
            ContentProblem(
                path,
                meta.line_of("sources"),
                "cite at least one authoritative source with a URL (NHS, NICE, AAP / "
                "HealthyChildren, Epilepsy Foundation, ILAE, UK Infantile Spasms Trust, ...; "
                "see AUTHORITATIVE_HOSTS in tgbot/core/content.py)",
            )
        )
        return None
    return out


def is_authoritative(url: str) -> bool:
    """True when the URL's host is one of AUTHORITATIVE_HOSTS or a subdomain of one."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    return any(host == h or host.endswith("." + h) for h in AUTHORITATIVE_HOSTS)


def as_plain_data(value: Any) -> Any:
    """LineMap/LineList to plain dict/list (for tests and tools that print content)."""
    if isinstance(value, dict):
        return {k: as_plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain_data(v) for v in value]
    return value

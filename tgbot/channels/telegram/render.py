"""Answer -> Telegram HTML and inline keyboards, split below Telegram's 4,096-character limit.

Everything that comes from users or content is escaped here, and only here; the tags we add
are <b>, <i> and <a>. Replies are built as blocks of styled segments, so any split point
keeps the HTML balanced. Callback data of every button is made and parsed here too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, SwitchInlineQueryChosenChat
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.helpers import create_deep_linked_url

from tgbot.core.answers import Answer, Outcome, Reply, TopicRef
from tgbot.core.content import TOPIC_ID, ContentPack
from tgbot.core.markup import Bullets, Paragraph, parse_blocks, spans
from tgbot.core.model import Level, Source

__all__ = [
    "ANYONE",
    "MAX_MESSAGE_CHARS",
    "MAX_START_PAYLOAD",
    "AnswerParts",
    "Block",
    "CheckPress",
    "FeedbackPress",
    "Segment",
    "TopicPress",
    "Where",
    "answer_blocks",
    "answer_keyboard",
    "block_html",
    "check_data",
    "continue_private_keyboard",
    "deep_link",
    "feedback_data",
    "fit_html",
    "html_length",
    "markup_blocks",
    "parse_callback",
    "prompt_blocks",
    "render_answer",
    "render_text",
    "split_html",
    "topic_data",
    "topics_keyboard",
    "without_feedback",
]

MAX_MESSAGE_CHARS = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64; ours stay under it
MAX_START_PAYLOAD = MessageLimit.DEEP_LINK_LENGTH  # 64
BULLET = "• "
ELLIPSIS = "…"

Where = Literal["private", "group", "inline"]

# Rendering is a pure function of content texts, which repeat on every reply (20 topics, a
# handful of prompts), so results are memoised: about a third of a reply's cost otherwise.
# The keys are the rendered texts themselves: content and interface texts, and the
# operators' /stats figures (never a parent's message), so a content reload simply makes
# new keys; the bounds keep memory flat.
_RENDER_CACHE = 1024


# --- Styled text ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text in one style; href makes it a link."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None

    def html(self) -> str:
        out = html.escape(self.text, quote=False)
        if self.href:
            out = f'<a href="{html.escape(self.href, quote=True)}">{out}</a>'
        if self.italic:
            out = f"<i>{out}</i>"
        if self.bold:
            out = f"<b>{out}</b>"
        return out

    @property
    def style(self) -> tuple[bool, bool, str | None]:
        return (self.bold, self.italic, self.href)


Block = tuple[Segment, ...]  # one paragraph or bullet list; blocks are joined by a blank line
BLOCK_GAP = "\n\n"


def html_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji may count as two)."""
    return len(text.encode("utf-16-le")) // 2


def block_html(block: Block) -> str:
    """Render a block, merging neighbouring segments of the same style into one tag."""
    merged: list[Segment] = []
    for seg in block:
        if not seg.text:
            continue
        if merged and merged[-1].style == seg.style:
            merged[-1] = replace(merged[-1], text=merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return "".join(seg.html() for seg in merged)


def _markup_spans(text: str, *, bold: bool = False, italic: bool = False) -> list[Segment]:
    return [Segment(t, bold=bold or b, italic=italic) for t, b in spans(text)]


def markup_blocks(text: str, *, bold: bool = False, italic: bool = False) -> list[Block]:
    """Blocks of content text in the light Markdown of tgbot.core.markup."""
    return list(_markup_blocks(text, bold, italic))


@lru_cache(maxsize=_RENDER_CACHE)
def _markup_blocks(text: str, bold: bool, italic: bool) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for part in parse_blocks(text):
        if isinstance(part, Paragraph):
            blocks.append(tuple(_markup_spans(part.text, bold=bold, italic=italic)))
        elif isinstance(part, Bullets):
            segs: list[Segment] = []
            for i, item in enumerate(part.items):
                segs.append(Segment(("\n" if i else "") + BULLET, bold=bold, italic=italic))
                segs.extend(_markup_spans(item, bold=bold, italic=italic))
            blocks.append(tuple(segs))
    return tuple(blocks)


def render_text(text: str) -> str:
    """An interface text (light Markdown) as Telegram HTML."""
    return BLOCK_GAP.join(block_html(b) for b in markup_blocks(text))


# --- Answers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerParts:
    """An answer's blocks: head (emergency prompt) and tail (doctor prompt, disclaimer) must
    survive any shortening; the middle may be cut to fit."""

    head: tuple[Block, ...]
    middle: tuple[Block, ...]
    tail: tuple[Block, ...]

    @property
    def blocks(self) -> tuple[Block, ...]:
        return self.head + self.middle + self.tail


def answer_blocks(answer: Answer, *, related_as_text: bool) -> AnswerParts:
    """The reply's blocks in the order of answers.render_plain: emergency prompt first, then
    the answer, suggestions, doctor prompt, related, sources, and the disclaimer last."""
    return _reply_blocks(answer.reply, related_as_text)


@lru_cache(maxsize=_RENDER_CACHE)
def _reply_blocks(r: Reply, related_as_text: bool) -> AnswerParts:
    head: list[Block] = []
    middle: list[Block] = []
    if r.emergency_prompt:
        head.extend(markup_blocks(r.emergency_prompt, bold=True))
    if r.emergency_action:
        head.extend(markup_blocks(r.emergency_action))
    if r.safety_net and r.lead_with_net:
        head.extend(markup_blocks(r.safety_net, bold=True))
    if r.heading:
        middle.append((Segment(r.heading, bold=True),))
    if r.body:
        middle.extend(markup_blocks(r.body))
    if r.message:
        middle.extend(markup_blocks(r.message))
    if r.suggestions:
        middle.append(_ref_list(r.suggestions_intro or "", r.suggestions))
    tail: list[Block] = []
    if r.doctor_prompt:
        tail.extend(markup_blocks(r.doctor_prompt, bold=True))
    if r.safety_net and not r.lead_with_net:
        tail.extend(markup_blocks(r.safety_net, bold=True))
    if related_as_text and r.related:
        tail.append(
            (
                Segment(r.related_intro + " ", italic=True),
                Segment("; ".join(t.title for t in r.related)),
            )
        )
    if r.sources:
        tail.append(_sources_block(r.sources_label, r.sources))
    tail.extend(markup_blocks(r.disclaimer, italic=True))
    return AnswerParts(tuple(head), tuple(middle), tuple(tail))


def _ref_list(intro: str, refs: Sequence[TopicRef]) -> Block:
    segs = [Segment(intro)]
    segs.extend(Segment("\n" + BULLET + ref.title) for ref in refs)
    return tuple(segs)


def _sources_block(label: str, sources: Sequence[Source]) -> Block:
    segs: list[Segment] = [Segment(label + " ", italic=True)]
    for i, source in enumerate(sources):
        if i:
            segs.append(Segment("; "))
        # Only https links reach here (content validation), so the href cannot be javascript:.
        segs.append(Segment(source.title, href=source.url))
    return tuple(segs)


def render_answer(
    answer: Answer, *, related_as_text: bool, limit: int = MAX_MESSAGE_CHARS
) -> list[str]:
    """The answer as one or more HTML messages, each at most limit characters."""
    # The reply alone decides the rendering (the question text is not part of it), and
    # replies repeat: one per topic and red-flag level, mostly.
    return list(_render_reply(answer.reply, related_as_text, limit))


@lru_cache(maxsize=_RENDER_CACHE)
def _render_reply(reply: Reply, related_as_text: bool, limit: int) -> tuple[str, ...]:
    return tuple(split_html(_reply_blocks(reply, related_as_text).blocks, limit))


def split_html(blocks: Iterable[Block], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Pack blocks into messages at paragraph boundaries; an oversized block is cut at
    whitespace (or, for one endless word, anywhere) with its tags closed and reopened."""
    chunks: list[str] = []
    current = ""
    for block in blocks:
        for piece in _fit_block(block, limit):
            candidate = current + BLOCK_GAP + piece if current else piece
            if html_length(candidate) <= limit:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


@lru_cache(maxsize=_RENDER_CACHE)
def _fit_block(block: Block, limit: int) -> tuple[str, ...]:
    rendered = block_html(block)
    if not rendered:
        return ()
    if html_length(rendered) <= limit:
        return (rendered,)
    pieces: list[str] = []
    current: list[Segment] = []
    size = 0  # exact length of block_html(current): same-style neighbours share their tags
    for atom in _atoms(block, limit):
        text_size = html_length(html.escape(atom.text, quote=False))
        same_run = bool(current) and current[-1].style == atom.style
        atom_size = text_size if same_run else text_size + _tag_overhead(atom)
        if current and size + atom_size > limit:
            pieces.append(block_html(tuple(current)))
            current, size = [], 0
            atom_size = text_size + _tag_overhead(atom)
        current.append(atom)
        size += atom_size
    if current:
        pieces.append(block_html(tuple(current)))
    return tuple(p for p in pieces if p.strip())


def _tag_overhead(seg: Segment) -> int:
    return html_length(replace(seg, text="").html())


_WORDS = re.compile(r"\s*\S+|\s+")


def _atoms(block: Block, limit: int) -> Iterable[Segment]:
    """Words (with their leading space) of a block; a word too long for one message is cut."""
    for seg in block:
        if seg.href and _tag_overhead(seg) >= limit:
            # A link whose own tag is longer than a whole message can never be sent: its
            # text goes plain (the source is still named, its address is lost).
            seg = replace(seg, href=None)
        room = max(1, limit - _tag_overhead(seg))
        for m in _WORDS.finditer(seg.text):
            word = m.group(0)
            while html_length(html.escape(word, quote=False)) > room:
                cut = _longest_prefix(word, room)
                yield replace(seg, text=word[:cut])
                word = word[cut:]
            if word:
                yield replace(seg, text=word)


def _longest_prefix(word: str, room: int) -> int:
    size = 0
    for i, ch in enumerate(word):
        size += html_length(html.escape(ch, quote=False))
        if size > room:
            return max(1, i)
    return len(word)


def fit_html(parts: AnswerParts, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The answer as ONE message (inline results cannot be split): the middle is shortened,
    never the prompts or the disclaimer."""
    whole = split_html(parts.blocks, limit)
    if len(whole) == 1:
        return whole[0]
    fixed = sum(html_length(block_html(b)) + len(BLOCK_GAP) for b in parts.head + parts.tail)
    budget = limit - fixed - len(BLOCK_GAP) - len(ELLIPSIS)
    kept: list[Block] = []
    used = 0
    for block in parts.middle:
        size = html_length(block_html(block)) + len(BLOCK_GAP)
        if used + size > budget:
            break
        kept.append(block)
        used += size
    kept.append((Segment(ELLIPSIS),))
    out = split_html(parts.head + tuple(kept) + parts.tail, limit)
    # Prompts alone never come near the limit; if content ever made them, the first message
    # still starts with the emergency prompt.
    return out[0]


# --- Callback data -------------------------------------------------------------------------
# Formats, each under 64 bytes and validated by a strict regex: "t:<topic-id>" shows a
# topic; "f:<event-id>:<1|0>" votes; "k:<step>:<s|y|n>:<owner>" is a step of the warning-signs
# check (s starts it; owner is who may answer: a keyed hash of the asker, "-" for anyone).
# A new format gets a new prefix letter, so old buttons
# still in chats are recognised as stale rather than misread.

_TOPIC_DATA = re.compile(r"t:([a-z0-9]+(?:-[a-z0-9]+)*)")
_FEEDBACK_DATA = re.compile(r"f:([0-9a-f]{8,32}):([01])")
_CHECK_DATA = re.compile(r"k:([0-9]):([syn]):([0-9a-f]{10}|-)")
ANYONE = "-"


@dataclass(frozen=True, slots=True)
class TopicPress:
    topic_id: str


@dataclass(frozen=True, slots=True)
class FeedbackPress:
    event_id: str
    helpful: bool


@dataclass(frozen=True, slots=True)
class CheckPress:
    step: int
    choice: str  # "s" start, "y" yes, "n" no
    owner: str  # who may answer, or ANYONE


def check_data(step: int, choice: str, owner: str) -> str | None:
    data = f"k:{step}:{choice}:{owner}"
    return data if _CHECK_DATA.fullmatch(data) else None


def topic_data(topic_id: str) -> str | None:
    """Callback data for a topic button, or None when the id would not fit."""
    data = f"t:{topic_id}"
    ok = TOPIC_ID.match(topic_id) and len(data.encode()) < MAX_CALLBACK_BYTES
    return data if ok else None


def feedback_data(event_id: str, helpful: bool) -> str | None:
    data = f"f:{event_id}:{int(helpful)}"
    return data if _FEEDBACK_DATA.fullmatch(data) else None


def parse_callback(data: str | None) -> TopicPress | FeedbackPress | CheckPress | None:
    """Decode a button's data; None for anything forged, stale or unknown."""
    if not data or len(data.encode("utf-8", "replace")) >= MAX_CALLBACK_BYTES:
        return None
    if m := _TOPIC_DATA.fullmatch(data):
        return TopicPress(m.group(1))
    if m := _FEEDBACK_DATA.fullmatch(data):
        return FeedbackPress(m.group(1), m.group(2) == "1")
    if m := _CHECK_DATA.fullmatch(data):
        return CheckPress(int(m.group(1)), m.group(2), m.group(3))
    return None


def deep_link(bot_username: str, topic_id: str | None = None) -> str:
    """t.me link that opens a private chat with the bot, on a topic when one is given."""
    if topic_id and TOPIC_ID.match(topic_id) and len(topic_id) <= MAX_START_PAYLOAD:
        return create_deep_linked_url(bot_username, topic_id)
    return create_deep_linked_url(bot_username)


# --- Keyboards -----------------------------------------------------------------------------


class _SharedButton(InlineKeyboardButton):
    """A button made once and shown under many replies (PTB's objects are immutable once
    made), serialised once too: PTB turns every button of every keyboard into a dict on
    every send, which was a tenth of a reply's cost."""

    __slots__ = ("_as_dict",)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive=False)
        cached: dict[str, Any] | None = getattr(self, "_as_dict", None)
        if cached is None:
            cached = super().to_dict()
            self._as_dict = cached  # a private attribute: allowed on a frozen object
        return dict(cached)  # a copy: whoever serialises it may change it


@lru_cache(maxsize=_RENDER_CACHE)
def _topic_button(ref: TopicRef) -> tuple[InlineKeyboardButton, ...]:
    data = topic_data(ref.id)
    return (_SharedButton(ref.title, callback_data=data),) if data else ()


@lru_cache(maxsize=_RENDER_CACHE)
def _link_button(label: str, url: str) -> InlineKeyboardButton:
    return _SharedButton(label, url=url)


@lru_cache(maxsize=_RENDER_CACHE)
def _share_button(label: str, title: str) -> InlineKeyboardButton:
    # Telegram asks which chat (a partner, the family group), then types "@Bot <title>" there;
    # inline mode answers a topic's title with that topic, its prompt first if it has one.
    chosen = SwitchInlineQueryChosenChat(query=title, allow_user_chats=True, allow_group_chats=True)
    return _SharedButton(label, switch_inline_query_chosen_chat=chosen)


def answer_keyboard(
    answer: Answer,
    pack: ContentPack,
    *,
    where: Where,
    bot_username: str,
    event_id: str | None,
    check_owner: str | None = None,
) -> InlineKeyboardMarkup | None:
    """Buttons under an answer: "check the warning signs" for a reported episode with no red
    flag found (private and groups, when check_owner says who may answer), suggestions and
    related topics (private), a "share" button for an answered topic (private), a "continue
    in private" link (groups, inline), and the 👍/👎 row for answered questions."""
    rows: list[Sequence[InlineKeyboardButton]] = []
    if check_owner is not None and answer.episode and answer.level is None:
        start = check_data(0, "s", check_owner)
        if start:
            rows.append([InlineKeyboardButton(pack.text("check_button"), callback_data=start)])
    if where != "inline":
        rows.extend(row for row in map(_topic_button, answer.reply.suggestions) if row)
    if where == "private":
        rows.extend(row for row in map(_topic_button, answer.reply.related) if row)
        if answer.topic is not None and answer.outcome is Outcome.ANSWERED:
            rows.append([_share_button(pack.text("share_button"), answer.topic.title)])
    else:
        link = deep_link(bot_username, answer.topic_id)
        rows.append([_link_button(pack.text("continue_private"), link)])
    if event_id and answer.outcome is Outcome.ANSWERED:
        yes = feedback_data(event_id, True)
        no = feedback_data(event_id, False)
        if yes and no:
            rows.append(
                [
                    InlineKeyboardButton(pack.text("feedback_yes"), callback_data=yes),
                    InlineKeyboardButton(pack.text("feedback_no"), callback_data=no),
                ]
            )
    return InlineKeyboardMarkup(rows) if rows else None


def topics_keyboard(pack: ContentPack) -> InlineKeyboardMarkup:
    """The topic menu: one button per topic, in title order."""
    refs = sorted((TopicRef(t.id, t.title) for t in pack.topics.values()), key=lambda r: r.title)
    return InlineKeyboardMarkup([row for row in map(_topic_button, refs) if row])


def continue_private_keyboard(
    pack: ContentPack, bot_username: str, topic_id: str | None
) -> InlineKeyboardMarkup:
    link = deep_link(bot_username, topic_id)
    return InlineKeyboardMarkup([[_link_button(pack.text("continue_private"), link)]])


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same keyboard minus the 👍/👎 row, once a vote is in (one vote per answer)."""
    if markup is None:
        return None
    rows = [
        list(row)
        for row in markup.inline_keyboard
        if not any(
            isinstance(b.callback_data, str) and b.callback_data.startswith("f:") for b in row
        )
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def prompt_blocks(level: Level, pack: ContentPack) -> AnswerParts:
    """The red-flag prompts alone (inline mode's first result): emergency steps when due."""
    head: list[Block] = []
    middle: list[Block] = []
    tail: list[Block] = []
    if level is Level.EMERGENCY:
        head.extend(markup_blocks(pack.text("emergency_prompt"), bold=True))
        middle.extend(markup_blocks(pack.text("emergency_steps")))
    else:  # one prompt per reply: an emergency does not also say "see a doctor soon"
        tail.extend(markup_blocks(pack.text("doctor_prompt"), bold=True))
    tail.extend(markup_blocks(pack.text("disclaimer"), italic=True))
    return AnswerParts(tuple(head), tuple(middle), tuple(tail))

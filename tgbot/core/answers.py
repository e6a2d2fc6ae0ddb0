"""The single entry to the core: answer_for(text) -> Answer, used by every channel.

An Answer holds the decision (topic, confidence, red-flag level, suggestions) and the reply
as a structure that the Telegram renderer and the plain-text renderer each turn into output.
Safety invariant: whenever the text or the chosen topic carries a red flag, the reply carries
the see-a-doctor prompt, and for emergencies the emergency prompt comes first, whatever the
matcher decided. Never imports telegram or aiosqlite.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tgbot.core.content import ContentPack
from tgbot.core.episode import describes_episode
from tgbot.core.markup import to_plain
from tgbot.core.matching import SUGGEST_THRESHOLD, Match
from tgbot.core.model import Level, RedFlagResult, Source, Topic, highest
from tgbot.core.text import MAX_TEXT_CHARS, has_letters, strip_addressing


class Outcome(enum.StrEnum):
    """What the core made of a message."""

    ANSWERED = "answered"  # a confident topic
    SUGGESTED = "suggested"  # unsure: "did you mean" suggestions
    FALLBACK = "fallback"  # nothing fits: the kind fallback
    EMPTY = "empty"  # nothing to read (empty, only emoji or symbols)


@dataclass(frozen=True, slots=True)
class TopicRef:
    """A topic named in a reply (suggestion or related), enough to render a button."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Reply:
    """The reply as a structure; renderers show the parts in this order.

    emergency_prompt (+ emergency_action), warning_signs when it leads, heading + body (or
    message), suggestions, doctor_prompt, safety_net, disclaimer, sources. Related topics are
    offered as buttons or a short list after the answer.
    """

    emergency_prompt: str | None
    heading: str | None
    body: str | None
    message: str | None
    suggestions_intro: str | None
    suggestions: tuple[TopicRef, ...]
    doctor_prompt: str | None
    disclaimer: str
    sources_label: str
    sources: tuple[Source, ...]
    related_intro: str
    related: tuple[TopicRef, ...]
    # What to do while waiting for help, fitted to the sign (none for choking is seizure
    # positioning); shown right after the emergency prompt.
    emergency_action: str | None = None
    # The second line of defence when no flag was found: the warning-signs checklist for a
    # message that reports an episode, or the one-line emergency net on a fallback or "did
    # you mean". Shown after the answer, or first (lead_with_net) when the answer is a
    # reassuring topic, which must never open a reply to a symptom report.
    safety_net: str | None = None
    lead_with_net: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """Everything a channel needs to reply to one message and to record it anonymously."""

    question: str
    language: str
    outcome: Outcome
    topic: Topic | None
    confidence: float
    text_flags: RedFlagResult
    level: Level | None
    reply: Reply
    episode: bool = False  # the message reports what a child is doing (not a general question)

    @property
    def topic_id(self) -> str | None:
        return self.topic.id if self.topic else None

    @property
    def suggestion_ids(self) -> tuple[str, ...]:
        return tuple(ref.id for ref in self.reply.suggestions)

    @property
    def concepts(self) -> tuple[str, ...]:
        return self.text_flags.concepts


def answer_for(text: str, pack: ContentPack, *, topic_id: str | None = None) -> Answer:
    """Answer a parent's message; with topic_id (a button or deep link) that topic is shown.

    The red-flag check runs on the text in every case, before and independently of matching,
    so no matcher result can drop a prompt.
    """
    text = text if isinstance(text, str) else ""
    flags = _safe_detect(pack, text)
    chosen: Topic | None = None
    confidence = 0.0
    suggestions: tuple[str, ...] = ()
    if topic_id is not None:
        chosen = pack.topic(topic_id)
        confidence = 1.0 if chosen else 0.0
        readable = True
    else:
        readable = has_letters(strip_addressing(text[:MAX_TEXT_CHARS]))
        if readable:
            match = _safe_match(pack, text)
            confidence = match.confidence
            chosen = pack.topic(match.topic_id) if match.topic_id else None
            suggestions = match.suggestions if chosen is None else ()
    set_aside: Topic | None = None
    if flags.flagged and topic_id is None:
        if chosen is None:
            # A red flag with nothing confident to answer: show what to do about the sign,
            # rather than a fallback that could read as "nothing to worry about".
            chosen = _red_flag_topic(pack, flags)
            suggestions = suggestions if chosen is None else ()
        elif flags.asserted and (
            chosen.reassuring
            or (flags.level is Level.EMERGENCY and not _acts_on_red_flags(pack, chosen))
        ):
            # "This is usually normal" must not answer a message that asserts a red flag, and
            # an emergency gets what to do now, not background ("blister pack open and now
            # she's twitching" is not a question about treatment). The match stays one tap away.
            set_aside, chosen = chosen, _red_flag_topic(pack, flags) or chosen
    if chosen is not None:
        outcome = Outcome.ANSWERED
    elif suggestions:
        outcome = Outcome.SUGGESTED
    elif readable:
        outcome = Outcome.FALLBACK
    else:
        outcome = Outcome.EMPTY
    level = highest(flags.level, Level.URGENT if chosen and chosen.red_flag else None)
    episode = _safe_episode(text) if topic_id is None else False
    reply = _compose(pack, outcome, chosen, suggestions, level, set_aside, flags, episode)
    return Answer(
        question=text,
        language=pack.language,
        outcome=outcome,
        topic=chosen,
        confidence=round(confidence, 3),
        text_flags=flags,
        level=level,
        reply=reply,
        episode=episode,
    )


def answer_for_concept(concept_id: str, pack: ContentPack) -> Answer:
    """The answer to a sign the parent confirmed (a yes in the warning-signs check): the
    concept's prompt at the level the rules give it, its action, and the topic about it.

    Unknown concepts raise KeyError: the check's steps are checked against the rules at load.
    """
    concept = pack.red_flags.concepts[concept_id]
    flags = RedFlagResult(level=concept.level, concepts=(concept.id,))
    topic = pack.topic(concept.topic) if concept.topic else None
    topic = topic or _red_flag_topic(pack, flags)
    outcome = Outcome.ANSWERED if topic is not None else Outcome.FALLBACK
    reply = _compose(pack, outcome, topic, (), concept.level, None, flags, False)
    return Answer(
        question="",
        language=pack.language,
        outcome=outcome,
        topic=topic,
        confidence=1.0,
        text_flags=flags,
        level=concept.level,
        reply=reply,
    )


def red_flag_level(text: str, pack: ContentPack) -> Level | None:
    """The red-flag level of a text alone (no matching): for chatter the bot only watches."""
    return _safe_detect(pack, text if isinstance(text, str) else "").level


def _acts_on_red_flags(pack: ContentPack, topic: Topic) -> bool:
    """True for topics that say what to do about a sign: the warning-signs topic and those
    red-flag concepts name (first aid, infantile spasms)."""
    return topic.id == pack.red_flag_topic or any(
        concept.topic == topic.id for concept in pack.red_flags.concepts.values()
    )


def _red_flag_topic(pack: ContentPack, flags: RedFlagResult) -> Topic | None:
    """The topic explaining the most urgent sign found, else the pack's warning-signs topic."""
    try:
        named = pack.red_flags.topic_for(flags)
    except Exception:  # never let a lookup bug cost the reply
        named = None
    fallback = pack.topic(pack.red_flag_topic) if pack.red_flag_topic else None
    return pack.topic(named or "") or fallback


def _safe_detect(pack: ContentPack, text: str) -> RedFlagResult:
    try:
        return pack.red_flags.detect(text)
    except Exception:  # a detector bug must not silence a reply; fail towards caution
        return RedFlagResult(level=Level.URGENT, concepts=("detector-error",))


def _safe_episode(text: str) -> bool:
    try:
        return describes_episode(text)
    except Exception:  # a bug here must not cost the reply; the checklist errs on showing
        return True


def _optional_text(pack: ContentPack, key: str) -> str | None:
    """A text a pack may leave out (older packs, test fixtures): None when absent."""
    return pack.text(key) if key in pack.texts else None


def _safe_match(pack: ContentPack, text: str) -> Match:
    try:
        return pack.index.match(text)
    except Exception:  # a matcher bug falls back to the kind fallback, prompts still apply
        return Match(None, 0.0)


def _ref(pack: ContentPack, topic_id: str) -> TopicRef | None:
    topic = pack.topic(topic_id)
    return TopicRef(topic.id, topic.title) if topic else None


def _compose(
    pack: ContentPack,
    outcome: Outcome,
    topic: Topic | None,
    suggestions: tuple[str, ...],
    level: Level | None,
    set_aside: Topic | None = None,
    flags: RedFlagResult | None = None,
    episode: bool = False,
) -> Reply:
    refs = tuple(r for r in (_ref(pack, s) for s in suggestions) if r)
    related: tuple[TopicRef, ...] = ()
    message: str | None = None
    if topic is not None:
        related_ids = list(topic.related)
        if level is not None and pack.red_flag_topic:
            # A red flag next to another topic: the warning-signs topic is one tap away.
            related_ids.insert(0, pack.red_flag_topic)
        if set_aside is not None:
            related_ids.insert(0, set_aside.id)
        related_ids = [r for r in dict.fromkeys(related_ids) if r != topic.id]
        related = tuple(r for r in (_ref(pack, s) for s in related_ids) if r)
    elif outcome is Outcome.SUGGESTED:
        message = None
    elif outcome is Outcome.FALLBACK:
        message = pack.text("fallback")
    else:
        message = pack.text("empty_input")
    sources = topic.sources if topic else ()
    action: str | None = None
    if level is Level.EMERGENCY:
        named = None
        if flags is not None:
            try:
                named = pack.red_flags.action_for(flags)
            except Exception:  # the generic line is always safe
                named = None
        action = (named and _optional_text(pack, f"emergency_action_{named}")) or (
            _optional_text(pack, "emergency_action")
        )
    safety_net: str | None = None
    lead = False
    if level is None:
        if episode:
            safety_net = _optional_text(pack, "warning_signs")
            lead = topic is not None and topic.reassuring
        if safety_net is None and outcome in (Outcome.FALLBACK, Outcome.SUGGESTED):
            safety_net = _optional_text(pack, "emergency_net")
    return Reply(
        emergency_action=action,
        safety_net=safety_net,
        lead_with_net=lead and safety_net is not None,
        emergency_prompt=pack.text("emergency_prompt") if level is Level.EMERGENCY else None,
        heading=topic.title if topic else None,
        body=topic.body if topic else None,
        message=message,
        suggestions_intro=pack.text("suggestions_intro") if refs else None,
        suggestions=refs,
        # One prompt per reply: an emergency says call now, and does not end with "a reason
        # to see a doctor soon", which would read as permission to wait.
        doctor_prompt=pack.text("doctor_prompt") if level is Level.URGENT else None,
        disclaimer=pack.text("disclaimer"),
        sources_label=pack.text("sources_label"),
        sources=sources,
        related_intro=pack.text("related_intro"),
        related=related,
    )


def render_plain(answer: Answer, *, with_related: bool = True) -> str:
    """The reply as plain text, exactly as a parent reads it in the console or `ask`."""
    r = answer.reply
    parts: list[str] = []
    if r.emergency_prompt:
        parts.append(r.emergency_prompt)
    if r.emergency_action:
        parts.append(r.emergency_action)
    if r.safety_net and r.lead_with_net:
        parts.append(r.safety_net)
    if r.heading:
        parts.append(r.heading)
    if r.body:
        parts.append(to_plain(r.body))
    if r.message:
        parts.append(r.message)
    if r.suggestions:
        lines = [r.suggestions_intro or ""] + [f"  • {s.title}" for s in r.suggestions]
        parts.append("\n".join(lines))
    if r.doctor_prompt:
        parts.append(r.doctor_prompt)
    if r.safety_net and not r.lead_with_net:
        parts.append(r.safety_net)
    if with_related and r.related:
        parts.append(r.related_intro + " " + "; ".join(s.title for s in r.related))
    if r.sources:
        parts.append(r.sources_label + " " + "; ".join(_source_text(s) for s in r.sources))
    parts.append(r.disclaimer)
    return "\n\n".join(p for p in parts if p)


def _source_text(source: Source) -> str:
    return f"{source.title} ({source.url})" if source.url else source.title


def inline_answers(text: str, pack: ContentPack, *, limit: int = 5) -> list[Answer]:
    """Up to limit answers for inline mode, best first, each carrying the text's red flags.

    The first is answer_for's own choice; more topics come from the index's ranking (those
    that would at least be suggested), each composed by answer_for(text, topic_id=...) so the
    prompts the text calls for are on every one. Nothing readable gives no answers; a
    readable text that fits no topic gives the one fallback answer.
    """
    if limit <= 0:
        return []
    first = answer_for(text, pack)
    if first.outcome is Outcome.EMPTY:
        return []
    if first.outcome is Outcome.FALLBACK:
        return [first]
    ids: list[str] = [first.topic.id] if first.topic else []
    ids.extend(first.suggestion_ids)
    try:
        ranked = pack.index.rank(text, limit=limit + 1)
    except Exception:  # a ranking bug costs extra results, never the reply
        ranked = []
    ids.extend(c.topic_id for c in ranked if c.score >= SUGGEST_THRESHOLD)
    answers = [first] if first.topic else []
    for topic_id in dict.fromkeys(ids):
        if len(answers) >= limit:
            break
        if first.topic is not None and topic_id == first.topic.id:
            continue
        extra = answer_for(text, pack, topic_id=topic_id)
        if extra.topic is not None:
            answers.append(extra)
    return answers

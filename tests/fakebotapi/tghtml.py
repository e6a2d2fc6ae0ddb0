"""Telegram's HTML parse mode, as strict as the real server: text that Telegram would refuse
with "can't parse entities" is refused here too, so a rendering bug fails a test, not a parent.

Follows the rules of the Bot API's "HTML style" section (and tdlib's parser): only the listed
tags, `<` always escaped, tags closed in order, entities &lt; &gt; &amp; &quot; and numeric ones
decoded, any other `&` kept literally.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(r"""\s*([a-zA-Z-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's wording."""


@dataclass(frozen=True, slots=True)
class ParsedText:
    """The text as a client shows it, with the tags that formatted it (name, attributes)."""

    text: str
    tags: tuple[tuple[str, dict[str, str]], ...]


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML into plain text, or raise EntityParseError as Telegram would."""
    out: list[str] = []
    stack: list[str] = []
    tags: list[tuple[str, dict[str, str]]] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            found = _ENTITY.match(source, i)
            decoded = _decode_entity(found.group(1)) if found else None
            if found and decoded is not None:
                out.append(decoded)
                i = found.end()
                continue
            out.append("&")
            i += 1
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        offset = len(source[:i].encode("utf-8"))
        end = source.find(">", i)
        if end < 0:
            raise EntityParseError(
                f"Can't parse entities: unclosed start tag at byte offset {offset}"
            )
        inner = source[i + 1 : end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise EntityParseError(
                    f"Can't parse entities: unexpected end tag at byte offset {offset}"
                )
            if name and name != stack[-1]:
                raise EntityParseError(
                    "Can't parse entities: unmatched end tag at byte offset "
                    f'{offset}, expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
            i = end + 1
            continue
        name_match = _TAG_NAME.match(inner)
        name = name_match.group(0).lower() if name_match else ""
        if name not in SUPPORTED_TAGS:
            raise EntityParseError(
                f'Can\'t parse entities: unsupported start tag "{name}" at byte offset {offset}'
            )
        attributes = _parse_attributes(inner[len(name) :])
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte offset '
                f"{offset}"
            )
        if name == "a" and "href" not in attributes:
            attributes["href"] = ""
        stack.append(name)
        tags.append((name, attributes))
        i = end + 1
    if stack:
        raise EntityParseError(
            f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return ParsedText("".join(out), tuple(tags))


def _decode_entity(body: str) -> str | None:
    if body.startswith("#"):
        try:
            code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return None
    return _NAMED_ENTITIES.get(body)


def _parse_attributes(text: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for found in _ATTRIBUTE.finditer(text.rstrip("/")):
        if not found.group(1):
            continue
        value = found.group(2) if found.group(2) is not None else found.group(3) or found.group(4)
        attributes[found.group(1).lower()] = html.unescape(value or "")
    return attributes


def utf16_len(text: str) -> int:
    """Length as Telegram counts it for limits and entity offsets: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2

"""The light Markdown of content bodies, parsed once into blocks every renderer can show.

Content bodies use paragraphs separated by blank lines, '- ' bullet lines and **bold**.
Single line breaks inside a paragraph are soft (joined with a space), as in Markdown.
Never imports telegram or aiosqlite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


Block = Paragraph | Bullets


def parse_blocks(body: str) -> list[Block]:
    """Split a body into paragraphs and bullet lists, joining soft line breaks."""
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Paragraph(" ".join(para)))
            para.clear()
        if items:
            blocks.append(Bullets(tuple(items)))
            items.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith(("- ", "* ")):
            if para:
                flush()
            items.append(line[2:].strip())
        elif items and raw.startswith(("  ", "\t")):
            items[-1] += " " + line  # continuation of a bullet
        else:
            if items:
                flush()
            para.append(line)
    flush()
    return blocks


def spans(text: str) -> list[tuple[str, bool]]:
    """Inline spans of a block's text as (text, bold) pairs."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in BOLD.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def to_plain(body: str) -> str:
    """The body as plain text: bold marks dropped, bullets as '•'."""
    parts: list[str] = []
    for block in parse_blocks(body):
        if isinstance(block, Paragraph):
            parts.append(BOLD.sub(r"\1", block.text))
        else:
            parts.append("\n".join("• " + BOLD.sub(r"\1", item) for item in block.items))
    return "\n\n".join(parts)

"""The hostile input corpus and the checks every reply to it must pass.

Shared by test_hostile_core.py (the core and the renderers), test_hostile_updates.py (whole
updates through the application) and test_fuzz_answers.py (generated text). The checks are as
strict as Telegram's HTML parse mode and stricter: only the tags we mean to send, escaped text,
balanced nesting, under 4,096 UTF-16 code units.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator

from fakebotapi import EntityParseError, parse_html

MAX_MESSAGE_UTF16 = 4096
# Tags Telegram's HTML mode accepts that a reply of ours may carry (we emit b, i and a).
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler"})
_TAG = re.compile(r'<(/?)([a-z][a-z-]*)((?:\s+[a-z-]+="[^"<>]*")*)\s*>')
_ATTRIBUTE = re.compile(r'\s+([a-z-]+)="([^"<>]*)"')
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_LINK_SCHEMES = ("https://", "http://", "tg://")

# Red-flag phrases of the real rules (content/red_flags.yaml), one per level; the tests check
# their level first, so a change of the rules fails there, clearly.
EMERGENCY_PHRASE = "my baby is not breathing"
URGENT_PHRASE = "could these be infantile spasms"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def telegram_html_problems(source: str) -> list[str]:
    """Why Telegram would refuse this HTML message, or why we would not want to send it."""
    problems: list[str] = []
    if not source.strip():
        problems.append("empty message")
    if utf16_len(source) > MAX_MESSAGE_UTF16:
        problems.append(f"{utf16_len(source)} UTF-16 units, over {MAX_MESSAGE_UTF16}")
    try:
        parse_html(source)  # the fake Bot API's parser, as strict as Telegram's
    except EntityParseError as exc:
        problems.append(str(exc))
    stack: list[str] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            tag = _TAG.match(source, i)
            if tag is None:
                problems.append(f"unescaped '<' at {i}: {source[i : i + 20]!r}")
                i += 1
                continue
            closing, name, attributes = tag.group(1), tag.group(2), tag.group(3)
            if name not in ALLOWED_TAGS:
                problems.append(f"tag <{name}> is not one we send")
            elif closing:
                if not stack or stack[-1] != name:
                    problems.append(f"</{name}> closes {stack[-1:] or 'nothing'}")
                else:
                    stack.pop()
            else:
                attrs = dict(_ATTRIBUTE.findall(attributes))
                if name == "a":
                    href = html.unescape(attrs.get("href", ""))
                    if not href.startswith(_LINK_SCHEMES):
                        problems.append(f"link to {href!r}")
                elif attrs:
                    problems.append(f"<{name}> with attributes {attrs}")
                stack.append(name)
            i = tag.end()
        elif ch == ">":
            problems.append(f"unescaped '>' at {i}")
            i += 1
        elif ch == "&":
            if _ENTITY.match(source, i) is None:
                problems.append(f"bare '&' at {i}: {source[i : i + 12]!r}")
            i += 1
        else:
            i += 1
    if stack:
        problems.append(f"unclosed tags {stack}")
    return problems


def assert_telegram_html(source: str) -> None:
    problems = telegram_html_problems(source)
    assert not problems, f"{problems} in {source[:300]!r}"


# --- The corpus -------------------------------------------------------------------------------

# Unicode blocks that hold emoji (and the symbols clients show as emoji); one character of each
# is taken from the start, the middle and the end of the assigned code points.
EMOJI_BLOCKS: dict[str, tuple[int, int]] = {
    "arrows": (0x2190, 0x21FF),
    "misc-technical": (0x2300, 0x23FF),
    "enclosed-alphanumerics": (0x2460, 0x24FF),
    "geometric-shapes": (0x25A0, 0x25FF),
    "misc-symbols": (0x2600, 0x26FF),
    "dingbats": (0x2700, 0x27BF),
    "supplemental-arrows-b": (0x2900, 0x297F),
    "misc-symbols-and-arrows": (0x2B00, 0x2BFF),
    "cjk-symbols": (0x3000, 0x303F),
    "enclosed-cjk": (0x3200, 0x32FF),
    "mahjong-tiles": (0x1F000, 0x1F02F),
    "domino-tiles": (0x1F030, 0x1F09F),
    "playing-cards": (0x1F0A0, 0x1F0FF),
    "enclosed-alphanumeric-supplement": (0x1F100, 0x1F1FF),
    "enclosed-ideographic-supplement": (0x1F200, 0x1F2FF),
    "misc-symbols-and-pictographs": (0x1F300, 0x1F5FF),
    "emoticons": (0x1F600, 0x1F64F),
    "ornamental-dingbats": (0x1F650, 0x1F67F),
    "transport-and-map": (0x1F680, 0x1F6FF),
    "alchemical": (0x1F700, 0x1F77F),
    "geometric-shapes-extended": (0x1F780, 0x1F7FF),
    "supplemental-arrows-c": (0x1F800, 0x1F8FF),
    "supplemental-symbols-and-pictographs": (0x1F900, 0x1F9FF),
    "chess-symbols": (0x1FA00, 0x1FA6F),
    "symbols-and-pictographs-extended-a": (0x1FA70, 0x1FAFF),
}
# Emoji that are sequences, not single code points.
EMOJI_SEQUENCES = {
    "zwj-family": "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "flag": "\U0001f1ec\U0001f1e7",
    "subdivision-flag": "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    "keycap": "1\ufe0f\u20e3",
    "skin-tone": "\U0001f44d\U0001f3fd",
    "variation-selector": "\u2764\ufe0f",
    "lone-regional-indicator": "\U0001f1fa",
    "lone-skin-tone": "\U0001f3ff",
}


def emoji_samples() -> dict[str, str]:
    """One string per emoji block (first, middle and last assigned character) and sequence."""
    samples: dict[str, str] = {}
    for name, (low, high) in EMOJI_BLOCKS.items():
        assigned = [chr(c) for c in range(low, high + 1) if unicodedata.category(chr(c)) != "Cn"]
        if assigned:
            samples[name] = assigned[0] + assigned[len(assigned) // 2] + assigned[-1]
    samples.update(EMOJI_SEQUENCES)
    return samples


def zalgo(text: str, marks: str = "\u0316\u0317\u0324\u0330\u0353\u035c") -> str:
    """Combining marks piled onto every letter (marks that do not compose with letters)."""
    return "".join(ch + marks if ch.isalpha() else ch for ch in text)


ALL_EMOJI = "".join(emoji_samples().values())

HOSTILE_TEXTS: dict[str, str] = {
    "empty": "",
    "space": " ",
    "whitespace-only": " \t\n\r\u00a0\u2003\u3000\n ",
    "newlines-only": "\n" * 500,
    "one-char": "?",
    "telegram-maximum": ("why does my baby twitch in her sleep " * 120)[:4096],
    "maximum-one-word": "a" * 4096,
    "very-long-word": "supercalifragilistic" * 200,
    "long-url": "https://example.org/" + "a/" * 1500,
    "nul": "\x00",
    "nul-between-words": "why\x00does\x00my\x00baby\x00twitch",
    "c0-controls": "".join(chr(c) for c in range(32)) + "baby jerks",
    "c1-controls": "".join(chr(c) for c in range(0x7F, 0xA0)) + "baby jerks",
    "escape-sequences": "\x1b[31mred\x1b[0m \x1b]0;title\x07 baby twitching",
    "backspaces": "baby\b\b\b\bjerks\b",
    "zero-width": "\u200b\u200c\u200d\u2060\ufeff" * 50,
    "zero-width-inside-words": "ba\u200bby tw\u200citch\u200ding in sl\u2060eep",
    "rtl-override": "\u202ebaby twitches in sleep\u202c",
    "rtl-arabic": "طفلي يرتعش أثناء النوم، هل هذا طبيعي؟",
    "rtl-hebrew": "התינוק שלי רועד בשינה",
    "bidi-isolates": "\u2067abc\u2069 \u2066def\u2069 \u2068ghi\u2069 baby jerks",
    "zalgo": zalgo("why does my baby twitch in her sleep"),
    "zalgo-heavy": "b" + "\u0300" * 2000 + "aby",
    "combining-only": "\u0301\u0302\u0303\u0304" * 100,
    "all-emoji-blocks": ALL_EMOJI,
    "emoji-flood": "\U0001f62d" * 3000,
    "mixed-scripts": "Baby 宝宝 малыш बच्चा 아기 طفل twitches 抽搐 дёргается",
    "cjk": "我的宝宝睡觉时抽动正常吗",
    "devanagari": "मेरा बच्चा सोते समय झटके देता है",
    "thai-no-spaces": "ลูกของฉันกระตุกตอนหลับ",
    "fullwidth": "ｗｈｙ ｄｏｅｓ ｍｙ ｂａｂｙ ｔｗｉｔｃｈ",
    "math-alphanumerics": "𝐰𝐡𝐲 𝐝𝐨𝐞𝐬 𝐦𝐲 𝐛𝐚𝐛𝐲 𝐭𝐰𝐢𝐭𝐜𝐡",
    "private-use": "\ue000\uf8ff\U000f0000 baby",
    "noncharacters": "\ufffe\uffff\U0010fffe baby",
    "replacement-chars": "\ufffd" * 100,
    "html-tags": "<b>bold</b> <i>x</i> </a> <a href='javascript:alert(1)'>x</a> <script>",
    "html-unbalanced": "<b><i>twitch</b> </i> <pre> <code> </blockquote> <tg-spoiler>",
    "html-entities": "&amp; &lt; &gt; &quot; &#0; &#x110000; &nosuch; & &&; &#",
    "html-comment": "<!-- baby --> <![CDATA[ x ]]> <?xml?>",
    "markdown-breakers": "*bold _italic [link](http://x) `code ``` ~~strike~~ ||spoiler|| \\",
    "markdown-unbalanced": "* _ [ ( ` *_*_[[[ ]] ) _*",
    "sql-injection": "'; DROP TABLE events; -- \" OR 1=1; SELECT * FROM sqlite_master",
    "sql-comment": "baby twitch'); DELETE FROM feedback WHERE ('1'='1",
    "format-strings": "{0} {1} {} %s %d %(name)s {emergency_number} {bot_username} {{}} %n",
    "format-attribute": "{0.__class__.__mro__} {__import__('os')} ${HOME} $(id) `id`",
    "path-traversal": "../../etc/passwd ..\\..\\windows\\system32 /proc/self/environ",
    "shell-metachars": "; rm -rf / | cat /etc/shadow && echo $TELEGRAM_BOT_TOKEN",
    "bot-token-shape": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 my token",
    "mentions-and-commands": "@ParentsHelperBot /start /stats @everyone @@@@ /reload@x",
    "json-looking": '{"ok": false, "update_id": 1, "message": {"text": "x"}}',
    "repeated-question-marks": "?" * 4000,
    "repeated-letters": "w" + "h" * 3000 + "y",
    "numbers": "9" * 4000,
    "surrogate-escapes": "baby \udcff\udc80 twitch",
}


def hostile_update_texts() -> dict[str, str]:
    """The corpus as Telegram could deliver it: within 4,096 characters, no lone surrogates
    (Telegram's JSON is valid UTF-8)."""
    out: dict[str, str] = {}
    for name, text in HOSTILE_TEXTS.items():
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            continue
        out[name] = text[:4096]
    return out


def noisy_wrappings(phrase: str) -> Iterator[tuple[str, str]]:
    """The phrase wrapped in hostile noise, as a frightened parent or a broken client sends it."""
    yield "html", f"<b>{phrase}</b></a>&amp;<script>"
    yield "markdown", f"*{phrase}* _[`"
    yield "emoji", f"\U0001f631\U0001f631 {phrase} \U0001f198\U0001f62d"
    yield "all-emoji", f"{ALL_EMOJI} {phrase} {ALL_EMOJI}"
    # Inside words and beside the spaces (copy-paste debris); a zero-width character in place
    # of a space glues the words together on screen too, so it is not a space here either.
    yield "zero-width", " \u200b".join(w[:1] + "\u200d" + w[1:] for w in phrase.split(" "))
    yield "rtl", f"\u202e{phrase}\u202c \u2067x\u2069"
    yield "zalgo-around", f"{zalgo('help please')} {phrase} {zalgo('now')}"
    yield "zalgo-stacked", zalgo(phrase)
    yield "controls", f"\x1b[31m{phrase}\x1b[0m\x07"
    yield "sql", f"'; DROP TABLE events; -- {phrase}"
    yield "format", f"{{0}} %s {phrase} {{emergency_number}}"
    yield "shouting", phrase.upper() + "!!!!!!!!"
    yield "fullwidth", phrase.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    yield "mixed-scripts", f"宝宝 малыш {phrase} बच्चा"
    yield "long-prefix", "twitch " * 500 + phrase
    yield "long-suffix", phrase + " ok" * 1200
    yield "newlines", phrase.replace(" ", "\n")
    yield "mentioned", f"@ParentsHelperBot {phrase}"

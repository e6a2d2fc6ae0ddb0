"""The light Markdown of content bodies: paragraphs, bullets and bold."""

from __future__ import annotations

from tgbot.core.markup import Bullets, Paragraph, parse_blocks, spans, to_plain


def test_soft_line_breaks_join_into_one_paragraph() -> None:
    assert parse_blocks("one\ntwo\n\nthree") == [Paragraph("one two"), Paragraph("three")]


def test_bullet_lines_form_one_list() -> None:
    assert parse_blocks("Intro:\n- a\n- b\n\nEnd.") == [
        Paragraph("Intro:"),
        Bullets(("a", "b")),
        Paragraph("End."),
    ]


def test_indented_line_continues_a_bullet() -> None:
    assert parse_blocks("- first part\n  and more") == [Bullets(("first part and more",))]


def test_bold_spans_are_found() -> None:
    assert spans("a **b** c") == [("a ", False), ("b", True), (" c", False)]


def test_plain_rendering_drops_marks() -> None:
    assert to_plain("**Hi**\n\n- x") == "Hi\n\n• x"

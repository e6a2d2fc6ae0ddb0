"""Command line: python -m tgbot run | console | ask | check-content | stats | report |
eval-privacy."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentError, ContentLibrary, load_content


def _load_or_exit(content_dir: Path) -> ContentLibrary:
    try:
        return load_content(content_dir)
    except ContentError as exc:
        sys.stderr.write(exc.report() + "\n")
        raise SystemExit(2) from None


def _cmd_ask(args: argparse.Namespace) -> int:
    from tgbot.channels.ask import ask_jsonl, ask_once

    library = _load_or_exit(args.content)
    if args.jsonl:
        # Without --lang each question gets the pack the bot would choose for it.
        ask_jsonl(library.pack(args.lang) if args.lang else library.pack_for_message)
        return 0
    if not args.question:
        sys.stderr.write("give a question, or --jsonl to read questions from stdin\n")
        return 2
    question = " ".join(args.question)
    pack = library.pack(args.lang) if args.lang else library.pack_for_message(question)
    ask_once(question, pack, as_json=args.json)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from tgbot.core.content import review_report
    from tgbot.core.ui_texts import UI_TEXTS

    problems, warnings = review_report(args.dir, required_texts=UI_TEXTS)
    for problem in problems:
        print(problem)
    for warning in warnings:
        print(f"warning: {warning}")
    if problems:
        print(f"{len(problems)} problem(s) found in {args.dir}")
        return 1
    print(f"content OK: {args.dir}")
    return 0


def _cmd_console(args: argparse.Namespace) -> int:
    from tgbot.channels.console import run_console

    run_console(_load_or_exit(args.content))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from tgbot.launcher import main as launch

    return launch(["--console"] if args.console else [])


def _cmd_stats(args: argparse.Namespace) -> int:
    from tgbot.stats.cli import main as stats_main

    return stats_main(args.rest)


def _cmd_report(args: argparse.Namespace) -> int:
    from tgbot.report.cli import main as report_main

    return report_main(args.rest)


def _cmd_eval_privacy(args: argparse.Namespace) -> int:
    from tgbot.privacy_check import main as eval_privacy_main

    return eval_privacy_main(args.rest)


def _cmd_eval_redflags(args: argparse.Namespace) -> int:
    from tgbot.redflag_check import main as eval_redflags_main

    return eval_redflags_main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tgbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question (or --jsonl: one per stdin line)")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument(
        "--jsonl", action="store_true", help="read questions from stdin, write JSON lines"
    )
    ask.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR)
    ask.add_argument(
        "--lang",
        default=None,
        help="content language (default: the message's own, as the bot chooses)",
    )
    ask.set_defaults(func=_cmd_ask)

    check = sub.add_parser("check-content", help="validate content and list every problem")
    check.add_argument("dir", nargs="?", type=Path, default=DEFAULT_CONTENT_DIR)
    check.set_defaults(func=_cmd_check)

    console = sub.add_parser("console", help="the local console")
    console.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR)
    console.set_defaults(func=_cmd_console)

    run = sub.add_parser("run", help="start the bot (console when no token is set)")
    run.add_argument("--console", action="store_true")
    run.set_defaults(func=_cmd_run)

    # These own their options; `python -m tgbot stats --help` shows them.
    stats = sub.add_parser("stats", help="anonymous question statistics", add_help=False)
    stats.add_argument("rest", nargs=argparse.REMAINDER)
    stats.set_defaults(func=_cmd_stats)
    report = sub.add_parser("report", help="HTML report with charts", add_help=False)
    report.add_argument("rest", nargs=argparse.REMAINDER)
    report.set_defaults(func=_cmd_report)
    privacy = sub.add_parser(
        "eval-privacy",
        help="identifiers the stored-text scrubber keeps of the PII corpus",
        add_help=False,
    )
    privacy.add_argument("rest", nargs=argparse.REMAINDER)
    privacy.set_defaults(func=_cmd_eval_privacy)
    redflags = sub.add_parser(
        "eval-redflags",
        help="red-flag recall and false positives on a labelled corpus",
        add_help=False,
    )
    redflags.add_argument("rest", nargs=argparse.REMAINDER)
    redflags.set_defaults(func=_cmd_eval_redflags)
    return parser


# Subcommands that own their whole argument list (options may come first).
_PASS_THROUGH = {
    "stats": _cmd_stats,
    "report": _cmd_report,
    "eval-privacy": _cmd_eval_privacy,
    "eval-redflags": _cmd_eval_redflags,
}


def main(argv: Sequence[str] | None = None) -> int:
    from tgbot.extras import MissingExtra

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in _PASS_THROUGH:
            return _PASS_THROUGH[argv[0]](argparse.Namespace(rest=argv[1:]))
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except MissingExtra as exc:
        # A feature of an extra on a base install: one line saying what to install.
        sys.stderr.write(f"{exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())

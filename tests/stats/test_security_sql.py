"""SQL is parameterised everywhere: no statement in tgbot/ is built from values by f-strings,
str.format, % or concatenation. The only formatted statements are PRAGMAs, whose values SQLite
cannot take as parameters; they may format int(...) and nothing else.

Checked on the syntax tree of every module, so a new query anywhere is checked too. Also: the
read-only statistics reader opens exactly the file it is given, whatever its name holds.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tgbot.stats.store import open_reader, open_store

PACKAGE = Path(__file__).resolve().parents[2] / "tgbot"
SQL_CALLS = frozenset(
    {"execute", "executemany", "executescript", "execute_fetchall", "execute_insert"}
)
SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|WHERE|VALUES|ATTACH)\b"
)


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _literal_text(node: ast.AST) -> str:
    """The constant parts of a string expression (what a reader sees of its SQL)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + _literal_text(node.right)
    return ""


def _only_int_values(node: ast.JoinedStr) -> bool:
    """Every {...} of the f-string is int(...): a number cannot inject SQL."""
    for value in node.values:
        if isinstance(value, ast.FormattedValue):
            call = value.value
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "int"
            ):
                return False
    return True


def sql_problems(source: str, name: str) -> list[str]:
    """Places where SQL is built from values instead of passed parameters."""
    problems: list[str] = []
    tree = ast.parse(source, name)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        # 1. The statement given to execute() and friends.
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
            and node.args
        ):
            statement = node.args[0]
            if isinstance(statement, ast.JoinedStr):
                text = _literal_text(statement).lstrip().upper()
                if not (text.startswith("PRAGMA") and _only_int_values(statement)):
                    problems.append(f"{where}: f-string statement")
            elif isinstance(statement, ast.BinOp):
                problems.append(f"{where}: statement built with an operator")
            elif isinstance(statement, ast.Call):
                problems.append(f"{where}: statement built by a call")
            elif not isinstance(statement, (ast.Constant, ast.Name, ast.Subscript)):
                problems.append(f"{where}: statement of kind {type(statement).__name__}")
        # 2. SQL text built anywhere else, e.g. into a variable handed to execute() later.
        if isinstance(node, ast.JoinedStr) and SQL_WORDS.search(_literal_text(node)):
            text = _literal_text(node).lstrip().upper()
            if not (text.startswith("PRAGMA") and _only_int_values(node)):
                problems.append(f"{where}: SQL in an f-string")
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, (ast.Mod, ast.Add))
            and SQL_WORDS.search(_literal_text(node))
            and not (isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant))
        ):
            problems.append(f"{where}: SQL built with {type(node.op).__name__}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and SQL_WORDS.search(_literal_text(node.func.value))
        ):
            problems.append(f"{where}: SQL built with str.format")
    return problems


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_statement_is_built_from_values(path: Path) -> None:
    assert sql_problems(path.read_text(encoding="utf-8"), path.name) == []


def test_the_package_does_run_sql_so_the_check_has_something_to_check() -> None:
    calls = sum(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_CALLS
        for path in modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    )
    assert calls >= 10


@pytest.mark.parametrize(
    "bad",
    [
        "db.execute(f\"SELECT * FROM events WHERE topic = '{topic}'\")",
        'db.execute("SELECT * FROM events WHERE topic = " + topic)',
        'db.execute("SELECT * FROM events WHERE topic = %s" % topic)',
        'db.execute("SELECT * FROM events WHERE topic = {}".format(topic))',
        "sql = f\"DELETE FROM events WHERE day < '{day}'\"",
        'db.execute(f"PRAGMA max_page_count = {pages}")',
        'db.executemany(" ".join(parts), rows)',
    ],
)
def test_the_check_catches_built_statements(bad: str) -> None:
    assert sql_problems(bad, "example.py")


@pytest.mark.parametrize(
    "good",
    [
        'db.execute("SELECT * FROM events WHERE topic = ?", (topic,))',
        "db.executemany(_INSERT_EVENT, rows)",
        'db.execute(f"PRAGMA busy_timeout = {int(ms)}")',
        'db.execute("SELECT 1 "\n "FROM events")',
    ],
)
def test_the_check_accepts_parameterised_statements(good: str) -> None:
    assert sql_problems(good, "example.py") == []


@pytest.mark.parametrize(
    "name", ["stats#1.sqlite3", "stats?mode=rwc.sqlite3", "stats%20x.sqlite3", "stats ü.sqlite3"]
)
async def test_the_reader_opens_exactly_the_named_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    db = await open_store(path)
    await db.close()
    before = {p.name for p in tmp_path.iterdir()}  # noqa: ASYNC240 - a test's own tmp folder
    reader = await open_reader(path)
    try:
        async with reader.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        assert row[0] >= 1  # the migrated database, not a new empty file
    finally:
        await reader.close()
    after = {p.name for p in tmp_path.iterdir()}  # noqa: ASYNC240
    assert after <= before | {f"{name}-shm", f"{name}-wal"}  # no stray file


async def test_the_reader_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    db = await open_store(path)
    await db.close()
    reader = await open_reader(path)
    try:
        with pytest.raises(Exception, match=r"readonly|read-only"):
            await reader.execute("DELETE FROM events")
    finally:
        await reader.close()

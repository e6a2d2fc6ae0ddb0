"""The house's boundaries: the import-linter contracts in pyproject.toml hold for the package,
and a deliberate violation in a copy of it makes `lint-imports` fail.

Runs the real `lint-imports` command, as .ci/run does; the copy lives in a temporary folder,
so the package itself is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts, reading the package found under root."""
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of pyproject.toml and tgbot/ that a test may break."""
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        REPO / "tgbot", tmp_path / "tgbot", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_the_package_keeps_every_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("core/leak.py", "import telegram\n", "The core is pure"),
        ("core/leak.py", "import aiosqlite\n", "The core is pure"),
        ("core/leak.py", "from tgbot.stats import service\n", "The core imports no other room"),
        ("stats/leak.py", "from tgbot.channels import console\n", "Statistics and the report"),
        ("report/leak.py", "import telegram.ext\n", "Statistics and the report"),
        ("stats/leak.py", "from tgbot.report import build\n", "Layers"),
    ],
)
def test_a_forbidden_import_breaks_the_build(
    package_copy: Path, module: str, line: str, contract: str
) -> None:
    (package_copy / "tgbot" / module).write_text(f'"""A deliberate violation."""\n\n{line}')
    result = lint_imports(package_copy)
    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(row.startswith(contract) for row in broken), result.stdout

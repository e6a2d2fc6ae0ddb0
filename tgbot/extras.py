"""Optional features and the extras that install them: `require()` imports a module an extra
provides, or raises MissingExtra with the one line that says what to install.

The base install runs polling, the console and `ask`; matplotlib (`charts`) and starlette +
uvicorn (`webhook`) are extras. Must never import an optional module at module load: the
point is that a base install imports this file without them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtra", "require", "require_all"]

# extra -> (what it is for, the modules it provides)
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "charts": ("Charts (the /stats chart, /report, python -m tgbot report)", ("matplotlib",)),
    "webhook": ("Webhook mode (BOT_MODE=webhook)", ("starlette", "uvicorn")),
}


class MissingExtra(RuntimeError):
    """A feature was used whose extra is not installed; str() is the whole message."""

    def __init__(self, extra: str, module: str) -> None:
        self.extra = extra
        self.module = module
        feature = EXTRAS[extra][0]
        super().__init__(
            f"{feature}: the '{extra}' extra is not installed (no {module}); install it with "
            f".venv/bin/pip install -c constraints.txt -e '.[{extra}]' in a checkout, "
            f"or pip install 'tgbot-jerks[{extra}]'"
        )


def require(extra: str, module: str | None = None) -> ModuleType:
    """Import a module of an extra (its first module by default), or raise MissingExtra."""
    names = EXTRAS[extra][1]
    name = module or names[0]
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        # Only the missing top-level package is this error; a broken import inside an
        # installed one must surface as itself.
        top = name.split(".")[0]
        if exc.name is not None and exc.name.split(".")[0] != top:
            raise
        raise MissingExtra(extra, top) from None


def require_all(extra: str) -> None:
    """Check every module of an extra before a feature starts (a clean refusal at start-up)."""
    for name in EXTRAS[extra][1]:
        require(extra, name)

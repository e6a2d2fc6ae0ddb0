"""Supply chain and deployment: dependencies are pinned to compatible releases, secrets stay out
of the repository and the image, and the Docker image runs as a non-root user that can live on
a read-only root filesystem (everything it writes is on the /data volume).

Read from pyproject.toml, the Dockerfile, .dockerignore and .gitignore: no Docker daemon is
needed. (pip-audit needs the network; SECURITY.md says how to run it.)
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
# name[extras]~=X.Y (optionally X.Y.Z): at least this release, below the next major/minor.
COMPATIBLE_PIN = re.compile(r"^[A-Za-z0-9._-]+(\[[A-Za-z0-9_,.-]+\])?~=[0-9]+(\.[0-9]+)+$")


def requirements() -> list[str]:
    project = PYPROJECT["project"]
    found = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        found += extra
    return found


@pytest.mark.parametrize("requirement", requirements())
def test_every_dependency_has_a_compatible_release_pin(requirement: str) -> None:
    assert COMPATIBLE_PIN.match(requirement.replace(" ", "")), (
        f"{requirement!r}: pin with ~= (e.g. 'name~=1.2'), so updates stay within the "
        "compatible release and an unreviewed major version never arrives"
    )


def test_there_are_runtime_dependencies_to_check() -> None:
    assert len(PYPROJECT["project"]["dependencies"]) >= 5


# --- The Docker image -------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    out: list[tuple[str, str]] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (k, _) in enumerate(steps) if k == "FROM")
    return steps[last_from:]


def env_of_final_stage() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, rest in final_stage():
        if keyword == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def test_the_image_runs_as_a_non_root_user() -> None:
    users = [rest for keyword, rest in final_stage() if keyword == "USER"]
    assert users, "the final stage must switch to a non-root USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    # The entry point comes after the last USER: the bot itself never runs as root.
    keywords = [k for k, _ in final_stage()]
    assert keywords.index("CMD") > len(keywords) - 1 - keywords[::-1].index("USER")


def test_the_bot_user_has_a_fixed_unprivileged_uid() -> None:
    created = re.search(r"useradd[^&]*--uid\s+(\d+)", DOCKERFILE)
    assert created is not None
    assert int(created.group(1)) >= 1000


def test_everything_the_bot_writes_is_on_the_data_volume() -> None:
    env = env_of_final_stage()
    volumes = [rest for keyword, rest in final_stage() if keyword == "VOLUME"]
    assert any("/data" in v for v in volumes)
    for key in ("HOME", "TMPDIR", "STATS_DB_PATH"):
        assert env.get(key, "").startswith("/data"), key
    # Group settings default to the statistics folder; bytecode is never written.
    assert env.get("PYTHONDONTWRITEBYTECODE") == "1"
    assert "GROUP_SETTINGS_PATH" not in env or env["GROUP_SETTINGS_PATH"].startswith("/data")


def test_no_secret_is_baked_into_the_image() -> None:
    env = env_of_final_stage()
    for keyword, rest in instructions():
        if keyword in ("ENV", "ARG", "LABEL"):
            assert "TOKEN" not in rest.upper(), rest
            assert "WEBHOOK_SECRET" not in rest.upper(), rest
    assert "TELEGRAM_BOT_TOKEN" not in env


def test_the_build_context_leaves_secrets_and_data_out() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [r.strip() for r in ignored if r.strip() and not r.startswith("#")]
    # An allow-list: everything is excluded first, then only what the image needs.
    assert rules[0] == "*"
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    assert allowed <= {"pyproject.toml", "README.md", "bot.py", "tgbot", "content"}


def test_the_repository_never_tracks_env_files_or_data() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert "data/" in ignored


def test_the_entry_point_is_exec_form_so_sigterm_reaches_the_bot() -> None:
    [cmd] = [rest for keyword, rest in final_stage() if keyword == "CMD"]
    assert cmd.startswith("[")
    assert "bot.py" in cmd

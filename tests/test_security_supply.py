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
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
# name[extras]~=X.Y (optionally X.Y.Z): at least this release, below the next major/minor.
COMPATIBLE_PIN = re.compile(r"^[A-Za-z0-9._-]+(\[[A-Za-z0-9_,.-]+\])?~=[0-9]+(\.[0-9]+)+$")


def requirements() -> list[str]:
    """Every third-party requirement; an extra naming this project's own extras is not one."""
    project = PYPROJECT["project"]
    found = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        found += extra
    return [r for r in found if not r.startswith(project["name"] + "[")]


CONSTRAINTS = REPO / "constraints.txt"


def pinned() -> dict[str, str]:
    """constraints.txt as {normalised name: exact version}."""
    out: dict[str, str] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt: {line!r} is not an exact pin (name==version)"
            out[canonicalize_name(name)] = version
    return out


@pytest.mark.parametrize("requirement", requirements())
def test_constraints_pin_every_dependency_to_a_release_its_range_allows(
    requirement: str,
) -> None:
    wanted = Requirement(requirement)
    exact = pinned().get(canonicalize_name(wanted.name))
    assert exact is not None, (
        f"{wanted.name} is not in constraints.txt: run scripts/update_constraints.sh"
    )
    assert wanted.specifier.contains(exact, prereleases=True), (
        f"constraints.txt pins {wanted.name}=={exact}, outside pyproject's {wanted.specifier}: "
        "run scripts/update_constraints.sh"
    )


def test_ci_the_readme_and_the_image_install_with_the_constraints() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    installs = [line for line in ci.splitlines() if "pip install" in line]
    assert installs
    assert all("-c constraints.txt" in line for line in installs), installs
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert all(
        "-c constraints.txt" in line for line in readme.splitlines() if "pip install -e" in line
    )
    assert "-c /wheels/constraints.txt" in DOCKERFILE


def test_ci_runs_the_readme_test_command_line_for_line_and_builds_one_venv() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Run the tests") :]
    block = section[section.index("```sh") + len("```sh") : section.index("```", 10)]
    command = [line.strip() for line in block.strip().splitlines()]
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    positions = [ci.index(line) for line in command]  # ValueError: a line is not in .ci/run
    assert positions == sorted(positions)
    assert sum("-m venv" in line for line in ci if not line.startswith("#")) == 1


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
    assert allowed <= {
        "pyproject.toml",
        "constraints.txt",
        "README.md",
        "bot.py",
        "tgbot",
        "content",
    }


def test_the_repository_never_tracks_env_files_or_data() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert "data/" in ignored


def test_the_entry_point_is_exec_form_so_sigterm_reaches_the_bot() -> None:
    [cmd] = [rest for keyword, rest in final_stage() if keyword == "CMD"]
    assert cmd.startswith("[")
    assert "bot.py" in cmd


def test_the_image_listens_on_loopback_and_the_readme_never_publishes_the_port() -> None:
    # Security review, weakness 3: the plain-HTTP webhook server must sit behind the TLS proxy.
    assert "WEBHOOK_LISTEN=127.0.0.1" in DOCKERFILE
    assert "WEBHOOK_LISTEN=0.0.0.0 \\" not in DOCKERFILE
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "-p 8443:8443" not in readme

"""Helpers of the scaffolding tests: unique names, a clean environment, running commands, importing a project."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import typing as t
from pathlib import Path

#: Variables that the generated settings (or flaskkit's own test suite) read: never inherited by a project.
PROJECT_ENVIRONMENT = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "REDIS_URL",
    "REDIS_KEY_PREFIX",
    "HTTPS",
    "SESSION_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "PROXY_COUNT",
    "SILENCED_CHECKS",
    "FLASKKIT_SETTINGS",
    "PYTHONPATH",
)


def unique_name(prefix: str = "site") -> str:
    """A package name that no module has (so that it passes the name checks, and imports cleanly)."""
    return f"{prefix}_{secrets.token_hex(3)}"


def clean_environment(extra: t.Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without what would change a project's behaviour, then ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in PROJECT_ENVIRONMENT and not key.startswith(("FLASK_", "PYTEST_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def run(
    args: t.Sequence[str | os.PathLike[str]],
    cwd: Path,
    *,
    env: t.Mapping[str, str] | None = None,
    timeout: float = 300,
    expect: int = 0,
) -> str:
    """Run a command; assert its exit status (showing its output); return stdout and stderr together."""
    result = subprocess.run(
        [os.fspath(arg) for arg in args],
        cwd=cwd,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == expect, f"$ {' '.join(map(str, args))}  (exit {result.returncode})\n{output}"
    return output


def flask(project: Path, name: str, *args: str, env: t.Mapping[str, str] | None = None, expect: int = 0) -> str:
    """``flask --app NAME ...`` in the project's folder, with this Python."""
    return run([sys.executable, "-m", "flask", "--app", name, *args], project, env=env, expect=expect)


def pytest_in(project: Path, *args: str, env: t.Mapping[str, str] | None = None) -> str:
    """The project's own test suite, with this Python (its pyproject.toml configures pytest)."""
    return run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], project, env=env)


@contextlib.contextmanager
def imported(folder: Path, *names: str) -> t.Iterator[None]:
    """``folder`` on ``sys.path`` for the block; the modules of ``names`` forgotten afterwards."""
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for module in list(sys.modules):
            if module.partition(".")[0] in names:
                del sys.modules[module]


def tree(folder: Path) -> list[str]:
    """Every file and folder under ``folder``, relative, sorted (``.git`` contents left out)."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if ".git" not in path.relative_to(folder).parts[:1] or path.name == ".git"
    )

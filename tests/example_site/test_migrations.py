"""The site's committed migrations match its models, and the checks pass on a migrated site."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .server import ROOT
from .server import site_environment

MIGRATIONS = ROOT / "example_site" / "migrations"


def flask(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``flask --app example_site ARGS`` from the repository root, as a developer runs it."""
    env = site_environment({"EXAMPLE_SITE_INSTANCE_PATH": str(instance)})
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "example_site", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_migrations_match_the_models(tmp_path):
    instance = tmp_path / "instance"
    upgrade = flask(instance, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    permissions = flask(instance, "auth", "sync-perms")
    assert permissions.returncode == 0, permissions.stderr
    check = flask(instance, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected." in check.stdout + check.stderr
    kit_check = flask(instance, "kit", "check")
    assert kit_check.returncode == 0, kit_check.stdout + kit_check.stderr
    assert kit_check.stdout.strip() == "Checks identified no issues (0 silenced)."


def test_the_site_has_one_revision_of_its_own_on_the_auth_branch():
    revisions = sorted((MIGRATIONS / "versions").glob("*.py"))
    assert [path.name.partition("_")[2] for path in revisions] == ["notes.py"]
    source = revisions[0].read_text()
    assert "down_revision = None" in source
    assert 'depends_on = "flaskkit_auth_0001"' in source  # the note table refers to auth_user
    assert (MIGRATIONS / "env.py").read_text().strip().endswith("run_env()")

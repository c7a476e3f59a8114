"""Packaging: flaskkit.plugins maps onto plugins/, installed and editable, and a
third-party distribution installed with pip is found by its entry-point name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIST = Path(__file__).with_name("plugin_dist")


def pip(*args: str, cwd: Path = ROOT) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        cwd=cwd,
        check=True,
        timeout=300,
        capture_output=True,
    )


def python(code: str, *, cwd: Path, path: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK", "PYTHON"))}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_package_directory_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        "flaskkit." + ".".join(p.parent.relative_to(ROOT / "flaskkit").parts)
        for p in (ROOT / "flaskkit").rglob("__init__.py")
    }
    found = {name.rstrip(".") for name in found}
    found |= {
        ".".join(("flaskkit", "plugins", *p.parent.relative_to(ROOT / "plugins").parts))
        for p in (ROOT / "plugins").rglob("__init__.py")
    }
    assert found == listed
    assert config["package-dir"]["flaskkit.plugins"] == "plugins"
    assert (ROOT / "flaskkit" / "py.typed").exists()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    pip("wheel", "--no-deps", "-w", str(out), str(ROOT))
    [built] = out.glob("flaskkit-*.whl")
    return built


def test_wheel_contents(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_text = archive.read(entry_points).decode()
    assert {"flaskkit/__init__.py", "flaskkit/py.typed", "flaskkit/plugins/__init__.py"} <= names
    assert not any(name.startswith(("plugins/", "tests/")) for name in names)
    assert "[flask.commands]\nkit = flaskkit.cli:kit_command" in entry_text
    assert "[pytest11]\nflaskkit = flaskkit.testing" in entry_text
    # every plugin's compiled catalogs (package-data): an installed kit translates its pages
    catalogs = {
        "flaskkit/plugins/" + path.relative_to(ROOT / "plugins").as_posix()
        for path in (ROOT / "plugins").glob("*/translations/*/LC_MESSAGES/messages.mo")
    }
    assert len(catalogs) >= 18
    assert catalogs <= names, sorted(catalogs - names)


BUILT_IN = ["orm", "session", "cache", "forms", "middleware", "signals", "auth", "views"]


def test_installed_from_the_wheel_imports_every_built_in_plugin(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    pip("install", "--no-deps", "--target", str(target), str(wheel))
    code = (
        "import importlib, json; "
        f"print(json.dumps({{n: importlib.import_module('flaskkit.plugins.' + n).__file__ for n in {BUILT_IN!r}}}))"
    )
    files = json.loads(python(code, cwd=tmp_path, path=target))
    assert files == {name: str(target / "flaskkit" / "plugins" / name / "__init__.py") for name in BUILT_IN}
    # the non-Python files the plugins need at run time are in the wheel too
    assert (target / "flaskkit" / "plugins" / "forms" / "templates" / "forms" / "macros.html").is_file()
    assert list((target / "flaskkit" / "plugins" / "session" / "migrations").glob("*.py"))
    assert list((target / "flaskkit" / "plugins" / "auth" / "migrations").glob("*.py"))


def test_installed_from_the_wheel_imports_flaskkit_plugins(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    pip("install", "--no-deps", "--target", str(target), str(wheel))
    out = python(
        "import flaskkit, flaskkit.plugins; print(flaskkit.__file__); print(flaskkit.plugins.__file__)",
        cwd=tmp_path,
        path=target,
    )
    core, plugins = out.split()
    assert core == str(target / "flaskkit" / "__init__.py")
    assert plugins == str(target / "flaskkit" / "plugins" / "__init__.py")


def test_this_environment_imports_flaskkit_plugins_from_anywhere(tmp_path: Path):
    # Asked from outside the repository, so the source tree's own egg-info is not on sys.path.
    code = (
        "from importlib import metadata; print(metadata.distribution('flaskkit').read_text('direct_url.json') or '{}')"
    )
    direct_url = json.loads(python(code, cwd=tmp_path))
    editable = bool(direct_url.get("dir_info", {}).get("editable"))
    out = python("import flaskkit.plugins.orm as m; print(m.__file__)", cwd=tmp_path)
    if editable:  # pip install -e . maps flaskkit.plugins onto the plugins/ folder
        assert out.strip() == str(ROOT / "plugins" / "orm" / "__init__.py")
    else:
        assert out.strip().endswith(os.path.join("flaskkit", "plugins", "orm", "__init__.py"))


def test_third_party_distribution_installed_with_pip_is_booted_by_name(tmp_path: Path):
    target = tmp_path / "site"
    pip("install", "--no-deps", "--target", str(target), str(PLUGIN_DIST))
    code = """
import json
from flaskkit import create_app
app = create_app({"SECRET_KEY": "s" * 60, "PLUGINS": ["hello", "greeting"], "GREETING": "Hi"})
kit = app.extensions["flaskkit"]
print(json.dumps({
    "order": list(kit.plugins),
    "source": kit.plugins["hello"].source.describe(),
    "page": app.test_client().get("/hello/Ada").get_data(as_text=True),
    "cli": app.test_cli_runner().invoke(args=["hello", "Ada"]).output,
}))
"""
    result = json.loads(python(code, cwd=tmp_path, path=target))
    assert result == {
        "order": ["greeting", "hello"],
        "source": "entry point 'hello' of flaskkit-hello 1.2.0 -> flaskkit_hello:HelloPlugin",
        "page": "Hi, Ada!",
        "cli": "Hi, Ada!\n",
    }

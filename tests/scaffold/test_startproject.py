"""``flaskkit startproject``: what a new project holds, and what is refused (with nothing written)."""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskkit import __version__
from flaskkit.scaffold import ScaffoldError
from flaskkit.scaffold import start_project
from flaskkit.scaffold.cli import main
from flaskkit.scaffold.names import camel_case

from .helpers import run
from .helpers import tree
from .helpers import unique_name

BUILTIN_PLUGINS = [
    "orm",
    "session",
    "cache",
    "forms",
    "middleware",
    "signals",
    "messages",
    "mail",
    "tasks",
    "auth",
    "admin",
    "views",
    "ops",
]


def startproject(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["startproject", *args])
    return result.exit_code, result.output


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def settings_of(project: Path, name: str) -> str:
    return (project / name / "settings.py").read_text()


def plugins_of(project: Path, name: str) -> list[str]:
    match = re.search(r"^PLUGINS = \[\n(.*?)^\]", settings_of(project, name), re.S | re.M)
    assert match
    return re.findall(r'"([^"]+)"', match.group(1))


def test_a_new_project(workdir):
    name = unique_name()
    code, output = startproject(name)
    assert code == 0, output
    assert output.splitlines() == [
        f"Created the project {name!r} in {name}/. Next (README.md says more):",
        f"  cd {name}",
        '  python -m pip install -e ".[dev]" && python -m pytest',
        f"  flask --app {name} db upgrade && flask --app {name} run --debug",
    ]
    project = workdir / name
    assert tree(project) == sorted(
        [".gitignore", "README.md", "conftest.py", "gunicorn.conf.py", "pyproject.toml"]
        + ["tests", "tests/__init__.py", "tests/test_site.py", name]
        + [f"{name}/{file}" for file in ("__init__.py", "app.py", "plugin.py", "settings.py", "urls.py", "views.py")]
        + [f"{name}/templates/{file}" for file in ("account.html", "base.html", "error.html", "home.html")]
        + [f"{name}/templates", f"{name}/static", f"{name}/static/site.css", f"{name}/static/favicon.svg"]
        + [f"{name}/migrations/{file}" for file in ("README", "alembic.ini", "env.py", "script.py.mako")]
        + [f"{name}/migrations", f"{name}/migrations/versions", f"{name}/migrations/versions/.gitkeep"]
    )
    assert plugins_of(project, name) == [*BUILTIN_PLUGINS, f"{name}.plugin:{camel_case(name)}Plugin"]
    # The migrations folder is `flask db init`'s, from the orm plugin's template.
    assert "run_env()" in (project / name / "migrations" / "env.py").read_text()
    assert "instance/" in (project / ".gitignore").read_text().splitlines()


def test_the_settings_read_production_from_the_environment(workdir):
    name = unique_name()
    start_project(name)
    settings = settings_of(workdir / name, name)
    for line in [
        'DEBUG = env_bool("DEBUG")',
        'SECRET_KEY = os.environ.get("SECRET_KEY") or development_key',
        'ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")',
        f'DATABASE_URL = os.environ.get("DATABASE_URL") or "sqlite:///{name}.db"',
        'REDIS_URL = os.environ.get("REDIS_URL") or None',
        'SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", https)',
        'SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", https)',
        'SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600 if https else 0)',
    ]:
        assert line in settings.splitlines()
    # A fresh random development key per project, which the deploy check reports.
    keys = [re.search(r'development_key = "(flaskkit-insecure-[\w-]{60,})"', settings)]
    start_project(other := unique_name())
    keys.append(re.search(r'development_key = "(flaskkit-insecure-[\w-]{60,})"', settings_of(workdir / other, other)))
    assert all(keys) and keys[0].group(1) != keys[1].group(1)


def test_the_pyproject(workdir):
    name = unique_name()
    start_project(name)
    pyproject = tomllib.loads((workdir / name / "pyproject.toml").read_text())
    extras = "admin,auth,cache,forms,mail,orm,postgres,redis,rq,session,views"
    assert pyproject["project"]["name"] == name
    assert pyproject["project"]["dependencies"] == [f"flaskkit[{extras}]>={__version__}", "gunicorn>=23"]
    assert pyproject["project"]["optional-dependencies"] == {"dev": ["pytest>=8.3"]}
    assert pyproject["tool"]["pytest"]["ini_options"]["flaskkit_settings"] == f"{name}.settings"
    readme = (workdir / name / "README.md").read_text()
    # The README never tells to install flaskkit from PyPI, whose "flaskkit" is another project.
    assert "The\n`flaskkit` on PyPI is another project" in readme
    assert not re.search(r"pip install \"?flaskkit\b", readme)
    assert '```bash\npython -m pip install -e ".[dev]" && python -m pytest\n' in readme
    assert f"flask --app {name} db upgrade && flask --app {name} run --debug\n```" in readme


def test_a_minimal_project_has_no_users(workdir):
    name = unique_name()
    start_project(name, minimal=True)
    project = workdir / name
    assert "auth" not in plugins_of(project, name)
    assert "AUTH_BASE_TEMPLATE" not in settings_of(project, name)
    assert "flaskkit[cache,forms,mail,orm,postgres,redis,rq,session,views]" in (project / "pyproject.toml").read_text()
    assert "/accounts/login/" not in (project / "tests" / "test_site.py").read_text()


def test_a_postgres_project(workdir):
    name = unique_name()
    code, output = startproject(name, "--db", "postgres")
    assert code == 0, output
    project = workdir / name
    assert f'"postgresql://localhost:5432/{name}"' in settings_of(project, name)
    assert f"createdb {name}" in (project / "README.md").read_text()
    assert "CREATE DATABASE" in (project / "conftest.py").read_text()


def test_the_templates_hold_no_inline_script_or_style(workdir):
    # A Content-Security-Policy ("default-src 'self'") allows no other: CSS and JS are static files.
    name = unique_name()
    start_project(name)
    pages = list((workdir / name).rglob("*.html"))
    assert len(pages) == 4
    for page in pages:
        text = page.read_text()
        assert not re.search(r"<script|<style|\sstyle=|\son\w+=", text, re.I), page


def test_the_project_is_ruff_clean(workdir):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed (the dev extra brings it)")
    for minimal in (False, True):
        name = unique_name()
        start_project(name, minimal=minimal, db="postgres" if minimal else "sqlite")
        rules = ["--isolated", "--line-length", "120", "--target-version", "py311"]
        run([ruff, "check", *rules, "--select", "E,F,W,I,UP,B,SIM,RUF", name], workdir)
        run([ruff, "format", "--check", *rules, name], workdir)


# -- refusals: nothing is written ------------------------------------------------------------


def test_an_existing_folder_is_never_overwritten(workdir):
    name = unique_name()
    (workdir / name).mkdir()
    (workdir / name / "mine.txt").write_text("my work")
    code, output = startproject(name)
    assert code == 1
    assert f"Error: {workdir / name} already exists: nothing was written." in output
    assert tree(workdir) == [name, f"{name}/mine.txt"]
    assert (workdir / name / "mine.txt").read_text() == "my work"


def test_an_existing_empty_folder_given_as_the_name_is_refused_too(workdir):
    name = unique_name()
    (workdir / name).mkdir()
    code, output = startproject(name)
    assert code == 1
    assert "already exists: nothing was written" in output
    assert tree(workdir) == [name]


@pytest.mark.parametrize("name", ["my-site", "json", "flask", "orm", "tests", "class", "flaskkit"])
def test_a_bad_name_writes_nothing(workdir, name):
    code, output = startproject(name)
    assert code == 1
    assert output.startswith(f"Error: {name!r} ")
    assert tree(workdir) == []


def test_into_a_given_folder(workdir):
    # An empty folder, or one with only hidden entries (a git repository, a virtual environment).
    (workdir / "empty").mkdir()
    (workdir / "repo" / ".git").mkdir(parents=True)
    for folder in ("empty", "repo", "new"):
        name = unique_name()
        code, output = startproject(name, folder)
        assert code == 0, output
        assert (workdir / folder / name / "settings.py").is_file()
        assert (workdir / folder / "pyproject.toml").is_file()
    assert (workdir / "repo" / ".git").is_dir()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"busy/notes.txt": "mine"}, "busy is not empty (notes.txt): nothing was written."),
        ({"busy/.gitignore": "mine"}, "busy already has .gitignore, which the new files would replace"),
        ({"busy": "a file"}, "busy already exists and is not a folder: nothing was written."),
    ],
)
def test_a_given_folder_that_is_not_empty_is_refused(workdir, setup, message):
    for path, content in setup.items():
        (workdir / path).parent.mkdir(parents=True, exist_ok=True)
        (workdir / path).write_text(content)
    before = tree(workdir)
    code, output = startproject(unique_name(), "busy")
    assert code == 1
    assert message in output
    assert tree(workdir) == before


def test_a_missing_parent_folder_is_refused(workdir):
    code, output = startproject(unique_name(), "no/such/place")
    assert code == 1
    assert f"The folder {workdir / 'no' / 'such'} does not exist: create it first." in output
    assert tree(workdir) == []


def test_the_api_raises(workdir):
    with pytest.raises(ScaffoldError, match="--db must be one of sqlite, postgres, not 'mysql'"):
        start_project(unique_name(), db="mysql")


# -- the commands ------------------------------------------------------------------------------


def test_the_flaskkit_command_and_python_m_flaskkit(workdir):
    command = shutil.which("flaskkit", path=str(Path(sys.executable).parent))
    assert command, "the flaskkit console script is installed with flaskkit"
    assert run([command, "--version"], workdir).strip() == f"flaskkit {__version__}"
    name = unique_name()
    output = run([command, "startproject", name], workdir)
    assert output.startswith(f"Created the project {name!r} in {name}/.")
    other = unique_name()
    run([sys.executable, "-m", "flaskkit", "startproject", other], workdir)
    assert (workdir / other / other / "settings.py").is_file()
    output = run([sys.executable, "-m", "flaskkit", "startproject", other], workdir, expect=1)
    assert "already exists: nothing was written" in output
    assert "Usage: python -m flaskkit" in run([sys.executable, "-m", "flaskkit", "--help"], workdir)

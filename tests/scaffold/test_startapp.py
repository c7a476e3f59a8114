"""``flask kit startapp``: a new app in a project, its migration, and its entry in PLUGINS; refusals write nothing."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

import flaskkit
from flaskkit.scaffold import start_project
from flaskkit.scaffold.names import camel_case
from flaskkit.scaffold.settings_file import plugins_in

from .helpers import PROJECT_ENVIRONMENT
from .helpers import flask
from .helpers import imported
from .helpers import run
from .helpers import tree
from .helpers import unique_name


class Project:
    """A new project in a temporary folder, imported in this process."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self.settings = folder / name / "settings.py"
        self.versions = folder / name / "migrations" / "versions"

    def app(self, tmp_path: Path):
        sys.modules.pop(f"{self.name}.settings", None)  # read again: startapp changed it
        return flaskkit.create_app(f"{self.name}.settings", instance_path=str(tmp_path / "instance"))

    def startapp(self, tmp_path: Path, *args: str) -> tuple[int, str]:
        result = self.app(tmp_path).test_cli_runner().invoke(args=["kit", "startapp", *args])
        return result.exit_code, result.output

    def plugins(self) -> list[object]:
        return plugins_in(self.settings.read_text())

    def revisions(self) -> dict[str, str | None]:
        """Revision id -> down revision, of the project's own migrations."""
        scripts = ScriptDirectory(str(self.versions.parent), version_locations=[str(self.versions)])
        return {script.revision: script.down_revision for script in scripts.walk_revisions()}  # type: ignore[misc]


@pytest.fixture
def project_factory(tmp_path, monkeypatch):
    for variable in PROJECT_ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)

    def make(**options) -> Project:
        name = unique_name()
        return Project(start_project(name, tmp_path / name, **options), name)

    yield make
    # The project's modules, and its apps' (booting the project imports them).
    for module in [
        name for name, module in sys.modules.items() if str(tmp_path) in str(getattr(module, "__file__", ""))
    ]:
        del sys.modules[module]


@pytest.fixture
def project(project_factory):
    made = project_factory()
    with imported(made.folder, made.name):
        yield made


def test_an_app(project, tmp_path):
    code, output = project.startapp(tmp_path, "blog")
    assert code == 0, output
    (migration,) = project.versions.glob("*_blog.py")
    assert output.splitlines() == [
        f"Created the app 'blog' in {project.folder / 'blog'}/.",
        f"Its migration: {migration}.",
        f"Added 'blog.plugin:BlogPlugin' to PLUGINS in {project.settings}.",
        f"Next: flask --app {project.name} db upgrade, then open /blog/ (its tests run with python -m pytest).",
    ]
    assert tree(project.folder / "blog") == sorted(
        ["__init__.py", "admin.py", "models.py", "plugin.py", "urls.py", "views.py", "tests", "tests/__init__.py"]
        + ["tests/test_views.py", "templates", "templates/blog"]
        + [f"templates/blog/entry_{page}.html" for page in ("detail", "form", "list")]
    )
    own = f"{project.name}.plugin:{camel_case(project.name)}Plugin"
    assert project.plugins()[-2:] == [own, "blog.plugin:BlogPlugin"]
    assert project.revisions() == {migration.name.partition("_")[0]: None}
    text = migration.read_text()
    assert 'op.create_table(\n        "blog_entry",' in text
    assert "depends_on = None" in text

    # A second app's migration comes after the first one's: one line of history, the project's. (The
    # real command, in a process of its own: booting the project imports the first app's models, which
    # must not stay in this process's model registry.)
    output = flask(project.folder, project.name, "kit", "startapp", "shop")
    assert "Added 'shop.plugin:ShopPlugin' to PLUGINS" in output
    (second,) = project.versions.glob("*_shop.py")
    assert project.revisions() == {
        migration.name.partition("_")[0]: None,
        second.name.partition("_")[0]: migration.name.partition("_")[0],
    }
    assert project.plugins()[-2:] == ["blog.plugin:BlogPlugin", "shop.plugin:ShopPlugin"]
    output = flask(project.folder, project.name, "routes")
    for rule in ("/blog/", "/blog/<int:pk>/", "/blog/new/", "/blog/<int:pk>/edit/", "/shop/"):
        assert f" {rule}" in output
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is not None:
        rules = ["--isolated", "--line-length", "120", "--target-version", "py311"]
        run([ruff, "check", *rules, "--select", "E,F,W,I,UP,B,SIM,RUF", "."], project.folder)
        run([ruff, "format", "--check", *rules, "."], project.folder)


def test_an_app_of_a_minimal_project_only_reads(project_factory, tmp_path):
    project = project_factory(minimal=True)
    with imported(project.folder, project.name):
        code, output = project.startapp(tmp_path, "blog")
    assert code == 0, output
    views = (project.folder / "blog" / "views.py").read_text()
    assert "class EntryCreate" not in views and "flaskkit.plugins.auth" not in views
    assert 'requires = ("orm", "forms", "views")' in (project.folder / "blog" / "plugin.py").read_text()


# -- refusals: nothing is written ------------------------------------------------------------------


def snapshot(project: Project) -> tuple[list[str], str]:
    return tree(project.folder), project.settings.read_text()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("my-blog", "Error: 'my-blog' is not a valid app name: it becomes a Python package"),
        ("json", "Error: 'json' conflicts with the name of a module of Python's standard library"),
        ("auth", "Error: 'auth' cannot be an app name: the plugin 'auth' is in PLUGINS already."),
        ("views", "Error: 'views' cannot be an app name: the plugin 'views' is in PLUGINS already."),
        ("migrations", "Error: 'migrations' cannot be an app name: a project already has a folder of that name"),
    ],
)
def test_a_bad_name_writes_nothing(project, tmp_path, name, message):
    before = snapshot(project)
    code, output = project.startapp(tmp_path, name)
    assert code == 1
    assert output.startswith(message)
    assert snapshot(project) == before


def test_the_projects_own_name_is_refused(project, tmp_path):
    before = snapshot(project)
    code, output = project.startapp(tmp_path, project.name)
    assert code == 1
    assert "already exists: nothing was written" in output  # its package is the folder it would write
    assert snapshot(project) == before


def test_an_existing_folder_is_never_overwritten(project, tmp_path):
    (project.folder / "blog").mkdir()
    (project.folder / "blog" / "notes.txt").write_text("mine")
    before = snapshot(project)
    code, output = project.startapp(tmp_path, "blog")
    assert code == 1
    assert f"Error: {project.folder / 'blog'} already exists: nothing was written." in output
    assert snapshot(project) == before


def test_settings_that_cannot_be_edited_write_nothing(project, tmp_path):
    settings = project.settings.read_text()
    project.settings.write_text(settings.replace("PLUGINS = [", "BASE = [", 1) + "PLUGINS = BASE + []\n")
    before = snapshot(project)
    code, output = project.startapp(tmp_path, "blog")
    assert code == 1
    assert f"Error: PLUGINS in {project.settings} is not a list written out (BASE + [])." in output
    assert snapshot(project) == before


def test_a_missing_settings_file_is_named(project, tmp_path):
    before = snapshot(project)
    code, output = project.startapp(tmp_path, "blog", "--settings", "nowhere.py")
    assert code == 1
    assert f"Error: The settings file {Path.cwd() / 'nowhere.py'} does not exist." in output
    assert snapshot(project) == before


def test_a_project_without_a_migrations_folder_is_refused(project, tmp_path):
    shutil.rmtree(project.folder / project.name / "migrations")
    before = snapshot(project)
    code, output = project.startapp(tmp_path, "blog")
    assert code == 1
    assert f"create it with 'flask --app {project.name} db init', then run this again." in output
    assert snapshot(project) == before


def test_a_failure_after_the_app_is_moved_undoes_it(project, tmp_path, monkeypatch):
    from flaskkit.scaffold import apps

    def fail(path, text):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(apps, "write_atomically", fail)
    before = snapshot(project)
    code, output = project.startapp(tmp_path, "blog")
    assert code == 1
    assert f"Error: Cannot write {project.settings}: Permission denied. Nothing was written." in output
    assert snapshot(project) == before


# -- the user's own app template ---------------------------------------------------------------------


def test_an_app_template_of_ones_own(project, tmp_path):
    template = tmp_path / "app-template"
    (template / "templates" / "app_name").mkdir(parents=True)
    (template / "__init__.py-tpl").write_text('"""{{ app_name }} of {{ project_name }}."""\n')
    (template / "plugin.py-tpl").write_text(
        "from flaskkit import Plugin\n\n\nclass {{ app_class }}(Plugin):\n    name = '{{ app_name }}'\n"
    )
    (template / "templates" / "app_name" / "page.html").write_text("{{ verbatim }}")
    code, output = project.startapp(tmp_path, "pages", "--template", str(template))
    assert code == 0, output
    assert tree(project.folder / "pages") == [
        "__init__.py",
        "plugin.py",
        "templates",
        "templates/pages",
        "templates/pages/page.html",
    ]
    assert (project.folder / "pages" / "__init__.py").read_text() == f'"""pages of {project.name}."""\n'
    assert project.plugins()[-1] == "pages.plugin:PagesPlugin"
    assert not list(project.versions.glob("*.py"))  # migrations are the built-in template's

    (template / "plugin.py-tpl").unlink()
    code, output = project.startapp(tmp_path, "other", "--template", str(template))
    assert code == 0, output
    assert "Its plugin.py has no one class named ...Plugin: add the app to PLUGINS in" in output
    assert project.plugins()[-1] == "pages.plugin:PagesPlugin"

"""--template: a user's own project or app template, as a folder or an archive (Django's rules)."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskkit.scaffold.cli import main
from flaskkit.scaffold.names import camel_case

from .helpers import tree
from .helpers import unique_name

TEMPLATE_FILES = {
    "README.md-tpl": "# {{ project_name }}\n{{ project_class }} {{ db }} {{ minimal }}\n",
    "notes.txt": "{{ left as it is }}\n",
    "dot-env-tpl": "NAME={{ project_name }}\n",
    "project_name/__init__.py-tpl": '"""{{ project_name }}"""\n',
    "project_name/templates/page.html": "{% block content %}{{ request.path }}{% endblock %}\n",
    "bin/run.sh": "#!/bin/sh\necho run\n",
    ".hidden/skipped.txt": "never copied\n",
    "__pycache__/x.pyc": "never copied\n",
    "compiled.pyc": "never copied\n",
}


def write_template(folder: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return folder


def startproject(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["startproject", *args])
    return result.exit_code, result.output


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_a_template_folder(workdir, tmp_path):
    template = write_template(tmp_path / "template", TEMPLATE_FILES)
    (template / "bin" / "run.sh").chmod(0o755)
    name = unique_name()
    code, output = startproject(name, "--template", str(template), "--db", "postgres")
    assert code == 0, output
    project = workdir / name
    own = [name, f"{name}/__init__.py", f"{name}/templates", f"{name}/templates/page.html"]
    assert tree(project) == sorted([".env", "README.md", "bin", "bin/run.sh", "notes.txt", *own])
    assert (project / "README.md").read_text() == f"# {name}\n{camel_case(name)}Plugin postgres False\n"
    assert (project / "notes.txt").read_text() == "{{ left as it is }}\n"  # only -tpl files are rendered
    assert (project / ".env").read_text() == f"NAME={name}\n"
    assert (project / name / "templates" / "page.html").read_text() == TEMPLATE_FILES[
        "project_name/templates/page.html"
    ]
    assert os.stat(project / "bin" / "run.sh").st_mode & stat.S_IXUSR  # modes are kept
    assert "README.md says more" not in output  # the next steps are those of flaskkit's template only


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_a_template_archive_with_one_folder_inside(workdir, tmp_path, kind):
    files = {"README.md-tpl": "# {{ project_name }}\n", "project_name/__init__.py-tpl": ""}
    archive = tmp_path / f"template.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as zipped:
            for name, content in files.items():
                zipped.writestr(f"template-main/{name}", content)
    else:
        with tarfile.open(archive, "w:gz") as tar:
            for name, content in files.items():
                data = content.encode()
                info = tarfile.TarInfo(f"template-main/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    name = unique_name()
    code, output = startproject(name, "--template", str(archive))
    assert code == 0, output
    assert tree(workdir / name) == ["README.md", name, f"{name}/__init__.py"]
    assert (workdir / name / "README.md").read_text() == f"# {name}\n"


def test_an_archive_that_points_outside_is_refused(workdir, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("README.md-tpl", "hi")
        zipped.writestr("../../escaped.txt", "gotcha")
    name = unique_name()
    code, output = startproject(name, "--template", str(archive))
    assert code == 1
    assert "holds the path '../../escaped.txt', which points outside the archive's folder" in output
    assert tree(workdir) == []
    assert not (tmp_path / "escaped.txt").exists()


def test_an_archive_with_a_link_is_refused(workdir, tmp_path):
    archive = tmp_path / "link.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("secrets")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    code, output = startproject(unique_name(), "--template", str(archive))
    assert code == 1
    assert "holds 'secrets', which is not a file or a folder (a link or a device)" in output
    assert tree(workdir) == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"a.txt": "fine", "z.py-tpl": "{% if %}"},
            "The template file z.py-tpl has a syntax error on line 1: Expected an expression",
        ),
        (
            {"a.txt": "fine", "z.py-tpl": "{{ author }}"},
            "The template file z.py-tpl cannot be rendered: 'author' is undefined. The variables are: db, extras,",
        ),
    ],
)
def test_a_broken_template_writes_nothing(workdir, tmp_path, files, message):
    template = write_template(tmp_path / "template", files)
    code, output = startproject(unique_name(), "--template", str(template))
    assert code == 1
    assert message in output
    assert tree(workdir) == []  # no project, no staging folder left behind


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("https://example.com/t.zip", "is a URL: download it first, then give the path of the folder or archive."),
        ("no-such-template", "The template 'no-such-template' does not exist: give a folder, or a .zip or .tar.gz"),
        ("plain.txt", "The template 'plain.txt' is neither a folder nor an archive (.zip, .tar, .tar.gz"),
    ],
)
def test_what_is_not_a_template(workdir, template, message):
    (workdir / "plain.txt").write_text("hello")
    code, output = startproject(unique_name(), "--template", template)
    assert code == 1
    assert message in output
    assert tree(workdir) == ["plain.txt"]

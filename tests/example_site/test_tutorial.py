"""docs/tutorial.md, done as a reader does it: every file written, every command run, every output checked.

The tutorial is read from top to bottom:

* a ``text`` block that draws the project's tree creates its files that do not exist yet (empty);
* a code block whose first line names a file (``# blog/models.py``, ``{# blog/templates/base.html #}``)
  writes that file (a later block with the same name replaces it, as the tutorial says);
* a ``console`` block runs each ``$ command`` in the current folder, with this Python, and checks
  that each line printed under it in the tutorial appears in the command's output (``...`` stands
  for any text). ``cd DIR`` changes the current folder (files are named from it too); ``pip install``
  is skipped (flaskkit is installed, and the project runs from its folder); ``flask run`` is started
  on a free port, asked for ``/`` and stopped; ``flaskkit`` is ``python -m flaskkit``.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from .server import ROOT
from .server import free_port
from .server import site_environment
from .server import stop

TUTORIAL = ROOT / "docs" / "tutorial.md"

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_FILE_NAME = re.compile(r"^(?:#|\{#)\s*([\w./-]+\.(?:py|html|ini|toml|cfg))\s*(?:#\})?$")


@dataclass
class Command:
    line: str
    expected: list[str] = field(default_factory=list)


def blocks(markdown: str) -> list[tuple[str, str]]:
    return [(match.group(1), match.group(2)) for match in _FENCE.finditer(markdown)]


def commands(console: str) -> list[Command]:
    found: list[Command] = []
    for line in console.splitlines():
        if line.startswith("$ "):
            found.append(Command(line[2:]))
        elif found and line.strip():
            found[-1].expected.append(line.rstrip())
    return found


def tree_files(text: str) -> list[str]:
    """``blog/`` then indented ``__init__.py``... -> ``["blog/__init__.py", ...]``."""
    files: list[str] = []
    folder = ""
    for line in text.splitlines():
        name = line.strip()
        if not name:
            continue
        if name.endswith("/") and not line.startswith(" "):
            folder = name
        elif re.fullmatch(r"[\w.-]+\.\w+", name):
            files.append(folder + name)
    return files


def matches(expected: str, output_lines: list[str]) -> bool:
    pattern = re.compile(".*".join(re.escape(part) for part in expected.split("...")))
    return any(pattern.fullmatch(line.rstrip()) for line in output_lines)


def argv(command: str) -> tuple[dict[str, str], list[str]]:
    """Leading ``NAME=value`` pairs, then the command with ``flask``/``python`` run by this Python."""
    words = shlex.split(command)
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if words[0] in ("flask", "flaskkit"):
        words = [sys.executable, "-m", words[0], *words[1:]]
    elif words[0] == "python":
        words = [sys.executable, *words[1:]]
    return env, words


def run(project: Path, command: Command) -> None:
    env, words = argv(command.line)
    if words[1:3] == ["-m", "pip"]:
        return
    environment = site_environment(env)
    # The project's tests would take TEST_DATABASE_URL (this suite's server) as theirs, and empty it.
    environment.pop("TEST_DATABASE_URL", None)
    if words[1:3] == ["-m", "flask"] and "run" in words:
        serve(project, words, environment, command)
        return
    result = subprocess.run(
        words, cwd=project, env=environment, capture_output=True, text=True, timeout=180, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"$ {command.line}\n{output}"
    lines = output.splitlines()
    for expected in command.expected:
        assert matches(expected, lines), f"$ {command.line}\nexpected a line {expected!r} in:\n{output}"


def serve(project: Path, words: list[str], environment: dict[str, str], command: Command) -> None:
    """``flask run``, on a free port: it must answer ``/`` with 200."""
    port = free_port()
    log = project / "flask-run.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [*words, "--port", str(port)], cwd=project, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, f"flask run did not answer:\n{log.read_text()}"
                time.sleep(0.2)
    finally:
        stop(process)
    lines = log.read_text().splitlines()
    for expected in command.expected:
        assert matches(expected.replace(":5000", f":{port}"), lines), (expected, lines)


def test_the_tutorial_works_step_by_step(tmp_path):
    project = tmp_path / "tutorial"
    project.mkdir()
    written: list[str] = []
    ran: list[str] = []
    for language, body in blocks(TUTORIAL.read_text(encoding="utf-8")):
        first_line = body.splitlines()[0] if body.strip() else ""
        named = _FILE_NAME.match(first_line)
        if language == "text":
            for name in tree_files(body):
                path = project / name
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.touch()
        elif named:
            path = project / named.group(1)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
            written.append(named.group(1))
        elif language == "console":
            for command in commands(body):
                if command.line.startswith("cd "):
                    project = project / command.line[3:].strip()
                    assert project.is_dir(), command.line
                else:
                    run(project, command)
                ran.append(command.line)
    # The tutorial really is what this test did (a renamed file or a dropped step shows here).
    assert ran[:2] == ["flaskkit startproject blog", "cd blog"]
    assert project == tmp_path / "tutorial" / "blog"
    assert "blog/models.py" in written and "blog/templates/blog/post_form.html" in written
    assert "tests/test_blog.py" in written
    assert any(line.endswith('db migrate -m "posts"') for line in ran)
    assert ran[-1] == "python -m pytest -q"
    assert len(list((project / "blog" / "migrations" / "versions").glob("*_posts.py"))) == 1

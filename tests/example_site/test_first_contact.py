"""What a newcomer meets first: the README's example does what the README shows, its install commands
never fetch the unrelated ``flaskkit`` of PyPI, and the example site says which port is busy."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from .server import ROOT
from .server import run_to_exit
from .server import site_environment

README = ROOT / "README.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
#: An install of the name alone, which PyPI resolves to another project.
_FROM_PYPI = re.compile(r"""pip\s+install\s+(?:-\S+\s+)*["']?flaskkit(?:\[[\w,]+\])?(?![\w./-])""")


def readme_blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(README.read_text(encoding="utf-8"))]


def test_the_readme_example_shows_what_the_commands_print(tmp_path):
    blocks = readme_blocks()
    files = {body.splitlines()[0][2:].strip(): body for lang, body in blocks[:3] if lang == "python"}
    assert set(files) == {"myapp/settings.py", "myapp/app.py"}
    console = next(body for lang, body in blocks if lang == "console" and "kit check --deploy" in body)
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").touch()
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    # The plugin the settings name; the README shows only its name in the listing.
    (tmp_path / "myapp" / "plugins.py").write_text(
        textwrap.dedent(
            """
            from flaskkit import Plugin


            class BlogPlugin(Plugin):
                name = "blog"
            """
        )
    )
    outputs: dict[str, list[str]] = {}
    command = None
    for line in console.splitlines():
        if line.startswith("$ "):
            command = line[2:]
            outputs[command] = []
        elif command is not None:
            outputs[command].append(line)
    assert len(outputs) == 2
    for command, expected in outputs.items():
        words = command.split()
        assert words[0] == "flask"
        result = subprocess.run(
            [sys.executable, "-m", "flask", *words[1:]],
            cwd=tmp_path,
            env=site_environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert (result.stdout + result.stderr).splitlines() == expected, (command, result.stdout, result.stderr)


def test_no_install_command_of_the_docs_fetches_the_name_from_pypi():
    documents = [README, *sorted((ROOT / "docs").rglob("*.md"))]
    found = []
    for path in documents:
        text = path.read_text(encoding="utf-8")
        for match in _FROM_PYPI.finditer(text):  # across a line break too
            line = text.count("\n", 0, match.start()) + 1
            context = text[match.start() : match.end() + 40]
            if "would install" not in text.splitlines()[line - 1]:
                found.append(f"{path.relative_to(ROOT)}:{line}: {context!r}")
    assert not found, "\n".join(found)


def test_the_readme_and_the_tutorial_install_from_a_clone_or_a_wheel():
    readme = README.read_text(encoding="utf-8")
    assert 'pip install "/path/to/flaskkit[all]"' in readme
    assert 'pip install "dist/flaskkit-0.1.0-py3-none-any.whl[all]"' in readme
    tutorial = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    assert 'python -m pip install "/path/to/flaskkit[all]"' in tutorial
    assert "Stop it (Ctrl+C) and start it again" in tutorial


def test_a_busy_port_is_named_with_the_option_to_choose_another(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        output = run_to_exit(tmp_path / "instance", "--port", str(port))
    assert output.splitlines() == [
        "exit status 2",
        f"Port {port} of 127.0.0.1 is in use by another program: stop it, or choose another port, "
        "e.g. python -m example_site --port 8000",
    ]
    assert not (tmp_path / "instance").exists()  # nothing was made before the port was known to be free

"""Projects in a temporary folder, where the real `flask` command runs (`flask db ...`, `flask kit ...`).

Each command runs in a new process that imports the project's app.py, so only the project's models
are on ``db.metadata``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = "tests.plugins.orm.sample_plugin:SamplePlugin"

#: Runs `flask` commands for a test, fast: this process imports Flask, SQLAlchemy, Alembic and
#: flaskkit once, then forks a child per command, which imports the project's app.py afresh and runs
#: `flask.cli.main()` (what the `flask` command runs) with its output in a file.
RUNNER = r"""
import json, os, signal, sys
import alembic.command, flask.cli, flask_migrate, flask_sqlalchemy, psycopg, sqlalchemy
import flaskkit, flaskkit.plugins.orm
for line in sys.stdin:
    cwd, args, output = json.loads(line)
    pid = os.fork()
    if pid == 0:
        signal.alarm(120)
        os.chdir(cwd)
        sys.path.insert(0, cwd)
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.argv = ["flask", "--app", "app", *args]
        code = 0
        try:
            flask.cli.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 99
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


class Runner:
    """One process for all the commands of this module (see RUNNER)."""

    def __init__(self, directory: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTHON", "DATABASE_URL"))}
        env["PYTHONPATH"] = str(ROOT)
        self.directory = directory
        self.commands = 0
        self.process = subprocess.Popen(
            [sys.executable, "-c", RUNNER],
            cwd=directory,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, cwd: Path, args: tuple[str, ...]) -> tuple[int, str]:
        self.commands += 1
        output = self.directory / f"command-{self.commands}.txt"
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps([str(cwd), list(args), str(output)]) + "\n")
        stdin.flush()
        reply = stdout.readline()
        assert reply, f"the command runner died: {self.process.communicate(timeout=10)[1]}"
        return int(reply), output.read_text()

    def close(self) -> None:
        self.process.communicate(timeout=60)


class Project:
    """A project folder with app.py, where `flask --app app ...` runs."""

    def __init__(self, root: Path, database_url: str, runner: Runner) -> None:
        self.root = root
        self.database_url = database_url
        self.runner = runner
        root.mkdir(parents=True, exist_ok=True)

    def write(
        self,
        *models: str,
        plugins: tuple[str, ...] = ("orm", SAMPLE),
        imports: str = "",
        after: str = "",
        **values: object,
    ) -> None:
        """app.py: ``imports``, the ``models``, ``app = create_app(...)`` (``values`` are settings), ``after``."""
        settings = {"SECRET_KEY": "x" * 60, "PLUGINS": list(plugins), "DATABASE_URL": self.database_url, **values}
        source = textwrap.dedent(
            """\
            import sqlalchemy as sa
            from sqlalchemy.orm import Mapped, mapped_column

            from flaskkit import create_app
            from flaskkit.plugins.orm import IdMixin, Model
            from tests.plugins.orm.sample_plugin import sample_note
            """
        )
        source += textwrap.dedent(imports)
        source += "\n".join(textwrap.dedent(m) for m in models)
        source += f"\napp = create_app({settings!r})\n"
        source += textwrap.dedent(after)
        (self.root / "app.py").write_text(source)

    def flask(self, *args: str, status: int = 0) -> str:
        """Run `flask --app app ARGS`; return its output (stdout and stderr)."""
        code, output = self.runner.run(self.root, args)
        assert code == status, f"flask {' '.join(args)} exited {code}:\n{output}"
        return output

    def revisions(self) -> list[str]:
        versions = self.root / "migrations" / "versions"
        return [p.read_text() for p in sorted(versions.glob("*.py"), key=lambda p: p.stat().st_mtime_ns)]

    def tables(self) -> set[str]:
        engine = sa.create_engine(self.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            return set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()

"""The whole way, as a new user goes it: flaskkit's wheel (python -m build) in a new virtual environment,
``flaskkit startproject``, then the commands of the project's README exactly as written, ``startapp``, and
gunicorn serving the project with the production environment the README documents.

PyPI's "flaskkit" is another project: the README installs flaskkit from the wheel, and the project's own
install then finds it already there. The test checks that the flaskkit in the environment is the wheel's.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.example_site.server import free_port

from .helpers import clean_environment
from .helpers import unique_name
from .test_project_runs import database  # noqa: F401 (a fixture)
from .test_project_runs import passed

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.fresh_venv


def shell(command: str, cwd: Path, venv: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    """``command`` in bash with the virtual environment first on PATH (as after ``. venv/bin/activate``)."""
    environment = clean_environment({"VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"})
    environment.update(env or {})
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"$ {command}  (exit {result.returncode})\n{output}"
    return output


def readme_commands(readme: str) -> list[str]:
    """The lines of the README's ```bash blocks, in order."""
    return [
        line
        for block in re.findall(r"^```bash\n(.*?)^```$", readme, re.S | re.M)
        for line in block.splitlines()
        if line.strip()
    ]


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, headers: dict[str, str] | None = None) -> int:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code
        except OSError:
            assert time.monotonic() < deadline, f"no answer from {url}:\n{log.read_text()}"
            time.sleep(0.3)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started in its own process group (bash, and the server it runs), by its PID."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_from_the_wheel_to_gunicorn(tmp_path, database, redis_url, redis_prefix):  # noqa: F811
    # flaskkit's wheel, built from a copy of the source (the build writes into the tree it builds).
    source = tmp_path / "flaskkit-source"
    ignored = shutil.ignore_patterns(".git", ".venv", "site", "build", "dist", "*.egg-info", "__pycache__", "artifacts")
    shutil.copytree(ROOT, source, ignore=ignored)
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
        env=clean_environment(),
    )
    (wheel,) = (tmp_path / "dist").glob("flaskkit-*-py3-none-any.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    extras = "admin,auth,cache,forms,mail,orm,postgres,redis,rq,session,views"
    shell(f'python -m pip install -q "{wheel}[{extras}]"', tmp_path, venv)

    name = unique_name()
    output = shell(f"flaskkit startproject {name}", tmp_path, venv)
    assert output.startswith(f"Created the project {name!r} in {name}/.")
    project = tmp_path / name
    readme = (project / "README.md").read_text()
    commands = readme_commands(readme)
    assert commands[0] == f'python -m pip install "{wheel}[{extras}]"'  # where this flaskkit came from
    assert commands[1:3] == [
        'python -m pip install -e ".[dev]" && python -m pytest',
        f"flask --app {name} db upgrade && flask --app {name} run --debug",
    ]

    # The README's commands, exactly: install flaskkit (already there), then the project and its tests.
    output = shell(commands[0], project, venv)
    output = shell(commands[1], project, venv)
    assert passed(output) >= 8
    metadata = json.loads(shell("pip inspect", project, venv))
    (installed,) = [dist for dist in metadata["installed"] if dist["metadata"]["name"] == "flaskkit"]
    assert installed["direct_url"]["url"] == wheel.as_uri()  # the wheel's flaskkit, never PyPI's

    # Then the development server: it migrates, starts (FLASK_RUN_PORT: a free port), and serves the home page.
    port = free_port()
    log = tmp_path / "run.log"
    with open(log, "wb") as file:
        server = subprocess.Popen(
            ["bash", "-c", commands[2]],
            cwd=project,
            env=clean_environment({"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "FLASK_RUN_PORT": str(port)}),
            stdout=file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/", server, log) == 200
    finally:
        stop(server)

    # An app, and everything's tests again.
    output = shell(f"flask --app {name} kit startapp blog", project, venv)
    assert "Added 'blog.plugin:BlogPlugin' to PLUGINS" in output
    assert passed(shell("python -m pytest -q -p no:cacheprovider", project, venv)) >= 14

    # Production: the documented environment, the README's deployment commands, and gunicorn.
    production = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix.rstrip(":"),
        "HTTPS": "1",
        "EMAIL_URL": "smtp+tls://site:secret@smtp.example.com:587?timeout=10",
        "DEFAULT_FROM_EMAIL": "Site <noreply@example.com>",
        "SERVER_EMAIL": "errors@example.com",
        "ADMINS": "ops@example.com",
    }
    deploy = commands[commands.index("gunicorn") - 3 : commands.index("gunicorn") + 1]
    assert deploy == [
        f"flask --app {name} db upgrade",
        f"flask --app {name} auth sync-perms",
        f"flask --app {name} kit check --deploy",
        "gunicorn",
    ]
    for command in deploy[:-1]:
        output = shell(command, project, venv, env=production)
    assert output.strip() == "Checks identified no issues (0 silenced).", output
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as file:
        server = subprocess.Popen(
            [venv / "bin" / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=project,
            env=clean_environment(production),
            stdout=file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        # HTTPS=1: plain HTTP is sent to HTTPS; over HTTPS (a proxy on this machine says so), the page, with HSTS.
        assert wait_for(f"{base}/", server, log, {"Host": "example.com", "X-Forwarded-Proto": "https"}) == 200
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            opener.open(urllib.request.Request(f"{base}/blog/", headers={"Host": "example.com"}), timeout=10)
        redirected.value.close()
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"] == "https://example.com/blog/"
        request = urllib.request.Request(f"{base}/blog/", headers={"Host": "example.com", "X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            assert response.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
        request = urllib.request.Request(f"{base}/", headers={"Host": "attacker.example", "X-Forwarded-Proto": "https"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        refused.value.close()
        assert refused.value.code == 400
    finally:
        stop(server)

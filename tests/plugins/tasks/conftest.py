from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest

from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[3]
#: The task modules of the test apps.
TASK_MODULES = ["tests.plugins.tasks.jobs"]


def app_settings(tmp_path: Path, backend: str, **extra: t.Any) -> dict[str, t.Any]:
    """Settings shared by a test's app and its worker subprocess."""
    options = extra.pop("OPTIONS", {})
    settings = {
        "SECRET_KEY": SECRET,
        "PLUGINS": extra.pop("PLUGINS", ["orm", "tasks"]),
        "TASKS": {"default": {"BACKEND": backend, "QUEUES": ["default", "other"], "OPTIONS": options}},
        "TASK_MODULES": TASK_MODULES,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    settings.update(extra)
    return settings


def wait_for(condition: t.Callable[[], t.Any], *, timeout: float = 30, what: str = "the condition") -> t.Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {what}.")
        time.sleep(0.05)


class Worker:
    """A ``flask kit worker`` subprocess in its own process group; stopped by its PID."""

    def __init__(self, settings: dict[str, t.Any], args: t.Sequence[str], log: Path) -> None:
        env = {**os.environ, "TASKS_TEST_SETTINGS": json.dumps(settings), "PYTHONUNBUFFERED": "1"}
        env.pop("FLASK_APP", None)
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "tests.plugins.tasks.worker_app", "kit", "worker", *args],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the RQ scheduler and Celery's pool go with it
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and every process of its group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 2) -> None:
        """SIGTERM the group, then SIGKILL it after ``timeout`` seconds (an RQ worker blocked waiting for
        jobs, or its scheduler, may take the whole of RQ's own timeouts to stop: 15 s in a teardown)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                self.kill()
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):  # its group may still hold children
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log_file.close()


@pytest.fixture
def start_worker(tmp_path: Path) -> t.Iterator[t.Callable[..., Worker]]:
    """Start ``flask kit worker`` subprocesses; each is stopped (then killed) by its PID after the test."""
    workers: list[Worker] = []

    def start(settings: dict[str, t.Any], *args: str) -> Worker:
        worker = Worker(settings, args, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def kill_pid(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A ``redis-server`` of the test's own on a free port of 127.0.0.1 (no persistence), stopped by its PID."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(up, timeout=10, what=f"redis-server on port {self.port}")
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> t.Iterator[RedisServer]:
    """A Redis server of this test only (for stopping it); skipped without redis-server, failed on CI."""
    import shutil

    if shutil.which("redis-server") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("redis-server is not installed; CI must run the Redis outage test.", pytrace=False)
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def make_app(settings: dict[str, t.Any]) -> t.Any:
    from flaskkit import create_app

    return create_app(
        {k: v for k, v in settings.items() if k != "INSTANCE_PATH"},
        import_name="tests.plugins.tasks.worker_app",
        instance_path=settings["INSTANCE_PATH"],
    )


def create_tables(app: t.Any) -> None:
    from flaskkit.plugins.orm import db

    from .models import TaskNote  # noqa: F401  (the table)

    with app.app_context():
        # only this app's binds: the model registry is per process and may hold other tests' models
        db.create_all(bind_key=list(db.engines))


@pytest.fixture
def rq_keys(redis_url: str, redis_prefix: str) -> t.Iterator[str]:
    """The ``PREFIX`` for an RQ backend of this test; afterwards every RQ key of its queues and jobs is deleted.

    RQ has no key prefix: its queue names carry ours (so do its per-queue keys, and the
    ``redis_prefix`` fixture deletes them), its job keys are found by the jobs' origin queue.
    """
    yield redis_prefix
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        ours: list[str] = []
        for key in client.scan_iter(match="rq:job:*", count=1000):
            if key.count(":") == 2 and (client.hget(key, "origin") or "").startswith(redis_prefix):
                ours.append(key.removeprefix("rq:job:"))
        for job_id in ours:
            keys = [f"rq:job:{job_id}", f"rq:results:{job_id}", f"rq:executions:{job_id}"]
            keys += list(client.scan_iter(match=f"rq:execution:{job_id}*", count=1000))
            client.delete(*keys)
        for members in ("rq:queues", "rq:workers"):
            mine = [m for m in client.smembers(members) if redis_prefix in m]
            if mine:
                client.srem(members, *mine)
    finally:
        client.close()

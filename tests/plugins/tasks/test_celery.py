"""The celery backend with real Redis (broker and results) and real ``flask kit worker`` (Celery) processes."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from flaskkit.plugins.tasks import TaskResultStatus
from flaskkit.plugins.tasks import WorkerLost

from . import jobs
from .conftest import app_settings
from .conftest import create_tables
from .conftest import kill_pid
from .conftest import make_app
from .conftest import wait_for

pytest.importorskip("celery")


@pytest.fixture
def settings(tmp_path: Path, redis_url: str, redis_prefix: str) -> dict[str, t.Any]:
    # Every key (broker queues, results) starts with the test's prefix, which the redis_prefix fixture deletes.
    return app_settings(
        tmp_path,
        "celery",
        OPTIONS={"REDIS_URL": redis_url, "PREFIX": redis_prefix, "CONFIG": {"worker_concurrency": 1}},
    )


def finished(app: t.Any, result: t.Any) -> t.Callable[[], bool]:
    def check() -> bool:
        with app.app_context():
            result.refresh()
        return result.is_finished

    return check


def test_worker_runs_task_successfully(settings, start_worker):
    app = make_app(settings)
    with app.app_context():
        result = jobs.add.enqueue(20, 22)
        result.refresh()
        assert result.status == TaskResultStatus.READY
    worker = start_worker(settings, "--name", "w1@flaskkit-test")
    wait_for(finished(app, result), timeout=60, what=f"the task; worker output:\n{worker.output()}")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42
    assert result.worker_ids == ["w1@flaskkit-test"]
    assert result.finished_at >= result.started_at >= result.enqueued_at
    with app.app_context():
        assert jobs.add.get_result(result.id).args == [20, 22]


def test_failure_retries_and_app_context(settings, start_worker):
    app = make_app(settings)
    create_tables(app)
    with app.app_context():
        failed = jobs.fail.enqueue("no route to host")
        flaky = jobs.flaky.enqueue(2)
        saved = jobs.save_note.enqueue("from celery")
        urgent = jobs.urgent.enqueue()
    worker = start_worker(settings, "--name", "w1@flaskkit-test")
    for result in (failed, flaky, saved, urgent):
        wait_for(finished(app, result), timeout=60, what=f"{result.task.name}; worker output:\n{worker.output()}")
    assert failed.status == TaskResultStatus.FAILED
    [error] = failed.errors
    assert error.exception_class is ValueError and "no route to host" in error.traceback
    assert flaky.return_value == 2 and flaky.attempts == 2 and len(flaky.errors) == 1
    assert urgent.return_value == "done"
    from flaskkit.plugins.orm import db

    from .models import TaskNote

    with app.app_context():
        assert db.session.get(TaskNote, saved.return_value).text == "from celery"


def test_pool_process_killed_mid_task(settings, start_worker, tmp_path):
    """acks_late + reject_on_worker_lost: the message comes back; the lost attempt is recorded and retried."""
    app = make_app(settings)
    marker = tmp_path / "pid"
    with app.app_context():
        retried = jobs.hang_once.enqueue(str(marker))
    worker = start_worker(settings, "--name", "w1@flaskkit-test")
    pid = int(wait_for(lambda: marker.exists() and marker.read_text(), timeout=60, what="the task to start"))
    with app.app_context():
        retried.refresh()
    assert retried.status == TaskResultStatus.RUNNING
    kill_pid(pid)  # SIGKILL the pool process running the task
    wait_for(finished(app, retried), timeout=60, what=f"the retried task; worker output:\n{worker.output()}")
    assert retried.status == TaskResultStatus.SUCCESSFUL and retried.return_value == 2
    assert [e.exception_class for e in retried.errors] == [WorkerLost]

    marker.unlink()
    with app.app_context():
        lost = jobs.hang.enqueue(str(marker))  # no retries
    pid = int(wait_for(lambda: marker.exists() and marker.read_text(), timeout=60, what="the task to start"))
    kill_pid(pid)
    wait_for(finished(app, lost), timeout=60, what=f"the lost task; worker output:\n{worker.output()}")
    assert lost.status == TaskResultStatus.FAILED
    assert [e.exception_class for e in lost.errors] == [WorkerLost]
    assert "died before it finished" in lost.errors[0].traceback

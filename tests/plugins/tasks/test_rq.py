"""The rq backend with real Redis and real ``flask kit worker`` processes."""

from __future__ import annotations

import datetime as dt
import os
import time
import typing as t
from pathlib import Path

import pytest

from flaskkit.plugins.tasks import TaskResultDoesNotExist
from flaskkit.plugins.tasks import TaskResultStatus
from flaskkit.plugins.tasks import WorkerLost

from . import jobs
from .conftest import app_settings
from .conftest import create_tables
from .conftest import kill_pid
from .conftest import make_app
from .conftest import wait_for

pytest.importorskip("rq")


@pytest.fixture
def settings(tmp_path: Path, redis_url: str, rq_keys: str) -> dict[str, t.Any]:
    return app_settings(tmp_path, "rq", OPTIONS={"REDIS_URL": redis_url, "PREFIX": rq_keys})


def finished(app: t.Any, result: t.Any) -> t.Callable[[], bool]:
    def check() -> bool:
        with app.app_context():
            result.refresh()
        return result.is_finished

    return check


def test_worker_runs_task_successfully(settings, start_worker, rq_keys):
    app = make_app(settings)
    with app.app_context():
        result = jobs.add.enqueue(2, 3)
        assert result.status == TaskResultStatus.READY
        assert result.enqueued_at is not None
        with pytest.raises(ValueError, match="has not finished yet"):
            _ = result.return_value
    worker = start_worker(settings, "--name", f"{rq_keys}w1")
    wait_for(finished(app, result), what=f"the task; worker output:\n{worker.output()}")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert result.worker_ids == [f"{rq_keys}w1"]
    assert result.started_at is not None and result.finished_at >= result.started_at >= result.enqueued_at
    with app.app_context():
        again = jobs.add.get_result(result.id)  # from Redis, as another process would
    assert again.return_value == 5 and again.args == [2, 3]
    # SIGTERM: once the job is done, the worker stops by itself, well before the SIGKILL after 10 s.
    started = time.monotonic()
    worker.stop(timeout=10)
    assert worker.process.returncode == 0, worker.output()
    assert time.monotonic() - started < 5, worker.output()


def test_failure_keeps_exception_and_traceback(settings, start_worker, rq_keys):
    app = make_app(settings)
    with app.app_context():
        result = jobs.fail.enqueue("the disk is full")
    worker = start_worker(settings, "--name", f"{rq_keys}w1")
    wait_for(finished(app, result), what=f"the task; worker output:\n{worker.output()}")
    assert result.status == TaskResultStatus.FAILED
    [error] = result.errors
    assert error.exception_class is ValueError
    assert "the disk is full" in error.traceback and "jobs.py" in error.traceback
    with pytest.raises(ValueError, match=r"failed with builtins\.ValueError"):
        _ = result.return_value


def test_retries_with_backoff_then_success(settings, start_worker, rq_keys):
    app = make_app(settings)
    with app.app_context():
        result = jobs.flaky_backoff.enqueue()
    worker = start_worker(settings, "--name", f"{rq_keys}w1")
    wait_for(finished(app, result), what=f"the retried task; worker output:\n{worker.output()}")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2
    assert result.attempts == 2
    [error] = result.errors
    assert "first attempt fails" in error.traceback
    # RQ was told to wait retry_backoff (1 s) before the retry (its scheduler re-enqueued it)
    from flaskkit.plugins.tasks import get_plugin

    with app.app_context():
        job = get_plugin().get_backend()._fetch(result.id)
    assert job.retry_intervals == [1]
    assert result.last_attempted_at > result.started_at


def test_run_after_schedules_the_task(settings, start_worker, rq_keys):
    app = make_app(settings)
    worker = start_worker(settings, "--name", f"{rq_keys}w1")
    with app.app_context():
        result = jobs.add.using(run_after=dt.timedelta(seconds=2)).enqueue(1, 1)
        result.refresh()
        assert result.status == TaskResultStatus.READY
    wait_for(finished(app, result), what=f"the scheduled task; worker output:\n{worker.output()}")
    assert result.return_value == 2
    assert result.started_at >= result.enqueued_at + dt.timedelta(seconds=2)


def test_task_runs_in_app_context_with_its_own_session(settings, start_worker, rq_keys):
    app = make_app(settings)
    create_tables(app)
    with app.app_context():
        saved = jobs.save_note.enqueue("from the worker")
        config = jobs.config_value.enqueue("TASK_MODULES")
    start_worker(settings, "--name", f"{rq_keys}w1")
    wait_for(finished(app, saved), what="save_note")
    wait_for(finished(app, config), what="config_value")
    assert config.return_value == settings["TASK_MODULES"]
    from flaskkit.plugins.orm import db

    from .models import TaskNote

    with app.app_context():
        note = db.session.get(TaskNote, saved.return_value)
        assert note is not None and note.text == "from the worker"


def test_unknown_result_id(settings):
    app = make_app(settings)
    with app.app_context(), pytest.raises(TaskResultDoesNotExist, match="No task result 'nope'"):
        jobs.add.get_result("nope")


def test_work_horse_killed_mid_task_fails_with_worker_lost(settings, start_worker, rq_keys, tmp_path):
    app = make_app(settings)
    marker = tmp_path / "pid"
    with app.app_context():
        result = jobs.hang.enqueue(str(marker))
    worker = start_worker(settings, "--name", f"{rq_keys}w1")
    horse = int(wait_for(lambda: marker.exists() and marker.read_text(), what="the task to start"))
    with app.app_context():
        result.refresh()
    assert result.status == TaskResultStatus.RUNNING
    kill_pid(horse)  # SIGKILL the process running the task
    wait_for(finished(app, result), what=f"the killed task to be reported; worker output:\n{worker.output()}")
    assert result.status == TaskResultStatus.FAILED
    [error] = result.errors
    assert error.exception_class is WorkerLost
    assert "died before it finished" in error.traceback


def test_work_horse_killed_mid_task_is_retried(settings, start_worker, rq_keys, tmp_path):
    app = make_app(settings)
    marker = tmp_path / "pid"
    with app.app_context():
        result = jobs.hang_once.enqueue(str(marker))
    worker = start_worker(settings, "--name", f"{rq_keys}w1")
    horse = int(wait_for(lambda: marker.exists() and marker.read_text(), what="the task to start"))
    kill_pid(horse)
    wait_for(finished(app, result), what=f"the retried task; worker output:\n{worker.output()}")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2
    assert [e.exception_class for e in result.errors] == [WorkerLost]


def test_whole_worker_killed_mid_task_is_reported_abandoned(tmp_path, redis_url, rq_keys, start_worker):
    settings = app_settings(tmp_path, "rq", OPTIONS={"REDIS_URL": redis_url, "PREFIX": rq_keys, "ABANDONED_AFTER": 3})
    app = make_app(settings)
    marker = tmp_path / "pid"
    with app.app_context():
        result = jobs.hang.enqueue(str(marker))
    worker = start_worker(settings, "--name", f"{rq_keys}w1")
    horse = int(wait_for(lambda: marker.exists() and marker.read_text(), what="the task to start"))
    worker.kill()  # the worker and its scheduler (its process group) ...
    kill_pid(horse)  # ... and the work horse (a group of its own): as when the machine dies
    with app.app_context():
        result.refresh()
    assert result.status == TaskResultStatus.RUNNING  # nobody knows yet
    # No worker runs: get_result's clean-up of expired jobs reports it once the heartbeat expired.
    wait_for(finished(app, result), timeout=30, what="the abandoned task to be reported")
    assert result.status == TaskResultStatus.FAILED
    assert [e.exception_class for e in result.errors] == [WorkerLost]
    assert "AbandonedJobError" in result.errors[0].traceback
    assert not os.path.exists(f"/proc/{horse}")

"""Django's Tasks API on the immediate (default) and dummy backends: no service needed."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from flask import g

from flaskkit.plugins.tasks import InvalidTask
from flaskkit.plugins.tasks import InvalidTaskArguments
from flaskkit.plugins.tasks import InvalidTaskBackend
from flaskkit.plugins.tasks import Task
from flaskkit.plugins.tasks import TaskResultDoesNotExist
from flaskkit.plugins.tasks import TaskResultMismatch
from flaskkit.plugins.tasks import TaskResultStatus
from flaskkit.plugins.tasks import default_task_backend
from flaskkit.plugins.tasks import task
from flaskkit.plugins.tasks import task_backends
from flaskkit.plugins.tasks import task_enqueued
from flaskkit.plugins.tasks import task_finished
from flaskkit.plugins.tasks import task_started
from flaskkit.plugins.tasks import tasks_enabled
from flaskkit.plugins.tasks.backends.dummy import DummyBackend
from flaskkit.plugins.tasks.backends.immediate import ImmediateBackend

from . import jobs

pytestmark = pytest.mark.kit_settings(
    PLUGINS=["tasks"],
    TASK_MODULES=["tests.plugins.tasks.jobs"],
    TASKS={"default": {"BACKEND": "immediate", "QUEUES": ["default", "other"]}, "later": {"BACKEND": "dummy"}},
)


@pytest.fixture(autouse=True)
def _context(app):
    with app.app_context():
        yield


def test_enqueue_runs_at_once_on_the_immediate_backend():
    result = jobs.add.enqueue(2, 3)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert result.is_finished and result.attempts == 1 and result.errors == []
    assert result.enqueued_at <= result.started_at <= result.finished_at
    assert result.enqueued_at.tzinfo is not None
    assert result.backend == "default" and len(result.id) == 32
    assert isinstance(default_task_backend._get_current_object(), ImmediateBackend)


def test_failure_is_recorded_not_raised():
    result = jobs.fail.enqueue("boom")
    assert result.status == TaskResultStatus.FAILED
    [error] = result.errors
    assert error.exception_class is ValueError
    assert error.exception_class_path == "builtins.ValueError"
    assert error.traceback.startswith("Traceback (most recent call last):")
    assert error.traceback.rstrip().endswith("ValueError: boom")
    with pytest.raises(ValueError, match=r"failed with builtins\.ValueError"):
        _ = result.return_value


def test_arguments_are_their_json_round_trip():
    result = jobs.echo.enqueue((1, 2), flag=True, nested={"a": [None, 1.5]})
    assert result.args == [[1, 2]]
    assert result.return_value == {"args": [[1, 2]], "kwargs": {"flag": True, "nested": {"a": [None, 1.5]}}}


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((object(),), {}, "echo.enqueue(): the positional argument 0 is an object, which is not JSON-serialisable."),
        ((), {"when": dt.date(2026, 1, 1)}, "echo.enqueue(): the argument 'when' is a datetime.date, which is not"),
        ((), {"opts": {"ids": {1, 2}}}, "the argument 'opts' is not JSON-serialisable: opts['ids'] is a set."),
        (([1, b"x"],), {}, "the positional argument 0 is not JSON-serialisable: args[0][1] is a bytes."),
        (
            (),
            {"table": {1: "a"}},
            "the argument 'table' is not JSON-serialisable: it has the key 1 (an int); JSON object keys are strings.",
        ),
        (
            (float("nan"),),
            {},
            "the positional argument 0 is not JSON-serialisable: it is nan (JSON has no NaN or infinity).",
        ),
    ],
)
def test_non_json_argument_is_refused_at_enqueue(args, kwargs, message, app):
    seen = []
    task_enqueued.connect(lambda sender, **extra: seen.append(extra), weak=False)
    try:
        with pytest.raises(InvalidTaskArguments) as info:
            jobs.echo.enqueue(*args, **kwargs)
    finally:
        task_enqueued.receivers.clear()
    assert message in str(info.value)
    assert "pass an id and load the object in the task" in str(info.value)
    assert isinstance(info.value, TypeError) and isinstance(info.value, InvalidTask)
    assert seen == []  # nothing was enqueued


def test_non_json_return_value_fails_the_task():
    result = jobs.not_json.enqueue()
    assert result.status == TaskResultStatus.FAILED
    assert "returned an object, which is not JSON-serialisable" in result.errors[0].traceback


def test_retries_without_delay_on_the_immediate_backend():
    result = jobs.flaky.enqueue(3)
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 3
    assert result.attempts == 3
    assert [e.traceback.splitlines()[-1] for e in result.errors] == [
        "RuntimeError: attempt 1 fails",
        "RuntimeError: attempt 2 fails",
    ]
    exhausted = jobs.flaky.enqueue(4)  # retries=2: three attempts, then FAILED
    assert exhausted.status == TaskResultStatus.FAILED and exhausted.attempts == 3 and len(exhausted.errors) == 3


def test_context_and_app_context(app):
    assert jobs.attempt_number.enqueue().return_value == 1
    assert jobs.config_value.enqueue("TASK_MODULES").return_value == ["tests.plugins.tasks.jobs"]
    g.touched = True  # the caller's g is not the task's: each task has an app context of its own
    assert jobs.touch_g.enqueue().return_value is False
    assert jobs.touch_g.enqueue().return_value is False


def test_async_task_and_aenqueue():
    assert jobs.async_add.enqueue(1, 2).return_value == 3

    async def enqueue() -> int:
        result = await jobs.add.aenqueue(4, 5)
        await result.arefresh()
        fetched = await jobs.add.aget_result(result.id)
        return fetched.return_value

    assert asyncio.run(enqueue()) == 9


def test_get_result_and_mismatch():
    result = jobs.add.enqueue(1, 1)
    assert jobs.add.get_result(result.id).return_value == 2
    result.refresh()
    with pytest.raises(TaskResultMismatch, match=r"belongs to the task 'tests\.plugins\.tasks\.jobs\.add'"):
        jobs.fail.get_result(result.id)
    with pytest.raises(TaskResultDoesNotExist):
        jobs.add.get_result("0" * 32)


def test_using_returns_a_changed_copy():
    urgent = jobs.add.using(priority=50, queue_name="other")
    assert (urgent.priority, urgent.queue_name) == (50, "other")
    assert (jobs.add.priority, jobs.add.queue_name) == (0, "default")
    assert urgent.enqueue(1, 2).return_value == 3
    assert urgent.name == "add" and urgent.module_path == "tests.plugins.tasks.jobs.add"


def test_queue_not_in_queues_is_refused():
    with pytest.raises(InvalidTask, match=r"uses the queue 'mail', which the backend 'default' does not have"):
        jobs.add.using(queue_name="mail").enqueue(1, 2)


def test_unknown_alias():
    with pytest.raises(InvalidTaskBackend, match=r"TASKS has no alias 'defualt'\. Did you mean 'default'\?"):
        jobs.add.using(backend="defualt").enqueue(1, 2)


def test_dummy_backend_records_and_runs_nothing():
    later = jobs.fail.using(backend="later")
    result = later.enqueue("never raised")
    assert result.status == TaskResultStatus.READY
    backend = task_backends["later"]
    assert isinstance(backend, DummyBackend)
    assert [r.id for r in backend.results] == [result.id]
    assert later.get_result(result.id).args == ["never raised"]
    scheduled = later.using(run_after=dt.timedelta(hours=1)).enqueue("x")
    assert scheduled.status == TaskResultStatus.READY
    backend.clear()
    assert backend.results == []


def test_immediate_backend_refuses_run_after():
    with pytest.raises(InvalidTask, match="does not support run_after"):
        jobs.add.using(run_after=dt.timedelta(minutes=5)).enqueue(1, 2)


def test_signals():
    events = []
    receivers = [
        (task_enqueued, lambda sender, task_result: events.append(("enqueued", task_result.status))),
        (task_started, lambda sender, task_result: events.append(("started", task_result.status))),
        (task_finished, lambda sender, task_result: events.append(("finished", task_result.status))),
    ]
    for signal, receiver in receivers:
        signal.connect(receiver)
    try:
        jobs.add.enqueue(1, 2)
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)
    assert events == [("enqueued", "READY"), ("started", "RUNNING"), ("finished", "SUCCESSFUL")]


def test_tasks_enabled(app):
    assert tasks_enabled() is True
    assert tasks_enabled(app) is True


def test_tasks_enabled_false_without_the_plugin_or_app():
    from flaskkit import create_app

    other = create_app({"SECRET_KEY": "x" * 50, "PLUGINS": []}, import_name=__name__)
    assert tasks_enabled(other) is False
    with other.app_context():
        assert tasks_enabled() is False
        with pytest.raises(RuntimeError, match="add 'tasks' to PLUGINS"):
            jobs.add.enqueue(1, 2)


def test_enqueue_outside_app_context(app):
    ctx = app.app_context()
    # leave the autouse context for this check
    from flask import globals as flask_globals

    token = flask_globals._cv_app.set(None) if hasattr(flask_globals, "_cv_app") else None
    try:
        with pytest.raises(RuntimeError, match="inside a request, a CLI command or an app context"):
            jobs.add.enqueue(1, 2)
    finally:
        if token is not None:
            flask_globals._cv_app.reset(token)
    del ctx


def _local_function() -> None:
    def inner() -> None: ...

    task(inner)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_local_function, "needs a function defined at the top level of a module"),
        (lambda: task(lambda: None), "needs a function defined at the top level of a module"),
        (lambda: task(takes_context=True)(jobs.add.func), "its first argument must be named 'context'"),
        (lambda: task(priority=101)(jobs.add.func), "must be a whole number between -100 and 100"),
        (lambda: task(retries=-1)(jobs.add.func), "retries of 'tests.plugins.tasks.jobs.add' must be"),
        (lambda: jobs.add.using(run_after=dt.datetime(2030, 1, 1)), "run_after must be an aware datetime"),
    ],
)
def test_invalid_task_definitions(make, message):
    with pytest.raises(InvalidTask, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_task_is_generic_dataclass():
    assert isinstance(jobs.add, Task)
    assert repr(jobs.add) == "<Task tests.plugins.tasks.jobs.add backend='default' queue='default'>"
    assert jobs.add.call(2, 2) == 4

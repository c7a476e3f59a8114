"""The tasks_enqueued fixture, its pytest plugin's imports, and ``flask kit tasks`` / ``flask kit worker``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from . import jobs

pytestmark = pytest.mark.kit_settings(
    PLUGINS=["tasks"],
    TASK_MODULES=["tests.plugins.tasks.jobs"],
    TASKS={"default": {"BACKEND": "immediate", "QUEUES": ["default", "other"]}, "rq": {"BACKEND": "dummy"}},
)


def test_fixture_records_instead_of_running(app, tasks_enqueued):
    with app.app_context():
        first = jobs.fail.enqueue("not raised: nothing runs")
        jobs.add.using(backend="rq").enqueue(1, 2)
        jobs.add.enqueue(3, 4)
    assert len(tasks_enqueued) == 3
    assert [r.task.name for r in tasks_enqueued] == ["fail", "add", "add"]
    assert [r.args for r in tasks_enqueued.of(jobs.add)] == [[1, 2], [3, 4]]
    assert tasks_enqueued[0].id == first.id
    with pytest.raises(ValueError, match="not raised: nothing runs"):
        tasks_enqueued.run_all()  # runs them in order: the first raises
    tasks_enqueued.clear()
    assert tasks_enqueued == []
    with app.app_context():
        jobs.add.enqueue(3, 4)
        jobs.attempt_number.enqueue()
    assert tasks_enqueued.run_all() == [7, 0]


def test_fixture_restores_the_backends(app, tasks_enqueued):
    with app.app_context():
        jobs.add.enqueue(1, 1)
    assert len(tasks_enqueued) == 1


def test_backends_are_back_after_the_fixture(app):
    with app.app_context():
        assert jobs.add.enqueue(1, 1).return_value == 2


def test_pytest_plugin_imports_no_engine():
    code = (
        "import sys, flaskkit.plugins.tasks.pytest_plugin, flaskkit.plugins.tasks;"
        "bad = [m for m in ('rq', 'celery', 'redis', 'kombu', 'flask_sqlalchemy') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_fixture_fails_clearly_without_the_plugin(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kit_settings(PLUGINS=[], SECRET_KEY="x" * 60)
        def test_it(tasks_enqueued):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*The tasks_enqueued fixture needs the tasks plugin: add 'tasks' to PLUGINS*"])


def test_kit_tasks_lists_tasks_and_backends(app):
    result = app.test_cli_runner().invoke(args=["kit", "tasks"])
    assert result.exit_code == 0, result.output
    assert "  default: immediate (queues: default, other)" in result.output
    assert "  rq: dummy (queues: default)" in result.output
    assert "Tasks (from tests.plugins.tasks.jobs):" in result.output
    line = next(line for line in result.output.splitlines() if "tests.plugins.tasks.jobs.flaky " in line)
    assert line.split() == ["tests.plugins.tasks.jobs.flaky", "default", "default", "0", "2"]


@pytest.mark.kit_settings(TASKS={"default": {"BACKEND": "immediate"}}, SILENCED_CHECKS=["tasks.E004"])
def test_kit_tasks_marks_a_queue_the_backend_lacks(app):
    result = app.test_cli_runner().invoke(args=["kit", "tasks"])
    line = next(line for line in result.output.splitlines() if "jobs.add_other" in line)
    assert "! queue not in TASKS['default']['QUEUES']" in line


def test_worker_for_an_in_process_backend_is_refused(app):
    result = app.test_cli_runner().invoke(args=["kit", "worker"])
    assert result.exit_code == 1
    assert "uses the 'immediate' backend, which runs tasks in the process that enqueues them" in result.output
    result = app.test_cli_runner().invoke(args=["kit", "worker", "--backend", "nope"])
    assert "TASKS has no usable alias 'nope' (it has 'default', 'rq')." in result.output

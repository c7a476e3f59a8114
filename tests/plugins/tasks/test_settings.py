"""TASKS, TASK_MODULES and the checks tasks.E00x / W001."""

from __future__ import annotations

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from tests.conftest import settings


def boot(**values):
    return create_app(settings(PLUGINS=["tasks"], **values), import_name="tests.plugins.tasks.jobs")


def boot_error(**values) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        boot(**values)
    return info.value


def ids(error: ConfigurationError) -> list[str]:
    return [m.id for m in error.messages]


def test_default_is_immediate():
    app = boot()
    assert app.config["TASKS"] == {"default": {"BACKEND": "immediate"}}
    plugin = app.extensions["flaskkit.tasks"]
    assert plugin.settings["default"].queues == ("default",)


def test_tasks_must_be_a_dict():
    error = boot_error(TASKS=["immediate"])
    assert "TASKS must be a dict of alias -> backend settings" in str(error)
    assert error.setting == "TASKS"


def test_unknown_backend_with_did_you_mean():
    error = boot_error(TASKS={"default": {"BACKEND": "immediat"}})
    assert ids(error) == ["tasks.E002"]
    assert "TASKS['default']['BACKEND'] is 'immediat', which is not a task backend. Did you mean 'immediate'?" in str(
        error
    )


@pytest.mark.parametrize(("written", "meant"), [("redis-queue", "rq"), ("Celery", "celery"), ("Dummy", "dummy")])
def test_other_spellings(written, meant):
    error = boot_error(TASKS={"default": {"BACKEND": written, "OPTIONS": {}}})
    assert f"is {written!r}, which is not a task backend. Did you mean {meant!r}?" in str(error)


def test_django_backend_path_is_translated():
    error = boot_error(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}})
    assert "Did you mean 'immediate'?" in str(error)


def test_dotted_path_must_be_a_backend():
    error = boot_error(TASKS={"default": {"BACKEND": "collections.OrderedDict"}})
    assert "which is not a flaskkit task backend" in str(error)
    error = boot_error(TASKS={"default": {"BACKEND": "nowhere.Backend"}})
    assert "which cannot be imported" in str(error)
    app = boot(TASKS={"default": {"BACKEND": "flaskkit.plugins.tasks.backends.dummy:DummyBackend"}})
    with app.app_context():
        from flaskkit.plugins.tasks import default_task_backend
        from flaskkit.plugins.tasks.backends.dummy import DummyBackend

        assert isinstance(default_task_backend._get_current_object(), DummyBackend)


def test_missing_redis_url(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    error = boot_error(TASKS={"default": {"BACKEND": "rq"}})
    assert ids(error) == ["tasks.E003"]
    assert "runs on Redis but has no Redis URL" in str(error)
    assert "Set REDIS_URL = 'redis://localhost:6379/0'" in str(error)


def test_redis_url_from_setting_or_environment(monkeypatch):
    app = boot(TASKS={"default": {"BACKEND": "rq"}}, REDIS_URL="redis://cache.internal:6379/2")
    assert app.extensions["flaskkit.tasks"].settings["default"].options["REDIS_URL"] == "redis://cache.internal:6379/2"
    monkeypatch.setenv("REDIS_URL", "redis://env.internal:6379/3")
    app = boot(TASKS={"default": {"BACKEND": "celery"}})
    assert app.extensions["flaskkit.tasks"].settings["default"].options["REDIS_URL"] == "redis://env.internal:6379/3"
    error = boot_error(TASKS={"default": {"BACKEND": "rq", "OPTIONS": {"REDIS_URL": "http://x"}}})
    assert "is 'http://x', which is not a Redis URL" in str(error)


def test_no_default_alias_and_unknown_keys():
    error = boot_error(TASKS={"defualt": {"BACKEND": "immediate", "LOCATION": "x"}})
    assert sorted(ids(error)) == ["tasks.E001", "tasks.E001"]
    assert "TASKS has no 'default' alias; @task uses it unless a task names another. Did you mean 'defualt'?" in str(
        error
    )
    assert "TASKS['defualt'] has the unknown key 'LOCATION'." in str(error)


def test_bad_options_and_queues():
    error = boot_error(
        TASKS={
            "default": {"BACKEND": "rq", "OPTIONS": {"REDIS_URL": "redis://x", "RESULT_TTLS": 5, "TIMEOUT": -1}},
            "other": {"BACKEND": "immediate", "QUEUES": "default"},
        }
    )
    text = str(error)
    assert "has the option 'RESULT_TTLS', which the 'rq' backend does not read. Did you mean 'RESULT_TTL'?" in text
    assert "TASKS['default']['OPTIONS']['TIMEOUT'] must be a number of seconds > 0, not -1." in text
    assert "TASKS['other']['QUEUES'] must be a list of queue names, not 'default'." in text
    assert set(ids(error)) == {"tasks.E006"}


def test_task_module_queue_not_in_queues():
    import tests.plugins.tasks.jobs  # noqa: F401  (imported: the boot checks its tasks)

    error = boot_error(TASK_MODULES=["tests.plugins.tasks.jobs"], TASKS={"default": {"BACKEND": "immediate"}})
    assert ids(error) == ["tasks.E004"]
    assert (
        "The task 'tests.plugins.tasks.jobs.add_other' uses the queue 'other', which TASKS['default'] does not have"
        in str(error)
    )
    boot(TASK_MODULES=["tests.plugins.tasks.jobs"], TASKS={"default": {"BACKEND": "immediate", "QUEUES": []}})


def test_task_modules_must_be_a_list():
    with pytest.raises(ConfigurationError, match="TASK_MODULES must be a list of module names"):
        boot(TASK_MODULES="myapp.tasks")


def test_deploy_warns_about_the_dummy_backend():
    app = boot(TASKS={"default": {"BACKEND": "dummy"}})
    report = app.extensions["flaskkit"].run_checks(app, include_deploy=True)
    [warning] = [m for m in report.messages if m.id == "tasks.W001"]
    assert "uses the dummy backend: tasks are recorded and never run" in warning.msg


def test_unreachable_redis_in_kit_check():
    app = boot(TASKS={"default": {"BACKEND": "rq", "OPTIONS": {"REDIS_URL": "redis://127.0.0.1:1/0"}}})
    result = app.test_cli_runner().invoke(args=["kit", "check"])
    assert result.exit_code == 1
    assert "(tasks.E007) The task backend 'default' cannot take tasks" in result.output
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in result.output


def test_kit_check_imports_the_task_modules(make_module):
    make_module(
        "queue_app.tasks",
        """
        from flaskkit.plugins.tasks import task

        @task(queue_name="reports")
        def build_report() -> None: ...
        """,
    )
    app = create_app(settings(PLUGINS=["tasks"]), import_name="queue_app.app")
    import sys

    assert "queue_app.tasks" not in sys.modules  # the boot imported nothing
    result = app.test_cli_runner().invoke(args=["kit", "check"])
    assert result.exit_code == 1
    assert "(tasks.E004) The task 'queue_app.tasks.build_report' uses the queue 'reports'" in result.output


def test_kit_check_reports_a_broken_task_module(make_module):
    make_module("broken_app.tasks", "import does_not_exist\n")
    app = create_app(settings(PLUGINS=["tasks"]), import_name="broken_app.app")
    result = app.test_cli_runner().invoke(args=["kit", "check"])
    assert result.exit_code == 1
    assert (
        "(tasks.E008) Importing the app's task modules (broken_app.tasks) failed: ModuleNotFoundError" in result.output
    )

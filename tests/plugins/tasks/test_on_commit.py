"""enqueue_on_commit with the orm plugin, and what a view sees when the queue's Redis is down."""

from __future__ import annotations

import pytest
from flask import request

from flaskkit.plugins.tasks import TaskEnqueueError
from flaskkit.plugins.tasks import TaskResultStatus

from . import jobs
from .conftest import free_port
from .models import TaskNote

pytestmark = pytest.mark.kit_settings(
    PLUGINS=["orm", "tasks"],
    TASK_MODULES=["tests.plugins.tasks.jobs"],
    TASKS={"default": {"BACKEND": "immediate", "QUEUES": []}},
)


@pytest.mark.usefixtures("transactional_db")  # on_commit needs real commits (Django's TransactionTestCase)
def test_enqueued_after_commit_not_before(app, db, tasks_enqueued):
    with app.app_context():
        db.session.add(TaskNote(text="a"))
        jobs.add.enqueue_on_commit(1, 2)
        assert tasks_enqueued == []  # waiting for the commit
        db.session.commit()
        [result] = tasks_enqueued
        assert result.args == [1, 2] and result.status == TaskResultStatus.READY


@pytest.mark.usefixtures("transactional_db")  # on_commit needs real commits (Django's TransactionTestCase)
def test_skipped_on_rollback(app, db, tasks_enqueued):
    with app.app_context():
        db.session.add(TaskNote(text="a"))
        jobs.add.enqueue_on_commit(1, 2)
        db.session.rollback()
        db.session.add(TaskNote(text="b"))
        db.session.commit()
        assert tasks_enqueued == []


@pytest.mark.usefixtures("transactional_db")  # on_commit needs real commits (Django's TransactionTestCase)
def test_skipped_when_savepoint_rolls_back(app, db, tasks_enqueued):
    with app.app_context():
        db.session.add(TaskNote(text="a"))
        jobs.add.enqueue_on_commit(1, 1)
        with db.session.begin_nested() as savepoint:
            jobs.add.enqueue_on_commit(2, 2)
            savepoint.rollback()
        db.session.commit()
        assert [r.args for r in tasks_enqueued] == [[1, 1]]


@pytest.mark.usefixtures("transactional_db")  # on_commit needs real commits (Django's TransactionTestCase)
def test_bad_argument_refused_inside_the_transaction(app, db, tasks_enqueued):
    with app.app_context():
        db.session.add(TaskNote(text="a"))
        with pytest.raises(TypeError, match="the positional argument 0 is a set"):
            jobs.echo.enqueue_on_commit({1})
        db.session.commit()
        assert tasks_enqueued == []


@pytest.mark.usefixtures("transactional_db")  # on_commit needs real commits (Django's TransactionTestCase)
def test_runs_after_commit_on_the_immediate_backend(app, db):
    with app.app_context():
        db.session.add(TaskNote(text="seen by the task"))
        jobs.save_note.enqueue_on_commit("written by the task")
        db.session.commit()
        assert sorted(n.text for n in db.session.scalars(db.select(TaskNote))) == [
            "seen by the task",
            "written by the task",
        ]


@pytest.mark.kit_settings(PLUGINS=["tasks"])
def test_without_orm_enqueues_at_once(app, tasks_enqueued):
    with app.app_context():
        assert jobs.add.enqueue_on_commit(1, 2) is None
        assert len(tasks_enqueued) == 1


def _views(app):
    @app.post("/notes/")
    def create_note():
        from flaskkit.plugins.orm import db

        note = TaskNote(text=request.form["text"])
        db.session.add(note)
        db.session.flush()
        if request.args.get("on_commit"):
            jobs.add.enqueue_on_commit(note.id, 0)
        else:
            jobs.add.enqueue(note.id, 0)
        return "created", 201


DOWN = f"redis://127.0.0.1:{free_port()}/0"


@pytest.mark.kit_settings(
    ATOMIC_REQUESTS=True, TASKS={"default": {"BACKEND": "rq", "QUEUES": [], "OPTIONS": {"REDIS_URL": DOWN}}}
)
@pytest.mark.parametrize("on_commit", ["", "1"])
def test_redis_down_is_a_503_and_no_row(app, db, client, on_commit, caplog):
    pytest.importorskip("rq")
    _views(app)
    response = client.post(f"/notes/?on_commit={on_commit}", data={"text": "lost?"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    body = response.get_data(as_text=True)
    assert "could not be enqueued" in body if not on_commit else "cannot reach Redis" in body
    with app.app_context():
        assert db.session.scalars(db.select(TaskNote)).all() == []  # the view's transaction rolled back
    assert any(r.name == "flaskkit.tasks" and r.levelname == "ERROR" for r in caplog.records)


@pytest.mark.parametrize("backend", ["rq", "celery"])
def test_redis_down_outside_a_view(app_factory, backend):
    pytest.importorskip(backend)
    app = app_factory(backend)
    with app.app_context(), pytest.raises(TaskEnqueueError) as info:
        jobs.add.enqueue(1, 2)
    assert str(info.value).startswith("The task 'add' could not be enqueued: Redis at " + DOWN + " is unreachable")
    assert "Nothing was enqueued; try again once Redis is back." in str(info.value)
    assert info.value.code == 503


@pytest.fixture
def app_factory(tmp_path):
    from flaskkit import create_app
    from tests.conftest import settings

    def make(backend):
        return create_app(
            settings(PLUGINS=["tasks"], TASKS={"default": {"BACKEND": backend, "OPTIONS": {"REDIS_URL": DOWN}}}),
            import_name="tests.plugins.tasks.down",
            instance_path=str(tmp_path / "instance"),
        )

    return make

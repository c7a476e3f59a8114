"""Redis stopped and started again while a site enqueues tasks: 503s, no half-written rows, recovery.

The test runs its own ``redis-server`` (no persistence) on a free port and stops it by PID;
requests come from several threads while a real RQ worker runs the tasks.
"""

from __future__ import annotations

import threading
import typing as t
from pathlib import Path

import pytest
from flask import request

from flaskkit.plugins.tasks import TaskResultStatus

from . import jobs
from .conftest import app_settings
from .conftest import create_tables
from .conftest import make_app
from .conftest import wait_for
from .models import TaskNote

pytest.importorskip("rq")

THREADS = 3
REQUESTS_PER_THREAD = 15


def _load(app: t.Any, on_commit: bool) -> list[tuple[int, str]]:
    """Requests from several threads at once: (status, result id or body) per request."""
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def run(thread: int) -> None:
        client = app.test_client()
        for number in range(REQUESTS_PER_THREAD):
            response = client.post(f"/notes/?on_commit={'1' if on_commit else ''}", data={"text": f"{thread}-{number}"})
            with lock:
                outcomes.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _site(tmp_path: Path, redis_url: str) -> tuple[t.Any, dict[str, t.Any]]:
    settings = app_settings(tmp_path, "rq", OPTIONS={"REDIS_URL": redis_url}, ATOMIC_REQUESTS=True)
    app = make_app(settings)
    create_tables(app)

    @app.post("/notes/")
    def create_note() -> tuple[str, int]:
        from flaskkit.plugins.orm import db

        note = TaskNote(text=request.form["text"])
        db.session.add(note)
        db.session.flush()
        if request.args.get("on_commit"):
            jobs.save_note.enqueue_on_commit(f"task for {note.id}")
            return "queued on commit", 201
        return jobs.add.enqueue(note.id, 0).id, 201

    return app, settings


def _rows(app: t.Any) -> int:
    from flaskkit.plugins.orm import db

    with app.app_context():
        return len(db.session.scalars(db.select(TaskNote).where(~TaskNote.text.startswith("task for"))).all())


@pytest.mark.parametrize("on_commit", [False, True], ids=["enqueue", "enqueue_on_commit"])
def test_redis_stopped_and_restarted_under_load(tmp_path, own_redis, start_worker, on_commit):
    app, settings = _site(tmp_path, own_redis.url)
    worker = start_worker(settings, "--name", "outage-worker")
    wait_for(lambda: "Listening on" in worker.output(), timeout=60, what="the worker to start")

    before = _load(app, on_commit)
    assert {status for status, _ in before} == {201}

    own_redis.stop()  # by PID, mid-run: the next requests find no Redis
    during = _load(app, on_commit)
    assert {status for status, _ in during} == {503}, during[:3]
    assert all("could not be enqueued" in body or "cannot reach Redis" in body for _, body in during)
    # every 503 rolled its row back: only the rows of the requests that got a 201 exist
    assert _rows(app) == len(before)

    own_redis.start()  # same port, empty (no persistence): the site was not restarted
    after = _load(app, on_commit)
    assert {status for status, _ in after} == {201}
    assert _rows(app) == len(before) + len(after)

    if not on_commit:
        # the worker came back too, and runs the tasks enqueued after the outage
        with app.app_context():
            results = [jobs.add.get_result(body) for _, body in after]

        def all_done() -> bool:
            with app.app_context():
                for result in results:
                    result.refresh()
            return all(r.is_finished for r in results)

        wait_for(all_done, timeout=90, what=f"the tasks after the outage; worker output:\n{worker.output()[-3000:]}")
        assert {r.status for r in results} == {TaskResultStatus.SUCCESSFUL}

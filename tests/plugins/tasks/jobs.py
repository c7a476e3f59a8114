"""Tasks the tests enqueue (module level, so workers import them by path)."""

from __future__ import annotations

import os
import time
import typing as t
from pathlib import Path

from flask import current_app
from flask import g

from flaskkit.plugins.tasks import TaskContext
from flaskkit.plugins.tasks import task


@task
def add(a: int, b: int) -> int:
    return a + b


@task(queue_name="other")
def add_other(a: int, b: int) -> int:
    return a + b


@task(priority=10)
def urgent() -> str:
    return "done"


@task
def fail(message: str) -> None:
    raise ValueError(message)


@task
def config_value(key: str) -> t.Any:
    return current_app.config.get(key)


@task
def touch_g() -> bool:
    had = g.get("touched", False)
    g.touched = True
    return had


@task(takes_context=True)
def attempt_number(context: TaskContext) -> int:
    return context.attempt


@task(takes_context=True, retries=2, retry_backoff=0)
def flaky(context: TaskContext, succeed_on: int) -> int:
    if context.attempt < succeed_on:
        raise RuntimeError(f"attempt {context.attempt} fails")
    return context.attempt


@task(takes_context=True, retries=1, retry_backoff=1)
def flaky_backoff(context: TaskContext) -> int:
    if context.attempt < 2:
        raise RuntimeError("first attempt fails")
    return context.attempt


@task
def not_json() -> object:
    return object()


@task
def echo(*args: t.Any, **kwargs: t.Any) -> dict[str, t.Any]:
    return {"args": list(args), "kwargs": kwargs}


@task
async def async_add(a: int, b: int) -> int:
    return a + b


@task
def hang(marker: str, seconds: float = 60) -> str:
    """Writes its pid to ``marker``, then sleeps (the tests kill it meanwhile)."""
    Path(marker).write_text(str(os.getpid()))
    time.sleep(seconds)
    return "woke up"


@task(takes_context=True, retries=1, retry_backoff=0)
def hang_once(context: TaskContext, marker: str) -> int:
    """Hangs on its first attempt (killed there), returns the attempt number on the next."""
    if context.attempt == 1:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(60)
    return context.attempt


@task
def save_note(text: str) -> int:
    """Writes a row with the task's own database session."""
    from flaskkit.plugins.orm import db

    from .models import TaskNote

    note = TaskNote(text=text)
    db.session.add(note)
    db.session.commit()
    return note.id

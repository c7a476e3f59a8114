"""Starting a worker for a backend, importing its engine only then."""

from __future__ import annotations

import typing as t

import click

if t.TYPE_CHECKING:
    from .base import BaseTaskBackend

__all__ = ["start_worker"]


def start_worker(
    backend: BaseTaskBackend,
    queues: t.Sequence[str],
    *,
    burst: bool,
    name: str | None,
    concurrency: int | None,
    with_scheduler: bool,
) -> None:
    """Run the worker of ``backend`` in this process until it is stopped (SIGTERM / Ctrl-C)."""
    kind = backend.settings.builtin
    if kind == "rq":
        from .rq import RQBackend

        worker = t.cast(RQBackend, backend).worker(queues, name=name)
        worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")
        return
    if kind == "celery":
        if burst:
            raise click.ClickException("--burst is an RQ option; a Celery worker runs until it is stopped.")
        from .celery import CeleryBackend
        from .celery import celery_app_for

        celery = celery_app_for(backend.app, backend.alias)
        celery.worker_main(argv=t.cast(CeleryBackend, backend).worker_argv(queues, name=name, concurrency=concurrency))
        return
    raise click.ClickException(f"flaskkit cannot start a worker for {type(backend).__name__}; run its own worker.")

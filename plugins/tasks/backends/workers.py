"""Starting a worker for a backend, importing its engine only then."""

from __future__ import annotations

import contextlib
import logging
import time
import typing as t

import click

if t.TYPE_CHECKING:
    from .base import BaseTaskBackend
    from .rq import RQBackend

logger = logging.getLogger("flaskkit.tasks")

#: Longest wait between two tries to reach Redis again.
MAX_RECONNECT_WAIT = 30.0

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

        run_rq_worker(t.cast(RQBackend, backend), queues, burst=burst, name=name, with_scheduler=with_scheduler)
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


def run_rq_worker(
    backend: RQBackend, queues: t.Sequence[str], *, burst: bool, name: str | None, with_scheduler: bool
) -> None:
    """Run an RQ worker; when it quits because Redis went away, start it again once Redis answers.

    RQ's own loop retries a lost connection while it waits for jobs, but quits when the
    connection drops elsewhere (a heartbeat, its teardown); a worker should outlive a Redis
    restart as the web processes do, so this loop restarts it. SIGTERM / Ctrl-C still stop it.
    """
    import redis

    while True:
        worker = None
        try:
            worker = backend.worker(queues, name=name)
            worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")
        except redis.RedisError as exc:
            logger.error("The RQ worker lost Redis: %s: %s", type(exc).__name__, exc)
        if worker is not None and (burst or worker.stop_was_requested):
            return
        wait = 1.0
        while True:
            try:
                backend.connection.ping()
                break
            except redis.RedisError as exc:
                logger.warning("Redis at %s is unreachable (%s); trying again in %.0f s.", backend.url, exc, wait)
                time.sleep(wait)
                wait = min(wait * 2, MAX_RECONNECT_WAIT)
        if worker is not None:
            with contextlib.suppress(redis.RedisError):
                worker.register_death()  # its registration may have outlived it
        logger.warning("Redis is back: starting the RQ worker again.")

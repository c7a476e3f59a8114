"""``flask kit tasks`` (the app's tasks and their backends) and ``flask kit worker`` (an RQ or Celery worker)."""

from __future__ import annotations

import typing as t

import click
from flask import Flask
from flask import current_app

from .handler import get_plugin
from .registry import discover
from .registry import registered_tasks

__all__ = ["tasks_command", "worker_command"]


def _app() -> Flask:
    return t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]


def _discover(app: Flask) -> list[str]:
    try:
        return discover(app)
    except Exception as exc:
        raise click.ClickException(f"Importing the app's task modules failed: {type(exc).__name__}: {exc}") from exc


@click.command("tasks")
def tasks_command() -> None:
    """List the app's task backends and its tasks (imported from TASK_MODULES or <package>.tasks)."""
    app = _app()
    plugin = get_plugin(app)
    modules = _discover(app)
    click.echo("Task backends:")
    for alias, settings in plugin.settings.items():
        backend = plugin.get_backend(alias)
        queues = ", ".join(settings.queues) or "any"
        click.echo(f"  {alias}: {backend.describe()} (queues: {queues})")
    for message in plugin.problems:
        click.echo(f"  {message}", err=True)
    tasks = registered_tasks()
    click.echo(f"Tasks (from {', '.join(modules) or 'no task module'}):")
    if not tasks:
        click.echo("  (none)")
        return
    rows = [("task", "backend", "queue", "priority", "retries", "")]
    for task in tasks:
        settings = plugin.settings.get(task.backend)
        problem = ""
        if settings is None:
            problem = f"! TASKS has no alias {task.backend!r}"
        elif settings.queues and task.queue_name not in settings.queues:
            problem = f"! queue not in TASKS[{task.backend!r}]['QUEUES']"
        rows.append((task.module_path, task.backend, task.queue_name, str(task.priority), str(task.retries), problem))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        click.echo("  " + "  ".join(cell.ljust(widths[i]) if i < 5 else cell for i, cell in enumerate(row)).rstrip())


@click.command("worker")
@click.option("--backend", "alias", default="default", show_default=True, help="The TASKS alias to serve.")
@click.option(
    "--queue", "-q", "queues", multiple=True, metavar="NAME", help="A queue to serve (repeat); default: all QUEUES."
)
@click.option("--burst", is_flag=True, help="RQ: run the queued tasks, then exit.")
@click.option("--name", default=None, help="The worker's name (RQ) or hostname (Celery).")
@click.option("--concurrency", "-c", type=int, default=None, help="Celery: the number of pool processes.")
@click.option(
    "--with-scheduler/--without-scheduler",
    default=True,
    show_default=True,
    help="RQ: also enqueue scheduled tasks (run_after, retries with backoff) when they are due.",
)
def worker_command(
    alias: str, queues: tuple[str, ...], burst: bool, name: str | None, concurrency: int | None, with_scheduler: bool
) -> None:
    """Run a worker for the app's tasks: RQ or Celery, as TASKS[--backend] says."""
    app = _app()
    plugin = get_plugin(app)
    if alias not in plugin.settings:
        raise click.ClickException(
            f"TASKS has no usable alias {alias!r} (it has {', '.join(map(repr, plugin.settings)) or 'none'})."
        )
    backend = plugin.get_backend(alias)
    if not backend.needs_worker:
        raise click.ClickException(
            f"TASKS[{alias!r}] uses the {plugin.settings[alias].backend!r} backend, which runs tasks in the process "
            "that enqueues them: there is nothing for a worker to do. Use 'rq' or 'celery' to run tasks in workers."
        )
    names = list(queues) or list(plugin.settings[alias].queues) or ["default"]
    allowed = plugin.settings[alias].queues
    unknown = [q for q in names if allowed and q not in allowed]
    if unknown:
        raise click.ClickException(f"TASKS[{alias!r}] has no queue {unknown[0]!r} (its QUEUES: {', '.join(allowed)}).")
    modules = _discover(app)
    click.echo(f"Worker for {backend.describe()}, queues {', '.join(names)}; tasks from {', '.join(modules) or '-'}.")
    from .backends.workers import start_worker

    start_worker(backend, names, burst=burst, name=name, concurrency=concurrency, with_scheduler=with_scheduler)

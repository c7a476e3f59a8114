"""Cost of enqueueing a task, and tasks per second through one RQ worker: a script, not a test.

Needs a Redis server (``--redis-url``, default ``redis://127.0.0.1:6379/0``); every key
it writes carries a prefix of its own and is deleted at the end. Prints, best of several
rounds:

- microseconds per ``enqueue()`` on the immediate backend (the task runs in-process),
  on the dummy backend (recorded only) and on the rq backend (one Redis round trip
  with the job), and per ``enqueue()`` with RQ's own ``Queue.enqueue`` for comparison;
- tasks per second through one ``flask kit worker --burst`` process (RQ forks a work
  horse per task: that fork is most of the cost; ``-n`` tasks are enqueued first, then
  the worker drains the queue, timed from its start to its exit)::

    python benchmarks/tasks.py                  # 2000 enqueues x 5 rounds, 300 tasks through the worker
    python benchmarks/tasks.py -n 5000 -r 7 --worker-tasks 1000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import redis
import rq

from flaskkit import create_app

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-key-" + "x" * 40
TASK_MODULE = "benchmarks.tasks_jobs"


def settings(backend: str, redis_url: str, prefix: str) -> dict[str, t.Any]:
    options = {"REDIS_URL": redis_url, "PREFIX": prefix} if backend == "rq" else {}
    return {
        "SECRET_KEY": SECRET,
        "PLUGINS": ["tasks"],
        "TASKS": {"default": {"BACKEND": backend, "OPTIONS": options}},
        "TASK_MODULES": [TASK_MODULE],
    }


def best_of(rounds: int, n: int, run: t.Callable[[int], None]) -> float:
    """Best seconds per call over ``rounds`` rounds of ``n`` calls."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run(n)
        best = min(best, (time.perf_counter() - started) / n)
    return best


def cleanup(client: redis.Redis, prefix: str) -> None:
    for key in client.scan_iter(match="rq:job:*", count=1000):
        origin = client.hget(key, "origin")
        if origin and origin.decode().startswith(prefix):
            job_id = key.decode().removeprefix("rq:job:")
            client.delete(key, f"rq:results:{job_id}", f"rq:executions:{job_id}")
    for key in client.scan_iter(match=f"*{prefix}*", count=1000):
        client.delete(key)
    for members in ("rq:queues", "rq:workers"):
        mine = [m for m in client.smembers(members) if prefix.encode() in m]
        if mine:
            client.srem(members, *mine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2000, help="enqueues per round")
    parser.add_argument("-r", "--rounds", type=int, default=5)
    parser.add_argument("--worker-tasks", type=int, default=300, help="tasks through the RQ worker")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks import tasks_jobs

    prefix = f"flaskkit-bench:{secrets.token_hex(4)}:"
    client = redis.Redis.from_url(options.redis_url)
    client.ping()
    print(f"Python {platform.python_version()}, rq {rq.__version__}, Redis at {options.redis_url}")
    print(f"enqueue cost, best of {options.rounds} rounds of {options.n}:")
    try:
        for backend in ("immediate", "dummy", "rq"):
            app = create_app(settings(backend, options.redis_url, prefix), import_name=TASK_MODULE)
            with app.app_context():
                recorded = getattr(app.extensions["flaskkit.tasks"].get_backend(), "results", [])

                def run(n: int, recorded: list[t.Any] = recorded) -> None:
                    for i in range(n):
                        tasks_jobs.add.enqueue(i, 1)
                    recorded.clear()  # the dummy backend's records

                seconds = best_of(options.rounds, options.n, run)
            print(f"  {backend:<28} {seconds * 1e6:8.1f} us per enqueue")
        queue = rq.Queue(f"{prefix}plain", connection=client)

        def plain(n: int) -> None:
            for i in range(n):
                queue.enqueue(tasks_jobs.plain_add, i, 1)

        seconds = best_of(options.rounds, options.n, plain)
        print(f"  {'RQ Queue.enqueue (baseline)':<28} {seconds * 1e6:8.1f} us per enqueue")
        cleanup(client, prefix)

        # tasks per second through one worker
        worker_settings = settings("rq", options.redis_url, prefix)
        app = create_app(worker_settings, import_name=TASK_MODULE)
        with app.app_context():
            for i in range(options.worker_tasks):
                tasks_jobs.add.enqueue(i, 1)
        env = {**os.environ, "BENCH_SETTINGS": json.dumps(worker_settings), "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "benchmarks.tasks_jobs:create_app",
                "kit",
                "worker",
                "--burst",
                "--without-scheduler",
                "--name",
                f"{prefix}bench",
            ],
            env=env,
            capture_output=True,
            timeout=600,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(done.stderr.decode()[-2000:])
        with app.app_context():
            pending = rq.Queue(f"{prefix}default", connection=client).count
        print(
            f"one RQ worker (forking, burst): {options.worker_tasks} tasks in {elapsed:.2f} s = "
            f"{options.worker_tasks / elapsed:.0f} tasks/s (process start included; {pending} left in the queue)"
        )
    finally:
        cleanup(client, prefix)
        client.close()


if __name__ == "__main__":
    main()

"""The tasks of benchmarks/tasks.py, and the app its worker loads."""

from __future__ import annotations

import json
import os

from flask import Flask

from flaskkit import create_app as kit_create_app
from flaskkit.plugins.tasks import task


@task
def add(a: int, b: int) -> int:
    return a + b


def plain_add(a: int, b: int) -> int:
    return a + b


def create_app() -> Flask:
    return kit_create_app(json.loads(os.environ["BENCH_SETTINGS"]), import_name=__name__)

"""The app the worker subprocesses of the tests load: ``flask --app tests.plugins.tasks.worker_app kit worker``.

Its settings come as JSON in the ``TASKS_TEST_SETTINGS`` environment variable, so a test
gives its worker exactly the settings of its own app (same TASKS, same database).
"""

from __future__ import annotations

import json
import os

from flask import Flask

from flaskkit import create_app as kit_create_app


def create_app() -> Flask:
    settings = json.loads(os.environ["TASKS_TEST_SETTINGS"])
    return kit_create_app(settings, import_name=__name__, instance_path=settings.get("INSTANCE_PATH") or None)

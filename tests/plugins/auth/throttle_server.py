"""A small site served by several processes at once, for the throttle's multi-process test.

``python -m tests.plugins.auth.throttle_server PORT`` serves it on 127.0.0.1:PORT with werkzeug's
forking server: every request runs in a process of its own (up to 16 at once), so nothing held
in one process's memory (a lock, a locmem cache) can coordinate them; only the shared Redis
cache can, as between gunicorn's workers. The settings come as JSON in ``THROTTLE_SITE_SETTINGS``,
the instance folder in ``THROTTLE_SITE_INSTANCE``.

``POST /api/login`` (username, password) answers ``{"ok": true|false}``, or the throttle's 429.
"""

from __future__ import annotations

import json
import os
import sys

from flask import Flask
from flask import request
from werkzeug.serving import run_simple

from flaskkit import create_app
from flaskkit.plugins.auth import authenticate
from flaskkit.plugins.forms import csrf_exempt

#: How many requests the forking server runs at the same time.
PROCESSES = 16


def make_app() -> Flask:
    app = create_app(
        json.loads(os.environ["THROTTLE_SITE_SETTINGS"]),
        import_name="throttle_site",
        instance_path=os.environ["THROTTLE_SITE_INSTANCE"],
    )

    @app.get("/ping")
    def ping() -> str:
        return "pong"

    @app.post("/api/login")
    @csrf_exempt
    def api_login() -> dict[str, bool]:
        user = authenticate(username=request.form["username"], password=request.form["password"])
        return {"ok": user is not None}

    return app


if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[1]), make_app(), threaded=False, processes=PROCESSES)

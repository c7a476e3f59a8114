"""``python -m example_site``: migrate, add the demo content on the first run, and serve.

::

    python -m example_site                       # http://127.0.0.1:5000/
    python -m example_site --port 8000
    python -m example_site --instance-path /tmp/notes

The instance folder (``--instance-path``, else ``EXAMPLE_SITE_INSTANCE_PATH``, else
``instance/`` beside the package) holds the SQLite database, the session files and the
secret key. ``DATABASE_URL`` and ``REDIS_URL`` move the data to PostgreSQL and Redis.
The demo account's password is ``EXAMPLE_SITE_DEMO_PASSWORD``, else a default printed
at start. Only this entry point writes to the database at start; importing the app
(``flask --app example_site run``) never does.
"""

from __future__ import annotations

import argparse
import sys
import typing as t

from flask import Flask

from flaskkit.plugins.auth.password_validation import ValidationError
from flaskkit.plugins.orm import database_url
from flaskkit.plugins.orm.conf import safe_url

from . import create_app
from .seed import DEMO_PASSWORD_ENV_VAR
from .seed import DEMO_USERNAME
from .seed import STAFF_USERNAME
from .seed import SeedResult
from .seed import demo_password
from .seed import migrate
from .seed import seed_demo_content

__all__ = ["main"]


def parse_args(argv: t.Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m example_site",
        description="Run flaskkit's example site (a notes board) with Flask's development server.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=5000, help="the port to listen on (default: %(default)s)")
    parser.add_argument(
        "--instance-path",
        default=None,
        help="the instance folder: database, sessions, secret key "
        "(default: $EXAMPLE_SITE_INSTANCE_PATH, else instance/ beside the package)",
    )
    return parser.parse_args(argv)


def main(argv: t.Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    app = create_app(instance_path=args.instance_path)
    password = demo_password()
    with app.app_context():
        migrate()
        try:
            result = seed_demo_content(password)
        except ValidationError as error:
            print(f"The demo account's password ({DEMO_PASSWORD_ENV_VAR}) is refused: {error}", file=sys.stderr)
            return 2
    print(banner(app, result, password, f"http://{_url_host(args.host)}:{args.port}/"), flush=True)
    # Flask's development server; no reloader, so this process is the one that serves (and stops on SIGTERM).
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False)
    return 0


def banner(app: Flask, result: SeedResult, password: str, url: str) -> str:
    cache = app.config["CACHES"]["default"]["BACKEND"]
    if result.created:
        content = f"created: {result.notes} notes and the demo account {DEMO_USERNAME!r}"
    else:
        content = "already there (seeded on the first run; not added again)"
    lines = [
        "",
        "flaskkit example site: a notes board",
        f"  database      {safe_url(database_url(app))} (migrations applied)",
        f"  sessions      {app.config['SESSION_ENGINE']}, cache {cache}",
        f"  instance      {app.instance_path}",
        f"  demo content  {content}",
        f"  demo account  username {DEMO_USERNAME!r}, password {password!r}",
        f"  staff account username {STAFF_USERNAME!r}, same password: the admin at {url}admin/",
        "",
        f"  Open {url} (Ctrl+C to stop)",
        "",
    ]
    return "\n".join(lines)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


if __name__ == "__main__":
    sys.exit(main())

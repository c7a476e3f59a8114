"""``python -m tests.plugins.admin.browser_site``: the admin tests' app as a real server, for the browser test.

The catalog and polls test apps, a superuser ``root``, a few rows; every response carries
``Content-Security-Policy: default-src 'self'`` (a test-only ``after_request`` hook), so the browser
reports any inline script or style of the admin's pages as a console error.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import typing as t
from pathlib import Path

from flask import Flask

from flaskkit import create_app
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.auth.permissions import sync_permissions
from flaskkit.plugins.orm import db

#: The policy the admin's pages must work under: nothing inline, nothing from elsewhere.
CSP = "default-src 'self'"
PASSWORD = "browser-test-password"
PLUGINS = [
    "orm",
    "session",
    "cache",
    "forms",
    "signals",
    "auth",
    "admin",
    "tests.plugins.admin.catalog:CatalogPlugin",
    "tests.plugins.admin.polls:PollsPlugin",
]


def make_app(instance_path: Path) -> Flask:
    instance_path.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret-key-that-is-long-enough-0123456789",
            "PLUGINS": PLUGINS,
            "DATABASE_URL": f"sqlite:///{instance_path / 'browser.sqlite'}",
            "MIGRATIONS_DIR": str(instance_path / "no-migrations"),
            "PASSWORD_HASHERS": ["flaskkit.plugins.auth.hashers:MD5PasswordHasher"],
            "AUTH_THROTTLE_ENABLED": False,
        },
        import_name="admin_browser_site",
        instance_path=str(instance_path),
    )

    @app.after_request
    def content_security_policy(response: t.Any) -> t.Any:
        response.headers["Content-Security-Policy"] = CSP
        return response

    return app


def prepare(app: Flask) -> None:
    import flask_migrate

    from .catalog.models import TABLES as CATALOG_TABLES
    from .catalog.models import Category
    from .catalog.models import Product
    from .polls.models import TABLES as POLLS_TABLES
    from .polls.models import Question

    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        db.metadata.create_all(db.engine, tables=[*CATALOG_TABLES, *POLLS_TABLES])
        sync_permissions(get_user_model())
        get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
        now = datetime.datetime.now(datetime.UTC)
        db.session.add_all(
            [
                Question(question_text="Old news?", pub_date=now - datetime.timedelta(days=400)),
                Category(name="Kitchen"),
                Category(name="Garden"),
                Product(name="Teapot", price=12),
            ]
        )
        db.session.commit()


def main(argv: t.Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.plugins.admin.browser_site")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--instance-path", required=True)
    args = parser.parse_args(argv)
    app = make_app(Path(args.instance_path))
    prepare(app)
    print(f"serving on http://127.0.0.1:{args.port}/", flush=True)
    app.run(host="127.0.0.1", port=args.port, debug=False, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

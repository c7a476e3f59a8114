"""A small site made only of flaskkit's built-in templates, under the strictest Content-Security-Policy.

The example site brings its own layout; this one shows what the plugins ship: the auth pages
in ``auth/base.html``, the generic views' fallback templates (``views/object_list.html``...,
in ``views/base.html``), ``render_form`` and the CSRF failure page. The policy is
``default-src 'self'`` and nothing else: no nonce, so any inline script or style would be
refused. Served for the browser tests by::

    python -m tests.e2e.builtin_site --port 5001 --instance-path /tmp/builtin

which creates the tables and the user ``ada`` (password :data:`PASSWORD`) on the first run.
"""

from __future__ import annotations

import argparse
import typing as t

import sqlalchemy as sa
from flask import Flask
from flask import url_for
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flaskkit import create_app
from flaskkit.plugins.middleware import CSP
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db

#: The password of the user ``ada``.
PASSWORD = "built-in-templates-password"

SETTINGS: dict[str, t.Any] = {
    "SECRET_KEY": "builtin-site-for-the-browser-tests-only-0123456789abcdef",
    "PLUGINS": ["orm", "session", "cache", "forms", "middleware", "auth", "views"],
    "DATABASE_URL": "sqlite:///builtin-site.db",
    "MIDDLEWARE": [
        "flaskkit.plugins.middleware:SecurityMiddleware",
        "flaskkit.plugins.middleware:ContentSecurityPolicyMiddleware",
        "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
    ],
    "SECURE_CSP": {"default-src": [CSP.SELF]},
    "ALLOWED_HOSTS": ["127.0.0.1"],
    "PASSWORD_HASHERS": ["flaskkit.plugins.auth.hashers:MD5PasswordHasher"],
    "LOGIN_REDIRECT_URL": "/",
    "LOGOUT_REDIRECT_URL": "/",
}


class Bookmark(IdMixin, Model):
    """A link with a title: enough for the list, detail, form and delete templates."""

    __tablename__ = "e2e_bookmark"

    title: Mapped[str] = mapped_column(sa.String(80), info={"label": "Title"})
    url: Mapped[str] = mapped_column(sa.String(200), info={"label": "Address"})

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_for("bookmark_detail", pk=self.id)


def build_app(instance_path: str) -> Flask:
    from flaskkit.plugins.views import CreateView
    from flaskkit.plugins.views import DeleteView
    from flaskkit.plugins.views import DetailView
    from flaskkit.plugins.views import ListView

    app = create_app(SETTINGS, instance_path=instance_path)
    app.add_url_rule("/", view_func=ListView.as_view("bookmark_list", model=Bookmark))
    app.add_url_rule("/new/", view_func=CreateView.as_view("bookmark_create", model=Bookmark, fields=["title", "url"]))
    app.add_url_rule("/<int:pk>/", view_func=DetailView.as_view("bookmark_detail", model=Bookmark))
    app.add_url_rule(
        "/<int:pk>/delete/", view_func=DeleteView.as_view("bookmark_delete", model=Bookmark, success_url="/")
    )
    # The browser asks for an icon; the site has none, and says so without an error in the console.
    app.add_url_rule("/favicon.ico", "favicon", lambda: ("", 204))
    return app


def main(argv: t.Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.builtin_site")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--instance-path", required=True)
    args = parser.parse_args(argv)
    app = build_app(args.instance_path)
    with app.app_context():
        db.create_all()
        from flaskkit.plugins.auth import User

        if User.objects.get_by_natural_key("ada") is None:
            User.objects.create_user("ada", password=PASSWORD)
    app.run(host="127.0.0.1", port=args.port, use_reloader=False)


if __name__ == "__main__":
    main()

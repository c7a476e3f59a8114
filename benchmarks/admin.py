"""The admin's change list on a large table: a script, not a test.

Fills a table of posts (a foreign key to an author, a many-to-many to tags)
and requests change-list pages through the app's WSGI callable (no server),
printing for each page the SQL queries it made and its median and best time
over several rounds. Flask-Admin's own ``ModelView`` list of the same table
(its Bootstrap page) is the baseline::

    python benchmarks/admin.py                    # 10,000 posts, 7 rounds, SQLite in a temporary folder
    python benchmarks/admin.py -n 100000 -r 5
    DATABASE_URL=postgresql://... python benchmarks/admin.py

The query counts are the point: they do not grow with the table (the test
tests/plugins/admin/test_queries.py asserts it); the times show what a page costs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import os
import platform
import statistics
import sys
import tempfile
import time
import typing as t

import sqlalchemy as sa
import sqlalchemy.event as sa_event
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit import create_app
from flaskkit.plugins import admin
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db

SECRET = "benchmark-secret-key-" + "x" * 40
PASSWORD = "benchmark-password-1"


class BenchAuthor(IdMixin, Model):
    __tablename__ = "bench_author"

    class Meta:
        app_label = "bench"

    name: Mapped[str] = mapped_column(sa.String(100))

    def __str__(self) -> str:
        return self.name


bench_post_tags = sa.Table(
    "bench_post_tags",
    Model.metadata,
    sa.Column("post_id", sa.ForeignKey("bench_post.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("bench_tag.id", ondelete="CASCADE"), primary_key=True),
)


class BenchTag(IdMixin, Model):
    __tablename__ = "bench_tag"

    class Meta:
        app_label = "bench"

    name: Mapped[str] = mapped_column(sa.String(50))

    def __str__(self) -> str:
        return self.name


class BenchPost(IdMixin, Model):
    __tablename__ = "bench_post"

    class Meta:
        app_label = "bench"

    title: Mapped[str] = mapped_column(sa.String(200), index=True)
    published: Mapped[bool] = mapped_column(default=True)
    created: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("bench_author.id"), index=True)
    author: Mapped[BenchAuthor] = relationship()
    tags: Mapped[list[BenchTag]] = relationship(secondary=bench_post_tags)

    def __str__(self) -> str:
        return self.title


#: The benchmark's own site, so that nothing else is registered.
site = admin.AdminSite("bench")


@admin.register(BenchPost, site=site)
class BenchPostAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "tags", "published", "created"]
    list_filter = ["published", "author", "created"]
    search_fields = ["title", "author__name"]
    date_hierarchy = "created"
    list_per_page = 100


site.register(BenchAuthor, search_fields=["name"], ordering=["name"])

TABLES = [BenchAuthor.__table__, BenchTag.__table__, BenchPost.__table__, bench_post_tags]


class FlaskAdminPosts(ModelView):
    """Flask-Admin's stock list of the same table (the baseline)."""

    column_list = ["title", "author", "published", "created"]
    column_searchable_list = ["title"]
    column_filters = ["published", "author"]
    page_size = 100


def make_app(folder: str) -> t.Any:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{os.path.join(folder, 'bench.sqlite')}"
    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "PLUGINS": ["orm", "session", "cache", "forms", "auth", "admin"],
            "DATABASE_URL": url,
            "MIGRATIONS_DIR": os.path.join(folder, "no-migrations"),
            "PASSWORD_HASHERS": ["flaskkit.plugins.auth.hashers:MD5PasswordHasher"],
            "AUTH_THROTTLE_ENABLED": False,
            "ADMIN_SITE": "__main__:site",
            "ADMIN_MODULES": ["__main__"],
        },
        import_name="admin_benchmark",
        instance_path=os.path.join(folder, "instance"),
    )
    baseline = Admin(app, name="Flask-Admin", url="/fa", endpoint="fa", theme=Bootstrap4Theme())
    baseline.add_view(FlaskAdminPosts(BenchPost, db, endpoint="fa_post"))
    return app


def fill(app: t.Any, rows: int) -> None:
    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        db.metadata.drop_all(db.engine, tables=TABLES)
        db.metadata.create_all(db.engine, tables=TABLES)
        db.session.execute(sa.insert(BenchAuthor), [{"name": f"Author {n:03d}"} for n in range(200)])
        db.session.execute(sa.insert(BenchTag), [{"name": f"tag{n}"} for n in range(20)])
        start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        for offset in range(0, rows, 5000):
            db.session.execute(
                sa.insert(BenchPost),
                [
                    {
                        "title": f"Post {n:06d}",
                        "published": n % 3 != 0,
                        "created": start + datetime.timedelta(hours=7 * n),
                        "author_id": n % 200 + 1,
                    }
                    for n in range(offset, min(rows, offset + 5000))
                ],
            )
        db.session.execute(sa.insert(bench_post_tags), [{"post_id": n + 1, "tag_id": n % 20 + 1} for n in range(rows)])
        model = get_user_model()
        if model.objects.get_by_natural_key("bench") is None:
            model.objects.create_superuser("bench", "bench@example.com", PASSWORD)
        db.session.commit()


@contextlib.contextmanager
def counting(app: t.Any) -> t.Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: t.Any, cursor: t.Any, statement: str, *args: t.Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


def log_in(client: t.Any) -> None:
    import re

    page = client.get("/accounts/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/accounts/login/", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code


def measure(app: t.Any, client: t.Any, url: str, rounds: int) -> tuple[int, float, float]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    with counting(app) as statements:
        client.get(url)
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - began)
    return len(statements), statistics.median(times) * 1000, min(times) * 1000


def main(argv: t.Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--rows", type=int, default=10_000, help="posts in the table (default: %(default)s)")
    parser.add_argument("-r", "--rounds", type=int, default=7, help="timed requests per page (default: %(default)s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder)
        began = time.perf_counter()
        fill(app, args.rows)
        filled = time.perf_counter() - began
        client = app.test_client()
        log_in(client)
        last = max(1, -(-args.rows // 100))
        pages = [
            ("flaskkit admin, page 1", "/admin/bench/benchpost/"),
            (f"flaskkit admin, page {last}", f"/admin/bench/benchpost/?p={last}"),
            ("flaskkit admin, sorted by author", "/admin/bench/benchpost/?o=2.1"),
            ("flaskkit admin, search", "/admin/bench/benchpost/?q=Author+007"),
            ("flaskkit admin, filter", "/admin/bench/benchpost/?published__exact=1&author__id__exact=7"),
            ("flaskkit admin, one year", "/admin/bench/benchpost/?created__year=2021"),
            ("flaskkit admin, change page", "/admin/bench/benchpost/1/change/"),
            ("Flask-Admin ModelView, page 1", "/fa/fa_post/"),
            (f"Flask-Admin ModelView, page {last}", f"/fa/fa_post/?page={last - 1}"),
        ]
        with app.app_context():
            dialect = db.engine.dialect.name
        versions = ", ".join(
            f"{name} {importlib.metadata.version(name)}" for name in ("flask", "flask-admin", "sqlalchemy")
        )
        print(f"admin change list: {args.rows:,} posts on {dialect}, {args.rounds} rounds (filled in {filled:.1f} s)")
        print(f"Python {platform.python_version()}, {versions}")
        print()
        print(f"{'page':<40} {'queries':>7} {'median ms':>10} {'best ms':>8}")
        for name, url in pages:
            queries, median, best = measure(app, client, url, args.rounds)
            print(f"{name:<40} {queries:>7} {median:>10.1f} {best:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

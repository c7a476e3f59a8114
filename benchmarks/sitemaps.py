"""One sitemap page of 50,000 URLs from a table: a script, not a test.

Builds a SQLite database in a temporary folder with ``--rows`` entries (a 1 KB body each,
and an author that the model joins eagerly, as the example site's ``Note`` does), then
serves ``/sitemap-entries.xml`` (the first page: 50,000 URLs, the protocol's limit) through
the app's test client, and prints for each variant the queries run, the median time and
the peak memory of the request (traced in a separate, untimed round)::

    python benchmarks/sitemaps.py              # default: 50,000 rows x 5 rounds
    python benchmarks/sitemaps.py --rows 120000 --rounds 3

Variants: ``GenericSitemap`` over ``select(Entry)`` loading whole rows (every column and
the joined author, what a sitemap written without care does), and the same with
``"only": ["id"]`` (the primary key and ``date_field`` only). Both are two queries per
page: ``COUNT(*)`` and one ``LIMIT``/``OFFSET`` select.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
import typing as t
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit import create_app
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db
from flaskkit.plugins.sitemaps import GenericSitemap
from flaskkit.plugins.sitemaps import SitemapView


class BenchAuthor(IdMixin, Model):
    name: Mapped[str] = mapped_column(sa.String(50))


class BenchEntry(IdMixin, Model):
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey(BenchAuthor.id))
    author: Mapped[BenchAuthor] = relationship(BenchAuthor, lazy="joined")

    def get_absolute_url(self) -> str:
        return f"/entries/{self.id}/"


VARIANTS: dict[str, dict[str, t.Any]] = {
    "whole rows": {"queryset": sa.select(BenchEntry), "date_field": "updated_at"},
    'only=["id"]': {"queryset": sa.select(BenchEntry), "date_field": "updated_at", "only": ["id"]},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, {sys.platform}")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SECRET_KEY": "benchmark-secret-key-" + "x" * 40,
                "PLUGINS": ["orm", "middleware", "sitemaps"],
                "SITE_URL": "https://example.com",
                "ALLOWED_HOSTS": ["localhost"],
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
            },
            instance_path=folder,
        )
        for name, info in VARIANTS.items():
            sitemaps = {"entries": GenericSitemap(info)}
            endpoint = "sitemap_" + "".join(c for c in name if c.isalnum())
            app.add_url_rule(
                f"/{endpoint}/sitemap-<section>.xml", view_func=SitemapView.as_view(endpoint, sitemaps=sitemaps)
            )
        with app.app_context():
            db.metadata.create_all(db.engine, tables=[BenchAuthor.__table__, BenchEntry.__table__])
            db.session.execute(sa.insert(BenchAuthor), [{"name": "Ann"}])
            now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            db.session.execute(
                sa.insert(BenchEntry),
                [
                    {"title": f"Entry {n}", "body": "x" * 1000, "updated_at": now, "author_id": 1}
                    for n in range(args.rows)
                ],
            )
            db.session.commit()
            engine = db.engine
        queries: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *a: queries.append(statement))
        client = app.test_client()
        print(f"{args.rows:,} rows; the first page of /sitemap-entries.xml, median of {args.rounds} rounds\n")
        endpoints = {name: "sitemap_" + "".join(c for c in name if c.isalnum()) for name in VARIANTS}
        timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(args.rounds):
            for name, endpoint in endpoints.items():  # interleaved: a loaded machine slows both alike
                gc.collect()
                start = time.perf_counter()
                response = client.get(f"/{endpoint}/sitemap-entries.xml")
                timings[name].append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
        print(f"{'variant':<13} {'URLs':>7} {'queries':>8} {'median ms':>10} {'peak MB':>8}  the page query's columns")
        for name, endpoint in endpoints.items():
            queries.clear()
            gc.collect()
            tracemalloc.start()
            response = client.get(f"/{endpoint}/sitemap-entries.xml")
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            columns = " ".join(queries[-1].split(" FROM ")[0].removeprefix("SELECT ").split())
            print(
                f"{name:<13} {response.data.count(b'<url>'):>7,} {len(queries):>8} "
                f"{statistics.median(timings[name]) * 1000:>10.0f} {peak / 1e6:>8.0f}  {columns[:64]}"
            )


if __name__ == "__main__":
    main()

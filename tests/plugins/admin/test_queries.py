"""A change list costs a bounded number of queries: the same for 10 rows as for 10,000 (no N+1 for foreign
keys or many-to-many columns), on the first page and on a far one. Timings are in benchmarks/admin.py."""

from __future__ import annotations

import contextlib
import typing as t

import sqlalchemy as sa
import sqlalchemy.event as sa_event

from flaskkit.plugins.orm import db

from .catalog.models import Category
from .catalog.models import Product
from .catalog.models import Tag
from .catalog.models import product_tags
from .conftest import create_user
from .conftest import log_in
from .conftest import text


def fill(app, rows: int) -> None:
    """``rows`` products, each in one of 20 categories and with two of 10 tags (bulk inserts)."""
    with app.app_context():
        db.session.execute(sa.insert(Category), [{"name": f"Category {n}"} for n in range(20)])
        db.session.execute(sa.insert(Tag), [{"name": f"tag{n}"} for n in range(10)])
        categories = list(db.session.scalars(sa.select(Category.id)))
        tags = list(db.session.scalars(sa.select(Tag.id)))
        db.session.execute(
            sa.insert(Product),
            [{"name": f"Product {n:05d}", "price": n % 50, "category_id": categories[n % 20]} for n in range(rows)],
        )
        ids = list(db.session.scalars(sa.select(Product.id)))
        db.session.execute(
            sa.insert(product_tags),
            [{"product_id": pid, "tag_id": tags[(pid + k) % 10]} for pid in ids for k in (0, 1)],
        )
        db.session.commit()


@contextlib.contextmanager
def counting(app) -> t.Iterator[list[str]]:
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


def page_queries(app, client, url: str) -> list[str]:
    with counting(app) as statements:
        response = client.get(url)
        assert response.status_code == 200, text(response)[:2000]
    return statements


def test_a_page_of_10000_rows_costs_what_a_page_of_10_costs(make):
    small, large = make(), make()
    fill(small, 10)
    fill(large, 10_000)
    counts = {}
    for name, app in (("small", small), ("large", large)):
        create_user(app, "root", is_staff=True, is_superuser=True)
        client = app.test_client()
        log_in(client, "root")
        url = "/admin/catalog/product/?o=2"
        client.get(url)  # warm: the session, the user
        counts[name] = len(page_queries(app, client, url))
    assert counts["small"] == counts["large"], counts
    assert counts["large"] <= 12, counts


def test_the_page_shows_foreign_keys_and_many_to_many_without_a_query_per_row(make):
    app = make()
    fill(app, 2_000)
    create_user(app, "root", is_staff=True, is_superuser=True)
    client = app.test_client()
    log_in(client, "root")
    client.get("/admin/catalog/product/")
    statements = page_queries(app, client, "/admin/catalog/product/?p=50")
    page = client.get("/admin/catalog/product/?p=50").get_data(as_text=True)
    assert page.count('class="field-category">Category ') == 20  # list_per_page rows, each with its category
    assert page.count('class="field-tags">tag') == 20
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    per_table = {
        table: sum(f"FROM {table}" in s or f"JOIN {table}" in s for s in selects)
        for table in ("catalog_category", "catalog_tag")
    }
    # one query lists the categories for the filter, the page joins them; one lists the tags, one loads the page's
    assert per_table["catalog_category"] <= 3, statements
    assert per_table["catalog_tag"] <= 3, statements
    assert len(statements) <= 12, statements


def test_a_staff_member_with_permissions_costs_two_more_queries_not_more(make):
    app = make()
    fill(app, 500)
    create_user(app, "viv", "correct-horse-battery", "catalog.view_product", is_staff=True)
    client = app.test_client()
    log_in(client, "viv")
    client.get("/admin/catalog/product/")
    statements = page_queries(app, client, "/admin/catalog/product/?p=3")
    assert len(statements) <= 14, statements

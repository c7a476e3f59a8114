"""Every value reaches the pages escaped: a ``<script>`` in every kind of column, in related rows, in
log entries, in messages, in the search box and in query-string values."""

from __future__ import annotations

import sqlalchemy as sa

from flaskkit.plugins.orm import db

from .catalog.models import Category
from .catalog.models import Product
from .catalog.models import Review
from .catalog.models import Tag
from .conftest import post
from .conftest import submit
from .conftest import text

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


def assert_safe(page: str, where: str) -> None:
    assert "<script>alert" not in page, where
    assert "<script" not in page.replace('<script src="/admin/static/admin/admin.js" defer></script>', ""), where


def test_script_in_every_column_is_escaped_on_every_page(site, admin_client):
    with site.app_context():
        category = Category(name=f"Cat {SCRIPT}")
        tag = Tag(name=f"tag {SCRIPT}")
        product = Product(
            name=f"Name {SCRIPT}",
            slug=SCRIPT,
            description=f"Text {SCRIPT}",
            price=1,
            details={"html": SCRIPT, SCRIPT: [SCRIPT]},
            category=category,
            tags=[tag],
        )
        product.reviews.append(Review(author=f"Author {SCRIPT}", rating=1, text=SCRIPT))
        db.session.add(product)
        db.session.commit()
    submit(admin_client, "/admin/catalog/product/1/change/", {"stock": "5"})  # a log entry naming it
    pages = {
        "index": "/admin/",
        "changelist": "/admin/catalog/product/",
        "search": f"/admin/catalog/product/?q={SCRIPT}",
        "filter value": f"/admin/catalog/product/?category__id__exact={SCRIPT}",
        "order": f"/admin/catalog/product/?o={SCRIPT}",
        "change": "/admin/catalog/product/1/change/",
        "delete": "/admin/catalog/product/1/delete/",
        "history": "/admin/catalog/product/1/history/",
        "reviews": "/admin/catalog/review/",
        "review": "/admin/catalog/review/1/change/",
        "categories": "/admin/catalog/category/",
        "tags": "/admin/catalog/tag/",
        "autocomplete": f"/admin/catalog/category/autocomplete/?term={SCRIPT}",
    }
    for where, url in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, where
        assert_safe(text(response), where)
    changelist = text(admin_client.get("/admin/catalog/product/"))
    assert f"Name {ESCAPED}" in changelist and f"Cat {ESCAPED}" in changelist and f"tag {ESCAPED}" in changelist
    assert "&lt;script&gt;" in text(admin_client.get("/admin/catalog/product/1/change/"))
    json = admin_client.get("/admin/catalog/category/autocomplete/?term=cat").get_json()
    assert json["results"][0]["text"] == f"Cat {SCRIPT}"  # JSON: the browser script inserts it as text
    confirmation = post(admin_client, "/admin/catalog/product/", {"action": "delete_selected", "_selected_action": "1"})
    assert_safe(text(confirmation), "delete selected")
    post(admin_client, "/admin/catalog/product/1/delete/", {"post": "yes"})
    after = text(admin_client.get("/admin/catalog/product/"))  # the success message names the product
    assert_safe(after, "message")
    assert f"“Name {ESCAPED}” was deleted successfully." in after
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0

"""Actions and deletions: a confirmation page first, the ORM (and its signals) for the writes, one log
entry per deleted object, cascades shown before they happen, protected rows and missing permissions refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from flaskkit.plugins.admin import LogEntry
from flaskkit.plugins.orm import db
from flaskkit.plugins.signals import connect
from flaskkit.plugins.signals import disconnect
from flaskkit.plugins.signals import post_delete
from flaskkit.plugins.signals import pre_delete

from .catalog.models import Category
from .catalog.models import Product
from .catalog.models import Review
from .catalog.models import Status
from .conftest import create_user
from .conftest import log_in
from .conftest import post
from .conftest import text


@pytest.fixture
def catalog(site):
    with site.app_context():
        kitchen = Category(name="Kitchen")
        for n, name in enumerate(["Teapot", "Kettle", "Mug"]):
            item = Product(name=name, price=n + 1, category=kitchen if name != "Mug" else None)
            item.reviews.append(Review(author=f"Reviewer {n}", rating=3))
            db.session.add(item)
        db.session.commit()
    return site


def names(app):
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Product.name)))


def ids(app, *wanted):
    with app.app_context():
        return [str(db.session.scalar(sa.select(Product.id).where(Product.name == n))) for n in wanted]


def test_delete_selected_asks_first_then_deletes_through_the_orm(catalog, admin_client):
    seen: list[str] = []

    def before(sender, instance, **kwargs):
        seen.append(f"pre {type(instance).__name__} {instance}")

    def after(sender, instance, **kwargs):
        seen.append(f"post {type(instance).__name__} {instance}")

    connect(pre_delete, before, weak=False)
    connect(post_delete, after, weak=False)
    try:
        selected = ids(catalog, "Teapot", "Kettle")
        page = post(
            admin_client, "/admin/catalog/product/", {"action": "delete_selected", "_selected_action": selected}
        )
        assert page.status_code == 200
        body = text(page)
        assert "Are you sure you want to delete the selected products?" in body
        assert "Products: 2" in body and "Reviews: 2" in body  # the cascade, summed
        assert "Reviewer 0" in body
        assert names(catalog) == ["Kettle", "Mug", "Teapot"]  # nothing yet
        response = post(
            admin_client,
            "/admin/catalog/product/",
            {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
        )
        assert response.status_code == 302
        assert names(catalog) == ["Mug"]
        assert "Successfully deleted 2 products." in text(admin_client.get("/admin/catalog/product/"))
    finally:
        disconnect(pre_delete, before)
        disconnect(post_delete, after)
    assert "pre Product Teapot" in seen and "post Product Kettle" in seen
    assert any(s.startswith("post Review") for s in seen)  # the ORM cascade deleted the reviews, with signals
    with catalog.app_context():
        entries = list(db.session.scalars(sa.select(LogEntry).order_by(LogEntry.id)))
        assert [(e.action_flag, e.object_repr) for e in entries] == [(3, "Teapot"), (3, "Kettle")]


def test_selecting_nothing_or_no_action_says_so(catalog, admin_client):
    response = post(admin_client, "/admin/catalog/product/", {"action": "delete_selected"})
    assert response.status_code == 302
    page = text(admin_client.get("/admin/catalog/product/"))
    assert "Items must be selected in order to perform actions on them. No items have been changed." in page
    post(admin_client, "/admin/catalog/product/", {"action": "", "_selected_action": ids(catalog, "Mug")})
    assert "No action selected." in text(admin_client.get("/admin/catalog/product/"))
    assert names(catalog) == ["Kettle", "Mug", "Teapot"]


def test_select_across_applies_to_every_row_the_filters_keep(catalog, admin_client):
    data = {"action": "publish", "_selected_action": ids(catalog, "Mug"), "select_across": "1", "post": "yes"}
    response = post(admin_client, "/admin/catalog/product/?category__id__exact=1", data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/catalog/product/?category__id__exact=1"
    with catalog.app_context():
        published = sorted(db.session.scalars(sa.select(Product.name).where(Product.status == Status.PUBLISHED)))
    assert published == ["Kettle", "Teapot"]


def test_a_custom_action_asks_first_unless_it_says_otherwise(catalog, admin_client):
    selected = ids(catalog, "Mug")
    page = post(admin_client, "/admin/catalog/product/", {"action": "publish", "_selected_action": selected})
    assert page.status_code == 200
    assert "Are you sure you want to run “Publish the selected products” on 1 product?" in text(page)
    with catalog.app_context():
        assert db.session.scalar(sa.select(Product.status).where(Product.name == "Mug")) is Status.DRAFT
    post(admin_client, "/admin/catalog/product/", {"action": "publish", "_selected_action": selected, "post": "yes"})
    with catalog.app_context():
        assert db.session.scalar(sa.select(Product.status).where(Product.name == "Mug")) is Status.PUBLISHED
    # archive is confirm=False: it runs at once, as Django's actions do
    response = post(admin_client, "/admin/catalog/product/", {"action": "archive", "_selected_action": selected})
    assert response.status_code == 302
    with catalog.app_context():
        assert db.session.scalar(sa.select(Product.status).where(Product.name == "Mug")) is Status.ARCHIVED


def test_actions_follow_the_users_permissions(catalog):
    create_user(catalog, "ed", "correct-horse-battery", "catalog.view_product", "catalog.change_product", is_staff=True)
    client = catalog.test_client()
    log_in(client, "ed")
    page = text(client.get("/admin/catalog/product/"))
    assert '<option value="publish">' in page and '<option value="delete_selected">' not in page
    selected = ids(catalog, "Mug")
    response = post(
        client, "/admin/catalog/product/", {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    )
    assert response.status_code == 403
    assert names(catalog) == ["Kettle", "Mug", "Teapot"]


def test_the_delete_page_shows_what_goes_and_a_get_deletes_nothing(catalog, admin_client):
    page = text(admin_client.get("/admin/catalog/product/1/delete/"))
    assert "Are you sure you want to delete the product “Teapot”?" in page
    assert "Reviews: 1" in page and "Reviewer 0" in page
    assert '<input type="hidden" name="post" value="yes">' in page
    assert names(catalog) == ["Kettle", "Mug", "Teapot"]
    response = post(admin_client, "/admin/catalog/product/1/delete/", {"post": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/catalog/product/"
    assert names(catalog) == ["Kettle", "Mug"]
    assert "The product “Teapot” was deleted successfully." in text(admin_client.get("/admin/catalog/product/"))


def test_protected_rows_stop_a_deletion(catalog, admin_client):
    # Product.category has no ON DELETE and the category has no relationship back: the products protect it.
    page = text(admin_client.get("/admin/catalog/category/1/delete/"))
    assert "Deleting the category “Kitchen” is not possible." in page
    assert "Products: Teapot" in page and "Products: Kettle" in page
    assert "Yes, I’m sure" not in page  # noqa: RUF001  (Django's text)
    assert post(admin_client, "/admin/catalog/category/1/delete/", {"post": "yes"}).status_code == 403
    with catalog.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 1


def test_a_cascade_to_a_model_the_user_may_not_delete_is_refused(catalog):
    create_user(
        catalog, "del", "correct-horse-battery", "catalog.view_product", "catalog.delete_product", is_staff=True
    )
    client = catalog.test_client()
    log_in(client, "del")
    page = text(client.get("/admin/catalog/product/1/delete/"))
    assert "your account doesn't have permission to delete the following types of objects" in page
    assert "<li>review</li>" in page
    assert post(client, "/admin/catalog/product/1/delete/", {"post": "yes"}).status_code == 403
    assert names(catalog) == ["Kettle", "Mug", "Teapot"]

"""Who may use which admin URL: every URL probed directly, as each kind of user, on the server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from flaskkit.plugins.orm import db

from .catalog.models import Product
from .conftest import create_user
from .conftest import csrf_token
from .conftest import grant_group
from .conftest import log_in
from .conftest import post
from .conftest import submit
from .conftest import text

#: Every GET page of the admin for one model (the product with id 1), plus the index pages.
GET_URLS = [
    "/admin/",
    "/admin/catalog/",
    "/admin/catalog/product/",
    "/admin/catalog/product/add/",
    "/admin/catalog/product/1/change/",
    "/admin/catalog/product/1/",
    "/admin/catalog/product/1/delete/",
    "/admin/catalog/product/1/history/",
    "/admin/catalog/product/autocomplete/?term=a",
    "/admin/auth/user/",
    "/admin/auth/user/1/change/",
    "/admin/auth/user/1/password/",
]

#: Every POST of the admin, with data that would change something if it were let through.
POSTS = [
    ("/admin/catalog/product/", {"action": "delete_selected", "_selected_action": "1", "post": "yes"}),
    ("/admin/catalog/product/add/", {"name": "Sneaked in", "price": "1", "stock": "1", "status": "DRAFT"}),
    ("/admin/catalog/product/1/change/", {"name": "Changed", "price": "1", "stock": "1", "status": "DRAFT"}),
    ("/admin/catalog/product/1/delete/", {"post": "yes"}),
    ("/admin/auth/user/1/password/", {"new_password1": "An0ther-passw0rd!", "new_password2": "An0ther-passw0rd!"}),
]


@pytest.fixture
def shop(site):
    with site.app_context():
        db.session.add(Product(name="Teapot", price=12))
        db.session.commit()
    return site


def product_names(app):
    with app.app_context():
        return [p.name for p in db.session.scalars(sa.select(Product).order_by(Product.id))]


def password_of(app, username="root"):
    from flaskkit.plugins.auth import User

    with app.app_context():
        return db.session.scalar(sa.select(User.password).where(User.username == username))


def assert_nothing_changed(app, before_password):
    assert product_names(app) == ["Teapot"]
    assert password_of(app) == before_password


@pytest.mark.parametrize("url", GET_URLS)
def test_anonymous_visitors_go_to_the_login_page_with_next(shop, url):
    response = shop.test_client().get(url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/accounts/login/?next=")
    from urllib.parse import parse_qs
    from urllib.parse import urlsplit

    assert parse_qs(urlsplit(location).query)["next"] == [url]


def test_anonymous_posts_change_nothing(shop):
    client = shop.test_client()
    before = password_of(shop)
    for url, data in POSTS:
        response = client.post(url, data={"csrf_token": csrf_token(client), **data})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/accounts/login/"), url
    assert_nothing_changed(shop, before)


def test_the_admin_login_url_sends_to_the_sites_login_page(shop):
    response = shop.test_client().get("/admin/login/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/admin/"


@pytest.mark.parametrize("kind", ["non-staff", "non-staff-superuser"])
def test_logged_in_users_who_are_not_staff_get_403_everywhere(shop, kind):
    create_user(shop, "eve", is_staff=False, is_superuser=kind.endswith("superuser"))
    client = shop.test_client()
    log_in(client, "eve")
    before = password_of(shop)
    for url in GET_URLS:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "this account may not use the admin site" in text(response), url
    for url, data in POSTS:
        assert post(client, url, data).status_code == 403, url
    assert_nothing_changed(shop, before)


def test_staff_without_permissions_sees_an_empty_index_and_403_elsewhere(shop):
    create_user(shop, "sam", is_staff=True)
    client = shop.test_client()
    log_in(client, "sam")
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "You don’t have permission to view or edit anything." in text(index)  # noqa: RUF001  (Django's text)
    assert client.get("/admin/catalog/").status_code == 404
    before = password_of(shop)
    for url in GET_URLS[2:]:
        assert client.get(url).status_code == 403, url
    for url, data in POSTS:
        assert post(client, url, data).status_code == 403, url
    assert_nothing_changed(shop, before)


def test_view_permission_shows_the_list_and_a_read_only_form(shop):
    create_user(shop, "viv", "correct-horse-battery", "catalog.view_product", is_staff=True)
    client = shop.test_client()
    log_in(client, "viv")
    index = text(client.get("/admin/"))
    assert ">Products</a>" in index and "Categories" not in index and ">Users<" not in index
    assert 'class="viewlink">View</a>' in index
    changelist = client.get("/admin/catalog/product/")
    assert changelist.status_code == 200
    page = text(changelist)
    assert "Select product to view" in page
    assert "Add product" not in page
    assert 'name="action"' not in page  # no action the user may run: no checkboxes either
    change = text(client.get("/admin/catalog/product/1/change/"))
    assert "View product" in change
    assert 'name="name"' not in change and "Teapot" in change
    assert "Save" not in change and ">Close<" in change
    assert client.get("/admin/catalog/product/1/history/").status_code == 200
    for url in ("/admin/catalog/product/add/", "/admin/catalog/product/1/delete/", "/admin/auth/user/"):
        assert client.get(url).status_code == 403, url
    before = password_of(shop)
    for url, data in POSTS:
        assert post(client, url, data).status_code == 403, url
    assert_nothing_changed(shop, before)


def test_add_permission_alone_adds_but_does_not_list(shop):
    create_user(shop, "ann", "correct-horse-battery", "catalog.add_product", is_staff=True)
    client = shop.test_client()
    log_in(client, "ann")
    assert client.get("/admin/catalog/product/").status_code == 403
    assert client.get("/admin/catalog/product/add/").status_code == 200
    response = submit(client, "/admin/catalog/product/add/", {"name": "Kettle", "price": "20", "stock": "3"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"  # no view permission: back to the index (Django)
    assert product_names(shop) == ["Teapot", "Kettle"]
    assert client.get("/admin/catalog/product/1/change/").status_code == 403


def test_change_and_delete_permissions_through_a_group(shop):
    create_user(shop, "gus", is_staff=True)
    grant_group(shop, "gus", "editors", "catalog.change_product", "catalog.delete_product")
    client = shop.test_client()
    log_in(client, "gus")
    page = text(client.get("/admin/catalog/product/"))
    assert "Select product to change" in page
    assert '<option value="delete_selected">Delete selected products</option>' in page
    response = submit(client, "/admin/catalog/product/1/change/", {"name": "Teapot XL"})
    assert response.status_code == 302, text(response)
    assert product_names(shop) == ["Teapot XL"]
    assert client.get("/admin/catalog/product/1/delete/").status_code == 200
    assert post(client, "/admin/catalog/product/1/delete/", {"post": "yes"}).status_code == 302
    assert product_names(shop) == []


def test_an_inactive_staff_member_is_logged_out_of_the_admin(shop):
    from flaskkit.plugins.auth import User

    create_user(shop, "ina", is_staff=True, is_superuser=True)
    client = shop.test_client()
    log_in(client, "ina")
    assert client.get("/admin/").status_code == 200
    with shop.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "ina"))
        user.is_active = False
        db.session.commit()
    response = client.get("/admin/catalog/product/")
    assert response.status_code in (302, 403)
    assert product_names(shop) == ["Teapot"]


def test_every_post_needs_its_csrf_token(shop, admin_client):
    before = password_of(shop)
    for url, data in POSTS:
        response = admin_client.post(url, data=data)
        assert response.status_code == 403, url
        assert "CSRF" in text(response), url
    assert_nothing_changed(shop, before)


def test_a_get_never_changes_data(shop, admin_client):
    query = "?action=delete_selected&_selected_action=1&post=yes"
    assert admin_client.get("/admin/catalog/product/" + query).status_code == 200
    assert admin_client.get("/admin/catalog/product/1/delete/?post=yes").status_code == 200
    assert admin_client.get("/admin/catalog/product/1/change/?name=Changed").status_code == 200
    assert product_names(shop) == ["Teapot"]


def test_a_missing_object_redirects_with_a_message(shop, admin_client):
    for url in (
        "/admin/catalog/product/99/change/",
        "/admin/catalog/product/abc/change/",
        "/admin/catalog/product/99/delete/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/admin/"
    page = text(admin_client.get("/admin/"))
    assert "Product with ID “abc” doesn’t exist. Perhaps it was deleted?" in page  # noqa: RUF001  (Django's text)


#: The routes Flask-Admin's ModelView exposes itself, which the admin's own views replace.
FLASK_ADMIN_ROUTES = [
    ("GET", "/admin/catalog/product/new/"),
    ("POST", "/admin/catalog/product/new/"),
    ("GET", "/admin/catalog/product/edit/?id=1"),
    ("POST", "/admin/catalog/product/edit/?id=1"),
    ("GET", "/admin/catalog/product/details/?id=1"),
    ("POST", "/admin/catalog/product/action/"),
    ("GET", "/admin/catalog/product/export/csv/"),
    ("GET", "/admin/catalog/product/ajax/lookup/?name=category&query=a"),
    ("POST", "/admin/catalog/product/ajax/update/"),
]


def test_flask_admins_own_routes_are_not_a_second_way_in(shop):
    """A view-only staff user cannot reach Flask-Admin's edit form or actions: those routes do not exist."""
    create_user(shop, "viv", "correct-horse-battery", "catalog.view_product", is_staff=True)
    client = shop.test_client()
    log_in(client, "viv", "correct-horse-battery")
    before = password_of(shop)
    rules = {rule.rule for rule in shop.url_map.iter_rules()}
    for path in ("/new/", "/edit/", "/details/", "/action/", "/export/<export_type>/", "/ajax/lookup/"):
        assert f"/admin/catalog/product{path}" not in rules, path
    for method, url in FLASK_ADMIN_ROUTES:
        data = {"name": "Changed", "price": "1", "list_form_pk": "1", "action": "delete", "rowid": "1"}
        response = post(client, url, data) if method == "POST" else client.get(url)
        assert response.status_code in (301, 302, 404, 405), (method, url, response.status_code)
    assert_nothing_changed(shop, before)

"""The auth plugin's models in the admin: users (Django's UserAdmin), groups, permissions, a swapped user model."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from flaskkit.plugins.auth import Group
from flaskkit.plugins.auth import User
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.orm import db
from tests.plugins.auth.custom_user import TABLES as CUSTOM_TABLES

from .conftest import PASSWORD
from .conftest import create_user
from .conftest import log_in
from .conftest import post
from .conftest import submit
from .conftest import text


def stored_hash(app, username):
    with app.app_context():
        model = get_user_model()
        column = getattr(model, model.USERNAME_FIELD)
        return db.session.scalar(sa.select(model.password).where(column == username))


def test_users_groups_and_permissions_are_registered(site, admin_client):
    index = text(admin_client.get("/admin/"))
    for name in ("Users", "Groups", "Permissions"):
        assert f">{name}</a>" in index
    users = text(admin_client.get("/admin/auth/user/"))
    for header in ("Username", "Email address", "First name", "Last name", "Is staff"):
        assert header in users
    for title in ("By is staff", "By is superuser", "By is active"):
        assert title in users
    assert "By groups" not in users  # no group yet: nothing to filter by (Django hides it too)
    with site.app_context():
        db.session.add_all([Group(name="Editors"), Group(name="Viewers")])
        db.session.commit()
    assert "By groups" in text(admin_client.get("/admin/auth/user/"))
    assert "Permissions" in text(admin_client.get("/admin/auth/permission/?q=change_product"))


def test_the_password_hash_is_never_shown(site, admin_client):
    encoded = stored_hash(site, "root")
    algorithm, iterations, salt, digest = encoded.split("$")[0], None, *encoded.split("$")[1:]
    del iterations
    for url in (
        "/admin/auth/user/",
        "/admin/auth/user/1/change/",
        "/admin/auth/user/1/history/",
        "/admin/auth/user/?q=root",
    ):
        page = text(admin_client.get(url))
        assert encoded not in page and digest not in page and salt not in page, url
    change = text(admin_client.get("/admin/auth/user/1/change/"))
    assert f"algorithm: {algorithm}" in change and "salt: " in change and "hash: " in change
    assert 'name="password"' not in change  # never a form field


def test_changing_a_user_does_not_touch_the_password(site, admin_client):
    before = stored_hash(site, "root")
    response = submit(admin_client, "/admin/auth/user/1/change/", {"first_name": "Rita", "password": "hijack"})
    assert response.status_code == 302, text(response)
    assert stored_hash(site, "root") == before
    with site.app_context():
        assert db.session.scalar(sa.select(User.first_name).where(User.username == "root")) == "Rita"


def test_the_change_password_form_runs_the_password_validators(site, admin_client):
    create_user(site, "bob")
    url = "/admin/auth/user/2/password/"
    page = text(admin_client.get(url))
    assert "Change password: bob" in page and "Password (again)" in page
    weak = post(admin_client, url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200
    assert "This password is too common." in text(weak) and "This password is entirely numeric." in text(weak)
    mismatch = post(admin_client, url, {"new_password1": "Tr1cky-horse-one", "new_password2": "Tr1cky-horse-two"})
    assert "didn’t match" in text(mismatch)  # noqa: RUF001  (Django's text)
    before = stored_hash(site, "bob")
    done = post(admin_client, url, {"new_password1": "Tr1cky-horse-one", "new_password2": "Tr1cky-horse-one"})
    assert done.status_code == 302 and done.headers["Location"] == "/admin/auth/user/2/change/"
    assert stored_hash(site, "bob") != before
    client = site.test_client()
    log_in(client, "bob", "Tr1cky-horse-one")
    history = text(admin_client.get("/admin/auth/user/2/history/"))
    assert "Changed password." in history


def test_changing_ones_own_password_keeps_one_logged_in(site, admin_client):
    done = post(
        admin_client,
        "/admin/auth/user/1/password/",
        {"new_password1": "N3w-own-secret", "new_password2": "N3w-own-secret"},
    )
    assert done.status_code == 302
    assert admin_client.get("/admin/").status_code == 200


def test_adding_a_user_asks_for_the_password_twice_then_opens_the_user(site, admin_client):
    page = text(admin_client.get("/admin/auth/user/add/"))
    assert 'name="password1"' in page and 'name="password2"' in page and "Personal info" not in page
    response = post(
        admin_client,
        "/admin/auth/user/add/",
        {"username": "carol", "password1": "Str0ng-enough-pw", "password2": "Str0ng-enough-pw", "_save": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/auth/user/2/change/"
    assert stored_hash(site, "carol").startswith("md5$")
    taken = post(admin_client, "/admin/auth/user/add/", {"username": "carol", "password1": "x", "password2": "x"})
    assert "A user with that username already exists." in text(taken)


def test_groups_get_permissions_and_users_get_groups(site, admin_client):
    with site.app_context():
        from flaskkit.plugins.auth import Permission

        perm = db.session.scalar(sa.select(Permission.id).where(Permission.codename == "view_product"))
    response = submit(admin_client, "/admin/auth/group/add/", {"name": "Viewers", "permissions": str(perm)})
    assert response.status_code == 302, text(response)
    create_user(site, "vic", is_staff=True)
    with site.app_context():
        group = db.session.scalar(sa.select(Group.id))
    assert submit(admin_client, "/admin/auth/user/2/change/", {"groups": str(group)}).status_code == 302
    client = site.test_client()
    log_in(client, "vic")
    assert client.get("/admin/catalog/product/").status_code == 200


@pytest.fixture
def member_site(make):
    app = make(AUTH_USER_MODEL="tests.plugins.auth.custom_user:AuthTestMember", tables=CUSTOM_TABLES["member"])
    create_user(app, "root", is_staff=True, is_superuser=True)
    return app


def test_a_swapped_user_model_gets_the_user_admin_too(member_site):
    client = member_site.test_client()
    log_in(client, "root")
    index = text(client.get("/admin/"))
    assert "/admin/custom_user/authtestmember/" in index
    assert client.get("/admin/auth/user/").status_code == 404
    page = text(client.get("/admin/custom_user/authtestmember/1/change/"))
    assert "Personal info" in page and 'name="bio"' in page and "<h2>Other</h2>" in page
    assert "algorithm: md5" in page
    response = submit(client, "/admin/custom_user/authtestmember/1/change/", {"bio": "Keeps the keys."})
    assert response.status_code == 302, text(response)
    pw = post(
        client,
        "/admin/custom_user/authtestmember/1/password/",
        {"new_password1": "An0ther-one-ok", "new_password2": "An0ther-one-ok"},
    )
    assert pw.status_code == 302


def test_a_user_model_without_is_staff_cannot_use_the_admin(make):
    app = make(AUTH_USER_MODEL="tests.plugins.auth.custom_user:AuthTestEmailUser", tables=CUSTOM_TABLES["email"])
    with app.app_context():
        get_user_model().objects.create_superuser("root@example.com", password=PASSWORD)
    report = app.test_cli_runner().invoke(args=["kit", "check"])
    assert "(admin.W152)" in report.output and "has no is_staff" in report.output
    client = app.test_client()
    log_in(client, "root@example.com")
    response = client.get("/admin/")
    assert response.status_code == 403  # as Django: the admin is for is_staff users, superusers too
    assert "You are logged in as root@example.com" in text(response)

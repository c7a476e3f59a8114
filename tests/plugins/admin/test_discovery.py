"""Autodiscovery: the admin modules of the enabled plugins and of the app itself, and only those apps' models."""

from __future__ import annotations

import sys
import textwrap

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.admin import admin_state
from tests.conftest import settings

from .catalog.models import Product
from .conftest import text
from .polls.models import Question


def models_of(app):
    return {model.__name__ for model in admin_state(app).model_admins}


def test_the_admin_modules_of_the_enabled_plugins_are_imported(site):
    state = admin_state(site)
    assert {
        "flaskkit.plugins.auth.admin",
        "tests.plugins.admin.catalog.admin",
        "tests.plugins.admin.polls.admin",
    } <= set(state.modules)
    assert {"Product", "Category", "Tag", "Review", "Question", "User", "Group", "Permission"} <= models_of(site)


def test_an_app_serves_only_the_registrations_of_its_own_plugins(make):
    without_catalog = make(
        PLUGINS=["orm", "session", "cache", "forms", "auth", "admin", "tests.plugins.admin.polls:PollsPlugin"]
    )
    assert Question in admin_state(without_catalog).model_admins
    assert Product not in admin_state(without_catalog).model_admins
    assert "catalog" not in {ma.opts.app_label for ma in admin_state(without_catalog).model_admins.values()}


def test_the_apps_own_package_admin_module(make, make_module):
    make_module(
        "shopfront.admin",
        """
        from flaskkit.plugins import admin
        from tests.plugins.admin.catalog.models import Tag

        site = admin.AdminSite("shopfront")
        site.register(Tag, search_fields=["name"])
        """,
    )
    make_module("shopfront.app", "")
    app = make(import_name="shopfront.app", ADMIN_SITE="shopfront.admin:site")
    assert "shopfront.admin" in admin_state(app).modules
    assert models_of(app) == {"Tag"}


def test_a_one_file_app_finds_admin_py_beside_it(tmp_path, monkeypatch):
    folder = tmp_path / "single"
    folder.mkdir()
    (folder / "single_app.py").write_text("")
    (folder / "admin.py").write_text(
        textwrap.dedent(
            """
            from flaskkit.plugins import admin
            from tests.plugins.admin.catalog.models import Category

            site = admin.AdminSite("single")
            site.register(Category)
            """
        )
    )
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "admin", raising=False)
    try:
        app = create_app(
            settings(
                PLUGINS=["orm", "session", "cache", "forms", "auth", "admin"],
                ADMIN_SITE="admin:site",
                DATABASE_URL=f"sqlite:///{tmp_path / 'single.sqlite'}",
            ),
            import_name="single_app",
            instance_path=str(tmp_path / "instance"),
        )
        assert app.root_path == str(folder)
        assert "admin" in admin_state(app).modules
        assert models_of(app) == {"Category"}
    finally:
        sys.modules.pop("admin", None)


def test_another_installed_admin_module_is_not_imported(tmp_path, monkeypatch, make):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "admin.py").write_text("raise RuntimeError('must not be imported')\n")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "admin", raising=False)
    app = make(migrate=False)
    assert "admin" not in admin_state(app).modules


def test_an_error_inside_an_admin_module_stops_the_boot(make, make_module):
    make_module("brokenshop.admin", "import no_such_module_anywhere\n")
    make_module("brokenshop.app", "")
    with pytest.raises(ConfigurationError) as caught:
        make(import_name="brokenshop.app", migrate=False)
    assert "Importing the admin module 'brokenshop.admin' failed: ModuleNotFoundError" in str(caught.value)


def test_the_admin_can_live_at_another_url(make):
    app = make(ADMIN_URL="/staff")
    from .conftest import create_user
    from .conftest import log_in

    create_user(app, "root", is_staff=True, is_superuser=True)
    client = app.test_client()
    log_in(client, "root")
    assert client.get("/staff/").status_code == 200
    assert 'href="/staff/catalog/product/"' in text(client.get("/staff/"))
    assert client.get("/admin/").status_code == 404


def test_a_flask_admin_view_of_the_bootstrap_theme_still_works_beside_it(site):
    """The kit's templates never take the names of Flask-Admin's Bootstrap templates (admin/base.html...)."""
    from flask_admin import Admin
    from flask_admin.contrib.sqla import ModelView
    from flask_admin.theme import Bootstrap4Theme

    from flaskkit.plugins.orm import db

    class Products(ModelView):
        column_list = ["name", "price"]

    other = Admin(site, name="Stock", url="/stock", endpoint="stock", theme=Bootstrap4Theme())
    other.add_view(Products(Product, db, endpoint="stock_products"))
    from .conftest import log_in

    admin_client = site.test_client()
    log_in(admin_client, "root")
    page = admin_client.get("/stock/stock_products/")
    assert page.status_code == 200
    assert "bootstrap" in text(page)
    assert admin_client.get("/admin/").status_code == 200

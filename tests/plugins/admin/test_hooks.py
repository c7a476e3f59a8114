"""Django's ModelAdmin hooks: get_queryset, the has_*_permission hooks (per object too), save_model,
delete_model, get_readonly_fields, exclude, list_display_links, and an inline without deletion."""

from __future__ import annotations

import sys

import sqlalchemy as sa

from flaskkit.plugins import admin
from flaskkit.plugins.auth import current_user
from flaskkit.plugins.orm import db

from .catalog.models import Product
from .catalog.models import Review
from .conftest import create_user
from .conftest import form_fields
from .conftest import log_in
from .conftest import post
from .conftest import submit
from .conftest import text
from .test_checks import boot


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    can_delete = False
    fields = ["author", "rating"]


class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "stock"]
    list_display_links = None
    exclude = ["description", "details", "code"]
    inlines = [ReviewInline]
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).where(Product.active.is_(True))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.stock > 0)

    def get_readonly_fields(self, request, obj=None):
        return ["name"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        obj.slug = f"by-{current_user.get_username()}"
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj.active = False  # a soft deletion
        db.session.flush()


def shop(make, monkeypatch):
    app = boot(make, monkeypatch, (Product, ShopAdmin))
    with app.app_context():
        on_sale = Product(name="On sale", price=1, stock=2, active=True)
        on_sale.reviews.append(Review(author="Ann", rating=4))
        db.session.add_all(
            [on_sale, Product(name="Sold out", price=1, stock=0), Product(name="Hidden", price=1, active=False)]
        )
        db.session.commit()
    create_user(app, "root", is_staff=True, is_superuser=True)
    client = app.test_client()
    log_in(client, "root")
    return app, client


def test_get_queryset_decides_what_is_listed_and_what_can_be_opened(make, monkeypatch):
    app, client = shop(make, monkeypatch)
    page = text(client.get("/admin/catalog/product/"))
    assert "On sale" in page and "Sold out" in page and "Hidden" not in page
    assert '<th scope="row"' not in page  # list_display_links = None: no links
    assert 'name="action"' not in page  # actions = None
    with app.app_context():
        hidden = db.session.scalar(sa.select(Product.id).where(Product.name == "Hidden"))
    response = client.get(f"/admin/catalog/product/{hidden}/change/")
    assert response.status_code == 302  # not among get_queryset's rows: "doesn't exist"


def test_per_object_change_permission_and_read_only_fields(make, monkeypatch):
    app, client = shop(make, monkeypatch)
    with app.app_context():
        sold_out = db.session.scalar(sa.select(Product.id).where(Product.name == "Sold out"))
    page = text(client.get(f"/admin/catalog/product/{sold_out}/change/"))
    assert "View product" in page and 'name="stock"' not in page
    assert post(client, f"/admin/catalog/product/{sold_out}/change/", {"stock": "5"}).status_code == 403
    fields = dict(form_fields(client, "/admin/catalog/product/1/change/"))
    assert "name" not in fields and "description" not in fields and "details" not in fields  # read-only, excluded
    assert 'name="reviews-0-DELETE"' not in text(client.get("/admin/catalog/product/1/change/"))  # can_delete = False


def test_save_model_and_delete_model(make, monkeypatch):
    app, client = shop(make, monkeypatch)
    assert submit(client, "/admin/catalog/product/1/change/", {"stock": "7"}).status_code == 302
    assert post(client, "/admin/catalog/product/1/delete/", {"post": "yes"}).status_code == 302
    with app.app_context():
        product = db.session.get(Product, 1)
        assert (product.stock, product.slug, product.active) == (7, "by-root", False)
    page = text(client.get("/admin/catalog/product/"))
    assert "The product “On sale” was deleted successfully." in page
    assert 'class="field-name">On sale</td>' not in page and 'class="field-name">Sold out</td>' in page


class ReviewMinInline(admin.TabularInline):
    model = Review
    extra = 0
    min_num = 1
    show_change_link = True


class OptionsAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "stock"]
    list_display_links = ["price"]
    sortable_by = ["stock"]
    save_as = True
    inlines = [ReviewMinInline]
    view_permissions = {**admin.ModelAdmin.view_permissions, "report_view": "change"}

    @admin.expose("/<object_id>/report/")
    def report_view(self, object_id):
        obj = self.get_object(None, object_id)
        return f"report of {obj.name}"


def test_links_sorting_save_as_min_num_and_a_custom_view(make, monkeypatch):
    app = boot(make, monkeypatch, (Product, OptionsAdmin), (Review, admin.ModelAdmin))
    with app.app_context():
        kettle = Product(name="Kettle", price=5, stock=1)
        kettle.reviews.append(Review(author="Ann", rating=4))
        db.session.add(kettle)
        db.session.commit()
    create_user(app, "root", is_staff=True, is_superuser=True)
    create_user(app, "viv", "correct-horse-battery", "catalog.view_product", is_staff=True)
    client = app.test_client()
    log_in(client, "root")
    page = text(client.get("/admin/catalog/product/"))
    assert '<th scope="row" class="field-price"><a href="/admin/catalog/product/1/change/' in page
    assert '<td class="field-name">Kettle</td>' in page
    assert 'href="?o=3"' in page and 'href="?o=1"' not in page  # only "stock" sorts
    change = text(client.get("/admin/catalog/product/1/change/"))
    assert 'name="_saveasnew"' in change and 'class="inlinechangelink"' in change
    no_review = submit(client, "/admin/catalog/product/1/change/", {"reviews-0-DELETE": "on"})
    assert "Please submit at least 1 form." in text(no_review)
    copy = submit(client, "/admin/catalog/product/1/change/", {"name": "Kettle copy"}, button="_saveasnew")
    assert copy.status_code == 302 and copy.headers["Location"].startswith("/admin/catalog/product/2/change/")
    with app.app_context():
        assert [p.name for p in db.session.scalars(sa.select(Product).order_by(Product.id))] == [
            "Kettle",
            "Kettle copy",
        ]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 2  # the inline copied too
    assert client.get("/admin/catalog/product/1/report/").get_data(as_text=True) == "report of Kettle"
    viewer = app.test_client()
    log_in(viewer, "viv")
    assert viewer.get("/admin/catalog/product/1/report/").status_code == 403  # "change" is needed


def test_site_wide_actions(make, monkeypatch):
    @admin.action(description="Count them", confirm=False)
    def count(modeladmin, request, queryset):
        modeladmin.message_user(request, f"{queryset.count()} selected.")

    site = admin.AdminSite("actions")
    site.add_action(count)
    site.disable_action("delete_selected")
    site.register(Product, admin.ModelAdmin, _module=__name__)
    monkeypatch.setattr(sys.modules[__name__], "ACTIONS_SITE", site, raising=False)
    app = make(ADMIN_SITE=f"{__name__}:ACTIONS_SITE", ADMIN_MODULES=[__name__])
    with app.app_context():
        db.session.add_all([Product(name="A", price=1), Product(name="B", price=1)])
        db.session.commit()
    create_user(app, "root", is_staff=True, is_superuser=True)
    client = app.test_client()
    log_in(client, "root")
    page = text(client.get("/admin/catalog/product/"))
    assert '<option value="count">Count them</option>' in page and "delete_selected" not in page
    post(client, "/admin/catalog/product/", {"action": "count", "_selected_action": ["1", "2"]})
    assert "2 selected." in text(client.get("/admin/catalog/product/"))


class RefusedAdmin(admin.ModelAdmin):
    fields = ["name", "price"]

    def save_model(self, request, obj, form, change):
        obj.name = None  # NOT NULL: the database refuses what the form accepted
        super().save_model(request, obj, form, change)


def test_a_change_the_database_refuses_is_a_form_error_not_a_500(make, monkeypatch):
    app = boot(make, monkeypatch, (Product, RefusedAdmin))
    create_user(app, "root", is_staff=True, is_superuser=True)
    client = app.test_client()
    log_in(client, "root")
    response = submit(client, "/admin/catalog/product/add/", {"name": "Teapot", "price": "3"})
    assert response.status_code == 200
    page = text(response)
    assert "The database refused the change, and nothing was saved: NOT NULL constraint failed" in page
    assert 'value="Teapot"' in page  # the form keeps what was typed
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0
        from flaskkit.plugins.admin import LogEntry

        assert db.session.scalar(sa.select(sa.func.count()).select_from(LogEntry)) == 0


def test_messages_go_through_the_messages_plugin_when_it_is_enabled(make):
    from .conftest import PLUGINS

    app = make(PLUGINS=[*PLUGINS, "messages"])
    create_user(app, "root", is_staff=True, is_superuser=True)
    client = app.test_client()
    log_in(client, "root")
    assert submit(client, "/admin/catalog/category/add/", {"name": "Lights"}).status_code == 302
    page = text(client.get("/admin/catalog/category/"))
    assert '<li class="success">The category “Lights” was added successfully.</li>' in page
    assert "was added successfully" not in text(client.get("/admin/catalog/category/"))  # shown once
    post(client, "/admin/catalog/product/", {"action": "publish"})
    assert '<li class="warning">Items must be selected' in text(client.get("/admin/catalog/product/"))

"""Django's ModelAdmin hooks: get_queryset, the has_*_permission hooks (per object too), save_model,
delete_model, get_readonly_fields, exclude, list_display_links, and an inline without deletion."""

from __future__ import annotations

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

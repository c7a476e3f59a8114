"""The catalog in the admin: most of Django's ModelAdmin options at once."""

from __future__ import annotations

import sqlalchemy as sa

from flaskkit.plugins import admin

from .models import Category
from .models import Product
from .models import Review
from .models import Status
from .models import Tag


class ReviewInline(admin.StackedInline):
    model = Review
    extra = 1
    max_num = 5


class PriceBand(admin.SimpleListFilter):
    title = "price band"
    parameter_name = "band"

    def lookups(self, request, model_admin):
        return [("cheap", "Under 10"), ("dear", "10 and more")]

    def queryset(self, request, queryset):
        if self.value() == "cheap":
            return queryset.where(Product.price < 10)
        if self.value() == "dear":
            return queryset.where(Product.price >= 10)
        return queryset


@admin.action(description="Publish the selected products", permissions=["change"])
def publish(modeladmin, request, queryset):
    for product in queryset:
        product.status = Status.PUBLISHED
    modeladmin.message_user(request, "Published.", "success")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "price",
        "active",
        "status",
        "size",
        "category",
        "tags",
        "released",
        "updated_at",
        "details",
        "code",
        "in_stock",
    ]
    list_filter = ["active", "status", "size", "category", "tags", "released", "updated_at", "details", PriceBand]
    search_fields = ["name", "^slug", "=code", "description", "category__name", "tags__name"]
    date_hierarchy = "updated_at"
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "slug", ("price", "stock"), "active", "status", "size"]}),
        (
            "Details",
            {"fields": ["description", "released", "details", "code", "category", "tags"], "classes": ["collapse"]},
        ),
        ("Times", {"fields": ["updated_at", "in_stock"]}),
    ]
    readonly_fields = ["updated_at", "in_stock"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["tags"]
    autocomplete_fields = ["category"]
    inlines = [ReviewInline]
    actions = [publish, "archive"]
    list_per_page = 20

    @admin.display(boolean=True, description="In stock", ordering="stock")
    def in_stock(self, product):
        return product.stock > 0

    @admin.action(description="Archive the selected products", permissions=["change"], confirm=False)
    def archive(self, request, queryset):
        queryset.update({Product.status: Status.ARCHIVED}, synchronize_session=False)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    ordering = ["name"]


admin.site.register(Tag, search_fields=["name"])


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["author", "product", "rating"]
    list_filter = ["rating", "product__active"]
    raw_id_fields = ["product"]
    search_fields = ["author", "product__name"]


def product_count(session):
    return session.scalar(sa.select(sa.func.count()).select_from(Product))

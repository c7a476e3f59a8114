"""Misconfigured admins fail at boot with Django's check ids (and show in ``flask kit check``)."""

from __future__ import annotations

import sys

import pytest

from flaskkit import ConfigurationError
from flaskkit.plugins import admin

from .catalog.models import Category
from .catalog.models import Product
from .catalog.models import Review
from .catalog.models import Tag
from .polls.models import Question

THIS = __name__


def boot(make, monkeypatch, *registrations, **settings):
    """An app whose admin serves exactly ``registrations`` ((model, admin class) pairs) from a site of its own."""
    site = admin.AdminSite("checks")
    for model, admin_class in registrations:
        site.register(model, admin_class, _module=THIS)
    monkeypatch.setattr(sys.modules[THIS], "SITE", site, raising=False)
    return make(ADMIN_SITE=f"{THIS}:SITE", ADMIN_MODULES=[THIS], **settings)


def boot_errors(make, monkeypatch, *registrations):
    with pytest.raises(ConfigurationError) as caught:
        boot(make, monkeypatch, *registrations)
    return str(caught.value)


def test_a_list_display_entry_that_names_nothing_is_admin_e108(make, monkeypatch):
    class PostAdmin(admin.ModelAdmin):
        list_display = ["name", "prize"]

    message = boot_errors(make, monkeypatch, (Product, PostAdmin))
    assert (
        "(admin.E108) The value of 'list_display[1]' refers to 'prize', which is not a callable or attribute of "
        "'PostAdmin', or an attribute, method, or field on 'catalog.Product'." in message
    )
    assert "Fix each one" in message


def test_an_unknown_search_field_is_admin_e151(make, monkeypatch):
    class ProductAdmin(admin.ModelAdmin):
        search_fields = ["name", "^titel", "category__nme", "category"]

    message = boot_errors(make, monkeypatch, (Product, ProductAdmin))
    assert "(admin.E151) The value of 'search_fields[1]' refers to 'titel', which is not a column" in message
    assert "Product has no field named 'titel'." in message
    assert "'search_fields[2]' refers to 'category__nme'" in message and "Did you mean 'name'?" in message
    assert "'search_fields[3]' refers to 'category', a relationship" in message


def test_an_inline_without_a_foreign_key_to_its_parent_is_admin_e202(make, monkeypatch):
    class TagInline(admin.TabularInline):
        model = Tag

    class CategoryAdmin(admin.ModelAdmin):
        inlines = [TagInline]

    message = boot_errors(make, monkeypatch, (Category, CategoryAdmin))
    assert "(admin.E202) 'catalog.Tag' has no ForeignKey to 'catalog.Category'" in message


def test_many_errors_are_reported_together(make, monkeypatch):
    class NotAFilter:
        pass

    class BadAdmin(admin.ModelAdmin):
        list_display = "name"
        list_filter = ["colour", NotAFilter]
        ordering = ["-nope"]
        date_hierarchy = "name"
        readonly_fields = ["ghost"]
        fields = ["name", "name"]
        raw_id_fields = ["name"]
        list_per_page = "many"
        actions = ["no_such_action"]

    message = boot_errors(make, monkeypatch, (Product, BadAdmin))
    for code in ("E107", "E116", "E113", "E033", "E128", "E035", "E006", "E003", "E118", "E132"):
        assert f"(admin.{code})" in message, code


def test_fields_that_a_form_cannot_edit(make, monkeypatch):
    class QuestionAdmin(admin.ModelAdmin):
        fields = ["question_text", "choices", "id", "nothing"]

    message = boot_errors(make, monkeypatch, (Question, QuestionAdmin))
    assert "refers to 'choices', which is a one-to-many relationship (edit it with an inline)" in message
    assert "refers to 'nothing', which is not a field" in message
    assert message.count("(admin.E152)") == 3


def test_a_field_named_like_a_form_attribute(make, monkeypatch):
    from sqlalchemy.orm import Mapped
    from sqlalchemy.orm import mapped_column

    class ReviewAdmin(admin.ModelAdmin):
        fields = ["author", "errors"]

    Review.errors = None  # not a column: E152; a real column named "data" gives E155 (see the catalog's "details")
    try:
        message = boot_errors(make, monkeypatch, (Review, ReviewAdmin))
    finally:
        del Review.errors
    assert "(admin.E155) The field 'errors' of 'catalog.Review' cannot be edited in a form" in message
    del Mapped, mapped_column


def test_autocomplete_needs_a_registered_admin_with_search_fields(make, monkeypatch):
    class ProductAdmin(admin.ModelAdmin):
        autocomplete_fields = ["category", "tags"]

    message = boot_errors(make, monkeypatch, (Product, ProductAdmin), (Category, admin.ModelAdmin))
    assert (
        "(admin.E040) ModelAdmin must define 'search_fields', because it's referenced by "
        "ProductAdmin.autocomplete_fields." in message
    )
    assert "(admin.E039) An admin for model 'Tag' has to be registered" in message


def test_flask_admin_options_are_warnings_in_flask_kit_check(make, monkeypatch, caplog):
    class ProductAdmin(admin.ModelAdmin):
        column_list = ["name"]
        list_editable = ["name"]

    app = boot(make, monkeypatch, (Product, ProductAdmin))
    result = app.test_cli_runner().invoke(args=["kit", "check"])
    assert result.exit_code == 0, result.output
    assert (
        "(admin.W150) 'column_list' is a Flask-Admin option, which flaskkit's admin pages do not read." in result.output
    )
    assert "HINT: Use Django's option instead: list_display." in result.output
    assert "(admin.W151)" in result.output


def test_a_good_admin_boots_without_a_message(make, monkeypatch):
    class ProductAdmin(admin.ModelAdmin):
        list_display = ["name", "category", "price"]
        search_fields = ["name", "category__name"]
        list_filter = ["active", ("category", admin.RelatedOnlyFieldListFilter)]

    app = boot(make, monkeypatch, (Product, ProductAdmin))
    result = app.test_cli_runner().invoke(args=["kit", "check"])
    assert "admin." not in result.output, result.output


def test_settings_are_validated(make):
    with pytest.raises(ConfigurationError, match="ADMIN_URL must be a path that starts with '/'"):
        make(ADMIN_URL="admin", migrate=False)
    with pytest.raises(ConfigurationError, match="ADMIN_SITE must be the 'module:attribute' path of an AdminSite"):
        make(ADMIN_SITE="nowhere", migrate=False)
    with pytest.raises(ConfigurationError, match=r"ADMIN_SITE names 'tests\.plugins\.admin\.test_checks:Product'"):
        make(ADMIN_SITE=f"{THIS}:Product", migrate=False)
    with pytest.raises(ConfigurationError, match="ADMIN_MODULES names the module 'no_such_admin_module'"):
        make(ADMIN_MODULES=["no_such_admin_module"], migrate=False)


def test_registering_twice_or_a_non_model_is_refused():
    site = admin.AdminSite("twice")
    site.register(Tag)
    with pytest.raises(admin.AlreadyRegistered, match="The model Tag is already registered with ModelAdmin"):
        site.register(Tag)
    site.unregister(Tag)
    site.register(Tag, search_fields=["name"])
    assert site.is_registered(Tag)
    with pytest.raises(ConfigurationError, match="Only model classes can be registered"):
        site.register("Tag")
    with pytest.raises(ConfigurationError, match="is not a mapped SQLAlchemy model"):
        site.register(dict)
    with pytest.raises(admin.NotRegistered):
        site.unregister(Category)

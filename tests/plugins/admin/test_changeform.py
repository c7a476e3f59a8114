"""Adding and changing: fieldsets, read-only fields, every column type edited, inlines, validation, the
buttons, raw-id and autocomplete fields."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
import sqlalchemy as sa

from flaskkit.plugins.orm import db

from .catalog.models import Category
from .catalog.models import Product
from .catalog.models import Review
from .catalog.models import Status
from .catalog.models import Tag
from .conftest import form_fields
from .conftest import submit
from .conftest import text


@pytest.fixture
def catalog(site):
    with site.app_context():
        kitchen = Category(name="Kitchen")
        db.session.add_all([kitchen, Category(name="Garden"), Tag(name="red"), Tag(name="blue")])
        teapot = Product(name="Teapot", price=decimal.Decimal("12.50"), stock=3, category=kitchen)
        teapot.reviews.append(Review(author="Ann", rating=4, text="Pours well."))
        db.session.add(teapot)
        db.session.commit()
    return site


def product(app, name):
    with app.app_context():
        found = db.session.scalar(sa.select(Product).where(Product.name == name))
        if found is not None:
            _ = (found.tags, found.reviews, found.category)  # loaded while the session is open
            db.session.expunge_all()
        return found


def test_the_add_page_lays_out_the_fieldsets(catalog, admin_client):
    page = text(admin_client.get("/admin/catalog/product/add/"))
    assert page.split('<div class="js-inline')[0].count('<fieldset class="module aligned') == 3
    assert "<details><summary>Details</summary>" in page  # "collapse"
    assert '<div class="form-row multi field-price field-stock">' in page  # ("price", "stock") on one line
    assert 'data-prepopulate-from="name"' in page
    assert 'class="filtered-select"' in page  # filter_horizontal
    assert "<h2>Reviews</h2>" in page and 'name="reviews-0-author"' in page  # one extra (StackedInline)
    assert 'name="reviews-TOTAL_FORMS" value="1"' in page
    assert '<template class="empty-form">' in page and "reviews-__prefix__-author" in page
    assert 'class="readonly">-</div>' in page  # read-only fields of a new object: empty


def test_add_with_every_type_and_an_inline(catalog, admin_client):
    with catalog.app_context():
        garden = db.session.scalar(sa.select(Category.id).where(Category.name == "Garden"))
        tags = list(db.session.scalars(sa.select(Tag.id).order_by(Tag.id)))
    response = submit(
        admin_client,
        "/admin/catalog/product/add/",
        {
            "name": "Hose",
            "slug": "hose",
            "price": "19.99",
            "stock": "7",
            "active": None,  # unticked
            "status": "PUBLISHED",
            "size": "L",
            "description": "Twenty metres.",
            "released": "2026-04-01",
            "details": '{"length": 20}',
            "code": "",  # blank: the column default makes one
            "category": str(garden),
            "tags": [str(tags[0]), str(tags[1])],
            "reviews-0-author": "Bob",
            "reviews-0-rating": "5",
            "reviews-0-text": "Long enough.",
        },
    )
    assert response.status_code == 302, text(response)
    assert response.headers["Location"] == "/admin/catalog/product/"
    hose = product(catalog, "Hose")
    assert (hose.slug, hose.price, hose.stock, hose.active) == ("hose", decimal.Decimal("19.99"), 7, False)
    assert (hose.status, hose.size, hose.released) == (Status.PUBLISHED, "L", datetime.date(2026, 4, 1))
    assert hose.details == {"length": 20} and isinstance(hose.code, uuid.UUID)
    assert hose.category.name == "Garden" and sorted(t.name for t in hose.tags) == ["blue", "red"]
    assert [(r.author, r.rating) for r in hose.reviews] == [("Bob", 5)]
    page = text(admin_client.get("/admin/catalog/product/"))
    assert "The product “Hose” was added successfully." in page


def test_change_shows_the_values_and_saves_a_changed_field(catalog, admin_client):
    fields = dict(form_fields(admin_client, "/admin/catalog/product/1/change/"))
    assert fields["name"] == "Teapot" and fields["price"] == "12.50" and fields["status"] == "DRAFT"
    assert fields["reviews-0-author"] == "Ann" and fields["reviews-0-id"] == "1"
    response = submit(admin_client, "/admin/catalog/product/1/change/", {"stock": "9", "reviews-0-rating": "2"})
    assert response.status_code == 302, text(response)
    teapot = product(catalog, "Teapot")
    assert teapot.stock == 9 and teapot.reviews[0].rating == 2
    assert teapot.updated_at.tzinfo is not None  # the aware datetime, read back aware


def test_the_buttons(catalog, admin_client):
    response = submit(admin_client, "/admin/catalog/product/1/change/", {"stock": "1"}, button="_continue")
    assert response.headers["Location"] == "/admin/catalog/product/1/change/"
    assert "You may edit it again below." in text(admin_client.get("/admin/catalog/product/1/change/"))
    response = submit(admin_client, "/admin/catalog/product/1/change/", {"stock": "2"}, button="_addanother")
    assert response.headers["Location"] == "/admin/catalog/product/add/"


def test_validation_errors_are_shown_and_nothing_is_saved(catalog, admin_client):
    response = submit(
        admin_client,
        "/admin/catalog/product/1/change/",
        {"name": "", "price": "cheap", "details": "{not json", "released": "yesterday", "reviews-0-rating": "many"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Please correct the errors below." in page
    assert "This field is required." in page
    assert "Enter a valid JSON." in page
    assert page.count('aria-invalid="true"') >= 4
    assert product(catalog, "Teapot").price == decimal.Decimal("12.50")


def test_a_unique_value_is_checked_by_the_form(catalog, admin_client):
    response = submit(admin_client, "/admin/catalog/category/add/", {"name": "Kitchen"})
    assert response.status_code == 200
    assert "Category with this Name already exists." in text(response)


def test_inline_rows_are_added_changed_and_deleted(catalog, admin_client):
    response = submit(
        admin_client,
        "/admin/catalog/product/1/change/",
        {
            "reviews-TOTAL_FORMS": "3",
            "reviews-0-DELETE": "on",
            "reviews-1-author": "Cy",
            "reviews-1-rating": "3",
            "reviews-2-author": "Di",
            "reviews-2-rating": "1",
        },
    )
    assert response.status_code == 302, text(response)
    assert sorted(r.author for r in product(catalog, "Teapot").reviews) == ["Cy", "Di"]


def test_inline_max_num_and_stale_rows_are_refused(catalog, admin_client):
    changes = {"reviews-TOTAL_FORMS": "7"}
    for n in range(1, 7):
        changes |= {f"reviews-{n}-author": f"R{n}", f"reviews-{n}-rating": "3"}
    response = submit(admin_client, "/admin/catalog/product/1/change/", changes)
    assert response.status_code == 302  # TOTAL_FORMS above max_num (5) is cut to 5: only four new rows read
    assert len(product(catalog, "Teapot").reviews) == 5
    response = submit(admin_client, "/admin/catalog/product/1/change/", {"reviews-0-id": "999"})
    assert response.status_code == 200
    assert "no longer exists or is not one of this object" in text(response)


def test_an_inline_row_of_another_parent_cannot_be_edited(catalog, admin_client):
    with catalog.app_context():
        other = Product(name="Kettle", price=1)
        other.reviews.append(Review(author="Eve", rating=1))
        db.session.add(other)
        db.session.commit()
        eve = db.session.scalar(sa.select(Review.id).where(Review.author == "Eve"))
    response = submit(
        admin_client, "/admin/catalog/product/1/change/", {"reviews-0-id": str(eve), "reviews-0-author": "Mallory"}
    )
    assert response.status_code == 200
    with catalog.app_context():
        assert db.session.scalar(sa.select(Review.author).where(Review.id == eve)) == "Eve"


def test_raw_id_fields_and_the_autocomplete_view(catalog, admin_client):
    page = text(admin_client.get("/admin/catalog/review/1/change/"))
    assert 'class="raw-id"' in page and 'name="product"' in page and 'value="1"' in page
    assert '<strong class="raw-id-label">Teapot</strong>' in page
    assert 'href="/admin/catalog/product/"' in page
    response = submit(admin_client, "/admin/catalog/review/1/change/", {"product": "999"})
    assert "Select a valid choice." in text(response)
    answer = admin_client.get("/admin/catalog/category/autocomplete/?term=kit").get_json()
    assert answer == {"results": [{"id": "1", "text": "Kitchen"}], "pagination": {"more": False}}
    assert admin_client.get("/admin/catalog/review/autocomplete/?term=x").status_code == 200
    assert admin_client.get("/admin/polls/question/autocomplete/").status_code == 200


def test_initial_values_from_the_query_string(catalog, admin_client):
    fields = dict(form_fields(admin_client, "/admin/catalog/product/add/?name=Draft&stock=4&category=1"))
    assert fields["name"] == "Draft" and fields["stock"] == "4"
    assert fields.get("category", "") == ""  # relationships are not taken from the query string

"""The change list: every column type shown, filtered, searched and ordered; pagination; the date hierarchy."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid

import pytest

from flaskkit.plugins.orm import db

from .catalog.models import Category
from .catalog.models import Product
from .catalog.models import Review
from .catalog.models import Status
from .catalog.models import Tag
from .conftest import text

UTC = datetime.UTC
CODE = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.fixture
def catalog(site):
    with site.app_context():
        kitchen, garden = Category(name="Kitchen"), Category(name="Garden")
        red, blue = Tag(name="red"), Tag(name="blue")
        db.session.add_all(
            [
                Product(
                    name="Teapot",
                    slug="teapot",
                    price=decimal.Decimal("12.50"),
                    stock=3,
                    active=True,
                    status=Status.PUBLISHED,
                    size="M",
                    released=datetime.date(2025, 3, 1),
                    updated_at=datetime.datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                    details={"colour": "white"},
                    code=CODE,
                    category=kitchen,
                    tags=[red, blue],
                    description="Porcelain, for tea.",
                ),
                Product(
                    name="Watering can",
                    slug="can",
                    price=decimal.Decimal("8"),
                    stock=0,
                    active=False,
                    status=Status.DRAFT,
                    size=None,
                    released=None,
                    updated_at=datetime.datetime(2026, 10, 2, 15, 0, tzinfo=UTC),
                    details=None,
                    category=garden,
                    tags=[blue],
                ),
                Product(
                    name="Spade",
                    slug="spade",
                    price=decimal.Decimal("25"),
                    stock=1,
                    active=True,
                    status=Status.ARCHIVED,
                    size="L",
                    released=datetime.date(2024, 6, 30),
                    updated_at=datetime.datetime(2025, 1, 5, 8, 0, tzinfo=UTC),
                    details=[1, 2],
                    category=None,
                ),
            ]
        )
        db.session.commit()
    return site


def names(response):
    """The names in the first column of the result table, in order."""
    page = text(response)
    assert response.status_code == 200, page[:3000]
    return re.findall(r'<th scope="row" class="field-name"><a href="[^"]+">([^<]*)</a></th>', page)


def test_every_column_type_is_shown(catalog, admin_client):
    page = text(admin_client.get("/admin/catalog/product/?q=teapot"))
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    for expected in (
        "Teapot",
        "12.50",  # Numeric
        'class="icon-yes"',  # Boolean
        "published",  # enum member: its value
        ">M<",  # a plain Enum
        ">Kitchen<",  # foreign key: str() of the row
        "red, blue",  # many-to-many
        "2025-03-01",  # Date
        "2026-11-20 09:00:00 UTC",  # aware datetime
        "{&#34;colour&#34;: &#34;white&#34;}",  # JSON (escaped)
        str(CODE),  # UUID
    ):
        assert expected in row, expected
    empty = text(admin_client.get("/admin/catalog/product/?q=watering"))
    assert 'class="field-released">-</td>' in empty  # None: the empty value display
    assert 'class="field-size">-</td>' in empty


def test_boolean_enum_and_choices_filters(catalog, admin_client):
    assert names(admin_client.get("/admin/catalog/product/?active__exact=1")) == ["Spade", "Teapot"]
    assert names(admin_client.get("/admin/catalog/product/?active__exact=0")) == ["Watering can"]
    assert names(admin_client.get("/admin/catalog/product/?status__exact=DRAFT")) == ["Watering can"]
    assert names(admin_client.get("/admin/catalog/product/?size__exact=L")) == ["Spade"]
    assert names(admin_client.get("/admin/catalog/product/?size__isnull=True")) == ["Watering can"]
    page = text(admin_client.get("/admin/catalog/product/?status__exact=DRAFT"))
    assert '<li class="selected"><a href="?status__exact=DRAFT" aria-current="true">draft</a></li>' in page
    assert "By status" in page and "By price band" in page


def test_related_and_many_to_many_filters(catalog, admin_client):
    with catalog.app_context():
        kitchen = db.session.scalar(db.select(Category).where(Category.name == "Kitchen"))
        blue = db.session.scalar(db.select(Tag).where(Tag.name == "blue"))
        kitchen_id, blue_id = kitchen.id, blue.id
    assert names(admin_client.get(f"/admin/catalog/product/?category__id__exact={kitchen_id}")) == ["Teapot"]
    assert names(admin_client.get("/admin/catalog/product/?category__isnull=True")) == ["Spade"]
    assert names(admin_client.get(f"/admin/catalog/product/?tags__id__exact={blue_id}")) == ["Teapot", "Watering can"]
    page = text(admin_client.get("/admin/catalog/product/"))
    assert ">Kitchen</a>" in page and ">Garden</a>" in page  # the related rows as links


def test_date_and_aware_datetime_filters(catalog, admin_client):
    url = "/admin/catalog/product/?released__gte=2025-01-01&released__lt=2026-01-01"
    assert names(admin_client.get(url)) == ["Teapot"]
    url = "/admin/catalog/product/?updated_at__gte=2026-10-01&updated_at__lt=2026-11-01"
    assert names(admin_client.get(url)) == ["Watering can"]
    assert names(admin_client.get("/admin/catalog/product/?released__isnull=True")) == ["Watering can"]
    page = text(admin_client.get("/admin/catalog/product/"))
    for label in ("Any date", "Today", "Past 7 days", "This month", "This year", "No date", "Has date"):
        assert f">{label}</a>" in page


def test_json_empty_filter_and_simple_list_filter(catalog, admin_client):
    assert names(admin_client.get("/admin/catalog/product/?details__isempty=1")) == ["Watering can"]
    assert names(admin_client.get("/admin/catalog/product/?details__isempty=0")) == ["Spade", "Teapot"]
    assert names(admin_client.get("/admin/catalog/product/?band=cheap")) == ["Watering can"]
    assert names(admin_client.get("/admin/catalog/product/?band=dear")) == ["Spade", "Teapot"]


def test_filters_across_a_relationship(catalog, admin_client):
    with catalog.app_context():
        teapot = db.session.scalar(db.select(Product).where(Product.name == "Teapot"))
        can = db.session.scalar(db.select(Product).where(Product.name == "Watering can"))
        db.session.add_all(
            [Review(product=teapot, author="Ann", rating=5), Review(product=can, author="Bob", rating=2)]
        )
        db.session.commit()
    page = text(admin_client.get("/admin/catalog/review/?product__active__exact=0"))
    assert ">Bob</a>" in page and ">Ann</a>" not in page


def test_bad_filter_values_are_ignored_with_a_notice(catalog, admin_client):
    for query, notice in (
        ("active__exact=maybe", "active__exact must be 1 or 0"),
        ("category__id__exact=abc", "&#39;abc&#39; is not a valid int"),
        ("released__gte=yesterday", "released__gte must be a date (YYYY-MM-DD)"),
        ("status__exact=LOST", "&#39;LOST&#39; is not one of the choices of status"),
        ("unknown=1", "Ignored the parameter &#39;unknown&#39;"),
        ("p=abc", "Ignored the page number"),
    ):
        response = admin_client.get(f"/admin/catalog/product/?{query}")
        assert response.status_code == 200, query
        assert notice in text(response), query
        assert len(names(response)) == 3, query


def test_search_with_djangos_prefixes(catalog, admin_client):
    assert names(admin_client.get("/admin/catalog/product/?q=porcelain")) == ["Teapot"]  # description, contains
    assert names(admin_client.get("/admin/catalog/product/?q=kitchen")) == ["Teapot"]  # category__name
    assert names(admin_client.get("/admin/catalog/product/?q=blue")) == ["Teapot", "Watering can"]  # tags__name
    assert names(admin_client.get("/admin/catalog/product/?q=spa")) == ["Spade"]  # ^slug: starts with
    assert names(admin_client.get("/admin/catalog/product/?q=pade")) == ["Spade"]  # name contains it
    assert names(admin_client.get(f"/admin/catalog/product/?q={CODE}")) == ["Teapot"]  # =code: exact
    assert names(admin_client.get("/admin/catalog/product/?q=1234")) == []  # =code is exact, not contains
    assert names(admin_client.get("/admin/catalog/product/?q=tea+porcelain")) == ["Teapot"]  # every word
    assert names(admin_client.get('/admin/catalog/product/?q="for+tea"')) == ["Teapot"]  # a quoted phrase
    assert names(admin_client.get("/admin/catalog/product/?q=100%25")) == []  # % is a character, not a wildcard
    page = text(admin_client.get("/admin/catalog/product/?q=blue"))
    assert "2 results" in page and "3 total" in page


def test_ordering_by_columns_methods_and_relationships(catalog, admin_client):
    assert names(admin_client.get("/admin/catalog/product/")) == ["Spade", "Teapot", "Watering can"]  # ordering
    assert names(admin_client.get("/admin/catalog/product/?o=2")) == ["Watering can", "Teapot", "Spade"]  # price
    assert names(admin_client.get("/admin/catalog/product/?o=-2")) == ["Spade", "Teapot", "Watering can"]
    # in_stock orders by "stock" (@admin.display(ordering=...)): 0, 1, 3
    assert names(admin_client.get("/admin/catalog/product/?o=12")) == ["Watering can", "Spade", "Teapot"]
    # the category column orders by the foreign key; rows without one come first (NULL)
    ordered = names(admin_client.get("/admin/catalog/product/?o=6.1"))
    assert ordered[0] == "Spade"
    assert names(admin_client.get("/admin/catalog/product/?o=99.x")) == ["Spade", "Teapot", "Watering can"]
    page = text(admin_client.get("/admin/catalog/product/?o=2"))
    assert 'aria-sort="ascending"' in page
    assert 'href="?o=-2"' in page  # the toggle


def test_pagination_and_show_all(site, admin_client):
    with site.app_context():
        db.session.add_all([Product(name=f"Item {n:03d}", price=n) for n in range(45)])
        db.session.commit()
    first = names(admin_client.get("/admin/catalog/product/"))
    assert first[0] == "Item 000" and len(first) == 20
    third = admin_client.get("/admin/catalog/product/?p=3")
    assert names(third)[0] == "Item 040" and len(names(third)) == 5
    page = text(third)
    assert '<span class="this-page" aria-current="page">3</span>' in page
    assert "45 products" in page
    assert len(names(admin_client.get("/admin/catalog/product/?p=99"))) == 5  # past the end: the last page
    assert len(names(admin_client.get("/admin/catalog/product/?all="))) == 45


def test_the_date_hierarchy(catalog, admin_client):
    page = text(admin_client.get("/admin/catalog/product/"))
    assert 'href="?updated_at__year=2025">2025</a>' in page and 'href="?updated_at__year=2026">2026</a>' in page
    year = admin_client.get("/admin/catalog/product/?updated_at__year=2026")
    assert names(year) == ["Teapot", "Watering can"]
    assert "October 2026" in text(year) and "November 2026" in text(year)
    month = admin_client.get("/admin/catalog/product/?updated_at__year=2026&updated_at__month=11")
    assert names(month) == ["Teapot"]
    assert "November 20" in text(month)
    day = admin_client.get("/admin/catalog/product/?updated_at__year=2026&updated_at__month=11&updated_at__day=21")
    assert names(day) == []
    bad = admin_client.get("/admin/catalog/product/?updated_at__year=2026&updated_at__month=13")
    assert bad.status_code == 200 and "Ignored the date" in text(bad)


def test_list_display_links_and_the_change_link_keeps_the_filters(catalog, admin_client):
    page = text(admin_client.get("/admin/catalog/product/?active__exact=1"))
    assert re.search(r'href="/admin/catalog/product/\d+/change/\?_changelist_filters=active__exact%3D1"', page)

"""The admin on PostgreSQL: aware datetimes (timestamptz) in filters and the date hierarchy whatever the
session's time zone, ``@`` full-text search, enums and JSON, and the add form with an inline."""

from __future__ import annotations

import datetime
import re

import pytest

from flaskkit.plugins.orm import db

from .catalog.models import Product
from .catalog.models import Status
from .conftest import create_user
from .conftest import log_in
from .conftest import submit
from .conftest import text

UTC = datetime.UTC


@pytest.fixture
def pg_site(make, pg_url):
    # A session time zone far from UTC: the admin must still read days in UTC.
    app = make(
        DATABASE_URL=pg_url.replace(
            "options=-csearch_path", "options=-c%20TimeZone%3DPacific/Kiritimati%20-csearch_path"
        )
    )
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert db.session.scalar(db.text("SHOW TimeZone")) == "Pacific/Kiritimati"
        db.session.add_all(
            [
                Product(
                    name="Late",
                    price=1,
                    status=Status.PUBLISHED,
                    details={"a": 1},
                    description="a kettle that whistles",
                    updated_at=datetime.datetime(2026, 11, 20, 23, 30, tzinfo=UTC),
                ),
                Product(
                    name="Early",
                    price=2,
                    description="teapots and kettles",
                    updated_at=datetime.datetime(2026, 11, 21, 0, 30, tzinfo=UTC),
                ),
            ]
        )
        db.session.commit()
    create_user(app, "root", is_staff=True, is_superuser=True)
    client = app.test_client()
    log_in(client, "root")
    return app, client


def names(response):
    return re.findall(r'<th scope="row" class="field-name"><a href="[^"]+">([^<]*)</a></th>', text(response))


def test_days_are_utc_days(pg_site):
    _, client = pg_site
    day = client.get("/admin/catalog/product/?updated_at__year=2026&updated_at__month=11&updated_at__day=20")
    assert names(day) == ["Late"]
    month = text(client.get("/admin/catalog/product/?updated_at__year=2026&updated_at__month=11"))
    assert "November 20" in month and "November 21" in month
    assert names(client.get("/admin/catalog/product/?updated_at__gte=2026-11-21&updated_at__lt=2026-11-22")) == [
        "Early"
    ]


def test_full_text_search_and_the_other_types(pg_site, monkeypatch):
    _app, client = pg_site
    from .catalog.admin import ProductAdmin

    monkeypatch.setattr(ProductAdmin, "search_fields", ["@description"])
    assert names(client.get("/admin/catalog/product/?q=kettle")) == ["Early", "Late"]  # stemmed: kettles too
    assert names(client.get("/admin/catalog/product/?q=whistle")) == ["Late"]
    monkeypatch.undo()
    assert names(client.get("/admin/catalog/product/?status__exact=PUBLISHED")) == ["Late"]
    assert names(client.get("/admin/catalog/product/?details__isempty=1")) == ["Early"]
    assert names(client.get("/admin/catalog/product/?q=lat")) == ["Late"]


def test_add_with_an_inline(pg_site):
    app, client = pg_site
    response = submit(
        client,
        "/admin/catalog/product/add/",
        {"name": "Mug", "price": "3", "stock": "2", "reviews-0-author": "Ann", "reviews-0-rating": "5"},
    )
    assert response.status_code == 302, text(response)
    with app.app_context():
        mug = db.session.scalar(db.select(Product).where(Product.name == "Mug"))
        assert [r.author for r in mug.reviews] == ["Ann"]


@pytest.mark.parametrize("object_id", ["3000000000", "9223372036854775808"])
def test_an_id_beyond_the_columns_integers_is_no_such_object(pg_site, object_id):
    _, client = pg_site
    response = client.get(f"/admin/catalog/product/{object_id}/change/")
    assert response.status_code == 302  # as for any missing object, not PostgreSQL's "out of range" as a 500
    assert client.get("/admin/catalog/product/").status_code == 200  # the next request's transaction is fine

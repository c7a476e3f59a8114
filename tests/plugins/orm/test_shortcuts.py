"""get_object_or_404 and get_list_or_404."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import MultipleResultsFound
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from flaskkit.plugins.orm import db
from flaskkit.plugins.orm import get_list_or_404
from flaskkit.plugins.orm import get_object_or_404

from .models import Author
from .models import Book
from .models import Token


@pytest.fixture
def library(app):
    with app.app_context():
        db.session.add_all(
            [
                Author(name="Ada", books=[Book(title="Notes"), Book(title="Sketches")]),
                Author(name="Grace", books=[Book(title="Compilers")]),
            ]
        )
        db.session.add(Token(key=uuid.UUID(int=7)))
        db.session.commit()

    @app.route("/authors/<author_id>")
    def author(author_id: str) -> str:
        return get_object_or_404(Author, id=author_id).name

    @app.route("/by-number/<int:author_id>")
    def by_number(author_id: int) -> str:
        return get_object_or_404(Author, id=author_id).name

    @app.route("/tokens/<key>")
    def token(key: str) -> str:
        return str(get_object_or_404(Token, key=key).counter)

    return app


def test_found(library):
    with library.app_context():
        ada = get_object_or_404(Author, name="Ada")
        assert ada.name == "Ada"
        assert get_object_or_404(Author, Author.name.startswith("Gr")).name == "Grace"
        statement = sa.select(Author).options(selectinload(Author.books))
        assert [b.title for b in get_object_or_404(statement, name="Ada").books] == ["Notes", "Sketches"]


def test_missing_is_a_404_with_djangos_message(library):
    with library.app_context(), pytest.raises(NotFound) as info:
        get_object_or_404(Author, id=9999)
    assert info.value.code == 404
    assert info.value.description == "No Author matches the given query."


def test_more_than_one_is_an_error_not_a_404(library):
    with library.app_context(), pytest.raises(MultipleResultsFound):
        get_object_or_404(Book, Book.title != "")


@pytest.mark.parametrize(
    "path",
    [
        "/authors/1",
        "/authors/abc",
        "/authors/99999999999999999999",
        "/by-number/99999999999999999999",
        "/tokens/not-a-uuid",
        "/tokens/00000000-0000-0000-0000-000000000008",
    ],
)
def test_bad_input_in_a_url_is_a_404_never_a_500(library, path):
    response = library.test_client().get(path)
    if path == "/authors/1":
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "Ada"
    else:
        assert response.status_code == 404


def test_a_uuid_given_as_text_is_found(library):
    response = library.test_client().get("/tokens/00000000-0000-0000-0000-000000000007")
    assert response.status_code == 200


def test_out_of_range_number_for_a_small_column_matches_nothing(library):
    with library.app_context(), pytest.raises(NotFound):
        get_object_or_404(Token, counter=2**20)


def test_get_list_or_404(library):
    with library.app_context():
        titles = [b.title for b in get_list_or_404(sa.select(Book).order_by(Book.title.desc()), author_id=1)]
        assert titles == ["Sketches", "Notes"]
        assert len(get_list_or_404(Book)) == 3
        with pytest.raises(NotFound) as info:
            get_list_or_404(Book, title="Missing")
        assert info.value.description == "No Book matches the given query."


def test_not_a_model(library):
    with library.app_context(), pytest.raises(TypeError, match=r"^int is not a mapped model class\.$"):
        get_object_or_404(int, id=1)

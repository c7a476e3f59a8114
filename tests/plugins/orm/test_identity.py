"""Model equality by primary key (Django's ``Model.__eq__`` and ``__hash__``), and the models in ``flask shell``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from flaskkit.plugins.orm import db

from .models import Animal
from .models import Author
from .models import Book
from .models import Dog
from .models import Token


@pytest.fixture
def saved(app):
    with app.app_context():
        author = Author(name="Ada")
        db.session.add(author)
        db.session.commit()
        return author.id


def test_rows_with_the_same_primary_key_are_equal(app, saved):
    with app.app_context():
        first = db.session.get(Author, saved)
    with app.app_context():
        second = db.session.get(Author, saved)
    assert first is not second
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second}) == 1
    assert first.pk == saved
    assert first != Author(id=saved + 1)


def test_other_models_and_other_objects_are_never_equal(app, saved):
    with app.app_context():
        author = db.session.get(Author, saved)
        assert author != Book(id=saved)
        assert author != saved
        assert author != "Ada"


def test_an_unsaved_instance_is_equal_only_to_itself():
    first, second = Author(name="x"), Author(name="x")
    assert first == first
    assert first != second
    assert first.pk is None
    with pytest.raises(TypeError, match=r"^Model instances without primary key value are unhashable$"):
        hash(first)
    assert Author(id=5) == Author(id=5)  # a primary key set by hand counts


def test_a_single_table_subclass_is_a_row_of_its_base_model():
    assert Dog(id=3) == Animal(id=3)
    assert hash(Dog(id=3)) == hash(Animal(id=3))


def test_a_primary_key_that_is_not_an_id(app):
    with app.app_context():
        token = Token()
        db.session.add(token)
        db.session.commit()
        assert token.pk == token.key
        assert token == Token(key=token.key)


def test_flask_shell_has_db_sa_and_the_models(app):
    with app.app_context():  # as in `flask shell`
        context = app.make_shell_context()
    assert context["db"] is db
    assert context["sa"] is sa
    assert context["Author"] is Author
    assert context["Book"] is Book
    assert context["Dog"] is Dog

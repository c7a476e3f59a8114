"""assert_num_queries, assert_max_num_queries, capture_queries and assert_queryset_equal: the cases of
Django's AssertNumQueries*, CaptureQueriesContextManagerTests and AssertQuerySetEqualTests, ported."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
from flask import session

from flaskkit.plugins.orm import db as orm_db
from flaskkit.test import assert_num_queries
from flaskkit.test import assert_queryset_equal
from flaskkit.test import capture_queries

from .models import Author
from .models import Book

if t.TYPE_CHECKING:
    from flask import Flask

    from .conftest import AppFactory


@pytest.fixture
def app(make_app: AppFactory, request: pytest.FixtureRequest) -> Flask:
    """The test's app; ``indirect`` parametrization gives its settings."""
    app = make_app(**getattr(request, "param", {}))

    @app.post("/remember")
    def remember() -> str:
        session["n"] = 1
        return "stored"

    @app.get("/read")
    def read() -> str:
        return str(session.get("n"))

    @app.get("/authors/<int:pk>")
    def get_author(pk: int) -> str:
        return orm_db.get_or_404(Author, pk).name

    @app.post("/authors")
    def add_author() -> str:
        orm_db.session.add(Author(name="new"))
        orm_db.session.commit()
        return "added"

    return app


def count() -> int:
    return t.cast(int, orm_db.session.scalar(sa.select(sa.func.count()).select_from(Author)))


@pytest.fixture
def ada(db) -> Author:
    author = Author(name="ada")
    db.session.add(author)
    db.session.commit()
    return author


def test_num_queries_as_a_context_manager(db):
    with assert_num_queries(0):
        pass
    with assert_num_queries(1):
        count()
    with assert_num_queries(2):
        count()
        count()


def test_num_queries_failure_lists_the_queries(db):
    with pytest.raises(AssertionError) as info, assert_num_queries(2):
        count()
    message = str(info.value)
    assert message.startswith("1 queries executed, 2 expected\nCaptured queries were:\n1. SELECT count(*)")
    with pytest.raises(TypeError), assert_num_queries(4000):
        raise TypeError


def test_num_queries_with_a_callable(db):
    def fails() -> None:
        raise ValueError

    with pytest.raises(ValueError):  # noqa: PT011 - the function's own exception, as it raised it
        assert_num_queries(2, fails)
    assert assert_num_queries(1, count) == 0


def test_num_queries_with_the_client(ada, client):
    assert_num_queries(1, client.get, f"/authors/{ada.id}")
    with assert_num_queries(1):
        assert client.get(f"/authors/{ada.id}").text == "ada"
    with assert_num_queries(2):
        client.get(f"/authors/{ada.id}")
        client.get(f"/authors/{ada.id}")


def test_transaction_control_is_not_a_query(db, client):
    with assert_num_queries(1) as captured:  # the INSERT: the commit (a savepoint release here) is not counted
        client.post("/authors")
    assert captured[0]["sql"].startswith("INSERT INTO orm_test_author")


def test_max_num_queries(ada, client, assert_max_num_queries):
    with assert_max_num_queries(2):
        client.get(f"/authors/{ada.id}")
    with (
        pytest.raises(AssertionError, match="2 queries executed, at most 1 expected\nextra words"),
        assert_max_num_queries(1, info="extra words"),
    ):
        assert_num_queries(2, lambda: (count(), count()))


def test_the_fixture_form_is_bound_to_the_tests_app(ada, client, assert_num_queries):
    path = f"/authors/{ada.id}"  # (reading ada.id after the commit is a query)
    with assert_num_queries(1):
        client.get(path)


def test_capture_queries(ada):
    other = ada.id + 1
    with capture_queries() as captured:
        orm_db.session.get(Author, other)
    assert len(captured) == 1
    assert captured[0]["params"] in ((other,), {"pk_1": other})
    with capture_queries() as captured:
        pass
    assert captured == []


def test_capture_queries_nest(db):
    with capture_queries() as outer:
        count()
        with capture_queries() as inner:
            count()
    assert (len(inner), len(outer)) == (1, 2)


def test_capture_queries_needs_the_app_outside_an_app_context(app):
    from flaskkit.test import run_isolated

    with pytest.raises(RuntimeError, match=r"capture_queries\(\) needs the app: pass app=\.\.\."):
        run_isolated(lambda: capture_queries().__enter__())
    with capture_queries(app) as captured:
        pass
    assert captured == []


# -- the session store's queries count (every engine of the app) ------------------------------------


@pytest.mark.parametrize("app", [{"PLUGINS": ["orm", "session"], "SESSION_ENGINE": "db"}], indirect=True)
@pytest.mark.parametrize("fixture", ["db", "transactional_db"])
def test_the_session_stores_queries_count(app, client, fixture, request):
    request.getfixturevalue(fixture)
    with assert_num_queries(1, app=app) as captured:
        client.post("/remember")
    assert captured[0]["sql"].startswith("INSERT INTO flaskkit_session")
    with assert_num_queries(1, app=app) as captured:
        assert client.get("/read").text == "1"
    assert captured[0]["sql"].startswith("SELECT flaskkit_session.session_data")


# -- assert_queryset_equal ------------------------------------------------------------------------


@pytest.fixture
def people(db) -> tuple[Author, Author]:
    p1, p2 = Author(name="p1"), Author(name="p2")
    db.session.add_all([p1, p2])
    db.session.commit()
    return p1, p2


def test_queryset_empty(people):
    assert_queryset_equal(sa.select(Author).where(Author.name == "p3"), [])


def test_queryset_ordered_and_unordered(people):
    p1, p2 = people
    assert_queryset_equal(sa.select(Author).order_by(Author.name), [p1, p2])
    assert_queryset_equal(sa.select(Author).order_by(Author.name), [p2, p1], ordered=False)
    with pytest.raises(AssertionError):
        assert_queryset_equal(sa.select(Author).order_by(Author.name), [p2, p1])


def test_queryset_compares_by_primary_key(people, db):
    p1, p2 = people
    ids = [p1.id, p2.id]
    db.session.expunge_all()  # other objects for the same rows
    assert_queryset_equal(sa.select(Author).order_by(Author.name), [p1, p2])
    assert_queryset_equal(sa.select(Author).order_by(Author.name), ids, transform=lambda a: a.id)
    assert_queryset_equal(sa.select(Author.name).order_by(Author.name), ["p1", "p2"])
    assert_queryset_equal(
        sa.select(Author).order_by(Author.name),
        [repr(p) for p in db.session.scalars(sa.select(Author))],
        transform=repr,
    )


def test_queryset_of_two_queries_and_of_results(people, db):
    query = sa.select(Author).order_by(Author.name)
    assert_queryset_equal(query, db.session.scalars(query).all())
    assert_queryset_equal(db.session.scalars(query), list(people))


def test_an_unordered_query_against_several_ordered_values_is_an_error(people):
    p1, p2 = people
    message = "Trying to compare non-ordered queryset against more than one ordered value."
    with pytest.raises(ValueError, match=message):
        assert_queryset_equal(sa.select(Author), [p1, p2])
    assert_queryset_equal(sa.select(Author).where(Author.name == "p1"), [p1])


def test_repeated_values_are_counted_when_unordered(people, db):
    p1, _ = people
    books = [Book(title=title, author=p1) for title in ["Batmobile"] * 2 + ["K 2000"] * 4]
    db.session.add_all(books)
    db.session.commit()
    titles = sa.select(Book.title)
    with pytest.raises(AssertionError, match="missing"):
        assert_queryset_equal(titles, ["Batmobile", "K 2000"], ordered=False)
    assert_queryset_equal(titles, ["Batmobile"] * 2 + ["K 2000"] * 4, ordered=False)


def test_queryset_failure_with_a_message(people):
    with pytest.raises(AssertionError, match=r"^custom: "):
        assert_queryset_equal(sa.select(Author.name).order_by(Author.name), ["p2", "p1"], msg="custom")

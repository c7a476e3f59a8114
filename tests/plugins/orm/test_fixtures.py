"""`flask kit dumpdata` / `loaddata` and ``load_fixture()``: Django's JSON fixtures, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import decimal
import json

import pytest
import sqlalchemy as sa

from flaskkit.plugins.orm import db
from flaskkit.plugins.orm.fixtures import FixtureError
from flaskkit.plugins.orm.fixtures import load_fixture

from .models import Author
from .models import Book
from .models import Dog
from .models import Entry
from .models import Event
from .models import Shelf
from .models import Status

LABELS = ["orm.author", "orm.book", "orm.shelf", "blog.entry", "orm.event", "orm.animal"]


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["kit", *args], input=input)


def populate(app):
    with app.app_context():
        ada, grace = Author(name="Ada"), Author(name="Grace")
        books = [Book(title="Notes", author=ada), Book(title="Compilers", author=grace), Book(title="More", author=ada)]
        shelf = Shelf(label="favourites", books=[books[0], books[1]])
        db.session.add_all([ada, grace, *books, shelf, Shelf(label="empty")])
        db.session.add(
            Entry(
                title="Hello",
                slug="hello",
                status=Status.LIVE,
                price=decimal.Decimal("12.50"),
                published_at=datetime.datetime(2024, 5, 1, 8, 30, 0, 123456, tzinfo=datetime.UTC),
                author=grace,
            )
        )
        db.session.add(Event(name="launch", starts_at=datetime.datetime(2024, 1, 1, 23, 0, tzinfo=datetime.UTC)))
        db.session.add(Dog(name="Rex"))
        db.session.commit()


def dump(app, *args):
    result = run(app, "dumpdata", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows(app):
    """Every row of the fixture tables, as the database has them."""
    with app.app_context():
        return {
            table: db.session.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
            for table in ("orm_test_author", "orm_test_book", "orm_test_shelf", "orm_test_shelf_book",
                          "orm_test_entry", "orm_test_event", "orm_test_animal")
        }  # fmt: skip


def test_the_json_is_djangos(app):
    populate(app)
    data = dump(app, "orm.author", "orm.book", "orm.shelf", "blog.entry", "orm.event")
    assert data[:2] == [
        {"model": "orm.author", "pk": 1, "fields": {"name": "Ada"}},
        {"model": "orm.author", "pk": 2, "fields": {"name": "Grace"}},
    ]
    assert {"model": "orm.book", "pk": 1, "fields": {"title": "Notes", "author": 1}} in data
    assert {"model": "orm.shelf", "pk": 1, "fields": {"label": "favourites", "books": [1, 2]}} in data
    [entry] = [item for item in data if item["model"] == "blog.entry"]
    assert entry["fields"] | {"status": "LIVE"} == {
        "title": "Hello",
        "slug": "hello",
        "code": None,
        "status": "LIVE",
        "kind": "post",
        "score": 0,
        "price": "12.50",
        "notes": "",
        "published_at": "2024-05-01T08:30:00.123456Z",
        "author": 2,
    }
    [event] = [item for item in data if item["model"] == "orm.event"]
    assert event["fields"]["starts_at"] == "2024-01-01T23:00:00Z"
    # parents before children: authors, then books and entries
    order = [item["model"] for item in data]
    assert order.index("orm.author") < order.index("orm.book")
    assert order.index("orm.author") < order.index("blog.entry")


def test_a_round_trip_into_an_empty_database_gives_the_same_rows(app, make_app, other_db_url):
    populate(app)
    data = dump(app, *LABELS, "--indent", "2")
    target = make_app(tables=True, DATABASE_URL=other_db_url)
    result = run(target, "loaddata", "-", input=json.dumps(data))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Installed {len(data)} objects from 1 fixture."
    assert rows(target) == rows(app)
    assert dump(target, *LABELS) == data
    with target.app_context():
        assert [b.title for b in db.session.get(Shelf, 1).books] == ["Notes", "Compilers"]
        assert isinstance(db.session.scalars(sa.select(Dog)).one(), Dog)
        # PostgreSQL's sequences moved past the loaded ids: a new row gets a new id
        author = Author(name="Linus")
        db.session.add(author)
        db.session.commit()
        assert author.id == 3


def test_natural_keys_round_trip(app, make_app, other_db_url, tmp_path):
    populate(app)
    path = tmp_path / "natural.json"
    result = run(app, "dumpdata", "orm.author", "orm.book", "--natural-foreign", "--natural-primary", "-o", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(path.read_text())
    assert data[0] == {"model": "orm.author", "fields": {"name": "Ada"}}
    assert {"model": "orm.book", "pk": 2, "fields": {"title": "Compilers", "author": ["Grace"]}} in data
    target = make_app(tables=True, DATABASE_URL=other_db_url)
    with target.app_context():
        db.session.add(Author(name="Grace"))  # already there: updated, not duplicated
        db.session.commit()
        assert load_fixture(path) == 5
        names = db.session.execute(sa.select(Author.id, Author.name).order_by(Author.id)).all()
        assert names == [(1, "Grace"), (2, "Ada")]
        book = db.session.get(Book, 2)
        assert (book.title, book.author.name) == ("Compilers", "Grace")


def test_an_existing_pk_is_updated(app):
    populate(app)
    fixture = [{"model": "orm.author", "pk": 1, "fields": {"name": "Ada Lovelace"}}]
    assert run(app, "loaddata", "-", input=json.dumps(fixture)).exit_code == 0
    with app.app_context():
        assert db.session.get(Author, 1).name == "Ada Lovelace"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Author)) == 2


def test_a_fixture_may_refer_to_objects_further_down(app):
    fixture = [
        {"model": "orm.shelf", "pk": 1, "fields": {"label": "s", "books": [1]}},
        {"model": "orm.book", "pk": 1, "fields": {"title": "t", "author": 1}},
        {"model": "orm.author", "pk": 1, "fields": {"name": "a"}},
    ]
    with app.app_context():
        from flaskkit.plugins.orm.fixtures import load_data

        assert load_data(fixture) == 3
        assert db.session.get(Shelf, 1).books[0].author.name == "a"


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ({"model": "orm.author"}, "a JSON fixture is a list of objects"),
        ([{"pk": 1}], 'object #1: each object needs a "model" ("app_label.model_name") and "fields".'),
        ([{"model": "orm.autor", "pk": 1, "fields": {}}],
         "object #1: Invalid model identifier: 'orm.autor'. No installed model has the label 'orm.autor'. "
         "Did you mean 'orm.author'"),
        ([{"model": "orm.author", "pk": 1, "fields": {"nam": "x"}}],
         "object #1 (orm.author pk=1): Invalid field name(s) for model orm.author: 'nam' (it has: name)."),
        ([{"model": "orm.author", "pk": 1, "fields": {"name": "a"}},
          {"model": "blog.entry", "pk": 1, "fields": {"title": "t", "slug": "s", "author": 1, "price": "lots"}}],
         "object #2 (blog.entry pk=1), field 'price': “lots” value must be a decimal number."),
        ([{"model": "orm.author", "pk": "x", "fields": {"name": "a"}}],
         "object #1 (orm.author pk='x'): \"pk\": “x” value must be an integer."),
        ([{"model": "orm.book", "pk": 1, "fields": {"title": "t", "author": ["Nobody"]}}],
         "object #1 (orm.book pk=1), field 'author': there is no orm.author with the natural key ['Nobody']."),
        ([{"model": "orm.shelf", "pk": 1, "fields": {"label": "s", "books": [9]}}],
         "object #1 (orm.shelf pk=1), field 'books': there is no orm.book with the pk 9."),
        ([{"model": "orm.book", "pk": 1, "fields": {"title": "t", "author": 9}}], "the database refused it: "),
    ],
)  # fmt: skip
def test_bad_fixtures_name_the_file_and_object_and_load_nothing(app, tmp_path, fixture, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(fixture))
    result = run(app, "loaddata", str(path))
    assert result.exit_code == 1
    assert f"Error: Problem installing fixture '{path}': " in result.output
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Author)) == 0


def test_invalid_json_and_a_missing_file(app, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"model": "orm.author",}]')
    result = run(app, "loaddata", str(path))
    assert result.exit_code == 1
    assert f"Problem installing fixture '{path}': it is not valid JSON: Expecting property name" in result.output
    with app.app_context(), pytest.raises(FixtureError, match="No such file or directory"):
        load_fixture(tmp_path / "missing.json")
    result = run(app, "loaddata", "nowhere")
    assert "Error: No fixture named 'nowhere' found (looked at the path, and in: " in result.output


def test_fixtures_are_found_by_name_in_fixture_dirs(make_app, tmp_path):
    directory = tmp_path / "fixtures"
    directory.mkdir()
    (directory / "authors.json").write_text(json.dumps([{"model": "orm.author", "pk": 4, "fields": {"name": "Ada"}}]))
    app = make_app(tables=True, FIXTURE_DIRS=[str(directory)])
    result = run(app, "loaddata", "authors")
    assert result.exit_code == 0, result.output
    assert result.output == "Installed 1 object from 1 fixture.\n"


def test_dumpdata_options(app):
    populate(app)
    assert sorted(item["model"] for item in dump(app, "orm", "-e", "orm.book", "-e", "orm.event")) == [
        "orm.animal", "orm.author", "orm.author", "orm.shelf", "orm.shelf",
    ]  # fmt: skip
    assert [item["pk"] for item in dump(app, "orm.book", "--pks", "1,3")] == [1, 3]
    result = run(app, "dumpdata", "orm.author", "--indent", "2")
    assert result.stdout.startswith('[\n  {\n    "model": "orm.author",\n    "pk": 1,')
    result = run(app, "dumpdata", "orm.nothing")
    assert result.exit_code == 1
    assert "Error: No installed model has the label 'orm.nothing'." in result.output
    assert "Error: No installed app has the label 'nope'." in run(app, "dumpdata", "nope").output
    assert "Give exactly one model" in run(app, "dumpdata", "orm", "--pks", "1").output
    assert "Unknown serialization format: 'xml'" in run(app, "dumpdata", "--format", "xml").output


def test_dumpdata_of_everything_leaves_out_models_without_a_table(app):
    populate(app)
    result = run(app, "dumpdata")
    assert result.exit_code == 0
    models = {item["model"] for item in json.loads(result.stdout)}
    assert set(LABELS) <= models
    assert "orm.unmigrated" not in models
    assert "Left out (no table in the database): " in result.stderr
    assert "orm.unmigrated" in result.stderr
    result = run(app, "dumpdata", "orm.unmigrated")
    assert result.exit_code == 1
    assert (
        "Error: The database has no table 'orm_test_unmigrated' for the model orm.unmigrated: "
        "apply the migrations (flask db upgrade)."
    ) in result.output

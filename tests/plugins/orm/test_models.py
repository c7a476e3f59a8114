"""Model, IdMixin, the table-name rule, foreign keys enforced on SQLite, two apps in one process."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import database_url
from flaskkit.plugins.orm import db

from .models import Author
from .models import Book
from .models import OrmTestHTTPLog


def test_model_is_db_model_with_the_naming_convention():
    assert Model is db.Model
    assert Model.metadata is db.metadata
    assert db.metadata.naming_convention["fk"] == "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"
    assert issubclass(OrmTestHTTPLog, IdMixin)


def test_table_name_is_the_class_name_in_snake_case():
    assert OrmTestHTTPLog.__tablename__ == "orm_test_http_log"
    assert Author.__tablename__ == "orm_test_author"  # an explicit name wins


def test_id_mixin_gives_a_first_big_integer_primary_key():
    table = OrmTestHTTPLog.__table__
    assert list(table.columns.keys()) == ["id", "path"]
    assert [c.name for c in table.primary_key] == ["id"]
    assert isinstance(table.c.id.type, sa.BigInteger)
    assert table.c.id.autoincrement is True


def test_constraint_names_follow_the_convention():
    assert Book.__table__.primary_key.name == "pk_orm_test_book"
    [foreign_key] = Book.__table__.foreign_key_constraints
    assert foreign_key.name == "fk_orm_test_book_author_id_orm_test_author"


def test_ids_autoincrement_on_both_backends(app, backend):
    with app.app_context():
        rows = [OrmTestHTTPLog(path="/a"), OrmTestHTTPLog(path="/b")]
        db.session.add_all(rows)
        db.session.commit()
        assert [row.id for row in rows] == [1, 2]
        column = sa.inspect(db.engine).get_columns("orm_test_http_log")[0]
        expected = sa.INTEGER if backend == "sqlite" else sa.BIGINT  # SQLite: INTEGER PRIMARY KEY
        assert type(column["type"]) is expected


def test_deleting_a_parent_cascades_to_children(app):
    with app.app_context():
        ada = Author(name="Ada", books=[Book(title="Notes"), Book(title="Sketches")])
        db.session.add(ada)
        db.session.commit()
        db.session.execute(sa.delete(Author).where(Author.id == ada.id))  # the database's ON DELETE CASCADE
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Book)) == 0


def test_a_dangling_foreign_key_is_refused(app, backend):
    with app.app_context():
        db.session.add(Book(title="Orphan", author_id=999))
        message = "FOREIGN KEY constraint failed" if backend == "sqlite" else "violates foreign key constraint"
        with pytest.raises(IntegrityError, match=message):
            db.session.commit()
        db.session.rollback()


def test_sqlite_connections_have_foreign_keys_on(app, backend):
    with app.app_context(), db.engine.connect() as connection:
        if backend == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_nothing_is_written_at_boot(make_app, backend, tmp_path):
    app = make_app()
    if backend == "sqlite":
        assert not (tmp_path / "test.db").exists()
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_two_apps_in_one_process_keep_their_databases_apart(make_app, tmp_path):
    first = make_app(tables=True)
    second = make_app(tables=True, DATABASE_URL=f"sqlite:///{tmp_path / 'second.db'}")
    assert database_url(first) != database_url(second)
    with first.app_context():
        db.session.add(Author(name="only in the first"))
        db.session.commit()
    with second.app_context():
        assert db.session.scalars(sa.select(Author.name)).all() == []
        db.session.add(Author(name="only in the second"))
        db.session.commit()
    with first.app_context():
        assert db.session.scalars(sa.select(Author.name)).all() == ["only in the first"]

"""``db`` (the Flask-SQLAlchemy extension object), the typed ``Model`` base and ``IdMixin``.

``db`` is module-level like any Flask extension object; it holds no app
state of its own that matters to us: Flask-SQLAlchemy keeps each app's engines
apart (``db.engines`` is per app), and ``db.session`` is scoped to the current
app context. Models, like Django's, are defined once for the process.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
import sqlalchemy.orm as sa_orm
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as _FlaskSession

from .connections import joined_connection

if t.TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

__all__ = ["NAMING_CONVENTION", "IdMixin", "Model", "Session", "db"]

#: Constraint and index names, so that every database (and Alembic's batch
#: mode on SQLite, which must name a constraint to drop it) sees the same
#: names. SQLAlchemy's documented convention; a check constraint keeps the name
#: you give it.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Session(_FlaskSession):
    """The class of ``db.session``'s sessions (Flask-SQLAlchemy's, which picks
    the engine per bind). Its own subclass so that ``on_commit``'s event
    listeners see only flaskkit's sessions.

    Under the ``db`` test fixture, a session uses the test's connection instead
    of the engine, in a savepoint of the test's transaction (SQLAlchemy's
    "joining a session into an external transaction"): its commits release
    the savepoint, and the test's rollback undoes everything.
    """

    def get_bind(self, *args: t.Any, **kwargs: t.Any) -> sa.Engine | sa.Connection:
        bind = super().get_bind(*args, **kwargs)
        joined = joined_connection(bind) if isinstance(bind, sa.Engine) else None
        if joined is None:
            return bind
        self.join_transaction_mode = "create_savepoint"
        return joined


class _Base(sa_orm.DeclarativeBase):
    """What every model has besides its columns: Django's identity and validation methods."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    # -- identity (Django's Model.__eq__ and __hash__) ------------------------------------

    @property
    def pk(self) -> t.Any:
        """The primary key's value (a tuple for a composite key); ``None`` until it has one."""
        values = sa.inspect(type(self)).primary_key_from_instance(self)
        if len(values) == 1:
            return values[0]
        return None if any(value is None for value in values) else tuple(values)

    def __eq__(self, other: object) -> bool:
        """Equal when both are rows of the same concrete model with the same primary key.

        An instance without a primary key yet (not flushed) is equal only to itself.
        Single-table subclasses are their base model's rows; a joined-table subclass
        is a model of its own (Django's proxy and multi-table inheritance).
        """
        # (Flask-SQLAlchemy rebuilds this class as db.Model: _Base is not among the models' bases)
        if not isinstance(other, Model):
            return NotImplemented
        if concrete_model(type(self)) is not concrete_model(type(other)):
            return False
        pk = self.pk
        if pk is None:
            return self is other
        return bool(pk == other.pk)

    def __hash__(self) -> int:
        pk = self.pk
        if pk is None:
            raise TypeError("Model instances without primary key value are unhashable")
        return hash((concrete_model(type(self)), pk))

    # -- validation (Django's full_clean) ----------------------------------------------

    def clean(self) -> None:
        """Validate the object as a whole (override it): raise ``ValidationError``, or change fields.

        ``full_clean()`` calls it after the fields are checked; a ModelForm too.
        """

    def clean_fields(self, exclude: t.Collection[str] | None = None) -> None:
        """Check and convert each column's value (types, choices, null, blank, length, validators)."""
        from .validation import clean_fields

        clean_fields(self, exclude)

    def validate_unique(self, exclude: t.Collection[str] | None = None) -> None:
        """Refuse values another row already has in a unique column, constraint or index."""
        from .validation import validate_unique

        validate_unique(self, exclude)

    def validate_constraints(self, exclude: t.Collection[str] | None = None) -> None:
        """Refuse values that break a check constraint of the model's table (evaluated by the database)."""
        from .validation import validate_constraints

        validate_constraints(self, exclude)

    def full_clean(
        self,
        exclude: t.Collection[str] | None = None,
        validate_unique: bool = True,
        validate_constraints: bool = True,
    ) -> None:
        """Django's ``full_clean()``: every check above, then one ``ValidationError`` with ``message_dict``."""
        from .validation import full_clean

        full_clean(self, exclude, validate_unique=validate_unique, validate_constraints=validate_constraints)


def concrete_model(model: type) -> type:
    """The model whose table holds the rows of ``model`` (a single-table subclass: its base's)."""
    mapper = sa.inspect(model)
    while mapper.inherits is not None and mapper.local_table is mapper.inherits.local_table:
        mapper = mapper.inherits
    return t.cast(type, mapper.class_)


#: The Flask-SQLAlchemy extension: ``db.session``, ``db.engine``,
#: ``db.select``, ``db.paginate``... The orm plugin calls ``db.init_app(app)``
#: for each app that lists it in ``PLUGINS``.
db = SQLAlchemy(model_class=_Base, session_options={"class_": Session})

if t.TYPE_CHECKING:
    # What type checkers see: a SQLAlchemy 2.x declarative base (``Mapped[...]``
    # and ``mapped_column`` type-check) with Flask-SQLAlchemy's class attributes.
    # ``class Post(db.Model)`` does not type-check under mypy, because ``db.Model`` is
    # an attribute, not a class (pallets-eco/flask-sqlalchemy#1186); ``class
    # Post(Model)`` does, and at run time ``Model`` *is* ``db.Model``.
    class Model(_Base, _FlaskModel):
        __abstract__ = True

else:
    #: The base class of the app's models (``db.Model``). A model without a
    #: ``__tablename__`` gets the class name in snake case: ``BlogPost`` ->
    #: ``blog_post``, ``HTTPLog`` -> ``http_log`` (no app prefix, unlike
    #: Django's ``<app_label>_<model>``); a subclass without a primary key of
    #: its own shares its parent's table (single-table inheritance).
    Model = db.Model


class IdMixin:
    """An auto-incrementing integer primary key ``id``, as Django's ``BigAutoField``.

    ::

        class Post(IdMixin, Model):
            title: Mapped[str] = mapped_column(String(200))

    A ``BIGINT`` on server databases (``BIGSERIAL`` on PostgreSQL), and SQLite's
    ``INTEGER PRIMARY KEY`` on SQLite (the only column type SQLite
    auto-increments; it holds 64-bit values there too). Listed first in the table.
    """

    id: sa_orm.Mapped[int] = sa_orm.mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
        sort_order=-1000,
    )

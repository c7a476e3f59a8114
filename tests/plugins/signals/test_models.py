"""The model signals on the orm plugin's db.session, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import logging
import typing as t

import pytest
import sqlalchemy as sa
from flask import Flask
from flask import abort
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit import create_app
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db
from flaskkit.plugins.signals import bulk_delete
from flaskkit.plugins.signals import bulk_update
from flaskkit.plugins.signals import post_commit_delete
from flaskkit.plugins.signals import post_commit_save
from flaskkit.plugins.signals import post_delete
from flaskkit.plugins.signals import post_save
from flaskkit.plugins.signals import pre_delete
from flaskkit.plugins.signals import pre_save
from flaskkit.plugins.signals import receiver
from tests.conftest import settings


class Post(IdMixin, Model):
    __tablename__ = "signals_post"
    title: Mapped[str] = mapped_column(sa.String(100))
    slug: Mapped[str | None] = mapped_column(sa.String(100), default=None)
    kind: Mapped[str] = mapped_column(sa.String(20), default="post")
    comments: Mapped[list[Comment]] = relationship(
        lambda: Comment, back_populates="post", cascade="all, delete-orphan", order_by=lambda: Comment.id
    )
    __mapper_args__: t.ClassVar[dict[str, t.Any]] = {"polymorphic_on": "kind", "polymorphic_identity": "post"}


class DraftPost(Post):
    __mapper_args__: t.ClassVar[dict[str, t.Any]] = {"polymorphic_identity": "draft"}


class Comment(IdMixin, Model):
    __tablename__ = "signals_comment"
    body: Mapped[str] = mapped_column(sa.String(100))
    post_id: Mapped[int] = mapped_column(sa.ForeignKey(Post.id, ondelete="CASCADE"))
    post: Mapped[Post] = relationship(Post, back_populates="comments")


class Tag(IdMixin, Model):
    __tablename__ = "signals_tag"
    name: Mapped[str] = mapped_column(sa.String(50))


class Profile(IdMixin, Model):
    __tablename__ = "signals_profile"
    post_id: Mapped[int] = mapped_column(sa.ForeignKey(Post.id, ondelete="CASCADE"))


TABLES = [Post.__table__, Comment.__table__, Tag.__table__, Profile.__table__]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'signals.sqlite3'}"
    return t.cast(str, request.getfixturevalue("postgres_url"))


_created: list[Flask] = []


def make_app(database_url: str, plugins: t.Sequence[str] = ("orm", "signals"), **values: t.Any) -> Flask:
    app = create_app(settings(PLUGINS=list(plugins), DATABASE_URL=database_url, TESTING=True, **values))
    _created.append(app)
    return app


@pytest.fixture(autouse=True)
def _dispose_engines() -> t.Iterator[None]:
    """Close the pooled connections of every app a test made (PostgreSQL connections must not leak)."""
    yield
    while _created:
        app = _created.pop()
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def app(database_url: str) -> t.Iterator[Flask]:
    app = make_app(database_url)
    with app.app_context():
        db.metadata.drop_all(db.engine, tables=TABLES)
        db.metadata.create_all(db.engine, tables=TABLES)
    yield app
    with app.app_context():
        db.session.remove()
        db.metadata.drop_all(db.engine, tables=TABLES)


events: list[tuple[t.Any, ...]] = []


@pytest.fixture(autouse=True)
def _clear_events():
    events.clear()


def record(name: str) -> t.Callable[..., None]:
    def receiver_(sender, instance=None, **kwargs):
        events.append((name, sender.__name__, kwargs.get("created"), kwargs.get("update_fields")))

    return receiver_


def count(model: type[Model]) -> int:
    """Rows as another connection sees them (only committed ones)."""
    with db.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


# -- the acceptance tests --------------------------------------------------------------


def test_post_save_with_sender_post_gets_created_then_updated_and_nothing_for_another_model(app):
    received = []

    @receiver(post_save, sender=Post, weak=False)
    def on_post_saved(sender, instance, created, **kwargs):
        received.append((sender, instance.title, created))

    with app.app_context():
        post = Post(title="Hello")
        db.session.add(post)
        db.session.add(Tag(name="python"))
        db.session.commit()
        post.title = "Hello, world"
        db.session.commit()
        db.session.add(Tag(name="flask"))
        db.session.commit()
    assert received == [(Post, "Hello", True), (Post, "Hello, world", False)]


def test_a_post_commit_receiver_does_not_run_when_the_transaction_rolls_back(app):
    committed = []

    @receiver(post_commit_save, sender=Post, weak=False)
    def after_commit(sender, instance, created, **kwargs):
        committed.append((instance.title, created, count(Post)))

    with app.app_context():
        db.session.add(Post(title="rolled back"))
        db.session.flush()  # post_save is sent here; post_commit_save waits for the commit
        db.session.rollback()
        assert committed == []
        db.session.add(Post(title="kept"))
        db.session.commit()
    assert committed == [("kept", True, 1)]  # after the commit: another connection sees the row


def test_a_raising_receiver_does_not_stop_the_next_under_send_robust(app, caplog):
    ran = []

    def broken(sender, **kwargs):
        raise RuntimeError("SMTP down")

    def next_one(sender, instance, **kwargs):
        ran.append(instance.title)

    post_commit_save.connect(broken, sender=Post, weak=False)
    post_commit_save.connect(next_one, sender=Post, weak=False)
    with app.app_context(), caplog.at_level(logging.ERROR, logger="flaskkit.signals"):
        db.session.add(Post(title="hello"))
        db.session.commit()  # post-commit signals are sent robustly: the commit does not raise
        assert count(Post) == 1
    assert ran == ["hello"]
    assert "of the signal 'post_commit_save' raised RuntimeError('SMTP down')" in caplog.text


# -- pre/post save and delete --------------------------------------------------------------


def test_each_save_sends_pre_then_post_once_with_update_fields(app):
    for signal, name in ((pre_save, "pre_save"), (post_save, "post_save")):
        signal.connect(record(name), weak=False)
    with app.app_context():
        post = Post(title="a")
        db.session.add(post)
        db.session.commit()
        post.title = "b"
        post.slug = "b"
        db.session.commit()
    assert events == [
        ("pre_save", "Post", True, None),
        ("post_save", "Post", True, None),
        ("pre_save", "Post", False, frozenset({"title", "slug"})),
        ("post_save", "Post", False, frozenset({"title", "slug"})),
    ]


def test_no_net_change_sends_nothing(app):
    post_save.connect(record("post_save"), weak=False)
    with app.app_context():
        post = Post(title="a")
        db.session.add(post)
        db.session.commit()
        events.clear()
        post.title = post.title
        db.session.commit()
    assert events == []


def test_a_pre_save_receiver_can_change_the_instance(app):
    @receiver(pre_save, sender=Post, weak=False)
    def slugify(sender, instance, **kwargs):
        instance.slug = instance.title.lower().replace(" ", "-")

    with app.app_context():
        db.session.add(Post(title="Hello World"))
        db.session.commit()
        db.session.expire_all()
        assert db.session.scalars(sa.select(Post.slug)).one() == "hello-world"


def test_a_post_save_receiver_can_create_rows_in_the_same_transaction(app):
    @receiver(post_save, sender=Post, weak=False)
    def create_profile(sender, instance, created, session, **kwargs):
        if created:
            session.add(Profile(post_id=instance.id))

    post_save.connect(record("post_save"), weak=False)
    with app.app_context():
        db.session.add(Post(title="a"))
        db.session.commit()
        assert count(Profile) == 1
    assert [e[:2] for e in events] == [("post_save", "Post"), ("post_save", "Profile")]


def test_a_post_save_receiver_can_query(app):
    seen = []

    @receiver(post_save, sender=Post, weak=False)
    def count_posts(sender, session, **kwargs):
        seen.append(session.scalar(sa.select(sa.func.count()).select_from(Post)))

    with app.app_context():
        db.session.add_all([Post(title="a"), Post(title="b")])
        db.session.commit()
    assert seen == [2, 2]  # both rows are written before the first post_save


def test_delete_sends_pre_and_post_delete_once_each(app):
    for signal, name in ((pre_delete, "pre_delete"), (post_delete, "post_delete"), (post_save, "post_save")):
        signal.connect(record(name), weak=False)
    with app.app_context():
        post = Post(title="a")
        db.session.add(post)
        db.session.commit()
        events.clear()
        db.session.delete(post)
        db.session.commit()
    assert events == [("pre_delete", "Post", None, None), ("post_delete", "Post", None, None)]


def test_cascades_send_per_object_signals(app):
    for signal, name in ((pre_delete, "pre_delete"), (post_delete, "post_delete")):
        signal.connect(record(name), weak=False)
    with app.app_context():
        post = Post(title="a", comments=[Comment(body="one"), Comment(body="two")])
        db.session.add(post)
        db.session.commit()
        # delete-orphan: removed from the collection, deleted by the flush itself
        post.comments.remove(post.comments[0])
        db.session.commit()
        assert events == [("pre_delete", "Comment", None, None), ("post_delete", "Comment", None, None)]
        events.clear()
        # cascade="all": deleting the post deletes its comments
        db.session.delete(post)
        db.session.commit()
    assert sorted(events) == [
        ("post_delete", "Comment", None, None),
        ("post_delete", "Post", None, None),
        ("pre_delete", "Comment", None, None),
        ("pre_delete", "Post", None, None),
    ]
    assert events.index(("post_delete", "Comment", None, None)) < events.index(("post_delete", "Post", None, None))


def test_a_subclass_model_is_its_own_sender_unless_propagate(app):
    exact, propagated = [], []
    post_save.connect(lambda sender, **kw: exact.append(sender.__name__), sender=Post, weak=False)
    post_save.connect(lambda sender, **kw: propagated.append(sender.__name__), sender=Post, weak=False, propagate=True)
    with app.app_context():
        db.session.add_all([Post(title="a"), DraftPost(title="b")])
        db.session.commit()
    assert exact == ["Post"]
    assert propagated == ["Post", "DraftPost"]


# -- bulk statements ------------------------------------------------------------------------------


def test_bulk_update_and_delete_send_one_signal_and_no_per_object_ones(app):
    bulk = []

    @receiver([bulk_update, bulk_delete], sender=Post, weak=False)
    def on_bulk(sender, statement, session, **kwargs):
        bulk.append((sender, type(statement).__name__))

    for signal, name in ((post_save, "post_save"), (post_delete, "post_delete")):
        signal.connect(record(name), weak=False)
    with app.app_context():
        db.session.add_all([Post(title="a"), Post(title="b")])
        db.session.commit()
        events.clear()
        db.session.execute(sa.update(Post).values(title="z"))
        db.session.execute(sa.delete(Post).where(Post.title == "z"))
        db.session.commit()
        assert count(Post) == 0
    assert bulk == [(Post, "Update"), (Post, "Delete")]
    assert events == []


def test_the_legacy_query_api_sends_the_bulk_signals_too(app):
    bulk = []
    receiver([bulk_update, bulk_delete], weak=False)(lambda sender, **kwargs: bulk.append(sender))
    with app.app_context():
        db.session.add(Post(title="a"))
        db.session.commit()
        db.session.query(Post).filter_by(title="a").update({"title": "b"})
        db.session.query(Post).filter_by(title="b").delete()
        db.session.commit()
    assert bulk == [Post, Post]


def test_a_muted_signal_sends_nothing(app):
    post_save.connect(record("post_save"), weak=False)
    with app.app_context(), post_save.muted():
        db.session.add(Post(title="a"))
        db.session.commit()
    assert events == []


# -- post-commit signals -----------------------------------------------------------------------------


def test_post_commit_signals_follow_savepoints(app):
    committed = []
    post_commit_save.connect(lambda sender, instance, **kw: committed.append(instance.title), weak=False)
    with app.app_context():
        db.session.add(Post(title="outer"))
        db.session.flush()
        savepoint = db.session.begin_nested()
        db.session.add(Post(title="inner"))
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
    assert committed == ["outer"]


def test_post_commit_delete_after_the_commit_only(app):
    deleted = []

    @receiver(post_commit_delete, sender=Post, weak=False)
    def gone(sender, instance, **kwargs):
        deleted.append((instance.title, count(Post)))

    with app.app_context():
        post = Post(title="a")
        db.session.add(post)
        db.session.commit()
        db.session.delete(post)
        db.session.flush()
        assert deleted == []
        db.session.commit()
    assert deleted == [("a", 0)]


@pytest.fixture
def atomic_app(database_url: str) -> t.Iterator[Flask]:
    app = make_app(database_url, ATOMIC_REQUESTS=True)
    with app.app_context():
        db.metadata.drop_all(db.engine, tables=TABLES)
        db.metadata.create_all(db.engine, tables=TABLES)

    @app.post("/posts")
    def create():
        db.session.add(Post(title="from a view"))
        db.session.flush()
        return "created", 201

    @app.post("/posts/fail")
    def create_then_fail():
        db.session.add(Post(title="never"))
        db.session.flush()
        abort(409)

    yield app
    with app.app_context():
        db.session.remove()
        db.metadata.drop_all(db.engine, tables=TABLES)


def test_with_atomic_requests_post_commit_runs_after_the_view_and_never_for_a_failed_one(atomic_app):
    saved, committed = [], []
    post_save.connect(lambda sender, instance, **kw: saved.append(instance.title), weak=False)
    post_commit_save.connect(lambda sender, instance, **kw: committed.append(instance.title), weak=False)
    client = atomic_app.test_client()
    assert client.post("/posts/fail").status_code == 409
    assert (saved, committed) == (["never"], [])
    assert client.post("/posts").status_code == 201
    assert (saved, committed) == (["never", "from a view"], ["from a view"])
    with atomic_app.app_context():
        assert db.session.scalars(sa.select(Post.title)).all() == ["from a view"]


# -- apps ---------------------------------------------------------------------------------------------


def test_model_signals_do_not_leak_into_an_app_without_the_plugin(app, database_url):
    post_save.connect(record("post_save"), weak=False)
    orm_only = make_app(database_url, plugins=["orm"])
    with orm_only.app_context():
        db.session.add(Post(title="quiet"))
        db.session.commit()
    assert events == []
    with app.app_context():
        db.session.add(Post(title="loud"))
        db.session.commit()
    assert [e[:3] for e in events] == [("post_save", "Post", True)]


def test_several_apps_do_not_multiply_the_signals(app, database_url):
    others = [make_app(database_url) for _ in range(3)]
    post_save.connect(record("post_save"), weak=False)
    for each in [app, *others]:
        with each.app_context():
            db.session.add(Post(title="one"))
            db.session.commit()
    assert len(events) == 4


def test_without_orm_no_model_signal_is_wired_and_a_check_says_why():
    post_save.connect(record("post_save"), weak=False)
    app = create_app(settings(PLUGINS=["signals"]))
    assert "flaskkit.signals" not in app.extensions
    messages = app.extensions["flaskkit"].run_checks(app).messages
    [message] = [m for m in messages if m.id == "signals.W002"]
    assert message.msg == (
        "Receivers are connected to the model signal 'post_save', but this app sends no model signals: "
        "the orm plugin is not enabled."
    )
    assert message.hint == "Add 'orm' to PLUGINS (the model signals come from its db.session)."


def test_signals_boots_after_orm_whatever_the_order_in_plugins(database_url):
    app = make_app(database_url, plugins=["signals", "orm"])
    assert list(app.extensions["flaskkit"].state(app).plugins) == ["orm", "signals"]
    assert "flaskkit.signals" in app.extensions

"""Fixtures of the auth models: users, groups and permissions with natural keys, and a model of the app's
with a foreign key to the user and a many-to-many to groups; dumped and loaded into an empty database."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit.plugins.auth import Group
from flaskkit.plugins.auth import Permission
from flaskkit.plugins.auth import User
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db
from flaskkit.plugins.orm.fixtures import load_fixture
from tests.plugins.orm.conftest import _schema_url

from .conftest import PASSWORD
from .conftest import log_in
from .conftest import whoami
from .custom_user import TABLES as CUSTOM_TABLES

article_editors = sa.Table(
    "auth_test_article_editors",
    Model.metadata,
    sa.Column("article_id", sa.ForeignKey("auth_test_article.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("auth_group.id", ondelete="CASCADE"), primary_key=True),
)


class AuthTestArticle(IdMixin, Model):
    """The app's own model: a foreign key to the user model, a many-to-many to groups."""

    __tablename__ = "auth_test_article"

    class Meta:
        app_label = "blog"

    title: Mapped[str] = mapped_column(sa.String(100))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("auth_user.id", ondelete="CASCADE"))
    author: Mapped[User] = relationship(User)
    editors: Mapped[list[Group]] = relationship(Group, secondary=article_editors, order_by=Group.id)


ARTICLE_TABLES = [AuthTestArticle.__table__, article_editors]
LABELS = ("auth", "blog.authtestarticle")
AUTH_TABLES = ["auth_permission", "auth_group", "auth_group_permissions", "auth_user", "auth_user_groups",
               "auth_user_user_permissions", "auth_test_article", "auth_test_article_editors"]  # fmt: skip


@pytest.fixture
def second_pg_url(postgres_url):
    yield from _schema_url(postgres_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def two_sites(request, make, tmp_path):
    """A site with data, and an empty migrated one, on the same backend."""
    if request.param == "postgresql":
        urls = [request.getfixturevalue("pg_url"), request.getfixturevalue("second_pg_url")]
    else:
        urls = [f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"]
    sites = [make(DATABASE_URL=url) for url in urls]
    for site in sites:
        with site.app_context():
            db.metadata.create_all(db.engine, tables=ARTICLE_TABLES)
    return sites


def populate(app):
    assert app.test_cli_runner().invoke(args=["auth", "sync-perms"]).exit_code == 0
    with app.app_context():
        perms = {p.perm: p for p in db.session.scalars(sa.select(Permission))}
        editors = Group(name="editors", permissions=[perms["blog.change_post"], perms["blog.publish_post"]])
        readers = Group(name="readers", permissions=[perms["blog.view_post"]])
        db.session.add_all([editors, readers])
        ada = User.objects.create_user("ada", "ada@example.com", PASSWORD, first_name="Ada")
        ada.groups = [editors]
        ada.user_permissions = [perms["blog.add_post"]]
        grace = User.objects.create_superuser("grace", "grace@example.com", PASSWORD)
        db.session.add(AuthTestArticle(title="Hello", author=ada, editors=[editors, readers]))
        db.session.add(AuthTestArticle(title="Again", author=grace))
        db.session.commit()


def dump(app, *args):
    result = app.test_cli_runner().invoke(args=["kit", "dumpdata", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


#: Association tables with an id of their own, which fixtures do not carry (Django's neither).
ASSOCIATIONS = {"auth_group_permissions", "auth_user_groups", "auth_user_user_permissions"}


def rows(app, *, ids=True):
    """The rows of the tables (without the ids when ``ids`` is false: two databases number rows their own way)."""
    with app.app_context():
        found = {}
        for table in AUTH_TABLES:
            columns = [c["name"] for c in sa.inspect(db.engine).get_columns(table)]
            selected = [
                c
                for c in columns
                if (ids or not (c == "id" or c.endswith("_id"))) and not (table in ASSOCIATIONS and c == "id")
            ]
            if not selected:
                continue
            query = f"SELECT {', '.join(selected)} FROM {table} ORDER BY {', '.join(selected)}"
            found[table] = db.session.execute(sa.text(query)).all()
        return found


def memberships(app):
    """Who is in which group and has which permission, by names."""
    with app.app_context():
        return {
            "groups": {(g.name, p.codename) for g in db.session.scalars(sa.select(Group)) for p in g.permissions},
            "users": {(u.username, g.name) for u in db.session.scalars(sa.select(User)) for g in u.groups},
            "perms": {
                (u.username, p.codename) for u in db.session.scalars(sa.select(User)) for p in u.user_permissions
            },
            "editors": {
                (a.title, a.author.username, g.name)
                for a in db.session.scalars(sa.select(AuthTestArticle))
                for g in a.editors
            },
        }


def test_the_user_fixture_is_djangos(two_sites):
    source, _ = two_sites
    populate(source)
    [ada] = [item for item in dump(source, "auth.user") if item["fields"]["username"] == "ada"]
    assert ada["model"] == "auth.user"
    fields = ada["fields"]
    assert fields["password"].startswith("md5$")
    assert fields["last_login"] is None
    assert fields["date_joined"].endswith("Z")
    assert (fields["first_name"], fields["is_staff"], fields["is_superuser"]) == ("Ada", False, False)
    assert fields["groups"] == [1]
    assert len(fields["user_permissions"]) == 1
    natural = dump(source, "auth.user", "--natural-foreign", "--natural-primary")
    assert natural[0]["fields"]["groups"] == [["editors"]]
    assert natural[0]["fields"]["user_permissions"] == [["add_post", "blog"]]
    assert "pk" not in natural[0]


def test_a_round_trip_by_primary_keys(two_sites):
    source, target = two_sites
    populate(source)
    data = dump(source, *LABELS)
    result = target.test_cli_runner().invoke(args=["kit", "loaddata", "-"], input=json.dumps(data))
    assert result.exit_code == 0, result.output
    assert rows(target) == rows(source)
    assert dump(target, *LABELS) == data
    # and the users work: log in with the loaded password hash
    client = target.test_client()
    assert log_in(client).status_code == 302
    assert whoami(client)["username"] == "ada"


def test_a_round_trip_by_natural_keys(two_sites, tmp_path):
    source, target = two_sites
    populate(source)
    path = tmp_path / "auth.json"
    args = ["kit", "dumpdata", *LABELS, "--natural-foreign", "--natural-primary", "--indent", "2", "-o", str(path)]
    assert source.test_cli_runner().invoke(args=args).exit_code == 0
    data = json.loads(path.read_text())
    editors = next(item for item in data if item["model"] == "auth.group" and item["fields"]["name"] == "editors")
    assert editors == {
        "model": "auth.group",
        "fields": {"name": "editors", "permissions": [["change_post", "blog"], ["publish_post", "blog"]]},
    }
    article = next(item for item in data if item["model"] == "blog.authtestarticle")
    assert article["fields"] == {"title": "Hello", "author": ["ada"], "editors": [["editors"], ["readers"]]}
    # The target has permissions of its own already (other ids): the fixture's are matched by natural key.
    assert target.test_cli_runner().invoke(args=["auth", "sync-perms"]).exit_code == 0
    with target.app_context():
        assert load_fixture(path) == len(data)
    assert rows(target, ids=False) == rows(source, ids=False)
    assert memberships(target) == memberships(source)
    assert dump(target, *LABELS, "--natural-foreign", "--natural-primary") == data
    with target.app_context():
        ada = User.objects.get_by_natural_key("ada")
        assert ada.has_perm("blog.publish_post") and ada.has_perm("blog.add_post")
        assert not ada.has_perm("blog.view_post")


def test_natural_keys_of_users_groups_and_permissions(site):
    with site.app_context():
        ada = User.objects.get_by_natural_key("ada")
        assert ada.natural_key() == ("ada",)
        group = Group(name="staff")
        db.session.add(group)
        db.session.commit()
        assert Group.get_by_natural_key("staff") == group
        assert Group.get_by_natural_key("nobody") is None
        permission = Permission(name="Can publish post", app_label="blog", codename="publish_post")
        db.session.add(permission)
        db.session.commit()
        assert permission.natural_key() == ("publish_post", "blog")
        assert Permission.get_by_natural_key("publish_post", "blog") == permission
        # Django's fixtures add the model name: accepted, unused
        assert Permission.get_by_natural_key("publish_post", "blog", "post") == permission


def test_with_a_custom_user_model_auth_user_is_not_installed(make):
    app = make(AUTH_USER_MODEL="tests.plugins.auth.custom_user:AuthTestMember", migrate=True)
    with app.app_context():
        db.metadata.create_all(db.engine, tables=CUSTOM_TABLES["member"])
    labels = {item["model"] for item in dump(app)}
    assert "auth.user" not in labels
    result = app.test_cli_runner().invoke(args=["kit", "dumpdata", "auth.user"])
    assert result.exit_code == 1
    assert "No installed model has the label 'auth.user'." in result.output

"""AUTH_USER_MODEL: a user model of the app's own, chosen before the first migration."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from flaskkit import ConfigurationError
from flaskkit.plugins.auth import Group
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.orm import db

from .conftest import PASSWORD
from .conftest import log_in
from .conftest import whoami
from .custom_user import TABLES
from .custom_user import AuthTestEmailUser
from .custom_user import AuthTestMember

MEMBER = "tests.plugins.auth.custom_user:AuthTestMember"


def tables_of(app):
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


@pytest.fixture
def member_site(make):
    app = make(AUTH_USER_MODEL=MEMBER)
    with app.app_context():
        db.metadata.create_all(db.engine, tables=TABLES["member"])  # the app's own migration would
    return app


def test_the_migration_leaves_out_auth_user_for_a_custom_model(make):
    app = make(AUTH_USER_MODEL=MEMBER)
    found = tables_of(app)
    assert {"auth_permission", "auth_group", "auth_group_permissions"} <= found
    assert not {"auth_user", "auth_user_groups", "auth_user_user_permissions"} & found


def test_test_databases_follow_the_user_model_the_migration_reads(make):
    # The test databases are made once per schema; the auth migration reads AUTH_USER_MODEL,
    # so a database made for one user model is never given to an app with another.
    assert "auth_user" in tables_of(make())
    assert "auth_user" not in tables_of(make(AUTH_USER_MODEL=MEMBER))
    assert "auth_user" in tables_of(make())


def test_the_custom_model_gets_djangos_association_tables():
    groups = AuthTestMember._auth_groups_table
    assert groups.name == "auth_test_member_groups"
    assert list(groups.c.keys()) == ["id", "authtestmember_id", "group_id"]
    assert AuthTestMember._auth_permissions_table.name == "auth_test_member_user_permissions"
    assert {fk.target_fullname for fk in groups.foreign_keys} == {"auth_test_member.id", "auth_group.id"}


def test_login_and_permissions_with_a_custom_model(member_site):
    with member_site.app_context():
        model = get_user_model()
        assert model is AuthTestMember
        member = model.objects.create_user("ada", "ada@example.com", PASSWORD, bio="Analyst")
        member.groups.append(Group(name="readers"))
        db.session.commit()
        assert member.groups[0].name == "readers"
    client = member_site.test_client()
    assert log_in(client).status_code == 302
    assert whoami(client)["username"] == "ada"
    assert client.get("/dashboard").get_data(as_text=True) == "dashboard of ada"


def test_a_model_that_logs_in_with_the_email_address(make):
    app = make(AUTH_USER_MODEL="tests.plugins.auth.custom_user:AuthTestEmailUser", views=False)
    with app.app_context():
        db.metadata.create_all(db.engine, tables=TABLES["email"])
        AuthTestEmailUser.objects.create_user("grace@example.com", password=PASSWORD)
        superuser = AuthTestEmailUser.objects.create_superuser("root@example.com", password=PASSWORD)
        assert superuser.is_superuser is True and superuser.has_perm("any.thing") is True
    client = app.test_client()
    page = client.get("/accounts/login/").get_data(as_text=True)
    assert '<label for="username">Email address</label>' in page
    response = log_in(client, "grace@example.com")
    assert response.status_code == 302
    response = log_in(app.test_client(), "grace@example.com", "wrong-password")
    assert "Please enter a correct email address and password." in response.get_data(as_text=True)


def test_django_rules_for_a_user_model_are_checked_at_boot(make):
    with pytest.raises(ConfigurationError) as info:
        make(migrate=False, AUTH_USER_MODEL="tests.plugins.auth.custom_user:AuthTestBadUser")
    ids = [message.id for message in info.value.messages]
    assert ids == ["auth.E002", "auth.E003"]
    text = str(info.value)
    assert (
        "The field named as the 'USERNAME_FIELD' for a custom user model must not be included in 'REQUIRED_FIELDS'"
        in text
    )
    path = "tests.plugins.auth.custom_user:AuthTestBadUser"
    assert f"{path}.nickname must be unique because it is named as the 'USERNAME_FIELD'." in text

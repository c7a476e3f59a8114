"""``flask auth createsuperuser | changepassword | sync-perms``, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from flaskkit.plugins.auth import User
from flaskkit.plugins.auth.hashers import DEFAULT_PASSWORD_HASHERS
from flaskkit.plugins.orm import db

from .conftest import create_user
from .conftest import log_in
from .conftest import stored_hash


@pytest.fixture(params=["sqlite", "postgresql"])
def cli_site(request, make):
    """A site whose users table is on SQLite, or on the real PostgreSQL (a schema of this test)."""
    values = {}
    if request.param == "postgresql":
        values["DATABASE_URL"] = request.getfixturevalue("pg_url")
    app = make(**values)
    with app.app_context():
        assert db.engine.dialect.name == request.param
    return app


def run(app, *args, env=None, input=None):
    return app.test_cli_runner().invoke(args=["auth", *args], env=env, input=input)


def users(app):
    with app.app_context():
        return {
            u.username: (u.email, u.is_staff, u.is_superuser, u.is_active) for u in db.session.scalars(sa.select(User))
        }


def test_createsuperuser_noinput_with_the_password_from_the_environment(make, cli_site):
    # Another app on the same database, with the default hashers (the tests' apps use MD5 for speed).
    database = cli_site.config["SQLALCHEMY_DATABASE_URI"]
    app = make(DATABASE_URL=database, migrate=False, PASSWORD_HASHERS=list(DEFAULT_PASSWORD_HASHERS))
    result = run(
        app,
        "createsuperuser",
        "--noinput",
        "--username",
        "admin",
        "--email",
        "a@B.C",
        env={"FLASKKIT_SUPERUSER_PASSWORD": "S3cure-pass"},
    )
    assert (result.exit_code, result.output) == (0, "Superuser created successfully.\n")
    assert users(app) == {"admin": ("a@b.c", True, True, True)}
    assert stored_hash(app, "admin").startswith("pbkdf2_sha256$1000000$")
    assert log_in(app.test_client(), "admin", "S3cure-pass").status_code == 302


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("12345678", ["This password is too common.", "This password is entirely numeric."]),
        ("93746281", ["This password is entirely numeric."]),
        (
            "letmein",
            ["This password is too short. It must contain at least 8 characters.", "This password is too common."],
        ),
    ],
)
def test_createsuperuser_noinput_applies_the_validators(cli_site, password, messages):
    result = run(
        cli_site, "createsuperuser", "--noinput", "--username", "admin", env={"FLASKKIT_SUPERUSER_PASSWORD": password}
    )
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: The password in FLASKKIT_SUPERUSER_PASSWORD was refused:\n" + "\n".join(messages) + "\n"
    )
    assert users(cli_site) == {}


def test_createsuperuser_noinput_errors(cli_site):
    create_user(cli_site, "taken")
    env = {"FLASKKIT_SUPERUSER_PASSWORD": "S3cure-pass"}
    result = run(cli_site, "createsuperuser", "--noinput", env=env)
    assert (result.exit_code, result.output) == (1, "Error: You must use --username with --noinput.\n")
    result = run(cli_site, "createsuperuser", "--noinput", "--username", "taken", env=env)
    assert (result.exit_code, result.output) == (1, "Error: That username is already taken.\n")
    result = run(cli_site, "createsuperuser", "--noinput", "--username", "bad name", env=env)
    assert result.exit_code == 1
    assert result.output == (
        "Error: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.\n"
    )


def test_createsuperuser_noinput_reads_the_username_from_the_environment_and_may_have_no_password(cli_site):
    result = run(cli_site, "createsuperuser", "--no-input", env={"FLASKKIT_SUPERUSER_USERNAME": "envadmin"})
    assert result.exit_code == 0, result.output
    assert users(cli_site)["envadmin"] == ("", True, True, True)
    assert stored_hash(cli_site, "envadmin").startswith("!")  # nobody can log in with a password


def test_createsuperuser_asks_and_repeats_until_the_password_is_accepted(cli_site):
    answers = "\n".join(
        [
            "root",  # username
            "root@example.com",  # email
            "one-Pass-123",
            "other-Pass-123",  # mismatch
            "12345678",
            "12345678",  # refused...
            "n",  # ...and not bypassed
            "Good-Pass-2026",
            "Good-Pass-2026",
        ]
    )
    result = run(cli_site, "createsuperuser", input=answers + "\n")
    assert result.exit_code == 0, result.output
    assert "Error: Your passwords didn't match." in result.output
    assert "This password is too common.\nThis password is entirely numeric." in result.output
    assert "Bypass password validation and create user anyway? [y/N]" in result.output
    assert result.output.endswith("Superuser created successfully.\n")
    assert users(cli_site)["root"] == ("root@example.com", True, True, True)
    assert log_in(cli_site.test_client(), "root", "Good-Pass-2026").status_code == 302


def test_createsuperuser_can_bypass_the_validators_when_asked(cli_site):
    result = run(
        cli_site, "createsuperuser", "--username", "root", "--email", "r@x.io", input="12345678\n12345678\ny\n"
    )
    assert result.exit_code == 0, result.output
    assert "root" in users(cli_site)


def test_changepassword(cli_site):
    create_user(cli_site, "ada")
    result = run(cli_site, "changepassword", "ada", input="New-Pass-777\nNew-Pass-777\n")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Password changed successfully for user 'ada'\n")
    assert log_in(cli_site.test_client(), "ada", "New-Pass-777").status_code == 302


def test_changepassword_gives_up_after_three_tries(cli_site):
    create_user(cli_site, "ada")
    result = run(cli_site, "changepassword", "ada", input="a-Pass-1234\nb-Pass-1234\n123\n123\n12345678\n12345678\n")
    assert result.exit_code == 1
    assert "Passwords do not match. Please try again." in result.output
    assert "This password is too short. It must contain at least 8 characters." in result.output
    assert result.output.endswith("Error: Aborting password change for user 'ada' after 3 attempts\n")


def test_changepassword_unknown_user(cli_site):
    result = run(cli_site, "changepassword", "nobody")
    assert (result.exit_code, result.output) == (1, "Error: user 'nobody' does not exist\n")


def test_commands_say_to_migrate_first(make):
    app = make(migrate=False)
    result = run(app, "createsuperuser", "--noinput", "--username", "x")
    assert result.exit_code == 1
    assert result.output.startswith("Error: The table 'auth_user' of the user model cannot be read")
    assert result.output.endswith("Create the tables first: flask db upgrade\n")
    result = run(app, "sync-perms")
    assert result.exit_code == 1
    assert result.output.endswith("Create the tables first: flask db upgrade\n")


def test_the_command_group_is_listed(site):
    result = site.test_cli_runner().invoke(args=["auth", "--help"])
    assert result.exit_code == 0
    for name in ("createsuperuser", "changepassword", "sync-perms"):
        assert name in result.output

"""``flask auth``: ``createsuperuser``, ``changepassword`` and ``sync-perms`` (Django's management commands)."""

from __future__ import annotations

import getpass
import os
import typing as t

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from flaskkit.plugins.orm import db

from . import password_validation
from .models import UnicodeUsernameValidator
from .models import save
from .permissions import sync_permissions
from .users import auth_plugin

__all__ = ["auth_command"]

#: The environment variables of ``createsuperuser --noinput`` (Django's, renamed).
PASSWORD_ENV = "FLASKKIT_SUPERUSER_PASSWORD"
ENV_PREFIX = "FLASKKIT_SUPERUSER_"

#: Tries ``changepassword`` gives before it gives up (Django's).
MAX_TRIES = 3


def auth_command() -> click.Group:
    """A new ``auth`` group (commands hold no app state)."""
    group = click.Group("auth", help="Users and permissions (the auth plugin).")
    group.add_command(createsuperuser)
    group.add_command(changepassword)
    group.add_command(sync_perms)
    return group


def _tables_exist() -> None:
    """Stop with a clear message when ``flask db upgrade`` was not run."""
    model = auth_plugin().user_model
    try:
        db.session.execute(sa.select(sa.literal(1)).select_from(model).limit(1))
    except sa.exc.DBAPIError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"The table {model.__table__.name!r} of the user model cannot be read ({type(exc.orig).__name__}). "
            "Create the tables first: flask db upgrade"
        ) from exc


def _username_error(model: t.Any, username: str) -> str | None:
    """Django's ``_validate_username``: blank, invalid, or taken."""
    if not username:
        return "This field cannot be blank."
    field = model.USERNAME_FIELD
    if field == "username":
        message = UnicodeUsernameValidator()(username)
        if message:
            return message
    column = getattr(model, field)
    if db.session.scalar(sa.select(sa.func.count()).select_from(model).where(column == username)):
        return f"That {_verbose(model, field)} is already taken."
    return None


def _verbose(model: t.Any, field: str) -> str:
    return str(getattr(model, "verbose_names", {}).get(field, field.replace("_", " ")))


def _password_errors(password: str, user: t.Any) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except password_validation.ValidationError as error:
        return error.messages
    return []


@click.command("createsuperuser")
@click.option("--username", help="The username of the superuser (its USERNAME_FIELD).")
@click.option("--email", help="The email address of the superuser.")
@click.option(
    "--noinput",
    "--no-input",
    "no_input",
    is_flag=True,
    help=f"Ask nothing: the username and email from the options (or {ENV_PREFIX}USERNAME, {ENV_PREFIX}EMAIL), "
    f"the password from {PASSWORD_ENV} (none: an unusable password).",
)
@with_appcontext
def createsuperuser(username: str | None, email: str | None, no_input: bool) -> None:
    """Create a superuser: an active staff user with every permission.

    The password validators (AUTH_PASSWORD_VALIDATORS) apply, with --noinput too.
    """
    plugin = auth_plugin()
    model = plugin.user_model
    _tables_exist()
    field = model.USERNAME_FIELD
    email_field = model.get_email_field_name()
    has_email = email_field in sa.inspect(model).attrs
    required = [name for name in model.REQUIRED_FIELDS if name != email_field or has_email]
    values: dict[str, t.Any] = {}

    if no_input:
        username = username or os.environ.get(f"{ENV_PREFIX}{field.upper()}")
        if not username:
            raise click.ClickException(f"You must use --{field} with --noinput.")
        username = model.normalize_username(username)
        problem = _username_error(model, username)
        if problem:
            raise click.ClickException(problem)
        if has_email:
            values[email_field] = email or os.environ.get(f"{ENV_PREFIX}{email_field.upper()}", "")
        for name in required:
            if name == email_field:
                continue
            value = os.environ.get(f"{ENV_PREFIX}{name.upper()}")
            if not value:
                raise click.ClickException(f"You must set {ENV_PREFIX}{name.upper()} with --noinput.")
            values[name] = value
        password = os.environ.get(PASSWORD_ENV) or None
        if password is not None:
            candidate = model(**{field: username, **values})
            errors = _password_errors(password, candidate)
            if errors:
                raise click.ClickException(f"The password in {PASSWORD_ENV} was refused:\n" + "\n".join(errors))
    else:
        try:
            username, values, password = _ask(model, username, email, required, has_email)
        except (KeyboardInterrupt, click.Abort):
            click.echo("\nOperation cancelled.", err=True)
            raise SystemExit(1) from None

    if has_email and values.get(email_field):
        values[email_field] = model.objects.normalize_email(values[email_field])
    user = model.objects.create_superuser(username, password=password, **values)
    if password is not None:
        password_validation.password_changed(password, user)
    click.echo("Superuser created successfully.")


def _ask(
    model: t.Any, username: str | None, email: str | None, required: list[str], has_email: bool
) -> tuple[str, dict[str, t.Any], str]:
    field = model.USERNAME_FIELD
    email_field = model.get_email_field_name()
    label = _verbose(model, field)
    if username:
        username = model.normalize_username(username)
        problem = _username_error(model, username)
        if problem:
            raise click.ClickException(problem)
    while not username:
        default = _default_username(model)
        suffix = f" (leave blank to use {default!r})" if default else ""
        answer = click.prompt(f"{label[:1].upper()}{label[1:]}{suffix}", default="", show_default=False).strip()
        candidate = model.normalize_username(answer or default or "")
        problem = _username_error(model, candidate)
        if problem:
            click.echo(f"Error: {problem}", err=True)
            continue
        username = candidate
    values: dict[str, t.Any] = {}
    for name in required:
        if name == email_field and email is not None:
            values[name] = email
            continue
        prompt = _verbose(model, name)
        values[name] = click.prompt(prompt[:1].upper() + prompt[1:], default="", show_default=False).strip()
    if has_email and email_field not in values:
        values[email_field] = email or ""
    while True:
        password = click.prompt("Password", hide_input=True, default="", show_default=False)
        again = click.prompt("Password (again)", hide_input=True, default="", show_default=False)
        if password != again:
            click.echo("Error: Your passwords didn't match.", err=True)
            continue
        if not password.strip():
            click.echo("Error: Blank passwords aren't allowed.", err=True)
            continue
        errors = _password_errors(password, model(**{field: username, **values}))
        if errors:
            click.echo("\n".join(errors), err=True)
            if not click.confirm("Bypass password validation and create user anyway?", default=False):
                continue
        return username, values, password


def _default_username(model: t.Any) -> str:
    """The system user's name, as Django suggests it, when it is a valid, free username."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        return ""
    name = name.replace(" ", "").lower()
    return name if name and _username_error(model, name) is None else ""


@click.command("changepassword")
@click.argument("username", required=False)
@with_appcontext
def changepassword(username: str | None) -> None:
    """Change the password of USERNAME (default: the system user's name)."""
    model = auth_plugin().user_model
    _tables_exist()
    if not username:
        username = getpass.getuser()
    user = model.objects.get_by_natural_key(username)
    if user is None:
        raise click.ClickException(f"user {username!r} does not exist")
    click.echo(f"Changing password for user {username!r}")
    for _ in range(MAX_TRIES):
        password = click.prompt("Password", hide_input=True, default="", show_default=False)
        again = click.prompt("Password (again)", hide_input=True, default="", show_default=False)
        if password != again:
            click.echo("Passwords do not match. Please try again.", err=True)
            continue
        errors = _password_errors(password, user)
        if errors:
            click.echo("\n".join(errors), err=True)
            continue
        user.set_password(password)
        save(user)
        password_validation.password_changed(password, user)
        click.echo(f"Password changed successfully for user {username!r}")
        return
    raise click.ClickException(f"Aborting password change for user {username!r} after {MAX_TRIES} attempts")


@click.command("sync-perms")
@click.option("--verbose", "-v", is_flag=True, help="List each permission created.")
@with_appcontext
def sync_perms(verbose: bool) -> None:
    """Create the default permissions of every model (add_, change_, delete_, view_) and those of
    their Meta.permissions; run it after `flask db upgrade`. Nothing is deleted."""
    plugin = auth_plugin()
    try:
        created = sync_permissions(plugin.user_model)
    except sa.exc.DBAPIError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"The permissions table cannot be written ({type(exc.orig).__name__}). Create the tables first: "
            "flask db upgrade"
        ) from exc
    if verbose:
        for spec in created:
            click.echo(f"  {spec.perm}  ({spec.name})")
    count = len(created)
    click.echo(f"Created {count} permission{'s' if count != 1 else ''}." if count else "No permission was missing.")

"""The auth plugin's checks (``flask kit check``)."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa

from flaskkit import checks

from .hashers import MD5PasswordHasher

if t.TYPE_CHECKING:
    from flask import Flask

    from . import AuthPlugin

__all__ = ["check_deploy", "check_permissions", "check_throttle_cache", "check_throttle_reachable", "check_user_model"]


def check_user_model(plugin: AuthPlugin) -> t.Iterator[checks.CheckMessage]:
    """Django's auth.E002 and auth.E003: REQUIRED_FIELDS and a unique USERNAME_FIELD."""
    model = plugin.user_model
    field = model.USERNAME_FIELD
    path = plugin.settings.user_model_path
    if field in model.REQUIRED_FIELDS:
        yield checks.Error(
            f"The field named as the 'USERNAME_FIELD' for a custom user model must not be included in "
            f"'REQUIRED_FIELDS' ({path}).",
            hint=f"The 'USERNAME_FIELD' is currently set to {field!r}; remove it from 'REQUIRED_FIELDS'.",
            obj=path,
            id="auth.E002",
        )
    mapper = sa.inspect(model)
    prop = mapper.attrs[field]
    columns = getattr(prop, "columns", [])
    unique = bool(columns) and (
        columns[0].unique
        or columns[0].primary_key
        or any(
            isinstance(c, sa.UniqueConstraint) and [col.name for col in c.columns] == [columns[0].name]
            for c in columns[0].table.constraints
        )
    )
    if not unique:
        yield checks.Error(
            f"{path}.{field} must be unique because it is named as the 'USERNAME_FIELD'.",
            hint="Declare it with mapped_column(..., unique=True).",
            obj=path,
            id="auth.E003",
        )


def check_throttle_cache(app: Flask, plugin: AuthPlugin) -> t.Iterator[checks.CheckMessage]:
    """auth.W001: the throttle's cache keeps nothing (the ``dummy`` backend)."""
    throttle = plugin.settings.throttle
    backend = _cache_backend(app, throttle.cache_alias) if throttle else None
    if backend == "dummy":
        yield checks.Warning(
            f"Failed logins are counted in the cache {throttle.cache_alias!r}, whose backend is 'dummy': it keeps "  # type: ignore[union-attr]
            "nothing, so logins are never throttled.",
            hint="Point AUTH_THROTTLE_CACHE at a cache that keeps values (redis in production), or set "
            "AUTH_THROTTLE_ENABLED = False to say that you do not want throttling.",
            obj="AUTH_THROTTLE_CACHE",
            id="auth.W001",
        )


def check_deploy(app: Flask, plugin: AuthPlugin) -> t.Iterator[checks.CheckMessage]:
    """Production settings: a shared throttle cache, password validators, a real hasher."""
    throttle = plugin.settings.throttle
    if throttle is None:
        yield checks.Warning(
            "Failed logins are not throttled (AUTH_THROTTLE_ENABLED = False): passwords can be guessed as fast "
            "as the server answers.",
            hint="Set AUTH_THROTTLE_ENABLED = True, with a Redis cache.",
            obj="AUTH_THROTTLE_ENABLED",
            id="auth.W002",
        )
    else:
        backend = _cache_backend(app, throttle.cache_alias)
        if backend in ("locmem", "file"):
            where = "each worker process" if backend == "locmem" else "each machine"
            yield checks.Warning(
                f"Failed logins are counted in the cache {throttle.cache_alias!r} ({backend!r}), which {where} "
                "has on its own: with several workers, an attacker gets each worker's allowance.",
                hint="Use a Redis cache for AUTH_THROTTLE_CACHE (CACHES = {'default': {'BACKEND': 'redis'}}).",
                obj="AUTH_THROTTLE_CACHE",
                id="auth.W004",
            )
    if not plugin.password_validators:
        yield checks.Warning(
            "AUTH_PASSWORD_VALIDATORS is empty: any password is accepted, '1234' included.",
            hint="Leave AUTH_PASSWORD_VALIDATORS unset for Django's four validators.",
            obj="AUTH_PASSWORD_VALIDATORS",
            id="auth.W005",
        )
    if isinstance(plugin.hashers.preferred, MD5PasswordHasher):
        yield checks.Warning(
            "The first of PASSWORD_HASHERS is MD5PasswordHasher, which is fast to crack: it is for test suites.",
            hint="Leave PASSWORD_HASHERS unset in production (pbkdf2_sha256 first).",
            obj="PASSWORD_HASHERS",
            id="auth.W006",
        )


def check_permissions(plugin: AuthPlugin) -> t.Iterator[checks.CheckMessage]:
    """auth.W003: models whose permissions are not in the database yet."""
    from flaskkit.plugins.orm import db

    from .permissions import missing_permissions

    try:
        missing = missing_permissions(plugin.user_model)
    except sa.exc.DBAPIError:
        db.session.rollback()
        return  # no table yet: the orm plugin's check reports the unapplied migrations
    if missing:
        shown = ", ".join(spec.perm for spec in missing[:5]) + (", ..." if len(missing) > 5 else "")
        yield checks.Warning(
            f"{len(missing)} permission{'s are' if len(missing) != 1 else ' is'} missing from the database ({shown}).",
            hint="Create them with: flask auth sync-perms (after flask db upgrade).",
            obj="auth_permission",
            id="auth.W003",
        )


def check_throttle_reachable(app: Flask, plugin: AuthPlugin) -> t.Iterator[checks.CheckMessage]:
    """auth.E004 (database tag): the throttle's Redis cache cannot be reached, so logins would be refused."""
    throttle = plugin.settings.throttle
    cache_plugin = app.extensions.get("flaskkit.cache")
    if throttle is None or cache_plugin is None:
        return
    service = cache_plugin.get_cache(throttle.cache_alias).service
    if service is None:
        return
    try:
        with app.app_context():
            if service.probe is not None:
                service.probe()
    except Exception as exc:
        from flaskkit.services import describe_error

        outcome = "go through uncounted" if throttle.fail_open else "are refused (503)"
        yield checks.Error(
            f"Failed logins are counted in the cache {throttle.cache_alias!r}, whose server ({service.name}) "
            f"cannot be reached ({describe_error(exc)}). Until it can, logins {outcome}.",
            hint=f"Start Redis, or fix {service.setting}.",
            obj="AUTH_THROTTLE_CACHE",
            id="auth.E004",
        )


def _cache_backend(app: Flask, alias: str) -> str | None:
    plugin = app.extensions.get("flaskkit.cache")
    settings = getattr(plugin, "settings", {}).get(alias) if plugin is not None else None
    return settings.builtin if settings is not None else None

"""Changing an app's settings for a test, and putting them back (Django's ``override_settings``).

::

    def test_signup_closed(client, settings):
        settings.SIGNUP_OPEN = False                 # app.config["SIGNUP_OPEN"], until the test ends
        with settings(SIGNUP_MESSAGE="Come back"):   # until the block ends
            ...

Only what is read while the app runs changes: the app's own settings read in
views, Flask's (``SECRET_KEY``, ``MAX_CONTENT_LENGTH``...). Plugins read theirs
at boot (the plugin list, middleware, databases, session engine, caches, auth
backends and hashers...): for those, boot the test's app with them, with
``@pytest.mark.kit_settings(...)``. :data:`BOOT_SETTINGS` are refused with that
advice. Each change sends :data:`setting_changed`, for code that caches a setting.
"""

from __future__ import annotations

import contextlib
import typing as t

from blinker import Namespace

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["BOOT_SETTINGS", "SettingsOverride", "override_settings", "setting_changed"]

_signals = Namespace()

#: Sent when a test changes a setting: ``sender`` is the app, with ``setting``, ``value`` and ``enter``
#: (``False`` when the old value is put back), as Django's ``setting_changed``.
setting_changed = _signals.signal("setting-changed")

#: Settings read only when the app boots: changing them afterwards would change nothing.
BOOT_SETTINGS = frozenset(
    {
        "PLUGINS",
        "MIDDLEWARE",
        "DATABASE_URL",
        "DATABASE_OPTIONS",
        "SQLALCHEMY_DATABASE_URI",
        "SQLALCHEMY_ENGINE_OPTIONS",
        "SQLALCHEMY_BINDS",
        "ATOMIC_REQUESTS",
        "MIGRATIONS_DIR",
        "SESSION_ENGINE",
        "CACHES",
        "AUTH_USER_MODEL",
        "AUTHENTICATION_BACKENDS",
        "PASSWORD_HASHERS",
        "AUTH_PASSWORD_VALIDATORS",
    }
)

_MISSING = object()


class SettingsOverride:
    """An app's settings as attributes; what is set or deleted is put back by :meth:`restore`."""

    def __init__(self, app: Flask) -> None:
        object.__setattr__(self, "_app", app)
        object.__setattr__(self, "_saved", {})

    def __getattr__(self, name: str) -> t.Any:
        try:
            return self._app.config[name]
        except KeyError:
            raise AttributeError(f"The app {self._app.name!r} has no setting {name!r}.") from None

    def __setattr__(self, name: str, value: t.Any) -> None:
        self._set(name, value)

    def __delattr__(self, name: str) -> None:
        self._set(name, _MISSING)

    def __call__(self, **values: t.Any) -> t.ContextManager[SettingsOverride]:
        """``with settings(A=1, B=2):`` changes these settings for the block only."""
        return override_settings(self._app, **values)

    def _set(self, name: str, value: t.Any) -> None:
        if name in BOOT_SETTINGS:
            raise ValueError(
                f"{name} is read when the app boots: changing it in a test changes nothing. Boot the test's app "
                f"with it instead: @pytest.mark.kit_settings({name}=...)."
            )
        config = self._app.config
        self._saved.setdefault(name, config.get(name, _MISSING))
        if value is _MISSING:
            config.pop(name, None)
        else:
            config[name] = value
        setting_changed.send(self._app, setting=name, value=config.get(name), enter=True)

    def restore(self) -> None:
        """Put every changed setting back."""
        config = self._app.config
        saved: dict[str, t.Any] = self._saved
        for name, value in reversed(saved.items()):
            if value is _MISSING:
                config.pop(name, None)
            else:
                config[name] = value
            setting_changed.send(self._app, setting=name, value=config.get(name), enter=False)
        saved.clear()


@contextlib.contextmanager
def override_settings(app: Flask, **values: t.Any) -> t.Iterator[SettingsOverride]:
    """Change ``app``'s settings for the block (see the module docstring)."""
    override = SettingsOverride(app)
    try:
        for name, value in values.items():
            setattr(override, name, value)
        yield override
    finally:
        override.restore()

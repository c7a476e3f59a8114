"""Time zones, as ``django.utils.timezone``: aware datetimes in UTC, shown in the user's zone.

::

    # settings.py
    USE_TZ = True                 # the default: datetimes are aware, stored in UTC
    TIME_ZONE = "Europe/Paris"    # the default zone (default "UTC"): naive input and display

    from flaskkit import timezone

    timezone.now()                           # aware, UTC (naive local time when USE_TZ is off)
    timezone.localtime(post.created)         # in the current time zone
    with timezone.override("Asia/Tokyo"):    # the current zone, for this block
        ...

The settings are per app and read from the current app (``UTC`` and
``USE_TZ = True`` outside an app context). The *current* time zone is per
context (thread, task): :func:`activate` sets it, :func:`deactivate` goes back
to the app's ``TIME_ZONE``; whatever a request activates is undone when its app
context ends, so it never leaks into the next request of the same thread.

Only the standard library is used (:mod:`zoneinfo`; on systems without a time
zone database, ``pip install tzdata``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import typing as t
import zoneinfo
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone as _fixed_timezone
from datetime import tzinfo

from flask.globals import _cv_app

from ._text import did_you_mean
from .exceptions import ConfigurationError

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "UTC",
    "activate",
    "deactivate",
    "get_current_timezone",
    "get_current_timezone_name",
    "get_default_timezone",
    "get_default_timezone_name",
    "get_fixed_timezone",
    "is_aware",
    "is_naive",
    "localdate",
    "localtime",
    "make_aware",
    "make_naive",
    "now",
    "override",
    "use_tz",
]

#: The settings and their defaults. ``TIME_ZONE`` is ``"UTC"`` as in the settings
#: ``django-admin startproject`` writes (Django's own global default, "America/Chicago",
#: is a leftover that every new project overrides).
DEFAULTS: dict[str, t.Any] = {"USE_TZ": True, "TIME_ZONE": "UTC"}

#: The time zone :func:`activate` set in this context, or ``None`` for the app's ``TIME_ZONE``.
_active: contextvars.ContextVar[tzinfo | None] = contextvars.ContextVar("flaskkit.timezone.active", default=None)

#: ``g`` key: the zone that was active before the app context changed it (restored when it ends).
_SAVED = "_flaskkit_timezone_before"


# -- the settings ------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Apply the defaults of ``USE_TZ`` and ``TIME_ZONE``, and check them."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    use = app.config["USE_TZ"]
    if not isinstance(use, bool):
        raise ConfigurationError(
            f"USE_TZ must be True or False, not {use!r}.",
            setting="USE_TZ",
            hint="From the environment: FLASK_USE_TZ=true (JSON).",
        )
    name = app.config["TIME_ZONE"]
    if not isinstance(name, str) or not name:
        raise ConfigurationError(
            f"TIME_ZONE must be the name of a time zone, such as 'Europe/Paris' or 'UTC', not {name!r}.",
            setting="TIME_ZONE",
        )
    try:
        _zone(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"TIME_ZONE names the time zone {name!r}, which the time zone database does not have."
            + did_you_mean(name, zoneinfo.available_timezones(), cutoff=0.85),
            setting="TIME_ZONE",
            hint="Use an IANA name such as 'Europe/Paris', 'America/New_York' or 'UTC' "
            "(without a system database: pip install tzdata).",
        ) from None


def _set_active(zone: tzinfo | None) -> None:
    # The first change inside an app context notes what was active, for _restore_active, which
    # the app runs at the end of its app contexts from the first activation on (an app that never
    # activates a zone pays nothing per request).
    ctx = _cv_app.get(None)
    if ctx is not None and _SAVED not in ctx.g.__dict__:
        setattr(ctx.g, _SAVED, _active.get())
        teardowns = ctx.app.teardown_appcontext_funcs
        if _restore_active not in teardowns:
            teardowns.append(_restore_active)  # not app.teardown_appcontext(): that is for setup time
    _active.set(zone)


def _restore_active(exc: BaseException | None = None) -> None:
    # Runs at the end of every app context: the context variable, not the proxy ``g``.
    ctx = _cv_app.get(None)
    if ctx is not None and _SAVED in ctx.g.__dict__:
        _active.set(ctx.g.__dict__[_SAVED])


def use_tz() -> bool:
    """The current app's ``USE_TZ`` (``True`` outside an app context)."""
    # Read for every datetime a query loads: the context variable, not has_app_context() and the proxy.
    ctx = _cv_app.get(None)
    return True if ctx is None else bool(ctx.app.config.get("USE_TZ", True))


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


def get_default_timezone_name() -> str:
    """The current app's ``TIME_ZONE`` (``"UTC"`` outside an app context)."""
    ctx = _cv_app.get(None)  # has_app_context() and current_app, without the proxy: read for every cached page
    return str(ctx.app.config.get("TIME_ZONE") or "UTC") if ctx is not None else "UTC"


def get_default_timezone() -> tzinfo:
    """The current app's ``TIME_ZONE`` as a :class:`zoneinfo.ZoneInfo` (``datetime.UTC`` for ``"UTC"``)."""
    return _zone(get_default_timezone_name())


def get_fixed_timezone(offset: timedelta | int) -> tzinfo:
    """A zone with a fixed offset from UTC, in minutes (or a ``timedelta``): ``-210`` is ``-0330``."""
    if isinstance(offset, timedelta):
        offset = int(offset.total_seconds()) // 60
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    return _fixed_timezone(timedelta(minutes=offset), f"{sign}{hours:02d}{minutes:02d}")


# -- the current time zone ----------------------------------------------------------------


def get_current_timezone() -> tzinfo:
    """The zone :func:`activate` set in this context, else the app's ``TIME_ZONE``."""
    active = _active.get()
    return active if active is not None else get_default_timezone()


def get_current_timezone_name() -> str:
    """The name of the current time zone (``"Europe/Paris"``)."""
    active = _active.get()
    if active is None:
        return _zone_name(_zone(get_default_timezone_name()))  # (the name, unless the setting is a zone's alias)
    return _zone_name(active)


def _zone_name(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    return zone.tzname(None) or str(zone)


def activate(zone: tzinfo | str) -> None:
    """Make ``zone`` (a ``tzinfo`` or a name) the current time zone of this context."""
    if isinstance(zone, tzinfo):
        _set_active(zone)
    elif isinstance(zone, str):
        try:
            _set_active(_zone(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"Invalid timezone: {zone!r}") from None
    else:
        raise ValueError(f"Invalid timezone: {zone!r}")


def deactivate() -> None:
    """Go back to the app's ``TIME_ZONE`` as the current time zone."""
    _set_active(None)


@contextlib.contextmanager
def override(zone: tzinfo | str | None) -> t.Iterator[None]:
    """The current time zone is ``zone`` inside the block (``None``: the app's ``TIME_ZONE``).

    Also a decorator: ``@override("Asia/Tokyo")``.
    """
    token = _active.set(_active.get())
    try:
        if zone is None:
            deactivate()
        else:
            activate(zone)
        yield
    finally:
        _active.reset(token)


# -- conversions ---------------------------------------------------------------------------


def now() -> datetime:
    """The current time: aware and in UTC when ``USE_TZ`` is on, else naive in ``TIME_ZONE``."""
    if use_tz():
        return datetime.now(UTC)
    return datetime.now(get_default_timezone()).replace(tzinfo=None)


def is_aware(value: datetime | t.Any) -> bool:
    """Whether ``value`` (a datetime or time) knows its offset from UTC."""
    return value.utcoffset() is not None


def is_naive(value: datetime | t.Any) -> bool:
    """Whether ``value`` has no offset from UTC (no ``tzinfo``, or one that gives none)."""
    return value.utcoffset() is None


def localtime(value: datetime | None = None, timezone: tzinfo | None = None) -> datetime:
    """``value`` (default: :func:`now`) in ``timezone`` (default: the current time zone).

    A naive ``value`` is refused: there is no knowing which zone it was in.
    """
    if value is None:
        value = now()
    if timezone is None:
        timezone = get_current_timezone()
    if is_naive(value):
        raise ValueError("localtime() cannot be applied to a naive datetime")
    return value.astimezone(timezone)


def localdate(value: datetime | None = None, timezone: tzinfo | None = None) -> date:
    """The date of :func:`localtime` (today in the current time zone, by default)."""
    return localtime(value, timezone).date()


def make_aware(value: datetime, timezone: tzinfo | None = None) -> datetime:
    """Attach ``timezone`` (default: the current time zone) to the naive ``value``, keeping its wall time."""
    if timezone is None:
        timezone = get_current_timezone()
    if is_aware(value):
        raise ValueError(f"make_aware expects a naive datetime, got {value}")
    return value.replace(tzinfo=timezone)


def make_naive(value: datetime, timezone: tzinfo | None = None) -> datetime:
    """``value`` converted to ``timezone`` (default: the current time zone), without its ``tzinfo``."""
    if timezone is None:
        timezone = get_current_timezone()
    if is_naive(value):
        raise ValueError("make_naive() cannot be applied to a naive datetime")
    return value.astimezone(timezone).replace(tzinfo=None)


def is_ambiguous_or_imaginary(value: datetime, zone: tzinfo) -> bool:
    """Whether the wall time ``value`` happens twice (a DST fall-back) or never (spring-forward) in ``zone``."""
    return zone.utcoffset(value.replace(fold=not value.fold)) != zone.utcoffset(value)

"""Dates in feeds and sitemaps: RFC 822 (RSS), RFC 3339 (Atom), W3C Datetime (sitemaps), HTTP dates.

A naive ``datetime`` (SQLite gives them back, ``datetime.now()`` makes them) is read in
``TIME_ZONE`` when the app sets it (an IANA name, Django's setting), else in UTC. A
``date`` is midnight of that day.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import typing as t
import zoneinfo

from flask import current_app
from flask import has_app_context
from werkzeug.http import http_date

from flaskkit import ConfigurationError

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "default_timezone",
    "http_date",
    "latest",
    "make_aware",
    "rfc2822_date",
    "rfc3339_date",
    "validate_time_zone",
    "w3c_datetime",
]


def validate_time_zone(app: Flask, plugin: str) -> None:
    """``TIME_ZONE``, when set, must be a zone the system knows (``"Europe/Berlin"``)."""
    name = app.config.get("TIME_ZONE")
    if name is None or name == "":
        return
    try:
        if not isinstance(name, str):
            raise ValueError(name)
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise ConfigurationError(
            f"TIME_ZONE is {name!r}, which is not a time zone name.",
            setting="TIME_ZONE",
            plugin=plugin,
            hint="Use an IANA name such as 'UTC' or 'Europe/Berlin' (the zone of naive datetimes), or leave it unset.",
        ) from exc


def default_timezone(app: Flask | None = None) -> dt.tzinfo:
    """The zone naive datetimes are in: ``TIME_ZONE`` if the app sets it, else UTC."""
    if app is None and has_app_context():
        app = current_app
    name = app.config.get("TIME_ZONE") if app is not None else None
    return zoneinfo.ZoneInfo(name) if name else dt.UTC


def make_aware(value: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """``value`` as an aware datetime: a date is midnight, a naive datetime is in ``tz``
    (default: :func:`default_timezone`), an aware one is returned as it is."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=tz or default_timezone())
    return value


def latest(current: dt.datetime | None, new: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The later of ``current`` and ``new`` (made aware, naive in ``tz``), for ``Last-Modified``."""
    new_aware = make_aware(new, tz)
    return new_aware if current is None or new_aware > current else current


# -- formats ----------------------------------------------------------------------------------------
# rfc2822_date and rfc3339_date keep the behaviour of Django's django.utils.feedgenerator (BSD-3-Clause,
# Copyright (c) Django Software Foundation and individual contributors): a naive datetime is written
# as "-0000" / "Z". The syndication views make every date aware first (make_aware), so feeds always
# carry the real offset.


def rfc2822_date(date: dt.date) -> str:
    """RSS's date format (RFC 822 with a four-digit year): ``Fri, 14 Nov 2008 13:37:00 +0100``."""
    if not isinstance(date, dt.datetime):
        date = dt.datetime.combine(date, dt.time())
    return email.utils.format_datetime(date)


def rfc3339_date(date: dt.date) -> str:
    """Atom's date format (RFC 3339): ``2008-11-14T13:37:00+02:00`` (``Z`` for a naive datetime)."""
    if not isinstance(date, dt.datetime):
        date = dt.datetime.combine(date, dt.time())
    return date.isoformat() + ("Z" if date.utcoffset() is None else "")


def w3c_datetime(value: dt.date | None) -> str:
    """The sitemap protocol's format (W3C Datetime): ``2013-03-13`` for a date,
    ``2013-03-13T10:00:00+00:00`` for a datetime (to the second, with its offset)."""
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    return make_aware(value).isoformat(timespec="seconds")

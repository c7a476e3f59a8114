"""Dates in feeds and sitemaps: RFC 822 (RSS), RFC 3339 (Atom), W3C Datetime (sitemaps), HTTP dates.

A naive ``datetime`` (``datetime.now()`` makes them; with ``USE_TZ = False`` the database
gives them back) is read in the app's ``TIME_ZONE`` (default ``"UTC"``; the kit checks it at
boot), as Django's feeds read it. A ``date`` is midnight of that day.
"""

from __future__ import annotations

import datetime as dt
import email.utils

from werkzeug.http import http_date

from flaskkit import timezone

__all__ = [
    "default_timezone",
    "http_date",
    "latest",
    "make_aware",
    "rfc2822_date",
    "rfc3339_date",
    "w3c_datetime",
]


def default_timezone() -> dt.tzinfo:
    """The zone naive datetimes are in: the app's ``TIME_ZONE`` (``timezone.get_default_timezone()``, the zone
    Django's feeds use), UTC outside an app context."""
    return timezone.get_default_timezone()


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

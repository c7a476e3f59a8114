"""Django's date and time format characters (PHP's ``date()``), for the ``date`` and ``time`` filters.

::

    format(datetime(1979, 7, 8, 22, 0), r"jS \\o\\f F Y, P")   # '8th of July 1979, 10 p.m.'
    time_format(time(8, 30), "H:i")                          # '08:30'

A backslash escapes a character (``\\o\\f``); any other character is kept.
English names; a naive datetime is taken to be in the app's ``TIME_ZONE`` for
the characters that need a zone (``O``, ``T``, ``Z``, ``I``, ``U``, ``r``).

The named formats (``format(value, "SHORT_DATE_FORMAT")``) are Django's English ones,
overridden by the app's settings of the same names.
"""

from __future__ import annotations

import calendar
import re
import typing as t
from datetime import date
from datetime import datetime
from datetime import time
from datetime import tzinfo
from email.utils import format_datetime

from flask import current_app
from flask import has_app_context

from . import timezone as tz

__all__ = ["FORMAT_SETTINGS", "format", "get_format", "time_format"]

#: Django's English formats, by setting name (the app's settings of these names win).
FORMAT_SETTINGS: dict[str, str] = {
    "DATE_FORMAT": "N j, Y",
    "DATETIME_FORMAT": "N j, Y, P",
    "TIME_FORMAT": "P",
    "YEAR_MONTH_FORMAT": "F Y",
    "MONTH_DAY_FORMAT": "F j",
    "SHORT_DATE_FORMAT": "m/d/Y",
    "SHORT_DATETIME_FORMAT": "m/d/Y P",
}

MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
#: Associated Press style, as Django's ``N``.
MONTHS_AP = ("", "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_FORMAT_CHARS = re.compile(r"(?<!\\)([aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ])")
_ESCAPED = re.compile(r"\\(.)")

#: The characters that need a time of day.
_TIME_CHARS = frozenset("aAefgGhHiIOPsTuZ")


def get_format(name: str) -> str:
    """The format a setting name stands for (``"DATE_FORMAT"`` -> ``"N j, Y"``), or ``name`` itself."""
    if name in FORMAT_SETTINGS:
        if has_app_context():
            configured = current_app.config.get(name)
            if isinstance(configured, str) and configured:
                return configured
        return FORMAT_SETTINGS[name]
    return name


def format(value: date | datetime | time, format_string: str) -> str:
    """``value`` (a date, datetime or time) formatted with Django's format characters."""
    return _Formatter(value).format(get_format(str(format_string)))


def time_format(value: datetime | time, format_string: str) -> str:
    """As :func:`format`, for the time of ``value`` (the ``time`` filter)."""
    formatter = _Formatter(value)
    return formatter.format(get_format(str(format_string)), time_only=True)


class _Formatter:
    def __init__(self, value: date | datetime | time) -> None:
        self.value = value
        #: The zone of a datetime (the app's TIME_ZONE for a naive one); dates and times have none.
        self.zone: tzinfo | None = None
        if isinstance(value, datetime):
            self.zone = tz.get_default_timezone() if tz.is_naive(value) else value.tzinfo

    def format(self, format_string: str, *, time_only: bool = False) -> str:
        pieces = []
        for i, piece in enumerate(_FORMAT_CHARS.split(format_string)):
            if i % 2:
                if type(self.value) is date and piece in _TIME_CHARS:
                    raise TypeError(
                        f"The format for date objects may not contain time-related format specifiers (found {piece!r})."
                    )
                if time_only and piece not in _TIME_CHARS:
                    raise AttributeError(f"{piece!r} is not a time format character")
                pieces.append(str(getattr(self, "char_" + piece)()))
            elif piece:
                pieces.append(_ESCAPED.sub(r"\1", piece))
        return "".join(pieces)

    # -- helpers ---------------------------------------------------------------

    @property
    def _v(self) -> t.Any:
        return self.value

    def _zone_unusable(self) -> bool:
        return self.zone is None or tz.is_ambiguous_or_imaginary(t.cast(datetime, self.value), self.zone)

    def _utcoffset_seconds(self) -> int:
        offset = t.cast(tzinfo, self.zone).utcoffset(t.cast(datetime, self.value))
        return 0 if offset is None else offset.days * 86400 + offset.seconds

    def _aware(self) -> datetime:
        value = self._v
        if not isinstance(value, datetime):
            return datetime.combine(value, time.min).replace(tzinfo=tz.get_default_timezone())
        if tz.is_naive(value):
            return tz.make_aware(value, t.cast(tzinfo, self.zone))
        return value

    # -- time ------------------------------------------------------------------

    def char_a(self) -> str:
        """'a.m.' or 'p.m.'"""
        return "p.m." if self._v.hour > 11 else "a.m."

    def char_A(self) -> str:
        """'AM' or 'PM'"""
        return "PM" if self._v.hour > 11 else "AM"

    def char_e(self) -> str:
        """The zone's name of an aware datetime ('UTC', '+0330'); '' otherwise."""
        if self.zone is None or getattr(self._v, "tzinfo", None) is None:
            return ""
        try:
            return self._v.tzname() or ""
        except NotImplementedError:
            return ""

    def char_f(self) -> str | int:
        """12-hour time, minutes left off when zero: '1', '1:30'."""
        hour = self._v.hour % 12 or 12
        return f"{hour}:{self._v.minute:02d}" if self._v.minute else hour

    def char_g(self) -> int:
        return t.cast(int, self._v.hour % 12 or 12)

    def char_G(self) -> int:
        return t.cast(int, self._v.hour)

    def char_h(self) -> str:
        return f"{self._v.hour % 12 or 12:02d}"

    def char_H(self) -> str:
        return f"{self._v.hour:02d}"

    def char_i(self) -> str:
        return f"{self._v.minute:02d}"

    def char_O(self) -> str:
        """Offset from UTC: '+0200'."""
        if self._zone_unusable():
            return ""
        seconds = self._utcoffset_seconds()
        sign = "-" if seconds < 0 else "+"
        seconds = abs(seconds)
        return f"{sign}{seconds // 3600:02d}{(seconds // 60) % 60:02d}"

    def char_P(self) -> str:
        """'1 a.m.', '1:30 p.m.', 'midnight', 'noon'."""
        if self._v.minute == 0 and self._v.hour == 0:
            return "midnight"
        if self._v.minute == 0 and self._v.hour == 12:
            return "noon"
        return f"{self.char_f()} {self.char_a()}"

    def char_s(self) -> str:
        return f"{self._v.second:02d}"

    def char_T(self) -> str:
        """The zone's abbreviation: 'CET', 'EST'."""
        if self._zone_unusable():
            return ""
        return str(t.cast(tzinfo, self.zone).tzname(self._v))

    def char_u(self) -> str:
        return f"{self._v.microsecond:06d}"

    def char_Z(self) -> str | int:
        """Offset from UTC in seconds."""
        if self._zone_unusable():
            return ""
        return self._utcoffset_seconds()

    # -- date ------------------------------------------------------------------

    def char_b(self) -> str:
        return MONTHS[self._v.month][:3].lower()

    def char_c(self) -> str:
        return t.cast(str, self._v.isoformat())

    def char_d(self) -> str:
        return f"{self._v.day:02d}"

    def char_D(self) -> str:
        return WEEKDAYS[self._v.weekday()][:3]

    def char_E(self) -> str:
        """The month's name in the locale's alternative form (English: the usual one)."""
        return MONTHS[self._v.month]

    def char_F(self) -> str:
        return MONTHS[self._v.month]

    def char_I(self) -> str:
        """'1' during daylight saving time, '0' otherwise."""
        if self._zone_unusable():
            return ""
        return "1" if t.cast(tzinfo, self.zone).dst(self._v) else "0"

    def char_j(self) -> int:
        return t.cast(int, self._v.day)

    def char_l(self) -> str:
        return WEEKDAYS[self._v.weekday()]

    def char_L(self) -> bool:
        return calendar.isleap(self._v.year)

    def char_m(self) -> str:
        return f"{self._v.month:02d}"

    def char_M(self) -> str:
        return MONTHS[self._v.month][:3]

    def char_n(self) -> int:
        return t.cast(int, self._v.month)

    def char_N(self) -> str:
        return MONTHS_AP[self._v.month]

    def char_o(self) -> int:
        """The ISO 8601 year of the ISO week (``W``)."""
        return t.cast(int, self._v.isocalendar()[0])

    def char_r(self) -> str:
        """RFC 5322: 'Thu, 21 Dec 2000 16:01:07 +0200' (a date: midnight in TIME_ZONE)."""
        return format_datetime(self._aware())

    def char_S(self) -> str:
        """English ordinal suffix of the day: 'st', 'nd', 'rd', 'th'."""
        day = self._v.day
        if day in (11, 12, 13):
            return "th"
        return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")

    def char_t(self) -> str:
        return f"{calendar.monthrange(self._v.year, self._v.month)[1]:02d}"

    def char_U(self) -> int:
        """Seconds since the Unix epoch (a naive value is in TIME_ZONE)."""
        return int(self._aware().timestamp())

    def char_w(self) -> int:
        """Day of the week, 0 (Sunday) to 6 (Saturday)."""
        return t.cast(int, (self._v.weekday() + 1) % 7)

    def char_W(self) -> int:
        return t.cast(int, self._v.isocalendar()[1])

    def char_y(self) -> str:
        return f"{self._v.year % 100:02d}"

    def char_Y(self) -> str:
        return f"{self._v.year:04d}"

    def char_z(self) -> int:
        return t.cast(int, self._v.timetuple().tm_yday)

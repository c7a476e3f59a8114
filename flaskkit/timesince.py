"""``timesince`` and ``timeuntil``: "2 days, 6 hours", as Django's ``django.utils.timesince``.

Years and months are calendar ones (1 January to 1 February is "1 month"), the
smaller units fixed lengths; seconds are ignored. Up to ``depth`` adjacent units
are shown ("1 year, 3 months", never "1 year, 5 days"). A value after ``now``
gives "0 minutes". Aware datetimes are compared as instants, so a span across a
daylight-saving change has its real length. The non-breaking space (``\\xa0``)
keeps a number with its unit.
"""

from __future__ import annotations

import calendar
import datetime as dt
import typing as t

from .timezone import UTC
from .timezone import is_aware
from .translation import gettext
from .translation import ngettext

__all__ = ["timesince", "timeuntil"]

_UNITS = ("year", "month", "week", "day", "hour", "minute")
#: Seconds in each unit below a month.
_CHUNKS = (7 * 24 * 3600, 24 * 3600, 3600, 60)

#: Django's ``TIME_STRINGS``: each unit's singular and plural, translated when used (with the i18n plugin).
TIME_STRINGS: dict[str, t.Callable[[int], str]] = {
    "year": lambda n: ngettext("%(num)d\xa0year", "%(num)d\xa0years", n),
    "month": lambda n: ngettext("%(num)d\xa0month", "%(num)d\xa0months", n),
    "week": lambda n: ngettext("%(num)d\xa0week", "%(num)d\xa0weeks", n),
    "day": lambda n: ngettext("%(num)d\xa0day", "%(num)d\xa0days", n),
    "hour": lambda n: ngettext("%(num)d\xa0hour", "%(num)d\xa0hours", n),
    "minute": lambda n: ngettext("%(num)d\xa0minute", "%(num)d\xa0minutes", n),
}


def _plural(count: int, unit: str) -> str:
    return TIME_STRINGS[unit](count) % {"num": count}


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)


def timesince(
    d: dt.date, now: dt.date | None = None, reversed: bool = False, depth: int = 2
) -> str:  # fmt: skip
    """The time from ``d`` to ``now`` (default: the current time), in words: ``"2\\xa0weeks, 3\\xa0days"``."""
    if depth <= 0:
        raise ValueError("depth must be greater than 0.")
    d = _as_datetime(d)
    now = _as_datetime(now) if now else dt.datetime.now(d.tzinfo if is_aware(d) else None)
    if is_aware(now) and is_aware(d):
        now = now.astimezone(d.tzinfo)
    if reversed:
        d, now = now, d
    aware = is_aware(d)
    if aware != is_aware(now):
        raise TypeError("can't compare offset-naive and offset-aware datetimes")
    # The elapsed time: between instants for aware values (a DST change counts its real length).
    delta = (now.astimezone(UTC) - d.astimezone(UTC)) if aware else now - d
    if delta.days * 86400 + delta.seconds <= 0:
        return _plural(0, "minute")

    # Whole calendar months (compared on the wall clock), then the rest from a pivot.
    months = (now.year - d.year) * 12 + (now.month - d.month)
    if d.day > now.day or (d.day == now.day and d.time() > now.time()):
        months -= 1
    # (never negative: two wall times of a DST fall-back hour may compare the wrong way round)
    years, months = divmod(max(months, 0), 12)
    if years or months:
        year, month = d.year + years, d.month + months
        if month > 12:
            month -= 12
            year += 1
        day = min(calendar.monthrange(year, month)[1], d.day)
        pivot = d.replace(year=year, month=month, day=day)
    else:
        pivot = d
    remaining = (now.astimezone(UTC) - pivot.astimezone(UTC)) if aware else now - pivot
    seconds = remaining.days * 86400 + remaining.seconds
    counts = [years, months]
    for chunk in _CHUNKS:
        count, seconds = divmod(seconds, chunk)
        counts.append(count)

    first = next((i for i, count in enumerate(counts) if count), None)
    if first is None:
        return _plural(0, "minute")
    parts = []
    for i in range(first, min(first + depth, len(_UNITS))):
        if not counts[i]:
            break
        parts.append(_plural(counts[i], _UNITS[i]))
    return gettext(", ").join(parts)


def timeuntil(d: dt.date, now: dt.date | None = None, depth: int = 2) -> str:
    """The time from ``now`` (default: the current time) until ``d``, in words."""
    return timesince(d, now, reversed=True, depth=depth)

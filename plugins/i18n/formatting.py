"""Localised dates, times, numbers and currencies (Babel), as template filters and functions.

::

    {{ note.created|datetimeformat }}              22.11.2026, 14:05:00   /  2026年11月22日 14:05:00
    {{ note.created|dateformat("long") }}          22. November 2026      /  2026年11月22日
    {{ note.created|timeformat("short") }}         14:05
    {{ 1234567.891|decimalformat }}                1.234.567,891          /  1,234,567.891
    {{ 9.5|currencyformat("EUR") }}                9,50 €                 /  €9.50
    {{ 0.25|percentformat }}                       25 %
    {{ delta|timedeltaformat }}                    3 Tage

The names are Flask-Babel's; the locale is the request's language, and an aware
datetime is shown in the current time zone (``flaskkit.timezone``: ``TIME_ZONE``,
or the zone ``TIME_ZONE_SELECTOR`` activated for the request). A naive datetime
is taken to be in ``TIME_ZONE``. As Django's filters, these never raise: a
value they cannot format gives ``""``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import typing as t

from babel import Locale
from babel import dates
from babel import numbers

from flaskkit import timezone
from flaskkit import translation

from .catalogs import parse_locale

__all__ = [
    "FILTERS",
    "current_locale",
    "format_currency",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_percent",
    "format_time",
    "format_timedelta",
]


@functools.lru_cache(maxsize=256)
def _locale(language: str) -> Locale:
    return parse_locale(translation.to_locale(language)) or Locale.parse("en_US")


def current_locale() -> Locale:
    """Babel's ``Locale`` of the active language (``en_US`` for a language Babel does not know)."""
    return _locale(translation.get_language())


def _in_zone(value: dt.datetime) -> tuple[dt.datetime, dt.tzinfo]:
    zone = timezone.get_current_timezone()
    if timezone.is_naive(value):
        return value.replace(tzinfo=timezone.get_default_timezone()), timezone.get_default_timezone()
    return value, zone


def _never_raise(function: t.Callable[..., str]) -> t.Callable[..., str]:
    @functools.wraps(function)
    def wrapper(value: t.Any, *args: t.Any, **kwargs: t.Any) -> str:
        if value is None or value == "":
            return ""
        try:
            return function(value, *args, **kwargs)
        except (ValueError, TypeError, AttributeError, ArithmeticError, numbers.NumberFormatError):
            return ""

    return wrapper


@_never_raise
def format_datetime(value: dt.datetime | dt.date, format: str = "medium") -> str:
    """A date and time, in the active language's ``"short"``/``"medium"``/``"long"``/``"full"`` form (or a pattern)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    value, zone = _in_zone(value)
    return dates.format_datetime(value, format, tzinfo=zone, locale=current_locale())


@_never_raise
def format_date(value: dt.datetime | dt.date, format: str = "medium") -> str:
    """A date (an aware datetime's date in the current time zone)."""
    if isinstance(value, dt.datetime):
        value, zone = _in_zone(value)
        value = value.astimezone(zone).date()
    return dates.format_date(value, format, locale=current_locale())


@_never_raise
def format_time(value: dt.datetime | dt.time, format: str = "medium") -> str:
    """A time of day (an aware datetime's in the current time zone)."""
    if isinstance(value, dt.datetime):
        value, zone = _in_zone(value)
        return dates.format_time(value, format, tzinfo=zone, locale=current_locale())
    return dates.format_time(value, format, locale=current_locale())


@_never_raise
def format_timedelta(
    value: dt.timedelta | dt.datetime, granularity: str = "second", add_direction: bool = False, threshold: float = 0.85
) -> str:
    """A duration in words (``"3 days"``); a datetime is the time since then."""
    if isinstance(value, dt.datetime):
        now = timezone.now() if timezone.is_aware(value) else dt.datetime.now()
        value = now - value
    return dates.format_timedelta(
        value, granularity=granularity, threshold=threshold, add_direction=add_direction, locale=current_locale()
    )


def _number(value: t.Any) -> int | float | decimal.Decimal:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int | float | decimal.Decimal):
        return value
    return decimal.Decimal(str(value).strip())


@_never_raise
def format_decimal(value: t.Any, format: str | None = None, decimal_quantization: bool = True) -> str:
    """A number with the active language's separators: ``1.234,5`` in German."""
    return numbers.format_decimal(
        _number(value), format=format, locale=current_locale(), decimal_quantization=decimal_quantization
    )


@_never_raise
def format_currency(value: t.Any, currency: str, format: str | None = None) -> str:
    """An amount of ``currency`` (ISO 4217: ``"EUR"``, ``"CNY"``) as the active language writes it."""
    return numbers.format_currency(_number(value), currency, format=format, locale=current_locale())


@_never_raise
def format_percent(value: t.Any, format: str | None = None) -> str:
    """A ratio as a percentage: ``0.25`` -> ``25 %``."""
    return numbers.format_percent(_number(value), format=format, locale=current_locale())


@_never_raise
def format_scientific(value: t.Any, format: str | None = None) -> str:
    """A number in scientific notation."""
    return numbers.format_scientific(_number(value), format=format, locale=current_locale())


#: The template filters, by name (Flask-Babel's names).
FILTERS: dict[str, t.Callable[..., str]] = {
    "datetimeformat": format_datetime,
    "dateformat": format_date,
    "timeformat": format_time,
    "timedeltaformat": format_timedelta,
    "numberformat": format_decimal,
    "decimalformat": format_decimal,
    "currencyformat": format_currency,
    "percentformat": format_percent,
    "scientificformat": format_scientific,
}

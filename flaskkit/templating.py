"""The template built-ins Django users reach for first, in every flaskkit app's Jinja environment.

Filters (Django's arguments become Jinja's call syntax, ``{{ n|pluralize("y,ies") }}``):

* ``date``/``time`` with Django's format characters (``{{ post.created|date("jS F Y") }}``,
  or a format name: ``date("SHORT_DATE_FORMAT")``); an aware datetime is shown in the
  current time zone;
* ``timesince``/``timeuntil``, ``pluralize``, ``yesno``, ``default_if_none``,
  ``linebreaksbr`` (escapes its input unless it is ``Markup``), ``filesizeformat``
  (Django's: 1024-based, "1.0\\xa0KB"; it replaces Jinja's own), ``floatformat``, ``intcomma``;
* ``localtime``, ``utc``, ``timezone("Asia/Tokyo")``: an aware datetime in that zone,
  which ``date`` and ``time`` then keep.

Globals: ``url(endpoint, *args, **kwargs)``, ``url_for`` taking positional arguments as
``{% url %}`` does: ``{{ url("post_detail", post.id) }}``; ``get_current_language()``
(``<html lang="{{ get_current_language() }}">``).

Translation (Jinja's i18n extension, with ``flaskkit.translation`` behind it): ``_()``,
``gettext()``, ``ngettext()``, ``pgettext()``, ``npgettext()`` and ``{% trans %}`` blocks
(trimmed, as Django's ``{% blocktranslate trimmed %}``), in every app. Without the ``i18n``
plugin they give the text as written. With autoescaping on, the ``%(name)s`` values are
escaped and a translation can hold no tag that its message does not
(:func:`flaskkit.translation.safe_translation`).

A filter never raises on a value it cannot handle: it gives ``""`` (or the value), as
Django's do. Filters that the app registered before the kit booted are kept.
"""

from __future__ import annotations

import re
import typing as t
import zoneinfo
from datetime import datetime
from datetime import tzinfo
from decimal import ROUND_HALF_UP
from decimal import Context
from decimal import Decimal
from decimal import InvalidOperation
from decimal import getcontext

import jinja2
import jinja2.filters
from flask import current_app
from flask import request
from flask import url_for
from jinja2 import pass_eval_context
from markupsafe import Markup
from markupsafe import escape

from . import dateformat
from . import timezone as tz
from . import translation
from .timesince import timesince
from .timesince import timeuntil

if t.TYPE_CHECKING:
    from flask import Flask
    from jinja2.nodes import EvalContext

__all__ = [
    "date_filter",
    "default_if_none",
    "filesizeformat",
    "floatformat",
    "init_app",
    "intcomma",
    "linebreaksbr",
    "localtime_filter",
    "pluralize",
    "time_filter",
    "timesince_filter",
    "timeuntil_filter",
    "timezone_filter",
    "url",
    "utc_filter",
    "yesno",
]


def init_app(app: Flask) -> None:
    """Set up the time zone settings and put the built-ins in ``app``'s Jinja environment."""
    tz.init_app(app)
    env = app.jinja_env
    for name, function in FILTERS.items():
        existing = env.filters.get(name)
        if existing is None or existing is jinja2.filters.FILTERS.get(name):
            env.filters[name] = function
    env.globals.setdefault("url", url)
    env.globals.setdefault("get_current_language", translation.get_language)
    install_translations(env)


def install_translations(env: jinja2.Environment) -> None:
    """Jinja's i18n extension with the kit's translation functions (unless the app installed its own)."""
    if "jinja2.ext.InternationalizationExtension" in env.extensions:
        return
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
        newstyle=True,
    )


def _as_template_text(context: t.Any, forms: tuple[str, ...], translated: str) -> str:
    # With autoescaping, the result is markup: Jinja then escapes the %(name)s values put into it.
    if not context.eval_ctx.autoescape:
        return translated
    if translated in forms:
        return Markup(translated)
    return translation.safe_translation("".join(forms), translated)


@jinja2.pass_context
def _template_gettext(context: t.Any, message: str) -> str:
    return _as_template_text(context, (message,), translation.gettext(message))


@jinja2.pass_context
def _template_ngettext(context: t.Any, singular: str, plural: str, number: int) -> str:
    return _as_template_text(context, (singular, plural), translation.ngettext(singular, plural, number))


@jinja2.pass_context
def _template_pgettext(context: t.Any, message_context: str, message: str) -> str:
    return _as_template_text(context, (message,), translation.pgettext(message_context, message))


@jinja2.pass_context
def _template_npgettext(context: t.Any, message_context: str, singular: str, plural: str, number: int) -> str:
    translated = translation.npgettext(message_context, singular, plural, number)
    return _as_template_text(context, (singular, plural), translated)


# -- dates and times --------------------------------------------------------------------------


class _ExplicitZone(datetime):
    """A datetime a ``localtime``/``utc``/``timezone`` filter put in a zone: ``date`` keeps that zone."""


def _template_localtime(value: t.Any) -> t.Any:
    """An aware datetime in the current time zone (when ``USE_TZ`` is on), as Django's templates show it."""
    if isinstance(value, datetime) and not isinstance(value, _ExplicitZone) and tz.use_tz() and tz.is_aware(value):
        return tz.localtime(value)
    return value


def date_filter(value: t.Any, arg: str | None = None) -> str:
    """``value`` formatted with Django's format characters (default: ``DATE_FORMAT``, "N j, Y")."""
    if value in (None, ""):
        return ""
    try:
        return dateformat.format(_template_localtime(value), arg or "DATE_FORMAT")
    except AttributeError:
        return ""


def time_filter(value: t.Any, arg: str | None = None) -> str:
    """The time of ``value`` formatted with Django's time format characters (default: ``TIME_FORMAT``, "P")."""
    if value in (None, ""):
        return ""
    try:
        return dateformat.time_format(_template_localtime(value), arg or "TIME_FORMAT")
    except (AttributeError, TypeError):
        return ""


def timesince_filter(value: t.Any, arg: t.Any = None) -> str:
    """The time since ``value`` (until ``arg``, default now): ``"4\\xa0days, 6\\xa0hours"``."""
    if not value:
        return ""
    try:
        return timesince(value, arg) if arg else timesince(value)
    except (ValueError, TypeError, AttributeError):
        return ""


def timeuntil_filter(value: t.Any, arg: t.Any = None) -> str:
    """The time until ``value`` (from ``arg``, default now)."""
    if not value:
        return ""
    try:
        return timeuntil(value, arg)
    except (ValueError, TypeError, AttributeError):
        return ""


def timezone_filter(value: t.Any, arg: tzinfo | str | None) -> datetime | str:
    """``value`` in the zone ``arg`` (a ``tzinfo`` or a name); a naive value is taken to be in ``TIME_ZONE``."""
    if not isinstance(value, datetime):
        return ""
    try:
        if tz.is_naive(value):
            value = tz.make_aware(value, tz.get_default_timezone())
    except Exception:  # a filter never raises
        return ""
    if isinstance(arg, tzinfo):
        zone = arg
    elif isinstance(arg, str):
        try:
            zone = zoneinfo.ZoneInfo(arg)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return ""
    else:
        return ""
    result = tz.localtime(value, zone)
    return _ExplicitZone(
        result.year,
        result.month,
        result.day,
        result.hour,
        result.minute,
        result.second,
        result.microsecond,
        result.tzinfo,
        fold=result.fold,
    )


def localtime_filter(value: t.Any) -> datetime | str:
    """``value`` in the current time zone."""
    return timezone_filter(value, tz.get_current_timezone())


def utc_filter(value: t.Any) -> datetime | str:
    """``value`` in UTC."""
    return timezone_filter(value, tz.UTC)


# -- text -------------------------------------------------------------------------------------


def pluralize(value: t.Any, arg: str = "s") -> str:
    """``"s"`` unless ``value`` (a number, or a sized object) is 1; ``arg`` ``"y,ies"`` gives both forms."""
    if "," not in arg:
        arg = "," + arg
    bits = arg.split(",")
    if len(bits) > 2:
        return ""
    singular, plural = bits
    try:
        return singular if float(value) == 1 else plural
    except ValueError:  # a string that is not a number
        return ""
    except TypeError:  # not a number: maybe a list
        try:
            return singular if len(value) == 1 else plural
        except TypeError:
            return ""


def yesno(value: t.Any, arg: str | None = None) -> t.Any:
    """``"yes"``, ``"no"`` or ``"maybe"`` (for ``None``); ``arg`` ``"on,off,unknown"`` changes the words."""
    bits = (arg if arg is not None else "yes,no,maybe").split(",")
    if len(bits) < 2:
        return value  # an invalid argument
    if len(bits) == 3:
        yes, no, maybe = bits
    else:
        yes, no, maybe = bits[0], bits[1], bits[1]
    if value is None:
        return maybe
    return yes if value else no


def default_if_none(value: t.Any, arg: t.Any) -> t.Any:
    """``arg`` when ``value`` is ``None`` (only then: ``""`` and ``0`` stay)."""
    return arg if value is None else value


def linebreaksbr(value: t.Any, autoescape: bool = True) -> Markup:
    """Line breaks become ``<br>``; the text is escaped first (unless it is ``Markup`` or autoescape is off)."""
    text = re.sub(r"\r\n|\r", "\n", str(value))
    if autoescape and not isinstance(value, Markup):
        text = str(escape(text))
    return Markup(text.replace("\n", "<br>"))


@pass_eval_context
def _linebreaksbr(eval_ctx: EvalContext, value: t.Any) -> Markup:
    return linebreaksbr(value, autoescape=eval_ctx.autoescape)


# -- numbers ----------------------------------------------------------------------------------


def _group(digits: str, separator: str = ",") -> str:
    """``"1234567"`` -> ``"1,234,567"`` (a leading ``-`` stays)."""
    sign = "-" if digits.startswith("-") else ""
    digits = digits.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + separator.join(groups)


def _number_format(number: str, force_grouping: bool = False) -> str:
    """``"1234.50"`` with thousands grouped when ``force_grouping`` or ``USE_THOUSAND_SEPARATOR``."""
    grouping = force_grouping or bool(_setting("USE_THOUSAND_SEPARATOR", False))
    whole, point, fraction = number.partition(".")
    if grouping:
        whole = _group(whole, str(_setting("THOUSAND_SEPARATOR", ",")))
    return whole + (str(_setting("DECIMAL_SEPARATOR", ".")) + fraction if point else "")


def _setting(name: str, default: t.Any) -> t.Any:
    from flask import has_app_context

    return current_app.config.get(name, default) if has_app_context() else default


def floatformat(value: t.Any, arg: int | str = -1) -> str:
    """``value`` rounded (half up) to ``arg`` decimal places, Django's rules.

    No argument: one decimal, only if there is one (``34.23`` -> ``"34.2"``, ``34.0`` -> ``"34"``);
    a positive ``arg`` always that many; a negative one that many only if there are decimals.
    A ``g`` suffix groups the thousands (``"2g"``); ``u`` (unlocalized) is accepted.
    """
    force_grouping = False
    if isinstance(arg, str):
        if arg[-2:] in {"gu", "ug"}:
            force_grouping, arg = True, arg[:-2] or -1
        elif arg[-1:] == "g":
            force_grouping, arg = True, arg[:-1] or -1
        elif arg[-1:] == "u":
            arg = arg[:-1] or -1
    input_value = str(value)
    try:
        number = Decimal(input_value)
    except InvalidOperation:
        try:
            number = Decimal(str(float(value)))
        except (ValueError, InvalidOperation, TypeError):
            return ""
    try:
        places = int(arg)
    except ValueError:
        return input_value
    _sign, digits, exponent = number.as_tuple()
    # Too many digits to write out (or a special value): as it was given, never a huge string.
    if not isinstance(exponent, int) or len(digits) + abs(exponent) > 200:
        return input_value
    try:
        fractional = int(number) - number
    except (ValueError, OverflowError, InvalidOperation):
        return input_value
    if not fractional and places <= 0:
        return Markup(_number_format(str(int(number)), force_grouping))
    quantum = Decimal(1).scaleb(-abs(places))
    units = len(digits) + (-exponent if fractional else exponent)
    precision = max(getcontext().prec, abs(places) + units + 1)
    rounded = number.quantize(quantum, ROUND_HALF_UP, Context(prec=precision))
    sign, digits, exponent = rounded.as_tuple()
    text = "".join(str(d) for d in digits).rjust(-t.cast(int, exponent) + 1, "0")
    if exponent:
        text = f"{text[: t.cast(int, exponent)]}.{text[t.cast(int, exponent) :]}"
    if sign and rounded:
        text = "-" + text
    return Markup(_number_format(text, force_grouping))


def intcomma(value: t.Any) -> t.Any:
    """``1234567.25`` -> ``"1,234,567.25"``: the thousands of an integer, float, Decimal or numeric string."""
    if isinstance(value, float | Decimal):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(str(value)), "f")
        whole, point, fraction = text.partition(".")
        return _group(whole) + point + fraction
    try:
        return _group(str(int(value)))
    except (TypeError, ValueError):
        pass  # not an integer: group the digits it starts with
    text = str(value)
    match = re.match(r"-?\d+", text)
    if match is None or value is None:
        return value
    return _group(match[0]) + text[match.end() :]


def filesizeformat(value: t.Any) -> str:
    """A byte count for people, Django's way: ``"117.7\\xa0MB"`` (1024-based; ``"1\\xa0byte"``)."""
    try:
        size = int(value)
    except (TypeError, ValueError, UnicodeDecodeError):
        return "0\xa0bytes"
    negative = size < 0
    size = abs(size)
    if size < 1024:
        text = f"{size}\xa0byte{'' if size == 1 else 's'}"
    else:
        for power, unit in enumerate(("KB", "MB", "GB", "TB", "PB"), start=1):
            if size < 1024 ** (power + 1) or unit == "PB":
                text = f"{_number_format(f'{round(size / 1024**power, 1):.1f}')}\xa0{unit}"
                break
    return f"-{text}" if negative else text


# -- url() ------------------------------------------------------------------------------------

_VARIABLE = re.compile(r"<(?:[a-zA-Z_][a-zA-Z0-9_]*(?:\(.*?\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")


def url(endpoint: str, *args: t.Any, **values: t.Any) -> str:
    """``url_for`` with positional arguments, as Django's ``{% url "name" arg1 arg2 %}``.

    The positional arguments fill the variables of the endpoint's URL rule in the
    order they appear in it (``/<int:year>/<slug>/``: year, then slug); among the
    endpoint's rules, the first one with that many variables (not given by name) is
    used. Keyword arguments are ``url_for``'s (``_external=True``, query string values).
    """
    if not args:
        return url_for(endpoint, **values)
    full = endpoint
    if endpoint.startswith("."):
        blueprint = request.blueprint if request else None
        full = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
    try:
        rules = list(current_app.url_map.iter_rules(full))
    except KeyError:
        return url_for(endpoint, **values)  # Flask's BuildError says what exists
    counts = []
    for rule in rules:
        names = [
            name
            for part in ((rule.subdomain or "") if "<" in (rule.subdomain or "") else "", rule.host or "", rule.rule)
            for name in _VARIABLE.findall(part)
            if name not in values
        ]
        if len(names) == len(args):
            return url_for(endpoint, **dict(zip(names, args, strict=True)), **values)
        counts.append(len(names))
    shown = " or ".join(str(n) for n in sorted(set(counts)))
    raise TypeError(
        f"url({endpoint!r}) got {len(args)} positional argument{'s' if len(args) != 1 else ''}, "
        f"but the URL rule{'s' if len(rules) != 1 else ''} of {full!r} take{'' if len(rules) != 1 else 's'} {shown}: "
        + ", ".join(repr(rule.rule) for rule in rules)
        + "."
    )


#: The filters :func:`init_app` registers, by name.
FILTERS: dict[str, t.Callable[..., t.Any]] = {
    "date": date_filter,
    "time": time_filter,
    "timesince": timesince_filter,
    "timeuntil": timeuntil_filter,
    "localtime": localtime_filter,
    "utc": utc_filter,
    "timezone": timezone_filter,
    "pluralize": pluralize,
    "yesno": yesno,
    "default_if_none": default_if_none,
    "linebreaksbr": _linebreaksbr,
    "filesizeformat": filesizeformat,
    "floatformat": floatformat,
    "intcomma": intcomma,
}

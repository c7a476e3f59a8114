"""The template built-ins: the cases of Django's ``template_tests/filter_tests`` for each filter.

Django's ``{{ a|filter:arg }}`` is ``{{ a|filter(arg) }}`` in Jinja. Templates made
with ``from_string`` are autoescaped, as Django's are.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from decimal import localcontext

import pytest
from flask import Blueprint
from flask import Flask
from markupsafe import Markup
from werkzeug.routing import BuildError

from flaskkit import create_app
from flaskkit import timezone
from flaskkit.templating import date_filter
from flaskkit.templating import default_if_none
from flaskkit.templating import filesizeformat
from flaskkit.templating import floatformat
from flaskkit.templating import intcomma
from flaskkit.templating import linebreaksbr
from flaskkit.templating import pluralize
from flaskkit.templating import timesince_filter
from flaskkit.templating import timeuntil_filter
from flaskkit.templating import url
from flaskkit.templating import yesno
from tests.conftest import settings


@pytest.fixture
def app() -> Flask:
    return create_app(settings())


@pytest.fixture
def render(app):
    def render(source: str, **context) -> str:
        with app.app_context():
            return app.jinja_env.from_string(source).render(**context)

    return render


# -- registration ------------------------------------------------------------------------------


def test_every_app_has_the_builtins(app):
    filters = app.jinja_env.filters
    for name in ("date", "time", "timesince", "timeuntil", "pluralize", "yesno", "default_if_none", "linebreaksbr",
                 "filesizeformat", "floatformat", "intcomma", "localtime", "utc", "timezone"):  # fmt: skip
        assert name in filters
    assert app.jinja_env.globals["url"] is url


def test_filters_the_app_registered_before_the_kit_are_kept():
    from flaskkit import Kit

    app = Flask(__name__)
    app.config.update(settings())
    app.add_template_filter(lambda value, arg="": "mine", "date")
    Kit(app)
    with app.app_context():
        assert app.jinja_env.from_string("{{ d|date }}").render(d=date(2020, 1, 1)) == "mine"
        # Jinja's own filesizeformat is replaced by Django's
        assert app.jinja_env.from_string("{{ 1024|filesizeformat }}").render() == "1.0\xa0KB"


# -- pluralize ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1,), ""), ((0,), "s"), ((2,), "s"),
        ((0.5,), "s"), ((1.5,), "s"),
        ((Decimal(1),), ""), ((Decimal(0),), "s"), ((Decimal(2),), "s"),
        (([1],), ""), (([],), "s"), (([1, 2, 3],), "s"),
        ((1, "es"), ""), ((0, "es"), "es"), ((2, "es"), "es"),
        ((1, "y,ies"), "y"), ((0, "y,ies"), "ies"), ((2, "y,ies"), "ies"),
        ((0, "y,ies,error"), ""),
        (("1",), ""), (("abc",), ""), ((object(),), ""), (("",), ""),
    ],
)  # fmt: skip
def test_pluralize(args, expected):
    assert pluralize(*args) == expected


def test_pluralize_in_a_template(render):
    assert render('{{ n }} vote{{ n|pluralize }}, {{ c }} cherr{{ c|pluralize("y,ies") }}', n=1, c=2) == (
        "1 vote, 2 cherries"
    )


# -- yesno -------------------------------------------------------------------------------------


def test_yesno(render):
    assert render('{{ var|yesno("yup,nup,mup") }} {{ var|yesno }}', var=True) == "yup yes"
    assert yesno(True) == "yes"
    assert yesno(False) == "no"
    assert yesno(None) == "maybe"
    assert yesno(True, "certainly,get out of town,perhaps") == "certainly"
    assert yesno(False, "certainly,get out of town,perhaps") == "get out of town"
    assert yesno(None, "certainly,get out of town") == "get out of town"
    assert yesno(None, "certainly,get out of town,perhaps") == "perhaps"
    assert yesno(True, "yes") is True
    assert yesno(False, "yes") is False
    assert yesno(None, "yes") is None


# -- default_if_none -----------------------------------------------------------------------------


def test_default_if_none(render):
    assert default_if_none("val", "default") == "val"
    assert default_if_none(None, "default") == "default"
    assert default_if_none("", "default") == ""
    assert render('{{ a|default_if_none("-") }}|{{ b|default_if_none("-") }}', a=None, b=0) == "-|0"


# -- linebreaksbr ----------------------------------------------------------------------------------


def test_linebreaksbr_escapes_unless_markup_or_autoescape_off(render):
    context = {"a": "x&\ny", "b": Markup("x&\ny")}
    assert render("{{ a|linebreaksbr }} {{ b|linebreaksbr }}", **context) == "x&amp;<br>y x&<br>y"
    assert render(
        "{% autoescape false %}{{ a|linebreaksbr }} {{ b|linebreaksbr }}{% endautoescape %}", **context
    ) == "x&<br>y x&<br>y"  # fmt: skip
    assert render("{{ a|linebreaksbr }}", a="<script>alert(1)</script>\n") == (
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("line 1\nline 2", "line 1<br>line 2"),
        ("line 1\rline 2", "line 1<br>line 2"),
        ("line 1\r\nline 2", "line 1<br>line 2"),
        (123, "123"),
        ("foo\n<a>bar</a>\nbuz", "foo<br>&lt;a&gt;bar&lt;/a&gt;<br>buz"),
    ],
)
def test_linebreaksbr(value, expected):
    assert linebreaksbr(value) == expected
    assert isinstance(linebreaksbr(value), Markup)


def test_linebreaksbr_autoescape_off():
    assert linebreaksbr("foo\n<a>bar</a>\nbuz", autoescape=False) == "foo<br><a>bar</a><br>buz"


# -- filesizeformat ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0\xa0bytes"),
        (1, "1\xa0byte"),
        (1023, "1023\xa0bytes"),
        (1024, "1.0\xa0KB"),
        (10 * 1024, "10.0\xa0KB"),
        (1024 * 1024 - 1, "1024.0\xa0KB"),
        (1024 * 1024, "1.0\xa0MB"),
        (1024 * 1024 * 50, "50.0\xa0MB"),
        (1024 * 1024 * 1024 - 1, "1024.0\xa0MB"),
        (1024 * 1024 * 1024, "1.0\xa0GB"),
        (1024 * 1024 * 1024 * 1024, "1.0\xa0TB"),
        (1024 * 1024 * 1024 * 1024 * 1024, "1.0\xa0PB"),
        (1024 * 1024 * 1024 * 1024 * 1024 * 2000, "2000.0\xa0PB"),
        (complex(1, -1), "0\xa0bytes"),
        ("", "0\xa0bytes"),
        ("\N{GREEK SMALL LETTER ALPHA}", "0\xa0bytes"),
        (-1, "-1\xa0byte"),
        (-100, "-100\xa0bytes"),
        (-1024 * 1024 * 50, "-50.0\xa0MB"),
    ],
)
def test_filesizeformat(value, expected):
    assert filesizeformat(value) == expected


# -- floatformat ------------------------------------------------------------------------------------


def test_floatformat_in_templates(render):
    context = {"a": "1.42", "b": Markup("1.42")}
    assert render("{{ a|floatformat }} {{ b|floatformat }}", **context) == "1.4 1.4"
    assert render("{% autoescape false %}{{ a|floatformat }} {{ b|floatformat }}{% endautoescape %}", **context) == (
        "1.4 1.4"
    )


class FloatWrapper:
    def __init__(self, value):
        self.value = value

    def __float__(self):
        return self.value


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((7.7,), "7.7"), ((7.0,), "7"), ((0.7,), "0.7"), ((-0.7,), "-0.7"), ((0.07,), "0.1"), ((-0.07,), "-0.1"),
        ((0.007,), "0.0"), ((0.0,), "0"), ((7.7, 0), "8"), ((7.7, 3), "7.700"), ((6.000000, 3), "6.000"),
        ((6.200000, 3), "6.200"), ((6.200000, -3), "6.200"), ((13.1031, -3), "13.103"), ((11.1197, -2), "11.12"),
        ((11.0000, -2), "11"), ((11.000001, -2), "11.00"), ((8.2798, 3), "8.280"), ((5555.555, 2), "5555.56"),
        ((1.3000, 2), "1.30"), ((0.12345, 2), "0.12"), ((Decimal("555.555"), 2), "555.56"),
        ((Decimal("09.000"),), "9"),
        ((Decimal("123456.123456789012345678901"), 21), "123456.123456789012345678901"),
        ((13.1031, "bar"), "13.1031"), ((18.125, 2), "18.13"),
        ((-1.323297138040798e35, 2), "-132329713804079800000000000000000000.00"),
        ((-1.323297138040798e35, -2), "-132329713804079800000000000000000000"),
        ((1.5e-15, 20), "0.00000000000000150000"), ((1.5e-15, -20), "0.00000000000000150000"),
        ((1.00000000000000015, 16), "1.0000000000000002"), (("1e199",), "1" + "0" * 199),
        # zero values
        ((0, 6), "0.000000"), ((0, 7), "0.0000000"), ((0, 10), "0.0000000000"),
        ((0.000000000000000000015, 20), "0.00000000000000000002"), (("0.00", 0), "0"), ((Decimal("0.00"), 0), "0"),
        (("0.0000", 2), "0.00"), ((Decimal("0.0000"), 2), "0.00"), (("0.000000", 4), "0.0000"),
        ((Decimal("0.000000"), 4), "0.0000"),
        # negative zero
        ((-0.01, -1), "0.0"), ((-0.001, 2), "0.00"), ((-0.499, 0), "0"),
        # infinity and NaN
        ((1e30000,), "inf"), ((-1e30000,), "-inf"), ((1e30000 / 1e30000,), "nan"), (("inf",), "inf"),
        (("NaN",), "NaN"),
        # grouping (English)
        ((10000, "g"), "10,000"), ((66666.666, "1g"), "66,666.7"), ((10000, "g2"), "10000"),
        ((66666.666, "2u"), "66666.67"), ((66666.666, "u2"), "66666.666"),
        ((FloatWrapper(11.000001), -2), "11.00"),
    ],
)  # fmt: skip
def test_floatformat(args, expected):
    assert floatformat(*args) == expected


@pytest.mark.parametrize(
    "value",
    [None, [], {}, object(), "abc123", "123abc", "foo", "error", "¿Cómo esta usted?", "1e", "1e+", "1e-", "e400",
     "e+400", "e-400", "1e^2", "1e2e3", "1e2a", "1e2.0", "1e2,0", "1e.2", "1e2.", "1+e2", "1e2+"],
)  # fmt: skip
def test_floatformat_invalid_inputs(value):
    assert floatformat(value) == ""
    assert floatformat(value, "bar") == ""


@pytest.mark.parametrize("value", ["1e200", "1E200", "1E10000000000000000", "-1E10000000000000000",
                                   "1e10000000000000000", "-1e10000000000000000", "1" + "0" * 1_000_000])  # fmt: skip
def test_floatformat_too_many_digits_to_render(value):
    assert floatformat(value) == value


def test_floatformat_low_decimal_precision():
    with localcontext() as ctx:
        ctx.prec = 2
        assert floatformat(1.2345, 2) == "1.23"
        assert floatformat(15.2042, -3) == "15.204"
        assert floatformat(1.2345, "2") == "1.23"
        assert floatformat(15.2042, "-3") == "15.204"
        assert floatformat(Decimal("1.2345"), 2) == "1.23"
        assert floatformat(Decimal("15.2042"), -3) == "15.204"


def test_floatformat_groups_with_the_thousand_separator_settings(app):
    app.config.update(USE_THOUSAND_SEPARATOR=True, THOUSAND_SEPARATOR="!")
    with app.app_context():
        assert floatformat(66666.666, "2") == "66!666.67"


# -- intcomma ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100, "100"), (-100, "-100"), (1000, "1,000"), (-1000, "-1,000"), (10123, "10,123"), (-10123, "-10,123"),
        (10311, "10,311"), (-10311, "-10,311"), (1000000, "1,000,000"), (-1000000, "-1,000,000"),
        (1234567.25, "1,234,567.25"), (-1234567.25, "-1,234,567.25"), ("100", "100"), ("-100", "-100"),
        ("1000", "1,000"), ("-1000", "-1,000"), ("10123", "10,123"), ("-10123", "-10,123"), ("10311", "10,311"),
        ("-10311", "-10,311"), ("1000000", "1,000,000"), ("-1000000", "-1,000,000"),
        ("1234567.1234567", "1,234,567.1234567"), ("-1234567.1234567", "-1,234,567.1234567"),
        (Decimal("1234567.1234567"), "1,234,567.1234567"), (Decimal("-1234567.1234567"), "-1,234,567.1234567"),
        (None, None), ("1234567", "1,234,567"), ("-1234567", "-1,234,567"), ("1234567.12", "1,234,567.12"),
        ("-1234567.12", "-1,234,567.12"),
        ("the quick brown fox jumped over the lazy dog", "the quick brown fox jumped over the lazy dog"),
    ],
)  # fmt: skip
def test_intcomma(value, expected):
    assert intcomma(value) == expected


def test_intcomma_in_a_template(render):
    assert render("{{ n|intcomma }} {{ none|intcomma }}", n=4500, none=None) == "4,500 None"


# -- date and time --------------------------------------------------------------------------------------


def test_date_filter(render):
    assert render('{{ d|date("m") }}', d=datetime(2008, 1, 1)) == "01"
    assert render("{{ d|date }}", d=datetime(2008, 1, 1)) == "Jan. 1, 2008"
    assert render('{{ d|date("m") }}', d="fail_string") == ""
    assert render('{{ d|date("o") }}', d=datetime(2008, 12, 29)) == "2009"
    assert render('{{ d|date("o") }}', d=datetime(2010, 1, 3)) == "2009"
    assert render('{{ d|date("e") }}', d=datetime(2009, 3, 12)) == ""
    assert render('{{ t|date("H:i") }}', t=time(0, 1)) == "00:01"
    assert render('{{ t|date("H:i") }}', t=time(0, 0)) == "00:00"
    assert date_filter(datetime(2005, 12, 29), "d F Y") == "29 December 2005"
    assert date_filter("") == ""
    assert date_filter(None) == ""
    assert date_filter(datetime(2005, 12, 29), r"jS \o\f F") == "29th of December"


def test_date_filter_takes_a_named_format(render):
    assert render('{{ d|date("SHORT_DATE_FORMAT") }}', d=date(2008, 1, 9)) == "01/09/2008"


def test_date_e_of_an_aware_value_without_time_zone_support():
    app = create_app(settings(USE_TZ=False))
    with app.app_context():
        template = app.jinja_env.from_string('{{ d|date("e") }}')
        assert template.render(d=datetime(2009, 3, 12, tzinfo=timezone.get_fixed_timezone(30))) == "+0030"


def test_date_and_time_show_aware_values_in_the_current_time_zone():
    app = create_app(settings(TIME_ZONE="Europe/Paris"))
    moment = datetime(2024, 7, 1, 10, 30, tzinfo=UTC)
    with app.app_context():
        assert app.jinja_env.from_string('{{ m|date("H:i e") }}').render(m=moment) == "12:30 CEST"
        assert app.jinja_env.from_string('{{ m|time("H:i T") }}').render(m=moment) == "12:30 CEST"
        with timezone.override("Asia/Tokyo"):
            assert app.jinja_env.from_string('{{ m|date("H:i") }}').render(m=moment) == "19:30"
            # naive values are shown as they are
            assert app.jinja_env.from_string('{{ m|date("H:i") }}').render(m=datetime(2024, 1, 1, 8)) == "08:00"


def test_localtime_utc_and_timezone_filters():
    app = create_app(settings(TIME_ZONE="Europe/Paris"))
    moment = datetime(2024, 7, 1, 10, 30, tzinfo=UTC)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    with app.app_context():

        def render(source, **context):
            return app.jinja_env.from_string(source).render(**context)

        assert render('{{ m|localtime|date("H:i") }}', m=moment) == "12:30"
        assert render("{{ m|localtime }}", m=moment) == "2024-07-01 12:30:00+02:00"
        assert render("{{ m|utc }}", m=moment) == "2024-07-01 10:30:00+00:00"
        # the zone a filter chose is kept by date (not converted back to the current one)
        assert render('{{ m|timezone("Asia/Tokyo")|date("H:i T") }}', m=moment) == "19:30 JST"
        assert render('{{ m|timezone(tz)|date("H:i") }}', m=moment, tz=tokyo) == "19:30"
        assert render('{{ m|utc|date("H:i") }}', m=moment) == "10:30"
        # a naive value is taken to be in TIME_ZONE
        assert render("{{ m|utc }}", m=datetime(2024, 7, 1, 12, 30)) == "2024-07-01 10:30:00+00:00"
        # never an error
        assert render('{{ m|timezone("Mars/Olympus") }}', m=moment) == ""
        assert render("{{ m|timezone(3) }}", m=moment) == ""
        assert render("{{ m|localtime }}", m="not a date") == ""
        assert render("{{ m|utc }}", m=date(2024, 1, 1)) == ""


def test_time_filter():
    app = create_app(settings(USE_TZ=False))
    now_tz_i = timezone.localtime(datetime.now(UTC), timezone.get_fixed_timezone(195))
    with app.app_context():

        def render(source, **context):
            return app.jinja_env.from_string(source).render(**context)

        assert render('{{ dt|time("e:O:T:Z") }}', dt=now_tz_i) == "+0315:+0315:+0315:11700"
        assert render('{{ dt|time("e:T") }}', dt=datetime.now()) == ":UTC"
        assert render('{{ t|time("P:e:O:T:Z") }}', t=time(4, 0, tzinfo=timezone.get_fixed_timezone(30))) == (
            "4 a.m.::::"
        )
        assert render('{{ t|time("P:e:O:T:Z") }}', t=time(4, 0)) == "4 a.m.::::"
        assert render('{{ d|time("P:e:O:T:Z") }}', d=date.today()) == ""
        assert render('{{ obj|time("P:e:O:T:Z") }}', obj="non-datetime-value") == ""
        assert render("{{ t|time }}", t=time(16, 25)) == "4:25 p.m."
        assert render('{{ t|time("j") }}', t=datetime(2024, 1, 1)) == ""


# -- timesince and timeuntil ----------------------------------------------------------------------------


class Moments:
    def __init__(self) -> None:
        self.now = datetime.now()
        self.now_tz = datetime.now(UTC)
        self.now_tz_i = timezone.localtime(self.now_tz, timezone.get_fixed_timezone(195))
        self.today = date.today()


def test_timesince_filter(render):
    m = Moments()
    cases = [
        ({"a": datetime.now() + timedelta(minutes=-1, seconds=-10)}, "{{ a|timesince }}", "1\xa0minute"),
        ({"a": datetime.now() - timedelta(days=1, minutes=1)}, "{{ a|timesince }}", "1\xa0day"),
        ({"a": datetime.now() - timedelta(hours=1, minutes=25, seconds=10)}, "{{ a|timesince }}",
         "1\xa0hour, 25\xa0minutes"),
        ({"a": m.now - timedelta(days=2), "b": m.now - timedelta(days=1)}, "{{ a|timesince(b) }}", "1\xa0day"),
        ({"a": m.now - timedelta(days=2, minutes=1), "b": m.now - timedelta(days=2)}, "{{ a|timesince(b) }}",
         "1\xa0minute"),
        ({"a": m.now_tz - timedelta(hours=8), "b": m.now_tz}, "{{ a|timesince(b) }}", "8\xa0hours"),
        ({"earlier": m.now - timedelta(days=7)}, "{{ earlier|timesince }}", "1\xa0week"),
        ({"now": m.now, "earlier": m.now - timedelta(days=7)}, "{{ earlier|timesince(now) }}", "1\xa0week"),
        ({"later": m.now + timedelta(days=7)}, "{{ later|timesince }}", "0\xa0minutes"),
        ({"now": m.now, "later": m.now + timedelta(days=7)}, "{{ later|timesince(now) }}", "0\xa0minutes"),
        ({"a": m.now}, "{{ a|timesince }}", "0\xa0minutes"),
        ({"a": m.now_tz}, "{{ a|timesince }}", "0\xa0minutes"),
        ({"a": m.now_tz_i}, "{{ a|timesince }}", "0\xa0minutes"),
        ({"a": m.now_tz, "b": m.now_tz_i}, "{{ a|timesince(b) }}", "0\xa0minutes"),
        ({"a": m.now, "b": m.now_tz_i}, "{{ a|timesince(b) }}", ""),
        ({"a": m.now_tz_i, "b": m.now}, "{{ a|timesince(b) }}", ""),
        ({"a": m.today, "b": m.today}, "{{ a|timesince(b) }}", "0\xa0minutes"),
        ({"a": m.today, "b": m.today + timedelta(hours=24)}, "{{ a|timesince(b) }}", "1\xa0day"),
    ]  # fmt: skip
    for context, source, expected in cases:
        assert render(source, **context) == expected, source
    assert timesince_filter(datetime.now() - timedelta(1)) == "1\xa0day"
    assert timesince_filter(None) == ""
    assert timesince_filter(datetime(2005, 12, 29), datetime(2005, 12, 30)) == "1\xa0day"


def test_timeuntil_filter(render):
    m = Moments()
    cases = [
        ({"a": datetime.now() + timedelta(minutes=2, seconds=10)}, "{{ a|timeuntil }}", "2\xa0minutes"),
        ({"a": datetime.now() + timedelta(days=1, seconds=10)}, "{{ a|timeuntil }}", "1\xa0day"),
        ({"a": datetime.now() + timedelta(hours=8, minutes=10, seconds=10)}, "{{ a|timeuntil }}",
         "8\xa0hours, 10\xa0minutes"),
        ({"a": m.now - timedelta(days=1), "b": m.now - timedelta(days=2)}, "{{ a|timeuntil(b) }}", "1\xa0day"),
        ({"a": m.now - timedelta(days=2), "b": m.now - timedelta(days=2, minutes=1)}, "{{ a|timeuntil(b) }}",
         "1\xa0minute"),
        ({"earlier": m.now - timedelta(days=7)}, "{{ earlier|timeuntil }}", "0\xa0minutes"),
        ({"now": m.now, "earlier": m.now - timedelta(days=7)}, "{{ earlier|timeuntil(now) }}", "0\xa0minutes"),
        ({"later": m.now + timedelta(days=7, hours=1)}, "{{ later|timeuntil }}", "1\xa0week"),
        ({"now": m.now, "later": m.now + timedelta(days=7)}, "{{ later|timeuntil(now) }}", "1\xa0week"),
        ({"a": m.now_tz}, "{{ a|timeuntil }}", "0\xa0minutes"),
        ({"a": m.now_tz_i}, "{{ a|timeuntil }}", "0\xa0minutes"),
        ({"a": m.now_tz_i, "b": m.now_tz}, "{{ a|timeuntil(b) }}", "0\xa0minutes"),
        ({"a": m.today, "b": m.today}, "{{ a|timeuntil(b) }}", "0\xa0minutes"),
        ({"a": m.today, "b": m.today - timedelta(hours=24)}, "{{ a|timeuntil(b) }}", "1\xa0day"),
        ({"a": m.now, "b": m.now_tz_i}, "{{ a|timeuntil(b) }}", ""),
        ({"a": m.now_tz_i, "b": m.now}, "{{ a|timeuntil(b) }}", ""),
    ]  # fmt: skip
    for context, source, expected in cases:
        assert render(source, **context) == expected, source
    assert timeuntil_filter(datetime.now() + timedelta(1, 1)) == "1\xa0day"
    assert timeuntil_filter(None) == ""
    assert timeuntil_filter(datetime(2005, 12, 30), datetime(2005, 12, 29)) == "1\xa0day"


# -- url() ---------------------------------------------------------------------------------------------


@pytest.fixture
def site(app):
    @app.get("/posts/<int:year>/<slug>/")
    def post_detail(year, slug):
        return f"{year}/{slug}"

    @app.get("/archive/", defaults={"page": 1})
    @app.get("/archive/page/<int:page>/")
    def archive(page):
        return str(page)

    blueprint = Blueprint("blog", __name__)

    @blueprint.get("/tags/<name>/")
    def tag(name):
        from flask import render_template_string

        return render_template_string('{{ url(".tag", "other") }}')

    app.register_blueprint(blueprint, url_prefix="/blog")
    return app


def test_url_maps_positional_arguments_in_rule_order(site):
    with site.test_request_context():
        assert url("post_detail", 2024, "hello") == "/posts/2024/hello/"
        assert url("post_detail", 2024, slug="hello") == "/posts/2024/hello/"
        assert url("post_detail", year=2024, slug="hello", q="x") == "/posts/2024/hello/?q=x"
        assert url("archive") == "/archive/"
        assert url("archive", 3) == "/archive/page/3/"
        assert url("blog.tag", "flask") == "/blog/tags/flask/"
        assert url("post_detail", 2024, "a b", _anchor="top") == "/posts/2024/a%20b/#top"
        template = site.jinja_env.from_string('<a href="{{ url("post_detail", 2024, "<hi>") }}">')
        assert template.render() == '<a href="/posts/2024/%3Chi%3E/">'
    assert site.test_client().get("/blog/tags/x/").text == "/blog/tags/other/"


def test_url_with_the_wrong_number_of_arguments_says_what_the_rules_take(site):
    with site.test_request_context():
        with pytest.raises(TypeError) as excinfo:
            url("post_detail", 2024)
        assert str(excinfo.value) == (
            "url('post_detail') got 1 positional argument, but the URL rule of 'post_detail' takes 2: "
            "'/posts/<int:year>/<slug>/'."
        )
        with pytest.raises(BuildError):
            url("nowhere", 1)

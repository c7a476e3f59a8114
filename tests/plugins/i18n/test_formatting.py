"""Dates, numbers and currencies in the request's language and time zone (Babel)."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from flask import render_template_string

from flaskkit import timezone
from flaskkit.translation import override

from .conftest import write_catalog

MOMENT = dt.datetime(2026, 11, 21, 14, 5, tzinfo=dt.UTC)


@pytest.fixture
def app(make, tmp_path):
    for locale in ("de", "zh_Hans"):
        write_catalog(tmp_path / "locale", locale, {"x": "y"})
    return make(LOCALE_PATHS=[str(tmp_path / "locale")], TIME_ZONE="Europe/Berlin")


def render(source, **context):
    return render_template_string(source, **context)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Nov 21, 2026|1,234,567.891|€9.50|25%|15:05"),
        ("de", "21.11.2026|1.234.567,891|9,50\xa0€|25\xa0%|15:05"),
        ("zh-hans", "2026年11月21日|1,234,567.891|€9.50|25%|15:05"),
    ],
)
def test_filters_follow_the_language(app, language, expected):
    with app.test_request_context(), override(language):
        page = render(
            "{{ m|dateformat }}|{{ n|decimalformat }}|{{ 9.5|currencyformat('EUR') }}|{{ 0.25|percentformat }}"
            "|{{ m|timeformat('HH:mm') }}",
            m=MOMENT,
            n=decimal.Decimal("1234567.891"),
        )
        assert page == expected


def test_the_current_time_zone_is_used(app):
    with app.test_request_context(), override("de"):
        assert render("{{ m|datetimeformat('short') }}", m=MOMENT) == "21.11.26, 15:05"  # Europe/Berlin
        with timezone.override("Asia/Shanghai"):
            assert render("{{ m|datetimeformat('short') }}", m=MOMENT) == "21.11.26, 22:05"
        naive = dt.datetime(2026, 11, 21, 14, 5)  # taken to be in TIME_ZONE already
        assert render("{{ m|timeformat('HH:mm') }}", m=naive) == "14:05"


def test_the_filters_never_raise(app):
    with app.test_request_context():
        assert render("{{ x|decimalformat }}|{{ x|currencyformat('EUR') }}|{{ none|dateformat }}", x="abc") == "||"
        assert render("{{ x|currencyformat('NOPE') }}", x=1) in ("", "NOPE1.00")
        assert render("{{ '12.5'|decimalformat }}") == "12.5"


def test_timedelta(app):
    with app.test_request_context(), override("de"):
        assert render("{{ d|timedeltaformat }}", d=dt.timedelta(days=3)) == "3 Tage"


def test_timesince_in_the_language(app):
    with app.test_request_context():
        then = dt.datetime(2026, 1, 1, 12, 0)
        now = dt.datetime(2026, 1, 3, 15, 0)
        with override("de"):
            assert render("{{ a|timesince(b) }}", a=then, b=now) == "2\xa0Tage, 3\xa0Stunden"
        with override("zh-hans"):
            assert render("{{ a|timesince(b) }}", a=then, b=now) == "2\xa0天，3\xa0小时"  # noqa: RUF001
        assert render("{{ a|timesince(b) }}", a=then, b=now) == "2\xa0days, 3\xa0hours"


def test_use_i18n_false_keeps_language_code(make, tmp_path):
    write_catalog(tmp_path / "l", "de", {"Hello": "Hallo"})
    app = make(USE_I18N=False, LOCALE_PATHS=[str(tmp_path / "l")], LANGUAGE_CODE="de")

    @app.get("/")
    def index():
        return render('{{ _("Hello") }} {{ get_current_language() }}')

    response = app.test_client().get("/", headers={"Accept-Language": "en"})
    assert response.text == "Hello de"
    assert "Accept-Language" not in response.vary

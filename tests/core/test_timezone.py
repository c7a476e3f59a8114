"""``flaskkit.timezone``: USE_TZ, TIME_ZONE and Django's helpers, per app and per context."""

from __future__ import annotations

import zoneinfo
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit import timezone
from tests.conftest import settings

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def make(**values) -> Flask:
    return create_app(settings(**values))


def test_the_defaults_are_those_of_a_new_django_project():
    app = make()
    assert app.config["USE_TZ"] is True
    assert app.config["TIME_ZONE"] == "UTC"
    with app.app_context():
        assert timezone.get_default_timezone() is UTC
        assert timezone.get_current_timezone_name() == "UTC"
        assert timezone.now().tzinfo is UTC


def test_outside_an_app_context_the_defaults_apply():
    assert timezone.use_tz() is True
    assert timezone.get_default_timezone_name() == "UTC"
    assert timezone.is_aware(timezone.now())


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"TIME_ZONE": "Europe/Pariss"}, "TIME_ZONE names the time zone 'Europe/Pariss', which the time zone "
         "database does not have. Did you mean 'Europe/Paris'?"),
        ({"TIME_ZONE": ""}, "TIME_ZONE must be the name of a time zone, such as 'Europe/Paris' or 'UTC', not ''."),
        ({"TIME_ZONE": "../etc/passwd"}, "TIME_ZONE names the time zone '../etc/passwd', which the time zone "
         "database does not have."),
        ({"USE_TZ": "yes"}, "USE_TZ must be True or False, not 'yes'."),
    ],
)  # fmt: skip
def test_a_bad_setting_stops_the_boot(values, message):
    with pytest.raises(ConfigurationError) as excinfo:
        make(**values)
    assert excinfo.value.message == message
    assert excinfo.value.setting == next(iter(values))


def test_use_tz_off_gives_naive_local_times():
    app = make(USE_TZ=False, TIME_ZONE="Asia/Tokyo")
    with app.app_context():
        now = timezone.now()
        assert timezone.is_naive(now)
        expected = datetime.now(TOKYO).replace(tzinfo=None)
        assert abs(expected - now) < timedelta(seconds=5)


def test_two_apps_keep_their_own_zone():
    paris, tokyo = make(TIME_ZONE="Europe/Paris"), make(TIME_ZONE="Asia/Tokyo")
    with paris.app_context():
        assert timezone.get_current_timezone_name() == "Europe/Paris"
        with tokyo.app_context():
            assert timezone.get_current_timezone_name() == "Asia/Tokyo"
        assert timezone.get_default_timezone() == PARIS


def test_activate_deactivate_and_override():
    app = make(TIME_ZONE="Europe/Paris")
    with app.app_context():
        timezone.activate("Asia/Tokyo")
        assert timezone.get_current_timezone() == TOKYO
        with timezone.override(UTC):
            assert timezone.get_current_timezone_name() == "UTC"
            with timezone.override(None):
                assert timezone.get_current_timezone_name() == "Europe/Paris"
        assert timezone.get_current_timezone_name() == "Asia/Tokyo"
        timezone.deactivate()
        assert timezone.get_current_timezone_name() == "Europe/Paris"
        with pytest.raises(ValueError, match="Invalid timezone: 'Mars/Olympus'"):
            timezone.activate("Mars/Olympus")
        with pytest.raises(ValueError, match="Invalid timezone: 3"):
            timezone.activate(3)  # type: ignore[arg-type]


def test_override_is_a_decorator():
    @timezone.override("Asia/Tokyo")
    def current():
        return timezone.get_current_timezone_name()

    assert current() == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "UTC"


def test_what_a_request_activates_ends_with_it():
    app = make(TIME_ZONE="Europe/Paris")

    @app.get("/tokyo")
    def tokyo():
        timezone.activate("Asia/Tokyo")
        return timezone.get_current_timezone_name()

    @app.get("/zone")
    def zone():
        return timezone.get_current_timezone_name()

    client = app.test_client()
    assert client.get("/tokyo").text == "Asia/Tokyo"
    assert client.get("/zone").text == "Europe/Paris"
    # A zone activated around the request (as a test does) is seen by it, and stays.
    with timezone.override("America/New_York"):
        assert client.get("/zone").text == "America/New_York"
        assert client.get("/tokyo").text == "Asia/Tokyo"
        assert timezone.get_current_timezone_name() == "America/New_York"


def test_localtime_and_localdate():
    app = make(TIME_ZONE="Asia/Tokyo")
    moment = datetime(2024, 1, 1, 20, 0, tzinfo=UTC)
    with app.app_context():
        assert timezone.localtime(moment) == moment
        assert timezone.localtime(moment).tzinfo == TOKYO
        assert timezone.localtime(moment).hour == 5
        assert timezone.localdate(moment).isoformat() == "2024-01-02"
        assert timezone.localtime(moment, PARIS).hour == 21
        assert timezone.localtime().tzinfo == TOKYO
        with pytest.raises(ValueError, match=r"^localtime\(\) cannot be applied to a naive datetime$"):
            timezone.localtime(datetime(2024, 1, 1))


def test_make_aware_and_make_naive():
    app = make(TIME_ZONE="Europe/Paris")
    with app.app_context():
        aware = timezone.make_aware(datetime(2024, 7, 1, 12, 0))
        assert aware.tzinfo == PARIS and aware.utcoffset() == timedelta(hours=2)
        assert timezone.make_naive(aware, UTC) == datetime(2024, 7, 1, 10, 0)
        assert timezone.make_naive(aware) == datetime(2024, 7, 1, 12, 0)
        with pytest.raises(ValueError, match="make_aware expects a naive datetime, got 2024-07-01 12:00:00"):
            timezone.make_aware(aware)
        with pytest.raises(ValueError, match=r"make_naive\(\) cannot be applied to a naive datetime"):
            timezone.make_naive(datetime(2024, 1, 1))
        assert timezone.is_aware(aware) and not timezone.is_naive(aware)


def test_fixed_offsets():
    zone = timezone.get_fixed_timezone(-210)
    assert zone.utcoffset(None) == timedelta(hours=-3, minutes=-30)
    assert zone.tzname(None) == "-0330"
    assert timezone.get_fixed_timezone(timedelta(minutes=195)).tzname(None) == "+0315"


def test_a_misspelt_setting_is_reported():
    app = make(TIMEZONE="Europe/Paris")
    from flaskkit import get_kit

    with app.app_context():
        report = get_kit(app).run_checks(app)
    [message] = [m for m in report.messages if m.id == "kit.W003"]
    assert message.obj == "TIMEZONE"
    assert message.hint == "Did you mean TIME_ZONE?"

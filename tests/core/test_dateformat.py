"""Django's date format characters: the cases of Django's ``utils_tests/test_dateformat.py``.

Django runs them with ``TIME_ZONE = "Europe/Copenhagen"`` (and sets the process's
``TZ`` to it); here the app's ``TIME_ZONE`` is that zone, and a naive datetime is
read in it.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import tzinfo

import pytest

from flaskkit import create_app
from flaskkit import timezone
from flaskkit.dateformat import format
from flaskkit.dateformat import time_format
from tests.conftest import settings

COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")
MY_BIRTHDAY = datetime(1979, 7, 8, 22, 0)


@pytest.fixture(autouse=True)
def copenhagen():
    app = create_app(settings(TIME_ZONE="Europe/Copenhagen"))
    with app.app_context():
        yield app


def test_date():
    d = date(2009, 5, 16)
    assert datetime.fromtimestamp(int(format(d, "U")), COPENHAGEN).date() == d


def test_naive_datetime():
    dt = datetime(2009, 5, 16, 5, 30, 30)
    assert datetime.fromtimestamp(int(format(dt, "U")), COPENHAGEN).replace(tzinfo=None) == dt


def test_naive_ambiguous_datetime():
    # 02:30 happens twice in Copenhagen that night: no guessing.
    dt = datetime(2015, 10, 25, 2, 30, 0)
    for specifier in "IOTZ":
        assert format(dt, specifier) == ""


def test_datetime_with_local_tzinfo():
    dt = timezone.make_aware(datetime(2009, 5, 16, 5, 30, 30), COPENHAGEN)
    assert datetime.fromtimestamp(int(format(dt, "U")), COPENHAGEN) == dt


def test_datetime_with_tzinfo():
    tz = timezone.get_fixed_timezone(-510)
    dt = timezone.make_aware(datetime(2009, 5, 16, 5, 30, 30), COPENHAGEN)
    assert datetime.fromtimestamp(int(format(dt, "U")), tz) == dt
    assert datetime.fromtimestamp(int(format(dt, "U")), COPENHAGEN) == dt
    assert datetime.fromtimestamp(int(format(dt, "U")), tz).timetuple() == dt.astimezone(tz).timetuple()


def test_epoch():
    assert format(datetime(1970, 1, 1, tzinfo=UTC), "U") == "0"


def test_empty_format():
    assert format(MY_BIRTHDAY, "") == ""


def test_am_pm():
    assert format(time(7, 0), "a") == "a.m."
    assert format(time(19, 0), "a") == "p.m."
    assert format(time(7, 0), "A") == "AM"
    assert format(time(19, 0), "A") == "PM"


def test_microsecond():
    assert format(datetime(2009, 5, 16, microsecond=123), "u") == "000123"


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("b", "jul"),
        ("d", "08"),
        ("D", "Sun"),
        ("E", "July"),
        ("F", "July"),
        ("j", "8"),
        ("l", "Sunday"),
        ("L", "False"),
        ("m", "07"),
        ("M", "Jul"),
        ("n", "7"),
        ("N", "July"),
        ("o", "1979"),
        ("S", "th"),
        ("t", "31"),
        ("w", "0"),
        ("W", "27"),
        ("y", "79"),
        ("Y", "1979"),
        ("z", "189"),
    ],
)
def test_date_formats(specifier, expected):
    assert format(MY_BIRTHDAY, specifier) == expected


def test_date_formats_c_format():
    assert format(datetime(2008, 5, 19, 11, 45, 23, 123456), "c") == "2008-05-19T11:45:23.123456"


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("a", "p.m."),
        ("A", "PM"),
        ("f", "10"),
        ("g", "10"),
        ("G", "22"),
        ("h", "10"),
        ("H", "22"),
        ("i", "00"),
        ("P", "10 p.m."),
        ("s", "00"),
        ("u", "000000"),
    ],
)
def test_time_formats(specifier, expected):
    assert format(MY_BIRTHDAY, specifier) == expected


def test_dateformat():
    assert format(MY_BIRTHDAY, r"Y z \C\E\T") == "1979 189 CET"
    assert format(MY_BIRTHDAY, r"jS \o\f F") == "8th of July"


def test_futuredates():
    assert format(datetime(2100, 10, 25, 0, 0), "Y") == "2100"


def test_day_of_year_leap():
    assert format(datetime(2000, 12, 31), "z") == "366"


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("e", ""),
        ("O", "+0100"),
        ("r", "Sun, 08 Jul 1979 22:00:00 +0100"),
        ("T", "CET"),
        ("U", "300315600"),
        ("Z", "3600"),
    ],
)
def test_timezones(specifier, expected):
    assert format(MY_BIRTHDAY, specifier) == expected


def test_timezones_of_aware_values_and_times():
    aware_dt = datetime(2009, 5, 16, 5, 30, 30, tzinfo=timezone.get_fixed_timezone(-210))
    assert format(aware_dt, "e") == "-0330"
    assert format(aware_dt, "r") == "Sat, 16 May 2009 05:30:30 -0330"
    assert format(aware_dt, "O") == "-0330"
    summertime = datetime(2005, 10, 30, 1, 0)
    wintertime = datetime(2005, 10, 30, 4, 0)
    assert format(summertime, "I") == "1"
    assert format(summertime, "O") == "+0200"
    assert format(wintertime, "I") == "0"
    assert format(wintertime, "O") == "+0100"
    for specifier in "eOTZ":
        assert time_format(time(12, 0, 0), specifier) == ""


@pytest.mark.parametrize("specifier", ["a", "A", "f", "g", "G", "h", "H", "i", "P", "s", "u"])
def test_invalid_time_format_specifiers(specifier):
    message = f"The format for date objects may not contain time-related format specifiers (found {specifier!r})."
    with pytest.raises(TypeError) as excinfo:
        format(date(1984, 8, 7), specifier)
    assert str(excinfo.value) == message


def test_e_format_with_named_time_zone():
    assert format(datetime(1970, 1, 1, tzinfo=UTC), "e") == "UTC"


def test_e_format_with_time_zone_with_unimplemented_tzname():
    class NoNameTZ(tzinfo):
        """A zone without tzname()."""

        def utcoffset(self, dt):
            return None

    assert format(datetime(1970, 1, 1, tzinfo=NoNameTZ()), "e") == ""


@pytest.mark.parametrize(
    ("expected", "value"),
    [
        ("midnight", time(0)),
        ("noon", time(12)),
        ("4 a.m.", time(4)),
        ("8:30 a.m.", time(8, 30)),
        ("4 p.m.", time(16)),
        ("8:30 p.m.", time(20, 30)),
    ],
)
def test_P_format(expected, value):
    assert time_format(value, "P") == expected


def test_r_format_with_date():
    assert format(date(2022, 7, 1), "r") == "Fri, 01 Jul 2022 00:00:00 +0200"


@pytest.mark.parametrize(
    ("expected", "days"),
    [
        ("st", [1, 21, 31]),
        ("nd", [2, 22]),
        ("rd", [3, 23]),
        ("th", [n for n in range(4, 31) if n not in (21, 22, 23)]),
    ],
)
def test_S_format(expected, days):
    for day in days:
        assert format(date(1970, 1, day), "S") == expected


@pytest.mark.parametrize(("year", "expected"), [(476, "76"), (42, "42"), (4, "04")])
def test_y_format_year_before_1000(year, expected):
    assert format(datetime(year, 9, 8, 5, 0), "y") == expected


def test_Y_format_year_before_1000():
    assert format(datetime(1, 1, 1), "Y") == "0001"
    assert format(datetime(999, 1, 1), "Y") == "0999"


@pytest.mark.parametrize(
    ("hour", "g_expected", "h_expected"),
    [(0, "12", "12"), (1, "1", "01"), (11, "11", "11"), (12, "12", "12"), (13, "1", "01"), (23, "11", "11")],
)
def test_twelve_hour_format(hour, g_expected, h_expected):
    dt = datetime(2000, 1, 1, hour)
    assert format(dt, "g") == g_expected
    assert format(dt, "h") == h_expected


def test_named_formats_are_djangos_english_ones_and_the_settings_override_them(copenhagen):
    assert format(datetime(2008, 1, 1), "DATE_FORMAT") == "Jan. 1, 2008"
    assert format(datetime(2008, 9, 1, 12, 30), "DATETIME_FORMAT") == "Sept. 1, 2008, 12:30 p.m."
    assert format(datetime(2008, 9, 1), "SHORT_DATE_FORMAT") == "09/01/2008"
    copenhagen.config["SHORT_DATE_FORMAT"] = "d.m.Y"
    assert format(datetime(2008, 9, 1), "SHORT_DATE_FORMAT") == "01.09.2008"

"""``timesince``/``timeuntil``: the cases of Django's ``utils_tests/test_timesince.py``, naive and aware."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from flaskkit import timezone
from flaskkit.timesince import timesince
from flaskkit.timesince import timeuntil

ONEMICROSECOND = datetime.timedelta(microseconds=1)
ONESECOND = datetime.timedelta(seconds=1)
ONEMINUTE = datetime.timedelta(minutes=1)
ONEHOUR = datetime.timedelta(hours=1)
ONEDAY = datetime.timedelta(days=1)
ONEWEEK = datetime.timedelta(days=7)
ONEMONTH = datetime.timedelta(days=31)
ONEYEAR = datetime.timedelta(days=366)
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture(params=["naive", "aware"])
def t(request):
    value = datetime.datetime(2007, 8, 14, 13, 46, 0)
    return value if request.param == "naive" else value.replace(tzinfo=datetime.UTC)


def test_equal_datetimes(t):
    assert timesince(t, t) == "0\xa0minutes"


def test_ignore_microseconds_and_seconds(t):
    assert timesince(t, t + ONEMICROSECOND) == "0\xa0minutes"
    assert timesince(t, t + ONESECOND) == "0\xa0minutes"


def test_other_units(t):
    assert timesince(t, t + ONEMINUTE) == "1\xa0minute"
    assert timesince(t, t + ONEHOUR) == "1\xa0hour"
    assert timesince(t, t + ONEDAY) == "1\xa0day"
    assert timesince(t, t + ONEWEEK) == "1\xa0week"
    assert timesince(t, t + ONEMONTH) == "1\xa0month"
    assert timesince(t, t + ONEYEAR) == "1\xa0year"


def test_multiple_units(t):
    assert timesince(t, t + 2 * ONEDAY + 6 * ONEHOUR) == "2\xa0days, 6\xa0hours"
    assert timesince(t, t + 2 * ONEWEEK + 2 * ONEDAY) == "2\xa0weeks, 2\xa0days"


def test_display_first_unit(t):
    assert timesince(t, t + 2 * ONEWEEK + 3 * ONEHOUR + 4 * ONEMINUTE) == "2\xa0weeks"
    assert timesince(t, t + 4 * ONEDAY + 5 * ONEMINUTE) == "4\xa0days"


def test_display_second_before_first(t):
    for delta in (ONEMICROSECOND, ONESECOND, ONEMINUTE, ONEHOUR, ONEDAY, ONEWEEK, ONEMONTH, ONEYEAR,
                  2 * ONEDAY + 6 * ONEHOUR, 2 * ONEWEEK + 2 * ONEDAY, 2 * ONEWEEK + 3 * ONEHOUR + 4 * ONEMINUTE,
                  4 * ONEDAY + 5 * ONEMINUTE):  # fmt: skip
        assert timesince(t, t - delta) == "0\xa0minutes"


def test_different_timezones():
    now = datetime.datetime.now()
    now_tz = datetime.datetime.now(datetime.UTC)
    now_tz_i = timezone.localtime(now_tz, timezone.get_fixed_timezone(195))
    assert timesince(now) == "0\xa0minutes"
    assert timesince(now_tz) == "0\xa0minutes"
    assert timesince(now_tz_i) == "0\xa0minutes"
    assert timesince(now_tz, now_tz_i) == "0\xa0minutes"
    assert timeuntil(now) == "0\xa0minutes"
    assert timeuntil(now_tz) == "0\xa0minutes"
    assert timeuntil(now_tz_i) == "0\xa0minutes"
    assert timeuntil(now_tz, now_tz_i) == "0\xa0minutes"


def test_naive_and_aware_do_not_compare():
    with pytest.raises(TypeError, match="can't compare offset-naive and offset-aware datetimes"):
        timesince(datetime.datetime.now(datetime.UTC), datetime.datetime.now())


def test_date_objects():
    today = datetime.date.today()
    assert timesince(today + ONEDAY) == "0\xa0minutes"
    assert timeuntil(today - ONEDAY) == "0\xa0minutes"


def test_both_date_objects():
    today = datetime.date.today()
    assert timeuntil(today + ONEDAY, today) == "1\xa0day"
    assert timeuntil(today - ONEDAY, today) == "0\xa0minutes"
    assert timeuntil(today + ONEWEEK, today) == "1\xa0week"


def test_leap_year():
    start_date = datetime.date(2016, 12, 25)
    assert timeuntil(start_date + ONEWEEK, start_date) == "1\xa0week"
    assert timesince(start_date, start_date + ONEWEEK) == "1\xa0week"


def test_leap_year_new_years_eve():
    t = datetime.date(2016, 12, 31)
    now = datetime.datetime(2016, 12, 31, 18, 0, 0)
    assert timesince(t + ONEDAY, now) == "0\xa0minutes"
    assert timeuntil(t - ONEDAY, now) == "0\xa0minutes"


def test_naive_datetime_with_tzinfo_attribute():
    class naive(datetime.tzinfo):
        def utcoffset(self, dt):
            return None

    assert timesince(datetime.datetime(2080, 1, 1, tzinfo=naive())) == "0\xa0minutes"
    assert timeuntil(datetime.datetime(1980, 1, 1, tzinfo=naive())) == "0\xa0minutes"


def test_thousand_years_ago(t):
    earlier = t.replace(year=t.year - 1000)
    assert timesince(earlier, t) == "1000\xa0years"
    assert timeuntil(t, earlier) == "1000\xa0years"


def test_depth(t):
    later = t + ONEYEAR + ONEMONTH + ONEWEEK + ONEDAY + ONEHOUR
    tests = [
        (later, 1, "1\xa0year"),
        (later, 2, "1\xa0year, 1\xa0month"),
        (later, 3, "1\xa0year, 1\xa0month, 1\xa0week"),
        (later, 4, "1\xa0year, 1\xa0month, 1\xa0week, 1\xa0day"),
        (later, 5, "1\xa0year, 1\xa0month, 1\xa0week, 1\xa0day, 1\xa0hour"),
        (later, 6, "1\xa0year, 1\xa0month, 1\xa0week, 1\xa0day, 1\xa0hour"),
        (t + ONEHOUR, 5, "1\xa0hour"),
        (t + (4 * ONEMINUTE), 3, "4\xa0minutes"),
        (t + ONEHOUR + ONEMINUTE, 1, "1\xa0hour"),
        (t + ONEDAY + ONEHOUR, 1, "1\xa0day"),
        (t + ONEWEEK + ONEDAY, 1, "1\xa0week"),
        (t + ONEMONTH + ONEWEEK, 1, "1\xa0month"),
        (t + ONEYEAR + ONEMONTH, 1, "1\xa0year"),
        (t + ONEYEAR + ONEWEEK + ONEDAY, 3, "1\xa0year"),
    ]
    for value, depth, expected in tests:
        assert timesince(t, value, depth=depth) == expected
        assert timeuntil(value, t, depth=depth) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2022, 1, 31), "4\xa0weeks, 2\xa0days"),
        (datetime.datetime(2022, 2, 1), "1\xa0month"),
        (datetime.datetime(2022, 2, 28), "1\xa0month, 3\xa0weeks"),
        (datetime.datetime(2022, 3, 1), "2\xa0months"),
        (datetime.datetime(2022, 3, 31), "2\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 4, 1), "3\xa0months"),
        (datetime.datetime(2022, 4, 30), "3\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 5, 1), "4\xa0months"),
        (datetime.datetime(2022, 5, 31), "4\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 6, 1), "5\xa0months"),
        (datetime.datetime(2022, 6, 30), "5\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 7, 1), "6\xa0months"),
        (datetime.datetime(2022, 7, 31), "6\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 8, 1), "7\xa0months"),
        (datetime.datetime(2022, 8, 31), "7\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 9, 1), "8\xa0months"),
        (datetime.datetime(2022, 9, 30), "8\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 10, 1), "9\xa0months"),
        (datetime.datetime(2022, 10, 31), "9\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 11, 1), "10\xa0months"),
        (datetime.datetime(2022, 11, 30), "10\xa0months, 4\xa0weeks"),
        (datetime.datetime(2022, 12, 1), "11\xa0months"),
        (datetime.datetime(2022, 12, 31), "11\xa0months, 4\xa0weeks"),
    ],
)
def test_months_edge(value, expected):
    assert timesince(datetime.datetime(2022, 1, 1), value) == expected


def test_depth_invalid(t):
    with pytest.raises(ValueError, match=r"^depth must be greater than 0\.$"):
        timesince(t, t, depth=0)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (datetime.timedelta(0), "0\xa0minutes"),
        (ONEMICROSECOND, "0\xa0minutes"),
        (ONESECOND, "0\xa0minutes"),
        (ONEMINUTE, "1\xa0minute"),
        (ONEHOUR, "1\xa0hour"),
    ],
)
def test_less_than_a_day_with_zoneinfo(delta, expected):
    kathmandu = zoneinfo.ZoneInfo("Asia/Kathmandu")  # UTC+05:45
    now = datetime.datetime.now(datetime.UTC).astimezone(kathmandu)
    assert timesince(now - delta) == expected
    crossing = datetime.datetime(2023, 4, 14, 1, 30, 30, tzinfo=kathmandu)
    assert timesince(crossing - delta, crossing.astimezone(datetime.UTC)) == expected


def test_across_dst_fallback():
    t = datetime.datetime(2024, 10, 27, 2, 55, tzinfo=BERLIN)
    ten_minutes_later = datetime.datetime(2024, 10, 27, 2, 5, fold=1, tzinfo=BERLIN)
    seventy_minutes_later = datetime.datetime(2024, 10, 27, 3, 5, tzinfo=BERLIN)
    assert timesince(t, ten_minutes_later) == "10\xa0minutes"
    assert timesince(t, seventy_minutes_later) == "1\xa0hour, 10\xa0minutes"


def test_across_dst_fallback_same_wall_time_with_different_fold():
    earlier = datetime.datetime(2024, 10, 27, 2, 5, fold=0, tzinfo=BERLIN)
    later = datetime.datetime(2024, 10, 27, 2, 5, fold=1, tzinfo=BERLIN)
    assert timesince(earlier, later) == "1\xa0hour"
    assert timeuntil(later, earlier) == "1\xa0hour"


def test_across_dst_spring_forward():
    start = datetime.datetime(2025, 3, 30, 1, 55, tzinfo=BERLIN)
    ten_minutes_later = datetime.datetime(2025, 3, 30, 3, 5, tzinfo=BERLIN)
    assert timesince(start, ten_minutes_later) == "10\xa0minutes"
    assert timeuntil(ten_minutes_later, start) == "10\xa0minutes"

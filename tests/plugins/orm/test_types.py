"""``AwareDateTime``: stored in UTC, read back aware (USE_TZ) or as TIME_ZONE's wall time, on SQLite and PostgreSQL."""

from __future__ import annotations

import zoneinfo
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa

from flaskkit import timezone
from flaskkit.plugins.orm import db

from .models import Event

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def stored(app, event_id):
    """The value in the database itself, as the driver gives it."""
    with app.app_context():
        return db.session.execute(
            sa.text("SELECT starts_at FROM orm_test_event WHERE id = :id"), {"id": event_id}
        ).scalar_one()


def add(app, **values):
    with app.app_context():
        event = Event(name="launch", **values)
        db.session.add(event)
        db.session.commit()
        return event.id


def test_an_aware_value_comes_back_aware_in_utc(app, backend):
    moment = datetime(2024, 7, 1, 14, 30, 15, 123456, tzinfo=PARIS)
    event_id = add(app, starts_at=moment)
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.refresh(event)
        assert event.starts_at == moment
        assert event.starts_at.tzinfo is UTC
        assert event.starts_at.hour == 12
        # comparisons in SQL use the instant
        found = db.session.scalars(sa.select(Event).where(Event.starts_at > datetime(2024, 7, 1, 12, tzinfo=UTC)))
        assert [e.id for e in found] == [event_id]
    raw = stored(app, event_id)
    if backend == "sqlite":
        assert raw == "2024-07-01 12:30:15.123456"  # the UTC wall time, whatever TIME_ZONE is
    else:
        assert raw == moment and raw.utcoffset() is not None


def test_a_naive_value_is_read_in_time_zone_with_djangos_warning(make_app):
    app = make_app(tables=True, TIME_ZONE="Europe/Paris")
    with pytest.warns(RuntimeWarning) as record:
        event_id = add(app, starts_at=datetime(2024, 1, 15, 9, 0))
    assert str(record[0].message) == (
        "DateTimeField orm_test_event.starts_at received a naive datetime (2024-01-15 09:00:00) "
        "while time zone support is active."
    )
    with app.app_context():
        assert db.session.get(Event, event_id).starts_at == datetime(2024, 1, 15, 8, 0, tzinfo=UTC)


def test_a_date_is_midnight_of_that_day(make_app):
    app = make_app(tables=True, USE_TZ=False, TIME_ZONE="Asia/Tokyo")
    event_id = add(app, starts_at=date(2024, 3, 1))
    with app.app_context():
        assert db.session.get(Event, event_id).starts_at == datetime(2024, 3, 1, 0, 0)


def test_without_time_zone_support_values_are_naive_wall_times(make_app, backend):
    app = make_app(tables=True, USE_TZ=False, TIME_ZONE="Europe/Paris")
    event_id = add(app, starts_at=datetime(2024, 7, 1, 14, 0), ends_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.refresh(event)
        assert event.starts_at == datetime(2024, 7, 1, 14, 0)
        assert event.ends_at == datetime(2024, 7, 1, 14, 0)  # an aware value: converted to TIME_ZONE
    if backend == "sqlite":
        assert stored(app, event_id) == "2024-07-01 12:00:00.000000"  # still UTC in the database
    # Turning time zone support on later reads the same instants, aware.
    app.config["USE_TZ"] = True
    with app.app_context():
        assert db.session.get(Event, event_id).starts_at == datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def test_timezone_now_is_a_default_that_round_trips(app):
    with app.app_context():
        before = timezone.now()
        event = Event(name="now", starts_at=timezone.now())
        db.session.add(event)
        db.session.commit()
        db.session.expire_all()
        assert timedelta(0) <= event.starts_at - before < timedelta(seconds=30)
        assert timezone.localtime(event.starts_at, PARIS).tzinfo == PARIS


def test_none_stays_none(app):
    event_id = add(app, starts_at=datetime(2024, 1, 1, tzinfo=UTC), ends_at=None)
    with app.app_context():
        assert db.session.get(Event, event_id).ends_at is None

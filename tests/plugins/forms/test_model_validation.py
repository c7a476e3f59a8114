"""ModelForm runs the model's validation where Django's does: full_clean() (validators, clean(), check
constraints) and validate_unique(), with each message once, and the instance untouched until save()."""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from flaskkit import ValidationError
from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.orm import db

from .models import FormsCategory
from .models import FormsEvent


class EventForm(ModelForm):
    class Meta:
        model = FormsEvent
        fields = ["name", "seats", "starts", "ends", "cat"]


class NameOnlyForm(ModelForm):
    class Meta:
        model = FormsEvent
        fields = ["name"]


def bound(form_class, data, **kwargs):
    return form_class(formdata=MultiDict(data), meta={"csrf": False}, **kwargs)


def writes_of_a_commit() -> list[str]:
    """The SQL statements a commit of the session sends, other than SELECTs."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        db.session.commit()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statements


@pytest.fixture
def ctx(site):
    with site.test_request_context(method="POST"):
        yield site


def test_a_valid_form_saves_what_the_models_clean_made_of_it(ctx):
    form = bound(EventForm, {"name": "  Spring   Fair ", "seats": "20"})
    assert form.is_valid(), form.errors
    event = form.save()
    assert (event.name, event.slug, event.seats) == ("Spring Fair", "spring-fair", 20)
    db.session.expire_all()
    assert db.session.get(FormsEvent, event.id).slug == "spring-fair"


def test_model_validators_run_once_next_to_the_forms_own(ctx):
    form = bound(EventForm, {"name": "Spam fair", "seats": "20"})
    assert not form.is_valid()
    assert form.errors == {"name": ["No spam, please."]}
    # The form's own check failed first: the model does not check that field again.
    form = bound(EventForm, {"name": "spam" + "x" * 31, "seats": "20"})
    assert not form.is_valid()
    assert form.errors == {"name": ["Field cannot be longer than 30 characters."]}


def test_errors_of_the_models_clean_land_on_the_fields(ctx):
    data = {"name": "Fair", "starts": "2024-05-02", "ends": "2024-05-01"}
    form = bound(EventForm, data)
    assert not form.is_valid()
    assert form.errors == {"ends": ["The event ends before it starts."]}
    form = bound(EventForm, {"name": "Closed"})
    assert not form.is_valid()
    assert form.non_field_errors() == ["This event cannot be created."]


def test_an_error_on_a_field_the_form_lacks_is_a_non_field_error(ctx):
    form = bound(EventForm, {"name": "Fair", "seats": "13"})
    assert not form.is_valid()
    assert form.non_field_errors() == ["Slug: Unlucky."]


def test_check_constraints_and_unique_checks(ctx):
    form = bound(EventForm, {"name": "Fair", "seats": "600"})
    assert not form.is_valid()
    assert form.non_field_errors() == ["Constraint “ck_forms_event_seats_max” is violated."]
    # a field the form does not edit keeps its check out of the form's validation
    bound(NameOnlyForm, {"name": "Fair"}).is_valid()


def test_an_invalid_form_leaves_a_saved_instance_unchanged(ctx):
    news = db.session.scalars(sa.select(FormsCategory).filter_by(name="News")).one()
    sport = db.session.scalars(sa.select(FormsCategory).filter_by(name="Sport")).one()
    event = FormsEvent(name="Fair", slug="fair", seats=10, cat=news)
    db.session.add(event)
    db.session.commit()
    form = bound(EventForm, {"name": "Closed", "seats": "30", "cat": str(sport.id)}, instance=event)
    assert not form.is_valid()
    assert (event.name, event.slug, event.seats, event.cat) == ("Fair", "fair", 10, news)
    assert not any(db.session.is_modified(obj) for obj in db.session.dirty)
    assert event not in sport.events
    assert writes_of_a_commit() == []


def test_a_valid_form_changes_the_instance_only_when_saved(ctx):
    event = FormsEvent(name="Fair", slug="fair", seats=10)
    db.session.add(event)
    db.session.commit()
    form = bound(EventForm, {"name": "Big Fair", "seats": "30"}, instance=event)
    assert form.is_valid(), form.errors
    assert (event.name, event.seats) == ("Fair", 10)
    assert writes_of_a_commit() == []
    form.save()
    assert (event.name, event.slug, event.seats) == ("Big Fair", "big-fair", 30)


def test_a_new_instance_is_not_put_in_a_relationship_by_an_invalid_form(ctx):
    sport = db.session.scalars(sa.select(FormsCategory).filter_by(name="Sport")).one()
    assert sport.events == []
    form = bound(EventForm, {"name": "Closed", "cat": str(sport.id)})
    assert not form.is_valid()
    assert sport.events == []
    assert form.instance.cat is None


def test_a_form_clean_may_raise_djangos_validation_error_with_a_dict(ctx):
    class DatesForm(Form):
        def clean(self):
            raise ValidationError({"__all__": "Pick other dates.", "csrf_token": "x"})

    form = DatesForm(formdata=MultiDict({}), meta={"csrf": False})
    with pytest.raises(ValueError, match="has no field named 'csrf_token'"):
        form.validate()

    class OtherForm(Form):
        def clean(self):
            raise ValidationError(["One.", "Two."])

    form = OtherForm(formdata=MultiDict({}), meta={"csrf": False})
    assert not form.validate()
    assert form.non_field_errors() == ["One.", "Two."]


def test_the_date_fields_of_the_model_are_checked_with_the_models_rules(ctx):
    form = bound(EventForm, {"name": "Fair", "starts": "2024-05-01", "ends": "2024-05-03"})
    assert form.is_valid(), form.errors
    event = form.save()
    assert event.ends - event.starts == datetime.timedelta(days=2)


def test_a_new_instance_in_no_session_keeps_the_cleaned_values_as_in_django(ctx):
    form = bound(EventForm, {"name": "Big Fair", "seats": "30"})
    assert form.is_valid(), form.errors
    # Django's _post_clean leaves the cleaned data on the instance; nothing can flush it yet
    assert (form.instance.name, form.instance.seats) == ("Big Fair", 30)
    assert form.instance not in db.session
    assert writes_of_a_commit() == []
    event = form.save()
    assert db.session.scalars(sa.select(FormsEvent.seats).filter_by(name="Big Fair")).one() == 30
    assert event.slug == "big-fair"


def test_an_invalid_new_instance_in_no_session_is_never_written(ctx):
    form = bound(EventForm, {"name": "Fair", "seats": "600"})  # breaks the check constraint
    assert not form.is_valid()
    assert form.instance not in db.session
    assert writes_of_a_commit() == []
    assert db.session.scalars(sa.select(FormsEvent).filter_by(name="Fair")).all() == []

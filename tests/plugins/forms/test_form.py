"""Form: Flask-WTF's FlaskForm with Django's flow (is_valid, cleaned_data, clean, add_error, non_field_errors)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField
from wtforms import StringField
from wtforms.validators import InputRequired

from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms import ValidationError
from flaskkit.plugins.forms.testing import csrf_token


class SignupForm(Form):
    username = StringField(validators=[InputRequired()])
    password = StringField()
    password2 = StringField()
    age = IntegerField(default=18)

    def clean_username(self) -> str:
        name = self.cleaned_data["username"].lower()
        if name == "root":
            raise ValidationError("This name is reserved.")
        return name

    def clean(self) -> dict[str, object]:
        data = self.cleaned_data
        if data.get("password") != data.get("password2"):
            raise ValidationError("The two passwords differ.")
        return data


def bound(form_class, **data):
    return form_class(formdata=MultiDict(data), meta={"csrf": False})


@pytest.fixture
def ctx(site):
    with site.test_request_context(method="POST"):
        yield


def test_a_form_wide_error_from_clean_makes_it_invalid(ctx):
    form = bound(SignupForm, username="Ann", password="a", password2="b", age="30")
    assert form.is_valid() is False
    assert form.non_field_errors() == ["The two passwords differ."]
    assert form.has_error(None) and not form.has_error("username")
    assert form.errors == {"": ["The two passwords differ."]}  # WTForms' key for form errors


def test_cleaned_data_holds_the_cleaned_values(ctx):
    form = bound(SignupForm, username="ANN", password="pw", password2="pw", age="30")
    assert form.is_valid()
    assert form.cleaned_data == {"username": "ann", "password": "pw", "password2": "pw", "age": 30}


def test_clean_field_errors_go_to_the_field_and_leave_cleaned_data(ctx):
    form = bound(SignupForm, username="Root", password="pw", password2="pw", age="x")
    assert not form.is_valid()
    assert form.errors == {"username": ["This name is reserved."], "age": ["Not a valid integer value."]}
    assert form.cleaned_data == {"password": "pw", "password2": "pw"}


def test_add_error_on_a_field_and_on_the_form(ctx):
    class BookingForm(Form):
        start = IntegerField()
        end = IntegerField()

        def clean(self) -> None:
            if self.cleaned_data["end"] < self.cleaned_data["start"]:
                self.add_error("end", "The end comes before the start.")
                self.add_error(None, ["Please check the dates.", "Both of them."])

    form = bound(BookingForm, start="5", end="3")
    assert not form.is_valid()
    assert form.errors == {"end": ["The end comes before the start."], "": ["Please check the dates.", "Both of them."]}
    assert form.cleaned_data == {"start": 5}  # clean() returning None keeps cleaned_data
    with pytest.raises(ValueError, match=r"BookingForm has no field named 'nope'\."):
        form.add_error("nope", "x")


def test_add_error_after_validation_makes_the_form_invalid(ctx):
    form = bound(SignupForm, username="ann", password="p", password2="p")
    assert form.is_valid()
    form.add_error("username", "Taken after all.")
    assert not form.is_valid()
    assert "username" not in form.cleaned_data


def test_clean_can_replace_cleaned_data(ctx):
    class Upper(Form):
        name = StringField()

        def clean(self) -> dict[str, object]:
            return {"name": self.cleaned_data["name"].upper(), "extra": 1}

    form = bound(Upper, name="ann")
    assert form.is_valid()
    assert form.cleaned_data == {"name": "ANN", "extra": 1}


def test_an_unbound_form_is_not_valid_and_has_no_errors(site):
    with site.test_request_context(method="GET"):
        form = SignupForm()
        assert form.is_bound is False
        assert form.is_valid() is False
        assert form.errors == {}
        with pytest.raises(AttributeError, match=r"SignupForm.cleaned_data exists once the form is validated"):
            form.cleaned_data  # noqa: B018


def test_initial_gives_the_first_values(site):
    with site.test_request_context(method="GET"):
        form = SignupForm(initial={"username": "guest"})
        assert (form.username.data, form.age.data) == ("guest", 18)


def test_validate_on_submit_runs_the_whole_flow(site):
    with site.test_request_context(method="POST", data={"username": "a", "password": "1", "password2": "2"}):
        form = SignupForm(meta={"csrf": False})
        assert form.is_bound
        assert form.validate_on_submit() is False
        assert form.non_field_errors() == ["The two passwords differ."]


def test_the_csrf_token_is_not_cleaned_data(site):
    @site.post("/signup")
    def signup() -> dict[str, object]:
        form = SignupForm()
        assert form.is_valid(), form.errors
        return form.cleaned_data

    client = site.test_client()
    data = {"username": "Ann", "password": "p", "password2": "p", "csrf_token": csrf_token(client)}
    assert client.post("/signup", data=data).get_json() == {
        "username": "ann",
        "password": "p",
        "password2": "p",
        "age": 18,
    }


def test_is_valid_validates_once(ctx):
    calls = []

    class Counting(Form):
        name = StringField()

        def clean(self) -> None:
            calls.append(1)

    form = bound(Counting, name="x")
    assert form.is_valid() and form.is_valid()
    assert calls == [1]

"""Bad input is a field error or a 4xx, never a 500: NUL characters, files under text names, JSON
that is not an object of text, unreadable and malformed bodies, multipart parts without a name."""

from __future__ import annotations

import io
import json
import typing as t

import pytest
from flask import jsonify
from flask import request
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from wtforms import FieldList
from wtforms import FormField
from wtforms import IntegerField
from wtforms import StringField
from wtforms import validators
from wtforms.form import Form as PlainForm

from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms.formdata import NULL_CHARACTERS_MESSAGE
from flaskkit.plugins.forms.formdata import FieldFormData
from flaskkit.plugins.forms.formdata import json_formdata
from flaskkit.plugins.forms.limits import JSON_TOO_DEEP
from flaskkit.plugins.forms.limits import NOT_UTF8
from flaskkit.plugins.forms.limits import UNREADABLE_BODY
from flaskkit.plugins.forms.testing import csrf_token

from .conftest import count
from .models import Article

REQUIRED = "This field is required."


class NoteForm(Form):
    title = StringField(validators=[validators.InputRequired(), validators.Length(max=20)])
    count = IntegerField(validators=[validators.Optional()])


class Address(PlainForm):
    street = StringField()


class Letter(Form):
    to = FormField(Address)
    lines = FieldList(StringField(), min_entries=1)


def multipart(*parts: tuple[str, bytes], boundary: str = "XyZ") -> tuple[bytes, str]:
    """A multipart body from ``(Content-Disposition parameters, payload)`` pairs, and its content type."""
    body = b"".join(
        f"--{boundary}\r\nContent-Disposition: form-data{params}\r\n\r\n".encode() + payload + b"\r\n"
        for params, payload in parts
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def app(site):
    @site.route("/note", methods=["POST"])
    def note() -> t.Any:
        form = NoteForm()
        if form.is_valid():
            return jsonify(valid=True, data=form.cleaned_data)
        return jsonify(valid=False, errors=form.errors), 200

    @site.route("/letter", methods=["POST"])
    def letter() -> t.Any:
        form = Letter()
        return jsonify(valid=form.is_valid(), errors=form.errors, data=form.data)

    return site


@pytest.fixture
def client(app):
    return app.test_client()


# -- NUL characters --------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["\x00", "a\x00b", "abc\x00"])
def test_a_nul_character_is_a_field_error(client, title):
    response = client.post("/note", data={"title": title, "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert response.json == {"valid": False, "errors": {"title": [NULL_CHARACTERS_MESSAGE]}}


def test_the_nul_error_replaces_the_fields_other_errors(client):
    # "1\x00" is not a number either: only the NUL message is given, as Django's validator runs first.
    response = client.post("/note", data={"title": "ok", "count": "1\x00", "csrf_token": csrf_token(client)})
    assert response.json == {"valid": False, "errors": {"count": [NULL_CHARACTERS_MESSAGE]}}


def test_a_nul_character_in_a_nested_form_or_list_is_refused_too(client):
    data = {"to-street": "a\x00", "lines-0": "b\x00", "csrf_token": csrf_token(client)}
    response = client.post("/letter", data=data)
    assert response.json["valid"] is False
    assert response.json["errors"]["to"] == {"street": [NULL_CHARACTERS_MESSAGE]}
    assert response.json["errors"]["lines"] == [[NULL_CHARACTERS_MESSAGE]]


def test_a_model_form_refuses_a_nul_character_and_writes_nothing(site):
    client = site.test_client()
    token = csrf_token(client)
    response = client.post("/articles/new", data={"title": "a\x00b", "published": "y", "csrf_token": token})
    assert response.status_code == 200
    assert NULL_CHARACTERS_MESSAGE in response.text
    assert count(site, Article) == 0


def test_a_nul_character_in_a_json_string_is_refused(client):
    token = csrf_token(client)
    response = client.post("/note", json={"title": "a\u0000b"}, headers={"X-CSRFToken": token})
    assert response.json == {"valid": False, "errors": {"title": [NULL_CHARACTERS_MESSAGE]}}


def test_text_without_nul_still_passes(client):
    response = client.post("/note", data={"title": "tab\tand é", "count": "3", "csrf_token": csrf_token(client)})
    assert response.json == {"valid": True, "data": {"title": "tab\tand é", "count": 3}}


# -- files under a text field's name ----------------------------------------------------------------


def test_a_file_sent_under_a_text_fields_name_is_not_its_value(client):
    data = {"title": (io.BytesIO(b"file content"), "t.txt"), "csrf_token": csrf_token(client)}
    response = client.post("/note", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.json == {"valid": False, "errors": {"title": [REQUIRED]}}


def test_the_text_value_is_kept_beside_a_file_of_the_same_name(client):
    data = MultiDict(
        [("title", (io.BytesIO(b"file"), "t.txt")), ("title", "typed"), ("csrf_token", csrf_token(client))]
    )
    response = client.post("/note", data=data, content_type="multipart/form-data")
    assert response.json == {"valid": True, "data": {"title": "typed", "count": None}}


def test_the_form_data_gives_files_to_file_fields_only():
    upload = FileStorage(io.BytesIO(b"x"), "x.txt", "name")
    data = FieldFormData(MultiDict([("name", upload), ("body", "text")]), file_names={"attachment"})
    assert "name" not in data and data.getlist("name") == []
    assert list(data) == ["body"] and data.get("body") == "text"
    with_file = FieldFormData(MultiDict([("attachment", upload)]), file_names={"attachment"})
    assert with_file.getlist("attachment") == [upload]


def test_files_reach_the_file_fields_of_a_form_and_of_its_nested_forms(app):
    from flask_wtf.file import FileField

    class Attachment(PlainForm):
        file = FileField()
        note = StringField()

    class Mail(Form):
        attachment = FormField(Attachment)
        cover = FileField()
        subject = StringField()

    @app.post("/mail")
    def mail() -> t.Any:
        form = Mail()
        form.is_valid()
        fields = [*form.attachment, form.cover, form.subject]
        return jsonify({field.name: type(field.data).__name__ for field in fields})

    client = app.test_client()
    data = {
        "attachment-file": (io.BytesIO(b"1"), "a.txt"),
        "attachment-note": (io.BytesIO(b"2"), "b.txt"),
        "cover": (io.BytesIO(b"3"), "c.txt"),
        "subject": (io.BytesIO(b"4"), "d.txt"),
        "csrf_token": csrf_token(client),
    }
    response = client.post("/mail", data=data, content_type="multipart/form-data")
    assert response.json == {
        "attachment-file": "FileStorage",
        "attachment-note": "NoneType",
        "cover": "FileStorage",
        "subject": "NoneType",
    }


# -- JSON bodies -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [[1, 2], "title", 5, None, [["title", "x"]]])
def test_a_json_body_that_is_not_an_object_is_a_400(client, body):
    token = csrf_token(client)
    response = client.post(
        "/note", data=json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400
    assert "A JSON body sent to a form must be an object" in response.text


def test_json_values_are_read_as_text():
    data = json_formdata({"a": 5, "b": True, "c": None, "d": {"x": [1]}, "e": ["one", 2], "f": "é"})
    assert list(data.items(multi=True)) == [
        ("a", "5"),
        ("b", "true"),
        ("d", '{"x": [1]}'),
        ("e", "one"),
        ("e", "2"),
        ("f", "é"),
    ]


def test_a_json_number_for_a_text_field_is_its_text(client):
    token = csrf_token(client)
    response = client.post("/note", json={"title": 12345, "count": 7}, headers={"X-CSRFToken": token})
    assert response.json == {"valid": True, "data": {"title": "12345", "count": 7}}


def test_json_nested_too_deeply_is_a_400(client):
    token = csrf_token(client)
    deep = b"[" * 100_000 + b"]" * 100_000
    for path in ("/note", "/api/items"):
        response = client.post(path, data=deep, content_type="application/json", headers={"X-CSRFToken": token})
        assert response.status_code == 400
        assert JSON_TOO_DEEP in response.text


def test_invalid_json_is_a_400(client):
    token = csrf_token(client)
    response = client.post("/note", data=b"{nope", content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 400


# -- malformed and unreadable bodies ---------------------------------------------------------------------


def test_a_multipart_part_without_a_name_is_left_out(client):
    # Before any other field, so the CSRF check goes through the form's keys: the part must not be a None key.
    body, content_type = multipart(("", b"orphan"), ('; filename="f.txt"', b"file"), ('; name="title"', b"hi"))
    response = client.post("/echo", data=body, content_type=content_type)
    assert response.status_code == 403  # no token: a CSRF failure, never a 500
    token = csrf_token(client)
    body, content_type = multipart(("", b"orphan"), ('; name="csrf_token"', token.encode()), ('; name="a"', b"1"))
    response = client.post("/echo", data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.json["form"] == {"csrf_token": token, "a": "1"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--\r\n", "multipart/form-data"),
        (b"no boundary in here", "multipart/form-data; boundary=XyZ"),
        (b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nnever ends", "multipart/form-data; boundary=XyZ"),
        (b"--XyZ\r\nno headers end", "multipart/form-data; boundary=XyZ"),
    ],
    ids=["no-boundary-parameter", "no-boundary-in-body", "unterminated", "broken-part-headers"],
)
def test_a_malformed_multipart_body_is_a_400(client, body, content_type):
    response = client.post("/echo", data=body, content_type=content_type)
    assert response.status_code == 400
    assert "The multipart form data is malformed" in response.text


def test_an_urlencoded_body_that_is_not_utf8_is_a_400(client):
    response = client.post("/echo", data=b"a=\xff\xfe", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert NOT_UTF8 in response.text


def test_bad_percent_encoding_is_kept_as_typed(client):
    token = csrf_token(client)
    body = f"csrf_token={token}&a=%zz%&b=%ff".encode()
    response = client.post("/echo", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.json["form"]["a"] == "%zz%" and response.json["form"]["b"] == "%FF"


class BrokenInput(io.RawIOBase):
    """A WSGI input stream that fails as a server's does on a bad chunked body or a slow client."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        raise self.error


class InvalidChunkSize(Exception):
    """gunicorn's: a ParseException, not an OSError."""


@pytest.mark.parametrize(
    "error",
    [OSError("Invalid chunk header"), InvalidChunkSize("zz"), TimeoutError("timed out"), ValueError("bad")],
    ids=["oserror", "server-parse-error", "timeout", "valueerror"],
)
@pytest.mark.parametrize("kind", ["form", "json", "raw"])
@pytest.mark.parametrize("limited", [True, False], ids=["limited", "unlimited"])
def test_a_body_the_server_cannot_read_is_a_400(make, error, kind, limited):
    app = make()
    if not limited:
        app.config["MAX_CONTENT_LENGTH"] = None  # werkzeug then reads the server's stream unwrapped

    @app.post("/raw")
    def raw() -> str:
        return str(len(request.get_data()))

    client = app.test_client()
    token = csrf_token(client)
    content_type = {"form": "application/x-www-form-urlencoded", "json": "application/json", "raw": "text/plain"}[kind]
    path = {"form": "/echo", "json": "/api/items", "raw": "/raw"}[kind]
    response = client.post(
        path,
        content_type=content_type,
        headers={"X-CSRFToken": token, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input": BrokenInput(error), "wsgi.input_terminated": True},
    )
    assert response.status_code == 400
    assert UNREADABLE_BODY in response.text


def test_a_content_length_longer_than_the_body_is_a_400(client):
    token = csrf_token(client)
    response = client.post(
        "/echo",
        data=f"csrf_token={token}&a=1".encode(),
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": "5000"},
    )
    assert response.status_code == 400
    assert UNREADABLE_BODY in response.text


def test_a_model_form_with_every_bad_input_at_once_writes_nothing(site):
    client = site.test_client()
    token = csrf_token(client)
    data = {"title": (io.BytesIO(b"x"), "x.txt"), "published": "y", "cat": "\x00", "csrf_token": token}
    response = client.post("/articles/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert REQUIRED in response.text  # the title: the file is not its value
    assert count(site, Article) == 0

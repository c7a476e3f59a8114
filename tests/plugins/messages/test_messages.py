"""The messages plugin: levels, storages, shown once across a redirect, no session for anonymous visitors."""

from __future__ import annotations

import hashlib
import os
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from flask import flash
from flask import redirect
from flask import render_template_string
from flask import request
from markupsafe import Markup

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins import messages
from tests.conftest import settings

PAGE = """{% from "messages/macros.html" import render_messages %}<main>{{ render_messages(messages) }}</main>"""


@pytest.fixture
def make(tmp_path: Path) -> t.Callable[..., Flask]:
    count = iter(range(100))

    def make_site(**values: t.Any) -> Flask:
        values.setdefault("PLUGINS", ["session", "messages"])
        values.setdefault("TESTING", True)
        number = next(count)
        app = create_app(
            settings(**values), import_name=f"messages_app_{number}", instance_path=str(tmp_path / f"i{number}")
        )

        @app.get("/add")
        def add() -> t.Any:
            for spec in request.args.getlist("m"):
                level, _, text = spec.partition(":")
                messages.add_message(request, int(level), text, extra_tags=request.args.get("tags", ""))
            return redirect("/show")

        @app.get("/show")
        def show() -> str:
            return render_template_string(PAGE)

        @app.get("/peek")
        def peek() -> str:
            return str(len(messages.get_messages(request)))  # looks, does not iterate: the messages stay

        @app.get("/flask-flash")
        def flask_flash() -> t.Any:
            flash("Flashed by Flask.", "error")
            return redirect("/show")

        return app

    return make_site


#: 40 messages that do not compress (the signed cookie is zlib-compressed when that helps).
BIG_QUERY = "&".join(f"m=20:Message number {n} x{hashlib.sha256(str(n).encode()).hexdigest()}" for n in range(40))


def session_files(app: Flask) -> list[str]:
    folder = os.path.join(app.instance_path, "sessions")
    return [name for name in os.listdir(folder) if not name.startswith(".")] if os.path.isdir(folder) else []


def items(html: str) -> list[str]:
    import re

    return re.findall(r"<li(?: class=\"([^\"]*)\")?>([^<]*)</li>", html)


def test_shown_once_across_a_redirect_with_the_right_level(make):
    app = make()
    client = app.test_client()
    response = client.get("/add?m=25:Saved.&m=40:But one thing failed.")
    assert response.status_code == 302
    page = client.get("/show").get_data(as_text=True)
    assert items(page) == [("success", "Saved."), ("error", "But one thing failed.")]
    assert '<ul class="messages" role="status"' in page
    assert items(client.get("/show").get_data(as_text=True)) == []  # once only


def test_no_server_side_session_for_anonymous_visitors(make):
    app = make()
    client = app.test_client()
    client.get("/add?m=25:Saved.")
    assert client.get_cookie("messages") is not None
    assert client.get_cookie("session") is None
    assert items(client.get("/show").get_data(as_text=True)) == [("success", "Saved.")]
    assert client.get_cookie("messages") is None  # consumed: the cookie is deleted
    assert session_files(app) == []


def test_the_session_storage_does_use_the_session(make):
    app = make(MESSAGE_STORAGE="session")
    client = app.test_client()
    client.get("/add?m=20:Stored in the session.")
    assert len(session_files(app)) == 1 and client.get_cookie("messages") is None
    assert items(client.get("/show").get_data(as_text=True)) == [("info", "Stored in the session.")]


def test_debug_messages_are_dropped_unless_message_level_says_otherwise(make):
    client = make().test_client()
    client.get("/add?m=10:Debugging.&m=20:Info.")
    assert items(client.get("/show").get_data(as_text=True)) == [("info", "Info.")]
    client = make(MESSAGE_LEVEL=messages.DEBUG).test_client()
    client.get("/add?m=10:Debugging.")
    assert items(client.get("/show").get_data(as_text=True)) == [("debug", "Debugging.")]


def test_custom_levels_and_tags(make):
    client = make(MESSAGE_TAGS={messages.ERROR: "danger", 35: "notice"}).test_client()
    client.get("/add?m=40:Bad.&m=35:Custom level.&m=37:No tag.&tags=sticky")
    assert items(client.get("/show").get_data(as_text=True)) == [
        ("sticky danger", "Bad."),
        ("sticky notice", "Custom level."),
        ("sticky", "No tag."),
    ]


def test_messages_not_iterated_stay_for_the_next_request(make):
    client = make().test_client()
    client.get("/add?m=20:Still here.")
    assert client.get("/peek").get_data(as_text=True) == "1"
    assert items(client.get("/show").get_data(as_text=True)) == [("info", "Still here.")]


def test_messages_added_after_iterating_wait_for_the_next_request(make):
    app = make()

    @app.get("/late")
    def late() -> str:
        html = render_template_string(PAGE)
        messages.warning(None, "Added after the page was rendered.")
        return html

    client = app.test_client()
    client.get("/add?m=20:First.")
    assert items(client.get("/late").get_data(as_text=True)) == [("info", "First.")]
    assert items(client.get("/show").get_data(as_text=True)) == [("warning", "Added after the page was rendered.")]


def test_a_tampered_cookie_is_ignored_and_deleted(make):
    client = make().test_client()
    client.get("/add?m=20:Genuine.")
    value = client.get_cookie("messages").value
    forged = value[:5] + ("A" if value[5] != "A" else "B") + value[6:]  # one character of the payload
    client.set_cookie("messages", forged)
    assert items(client.get("/show").get_data(as_text=True)) == []
    assert client.get_cookie("messages") is None
    client.set_cookie("messages", '[[25,"<script>x</script>","",true]]')  # unsigned JSON
    assert "<script>" not in client.get("/show").get_data(as_text=True)


def test_text_is_escaped_and_markup_kept(make):
    app = make()

    @app.get("/markup")
    def markup() -> t.Any:
        messages.info(None, "<b>plain</b>")
        messages.info(None, Markup("<b>bold</b>"))
        return redirect("/show")

    client = app.test_client()
    client.get("/markup")
    page = client.get("/show").get_data(as_text=True)
    assert "&lt;b&gt;plain&lt;/b&gt;" in page and "<b>bold</b>" in page


def test_too_many_messages_for_the_cookie_go_to_the_session(make):
    app = make()
    client = app.test_client()
    query = BIG_QUERY
    client.get(f"/add?{query}")
    assert len(client.get_cookie("messages").value) <= 2048
    assert len(session_files(app)) == 1  # the rest went to the session
    shown = items(client.get("/show").get_data(as_text=True))
    assert [text.split(" x")[0] for _, text in shown] == [f"Message number {n}" for n in range(40)]


def test_the_cookie_storage_drops_the_oldest_and_warns(make, caplog):
    app = make(MESSAGE_STORAGE="cookie")
    client = app.test_client()
    query = BIG_QUERY
    client.get(f"/add?{query}")
    shown = items(client.get("/show").get_data(as_text=True))
    assert 0 < len(shown) < 40 and shown[-1][1].startswith("Message number 39 ")
    assert "Not all temporary messages could be stored" in caplog.text
    debug = make(MESSAGE_STORAGE="cookie", DEBUG=True, PROPAGATE_EXCEPTIONS=True).test_client()
    with pytest.raises(ValueError, match="Not all temporary messages could be stored"):
        debug.get(f"/add?{query}")


def test_flask_flash_messages_show_in_the_same_place(make):
    client = make().test_client()
    client.get("/flask-flash")
    assert items(client.get("/show").get_data(as_text=True)) == [("error", "Flashed by Flask.")]
    assert items(client.get("/show").get_data(as_text=True)) == []


def test_reading_messages_adds_vary_cookie(make):
    client = make().test_client()
    assert "Cookie" in client.get("/show").headers.get("Vary", "")


def test_without_the_plugin_adding_a_message_says_what_to_do(make):
    app = make(PLUGINS=[])
    with app.test_request_context("/"):
        with pytest.raises(messages.MessageFailure, match="add 'messages' to PLUGINS"):
            messages.success(None, "Saved.")
        messages.success(None, "Saved.", fail_silently=True)
        assert list(messages.get_messages()) == []


def test_set_level_and_get_level(make):
    app = make()
    with app.test_request_context("/"):
        assert messages.get_level(None) == messages.INFO
        messages.set_level(None, messages.WARNING)
        messages.info(None, "dropped")
        messages.error(None, "kept")
        assert [m.message for m in messages.get_messages()] == ["kept"]


def test_message_objects():
    message = messages.Message(messages.SUCCESS, "Saved.", extra_tags="x")
    assert str(message) == "Saved." and message == messages.Message(25, "Saved.")
    assert repr(message) == "Message(level=25, message='Saved.', extra_tags='x')"


@pytest.mark.parametrize(
    ("values", "text"),
    [
        ({"MESSAGE_STORAGE": "cookies"}, "MESSAGE_STORAGE is 'cookies', which is not a message storage. Did you mean"),
        ({"MESSAGE_LEVEL": "info"}, "MESSAGE_LEVEL must be a level number"),
        ({"MESSAGE_TAGS": {"error": "danger"}}, "MESSAGE_TAGS must map level numbers to CSS classes"),
    ],
)
def test_bad_settings_are_boot_errors(make, values, text):
    with pytest.raises(ConfigurationError) as info:
        make(**values)
    assert text in str(info.value)


def test_djangos_storage_paths_are_accepted(make):
    app = make(MESSAGE_STORAGE="django.contrib.messages.storage.session.SessionStorage")
    assert app.extensions["flaskkit.messages"].storage_path.endswith(":SessionStorage")


def test_the_stylesheet_is_served(make):
    with make().test_client().get("/_flaskkit/messages/messages.css") as response:
        assert response.status_code == 200 and b".messages .error" in response.data

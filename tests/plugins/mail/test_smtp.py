"""The SMTP backend against a real SMTP server on 127.0.0.1 (aiosmtpd), up and down."""

from __future__ import annotations

import logging
import smtplib
import threading

import pytest
from flask import Flask

from flaskkit.plugins.mail import EmailMultiAlternatives
from flaskkit.plugins.mail import MailServerError
from flaskkit.plugins.mail import get_connection
from flaskkit.plugins.mail import send_after_response
from flaskkit.plugins.mail import send_mail
from flaskkit.plugins.mail import send_mass_mail

from .smtp_server import free_port


def smtp_app(make_app, server_url: str, **values) -> Flask:
    return make_app(TESTING=False, EMAIL_URL=f"{server_url}?timeout=5", **values)


def test_send_mail_reaches_the_server(make_app, smtp):
    app = smtp_app(make_app, smtp.url, DEFAULT_FROM_EMAIL="Notes <noreply@example.com>")
    with app.app_context():
        assert send_mail("Hello", "Hello Ada", None, ["ada@example.com"], html_message="<p>Hello Ada</p>") == 1
    (received,) = smtp.wait_for(1)
    assert received["Subject"] == "Hello"
    assert received["From"] == "Notes <noreply@example.com>"
    assert received["To"] == "ada@example.com"
    assert received.get_body(("plain",)).get_content().strip() == "Hello Ada"
    assert received.get_body(("html",)).get_content().strip() == "<p>Hello Ada</p>"


def test_attachments_and_non_ascii_survive_the_trip(make_app, smtp):
    app = smtp_app(make_app, smtp.url)
    with app.app_context():
        message = EmailMultiAlternatives("Rapport été", "Voilà.", None, ["zoé@example.com"])
        message.attach("data.csv", "é,b\n", "text/csv")
        message.send()
    (received,) = smtp.wait_for(1)
    assert received["Subject"] == "Rapport été"
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_filename() == "data.csv" and attachment.get_content() == "é,b\n"


def test_send_mass_mail_over_one_connection(make_app, smtp):
    app = smtp_app(make_app, smtp.url)
    with app.app_context():
        assert send_mass_mail([(f"N{i}", "x", None, [f"u{i}@example.com"]) for i in range(3)]) == 3
    assert sorted(m["Subject"] for m in smtp.wait_for(3)) == ["N0", "N1", "N2"]


def test_login_with_the_right_password(make_app, smtp_with_login):
    url = smtp_with_login.url.replace("smtp://", "smtp://mailer:s3cret@")
    app = smtp_app(make_app, url)
    with app.app_context():
        assert send_mail("Logged in", "x", None, ["ada@example.com"]) == 1
    assert [m["Subject"] for m in smtp_with_login.wait_for(1)] == ["Logged in"]


def test_login_refused_names_the_user_not_the_password(make_app, smtp_with_login):
    url = smtp_with_login.url.replace("smtp://", "smtp://mailer:wrong-password@")
    app = smtp_app(make_app, url)
    with app.app_context(), pytest.raises(MailServerError) as info:
        send_mail("Refused", "x", None, ["ada@example.com"])
    message = str(info.value)
    assert f"EMAIL_HOST='127.0.0.1', EMAIL_PORT={smtp_with_login.port}" in message
    assert "refused the login of EMAIL_HOST_USER='mailer'" in message
    assert "The message was not sent." in message
    assert "wrong-password" not in message
    assert isinstance(info.value.__cause__, smtplib.SMTPAuthenticationError)


def test_a_server_that_is_down_raises_a_clear_error(make_app):
    port = free_port()  # nothing listens there
    app = smtp_app(make_app, f"smtp://127.0.0.1:{port}")
    with app.app_context(), pytest.raises(MailServerError) as info:
        send_mail("Lost?", "x", None, ["ada@example.com"])
    assert str(info.value).startswith(
        f"Could not connect to the SMTP server at 127.0.0.1:{port} (EMAIL_HOST='127.0.0.1', EMAIL_PORT={port}): "
        "ConnectionRefusedError"
    )
    assert str(info.value).endswith("The message was not sent.")
    # Code that catches what Django's backend raises still catches it.
    assert isinstance(info.value, smtplib.SMTPException) and isinstance(info.value, OSError)


def test_fail_silently_returns_zero_when_the_server_is_down(make_app):
    app = smtp_app(make_app, f"smtp://127.0.0.1:{free_port()}")
    with app.app_context():
        assert send_mail("Lost", "x", None, ["ada@example.com"], fail_silently=True) == 0


def test_server_stopped_between_two_messages(make_app, tmp_path):
    from .smtp_server import smtp_server

    with smtp_server(tmp_path) as server:
        app = smtp_app(make_app, server.url)
        with app.app_context():
            assert send_mail("First", "x", None, ["ada@example.com"]) == 1
        server.stop()
        with app.app_context(), pytest.raises(MailServerError, match="Could not connect to the SMTP server"):
            send_mail("Second", "x", None, ["ada@example.com"])
        assert [m["Subject"] for m in server.messages()] == ["First"]


def test_one_connection_for_several_messages(make_app, smtp):
    app = smtp_app(make_app, smtp.url)
    with app.app_context(), get_connection() as connection:
        for n in range(2):
            EmailMultiAlternatives(f"M{n}", "x", None, ["a@example.com"], connection=connection).send()
        assert connection.connection is not None  # still open: both went over it
    assert len(smtp.wait_for(2)) == 2


def join_mail_threads() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("flaskkit-mail"):
            thread.join(timeout=30)


def test_send_after_response_sends_outside_the_request(make_app, smtp):
    app = smtp_app(make_app, smtp.url)
    answered = threading.Event()

    def send_later() -> None:
        assert answered.wait(timeout=30)  # the response did not wait for the mail
        send_mail("Later", "x", None, ["ada@example.com"])

    @app.post("/notify")
    def notify() -> str:
        send_after_response(send_later)
        return "queued"

    response = app.test_client().post("/notify")
    assert response.get_data(as_text=True) == "queued"
    assert smtp.messages() == []  # not during the request
    answered.set()
    response.close()  # what the server does once the body has gone
    assert [m["Subject"] for m in smtp.wait_for(1)] == ["Later"]
    join_mail_threads()


def test_send_after_response_does_not_wait_for_a_server_that_never_closes(make_app, smtp):
    app = smtp_app(make_app, smtp.url)

    @app.post("/notify")
    def notify() -> str:
        send_after_response(lambda: send_mail("Anyway", "x", None, ["ada@example.com"]))
        return "queued"

    response = app.test_client().post("/notify")  # never closed
    assert response.status_code == 200
    assert [m["Subject"] for m in smtp.wait_for(1, timeout=10)] == ["Anyway"]
    join_mail_threads()


def test_send_after_response_logs_a_server_that_is_down(make_app, caplog):
    app = smtp_app(make_app, f"smtp://127.0.0.1:{free_port()}")

    @app.post("/notify")
    def notify() -> str:
        send_after_response(lambda: send_mail("Lost", "x", None, ["ada@example.com"]), description="the notice")
        return "queued"

    with caplog.at_level(logging.ERROR, logger="flaskkit.mail"):
        response = app.test_client().post("/notify")
        assert response.status_code == 200
        response.close()
        join_mail_threads()
    (record,) = [r for r in caplog.records if r.name == "flaskkit.mail"]
    assert record.getMessage() == "Failed to send the notice after the response."
    assert record.exc_info is not None and isinstance(record.exc_info[1], MailServerError)
